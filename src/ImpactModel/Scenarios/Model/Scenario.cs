using System.Collections.Immutable;

namespace ImpactModel.Scenarios.Model;

/// <summary>The ids of the strands a scenario may belong to (not <c>Strands</c>: the strands' code lives in <c>ImpactModel.Strands.*</c>).</summary>
public static class StrandIds
{
    public const string Fraud = "fraud-error-debt";
    public const string TailoredServices = "tailored-services";
    public const string Research = "research-statistics";

    public static readonly IReadOnlyList<string> All = [Fraud, TailoredServices, Research];
}

/// <summary>One proposal, as declared in its scenario file (and the population file it references).</summary>
public sealed record Scenario(
    string File,
    string Strand,
    string Name,
    string? Description,
    ImmutableArray<string> Purposes,
    int PriceYear,
    int HorizonYears,
    Parameter DiscountRate,
    PopulationSpec Population,
    ImmutableArray<DataSourceSpec> DataSources,
    ImmutableArray<LinkageSpec> Linkages,
    FraudSpec? Fraud,
    TailoredServicesSpec? TailoredServices,
    ResearchSpec? Research,
    PilotSpec? Pilot,
    ImmutableArray<SafeguardSpec> Safeguards,
    ImmutableArray<VariantSpec> Variants,
    ImmutableArray<string> ReferencedFiles)
{
    /// <summary>How the scenario's single numbers spread by grade (its <c>uncertainty:</c>, else the engine's defaults).</summary>
    public UncertaintySettings Uncertainty { get; init; } = UncertaintySettings.Default;
}
