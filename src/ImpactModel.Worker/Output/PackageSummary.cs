using ImpactModel.Reporting;

namespace ImpactModel.Worker.Output;

/// <summary>A package's <c>--json</c> summary: its folder, each scenario's folder, and what the package found.</summary>
public sealed record PackageSummary(string Out, string Package, IReadOnlyList<string> Scenarios, IReadOnlyList<PackageContradiction> Contradictions,
    IReadOnlyList<string> Warnings);
