namespace ImpactModel.Reporting;

/// <summary>
/// A package folder's <c>manifest.json</c> (issue 25; keys in snake_case): the package, the run
/// that made it, its scenarios, the population's groups with their names, the contradictions found
/// between its scenarios, and its warnings. Read by <see cref="PackageData.Read"/>, which checks it.
/// </summary>
/// <param name="Package">The package's name.</param>
/// <param name="Description">What the package is, for people (scenario text), or null.</param>
/// <param name="EngineVersion">The engine's version.</param>
/// <param name="Seed">The run seed, as text: a 64-bit seed above 2^53 would lose digits in readers that hold JSON numbers as doubles.</param>
/// <param name="Replicates">Replicates run.</param>
/// <param name="Persons">Persons simulated per replicate.</param>
/// <param name="DeclaredPopulation">Persons the population declares; counts are scaled to it.</param>
/// <param name="StartedUtc">When the package's run started, UTC.</param>
/// <param name="ElapsedSeconds">Wall-clock seconds the package's run took.</param>
/// <param name="Population">The population file the scenarios share, with its hash.</param>
/// <param name="Scenarios">The package's scenarios, in package order (the order of <c>package.csv</c>'s qualifiers).</param>
/// <param name="Groups">The population's groups in population order, with display names.</param>
/// <param name="Contradictions">Persons one scenario's safeguard withheld whom another scenario exposed, one entry per such safeguard.</param>
/// <param name="Warnings">Why some declared settings did not act, one line each.</param>
/// <param name="Files">The package's own files, relative to its folder.</param>
/// <param name="CommandLine">The command line that made it, with any password removed.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="Interval">How the intervals were formed (as in a run's manifest).</param>
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
    PackagePopulation Population,
    IReadOnlyList<PackageScenario> Scenarios,
    IReadOnlyList<PackageGroup> Groups,
    IReadOnlyList<PackageContradiction>? Contradictions = null,
    IReadOnlyList<string>? Warnings = null,
    IReadOnlyList<string>? Files = null,
    IReadOnlyList<string>? CommandLine = null,
    int Threads = 0,
    string? Interval = null);

/// <summary>The population file a package's scenarios share.</summary>
/// <param name="File">Its path as the package names it.</param>
/// <param name="Sha256">SHA-256, lower-case hex, over the population file and then each data table it references, each as its length (8 bytes, little-endian) and its bytes: equal exactly when the persons drawn are the same (not the output of sha256sum on the file).</param>
public sealed record PackagePopulation(string File, string Sha256);

/// <summary>One scenario of a package.</summary>
/// <param name="Name">The scenario's name (the qualifier in <c>package.csv</c>).</param>
/// <param name="Strand">Its strand id.</param>
/// <param name="File">The scenario file, as the package names it.</param>
/// <param name="Variant">The variant the package counts (<c>proposal</c>, usually).</param>
/// <param name="Folder">Its own run folder inside the package folder (one path segment).</param>
/// <param name="Harms">What counts as its harm, a short phrase, or null when it counts none.</param>
/// <param name="Benefits">What counts as its benefit, or null.</param>
/// <param name="Exposes">What counts as exposing a person, or null.</param>
/// <param name="Protects">What counts as protecting a person, or null.</param>
public sealed record PackageScenario(string Name, string Strand, string File, string Variant, string Folder,
    string? Harms, string? Benefits, string? Exposes, string? Protects);

/// <summary>A population group: its id (as in <c>package.csv</c>) and its name for people.</summary>
public sealed record PackageGroup(string Id, string Name);

/// <summary>A count with its 95% interval over replicates (null ends with fewer than 2 replicates).</summary>
public sealed record PackageInterval(double? Mean, double? CiLow, double? CiHigh, int Replicates = 0);

/// <summary>
/// Persons whom the <paramref name="Protecting"/> scenario's <paramref name="Safeguard"/> withheld and
/// the <paramref name="Exposing"/> scenario exposed: the strands contradicting each other in practice.
/// </summary>
/// <param name="Protecting">The scenario whose safeguard withholds.</param>
/// <param name="Safeguard">The safeguard's id.</param>
/// <param name="Exposing">The scenario that exposes the same persons.</param>
/// <param name="Metric">Its metric in <c>package.csv</c> (<c>contradiction.P--S--E</c>).</param>
/// <param name="Persons">Persons, scaled to the declared population.</param>
/// <param name="Sentence">One plain sentence saying what it is.</param>
/// <param name="SafeguardType">The safeguard's type (<c>sensitive-category-exclusion</c>, <c>opt-out</c>, <c>consent</c>).</param>
/// <param name="Groups">The groups an exclusion lists (empty for a safeguard of persons).</param>
/// <param name="Found">Whether any replicate counted a person in it.</param>
public sealed record PackageContradiction(string Protecting, string Safeguard, string Exposing, string Metric, PackageInterval Persons, string Sentence,
    string? SafeguardType = null, IReadOnlyList<string>? Groups = null, bool Found = true);
