using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>How strong the evidence behind a parameter is, from best to weakest.</summary>
public enum EvidenceGrade
{
    /// <summary>No grade declared: reported as an assumption.</summary>
    Unstated = 0,
    PublishedStatistic,
    SurveyEstimate,
    ExpertJudgement,
    Assumption,
}

/// <summary>Where a parameter's value comes from.</summary>
public sealed record Evidence(string? Source, EvidenceGrade Grade)
{
    public static readonly Evidence None = new(null, EvidenceGrade.Unstated);

    public static readonly IReadOnlyList<string> GradeIds =
        ["published-statistic", "survey-estimate", "expert-judgement", "assumption"];

    public static string IdOf(EvidenceGrade grade) => grade switch
    {
        EvidenceGrade.PublishedStatistic => "published-statistic",
        EvidenceGrade.SurveyEstimate => "survey-estimate",
        EvidenceGrade.ExpertJudgement => "expert-judgement",
        _ => "assumption",
    };
}

/// <summary>What range a parameter lives in; decides which values and distributions are allowed.</summary>
public enum ParameterKind
{
    /// <summary>A probability, prevalence, share, coverage or rate: in [0, 1].</summary>
    Probability,

    /// <summary>Money in GBP (price year of the scenario): at least 0.</summary>
    Money,

    /// <summary>A non-negative quantity (a mean count, months, days, a coefficient of variation).</summary>
    NonNegative,

    /// <summary>A strictly positive ratio (an odds ratio).</summary>
    Ratio,

    /// <summary>Any real number (a log-odds gradient, a match weight in bits).</summary>
    Real,

    /// <summary>
    /// The mean of a Poisson count the engine draws (candidates per block): in [0,
    /// <see cref="ImpactModel.Random.Philox.PoissonMeanLimit"/>], the range its sampler accepts.
    /// </summary>
    PoissonMean,
}

/// <summary>
/// One numeric parameter of a scenario: its value or distribution, its evidence, and the dotted
/// path and position it was declared at (the path a variant override names).
/// </summary>
public sealed record Parameter(Distribution Value, Evidence Evidence, string Path, SourcePosition Position)
{
    public double Mean => Value.Mean;
}

/// <summary>A parameter for one peripheral group.</summary>
public sealed record GroupParameter(string Group, Parameter Value);

/// <summary>
/// A parameter that may differ by peripheral group: <c>Base</c> holds for persons in none of the
/// listed groups; a person in one listed group takes that group's value; a person in several
/// takes the base odds multiplied by each group's odds ratio against the base (for probabilities),
/// or the base multiplied by each group's ratio to the base (for other kinds). See docs/scenario-format.md.
/// </summary>
public sealed record GroupValues(Parameter Base, System.Collections.Immutable.ImmutableArray<GroupParameter> ByGroup)
{
    /// <summary>The value declared for <paramref name="group"/>, or the base.</summary>
    public Parameter For(string group)
    {
        foreach (var g in ByGroup)
        {
            if (g.Group == group)
                return g.Value;
        }

        return Base;
    }
}
