using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>How the extract is released.</summary>
public enum ReleaseForm
{
    /// <summary>Record-level data inside a trusted research environment.</summary>
    RecordLevelTre,

    /// <summary>Aggregate tables published openly.</summary>
    PublicTables,
}

/// <summary>
/// The research and statistics strand: a de-identified extract, its quasi-identifiers and sensitive
/// attributes, how it is released, the attack model, and the research questions whose utility is measured.
/// </summary>
public sealed record ResearchSpec(
    Parameter SampleFraction,
    string? ExtractSource,
    ImmutableArray<QuasiIdentifierSpec> QuasiIdentifiers,
    ImmutableArray<SensitiveAttributeSpec> SensitiveAttributes,
    ReleaseForm Release,
    AttackSpec Attack,
    ImmutableArray<ResearchQuestionSpec> Questions,
    Parameter? ReidentificationValuation,
    SourcePosition Position)
{
    /// <summary>Releases a year (each spends the noise safeguard's ε again); 1 unless declared.</summary>
    public Parameter? ReleasesPerYear { get; init; }

    /// <summary>A released record is at high risk when its prosecutor risk 1/f exceeds this; 0.2 unless declared.</summary>
    public Parameter? HighRiskThreshold { get; init; }

    /// <summary>The value of the research the release enables, GBP a year (with a source), when the scenario gives one.</summary>
    public Parameter? ResearchValue { get; init; }

    /// <summary>The default of <see cref="HighRiskThreshold"/>: a record in a class of fewer than 5 (ARX's and sdcMicro's usual 0.2).</summary>
    public const double DefaultHighRiskThreshold = 0.2;
}

/// <summary>
/// A quasi-identifier, the levels of detail it can be released at (each with its number of
/// distinct values), and the level released.
/// </summary>
public sealed record QuasiIdentifierSpec(string Id, ImmutableArray<DetailLevel> Levels, string Released, SourcePosition Position);

/// <summary>One level of detail of a quasi-identifier and how many distinct values it has.</summary>
public sealed record DetailLevel(string Id, long Categories);

/// <summary>A sensitive attribute held in the extract, with its prevalence by group.</summary>
public sealed record SensitiveAttributeSpec(string Id, string? Description, GroupValues Prevalence, SourcePosition Position);

/// <summary>Who attacks the release, how often, knowing which quasi-identifiers of their target.</summary>
public sealed record AttackSpec(string Attacker, Parameter AttemptsPerYear, ImmutableArray<string> Knows, Parameter SuccessIfUnique);

/// <summary>What a research question estimates.</summary>
public enum QuestionKind
{
    /// <summary>The attribute's prevalence within each listed group.</summary>
    Prevalence,

    /// <summary>The difference between each listed group's prevalence and rest's (persons in no group).</summary>
    Difference,
}

/// <summary>
/// A research question: the prevalence of a sensitive attribute within each listed group (every
/// group when none is listed), or each listed group's difference from rest.
/// </summary>
public sealed record ResearchQuestionSpec(string Id, string Attribute, ImmutableArray<string> Groups, SourcePosition Position)
{
    public QuestionKind Kind { get; init; } = QuestionKind.Prevalence;
}
