using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>How records are matched.</summary>
public enum LinkageMethod
{
    /// <summary>Records link when every key field is present and agrees.</summary>
    Exact,

    /// <summary>Fellegi–Sunter scoring with m and u probabilities, thresholds and a clerical band.</summary>
    Probabilistic,
}

/// <summary>
/// Linking the records of one source (<see cref="From"/>, e.g. benefit claims) to another's
/// (<see cref="To"/>, e.g. earnings records).
/// </summary>
public sealed record LinkageSpec(
    string Id,
    string From,
    string To,
    LinkageMethod Method,
    ImmutableArray<LinkFieldSpec> Fields,
    Parameter? UpperThreshold,
    Parameter? LowerThreshold,
    ClericalReviewSpec? ClericalReview,
    GroupValues CandidatesPerBlock,
    SourcePosition Position);

/// <summary>
/// A compared field. <see cref="M"/> and <see cref="U"/> are what the linking body assumes;
/// <see cref="ChanceAgreement"/> is how often two different persons' values really agree, by group
/// (defaults to u), so the error emerges from where the linker's model and the data disagree.
/// </summary>
public sealed record LinkFieldSpec(
    string Field,
    Parameter? M,
    Parameter? U,
    GroupValues? ChanceAgreement,
    bool TermFrequencyAdjusted,
    SourcePosition Position);

/// <summary>Clerical review of pairs between the thresholds.</summary>
public sealed record ClericalReviewSpec(Parameter Accuracy, Parameter CostPerPair);
