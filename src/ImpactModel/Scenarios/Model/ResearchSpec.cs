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
    SourcePosition Position);

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

/// <summary>A research question: the prevalence of a sensitive attribute within each listed group.</summary>
public sealed record ResearchQuestionSpec(string Id, string Attribute, ImmutableArray<string> Groups, SourcePosition Position);
