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
    private readonly string? _drawPath;

    public double Mean => Value.Mean;

    /// <summary>What range the value lives in (set by the reader; null for a parameter built in code, which then never spreads).</summary>
    public ParameterKind? Kind { get; init; }

    /// <summary>
    /// The spread a single-number value takes by its evidence grade (<see cref="UncertaintySettings"/>),
    /// 0 for none: the replicate's value is then drawn around the number (<see cref="MonteCarlo.ParameterSampler"/>).
    /// Always 0 for a declared distribution, a design choice and a value marked <c>fixed: true</c>.
    /// </summary>
    public double Spread { get; init; }

    /// <summary>Why the scenario holds this value fixed (<c>fixed: true</c> with a <c>reason</c>), or null.</summary>
    public string? FixedReason { get; init; }

    /// <summary>A choice of the proposal or of the linker (a threshold, the linker's m and u), not evidence: never spread by grade.</summary>
    public bool IsChoice { get; init; }

    /// <summary>
    /// The path whose random counter the replicate's draw uses: the parameter's own, or for a
    /// group's value of a by-group parameter the base's, so that the base and every group's value
    /// move together (their ratios kept) when spread by grade.
    /// </summary>
    public string DrawPath
    {
        get => _drawPath ?? Path;
        init => _drawPath = value;
    }

    /// <summary>The reason an engine default is held as written.</summary>
    public const string EngineDefaultReason = "the engine's default for a value the scenario does not declare";

    /// <summary>
    /// The engine's default for a parameter the scenario leaves out: held as written (a convention,
    /// e.g. "no false clearances", not evidence to spread), and said so in its evidence.
    /// </summary>
    public static Parameter EngineDefault(string path, double value, ParameterKind kind, SourcePosition position, string? what = null) =>
        new(new FixedValue(value), new Evidence("ImpactModel default (not declared in the scenario)" + (what is null ? "" : ": " + what), EvidenceGrade.Assumption),
            path, position)
        {
            Kind = kind,
            FixedReason = EngineDefaultReason,
        };

    /// <summary>True when the replicate's value varies: a declared distribution, or a number spread by its grade.</summary>
    public bool IsUncertain => !Value.IsFixed || Spread > 0;
}

/// <summary>
/// How much a single-number parameter varies across replicates by its evidence grade when the
/// scenario gives no distribution for it (docs/scenario-format.md, "Uncertainty by grade"): the
/// spread σ on the log scale (amounts, ratios), the log-odds scale (probabilities) or relative to
/// the value (real numbers). Published statistics and survey estimates are not spread: a scenario
/// gives their intervals as distributions. An ungraded value is reported as an assumption and spread as one.
/// </summary>
/// <param name="Assumption">σ for <c>assumption</c> (and ungraded) values.</param>
/// <param name="ExpertJudgement">σ for <c>expert-judgement</c> values.</param>
public sealed record UncertaintySettings(double Assumption, double ExpertJudgement)
{
    /// <summary>The engine's defaults: σ 0.3 for an assumption, 0.15 for expert judgement.</summary>
    public static readonly UncertaintySettings Default = new(0.3, 0.15);

    /// <summary>No spread by grade: single numbers are held as written.</summary>
    public static readonly UncertaintySettings None = new(0, 0);

    /// <summary>The key of <see cref="Assumption"/> in a scenario's <c>uncertainty:</c> mapping.</summary>
    public const string AssumptionKey = "assumption";

    /// <summary>The key of <see cref="ExpertJudgement"/>.</summary>
    public const string ExpertJudgementKey = "expert-judgement";

    /// <summary>The settings' keys in a scenario's <c>uncertainty:</c> mapping.</summary>
    public static readonly IReadOnlyList<string> Keys = [AssumptionKey, ExpertJudgementKey];

    /// <summary>False for a value no spread can move: a probability of 0 or 1, an amount or real number of 0.</summary>
    public static bool Moves(double value, ParameterKind kind) =>
        kind == ParameterKind.Probability ? value > 0 && value < 1 : value != 0;

    /// <summary>The spread for a value of <paramref name="grade"/>.</summary>
    public double For(EvidenceGrade grade) => grade switch
    {
        EvidenceGrade.Assumption or EvidenceGrade.Unstated => Assumption,
        EvidenceGrade.ExpertJudgement => ExpertJudgement,
        _ => 0,
    };
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
