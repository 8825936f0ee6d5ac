namespace ImpactModel.Worker.Output;

/// <summary>A package's <c>manifest.json</c> (docs/packages.md): what ran, over which persons, and what it found.</summary>
public sealed record PackageManifest(
    string Package,
    string? Description,
    string EngineVersion,
    string Seed,
    int Replicates,
    long Persons,
    long DeclaredPopulation,
    string StartedUtc,
    double ElapsedSeconds,
    IReadOnlyList<string>? CommandLine,
    int Threads,
    string Interval,
    PackagePopulation Population,
    IReadOnlyList<PackageScenario> Scenarios,
    IReadOnlyList<PackageGroup> Groups,
    IReadOnlyList<PackageContradiction> Contradictions,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Files);

/// <summary>The population file every scenario of the package references.</summary>
public sealed record PackagePopulation(string File, string Sha256);

/// <summary>A scenario of the package: its run folder, the variant counted, and what its strand marks per person.</summary>
public sealed record PackageScenario(string Name, string Strand, string File, string Variant, string Folder, string? Harms, string? Benefits, string? Exposes,
    string? Protects);

/// <summary>A group of the population, with its display name.</summary>
public sealed record PackageGroup(string Id, string Name);

/// <summary>A mean with its 95% interval over replicates (null where undefined).</summary>
public sealed record PackageFigure(double? Mean, double? CiLow, double? CiHigh, int Replicates);

/// <summary>A contradiction the package looked for: one scenario's safeguard withholds persons another scenario exposes.</summary>
public sealed record PackageContradiction(string Protecting, string Safeguard, string SafeguardType, IReadOnlyList<string> Groups, string Exposing,
    string Metric, PackageFigure Persons, bool Found, string Sentence);

/// <summary>A package's <c>--json</c> summary: its folder, each scenario's folder, and what the package found.</summary>
public sealed record PackageSummary(string Out, string Package, IReadOnlyList<string> Scenarios, IReadOnlyList<PackageContradiction> Contradictions,
    IReadOnlyList<string> Warnings);
