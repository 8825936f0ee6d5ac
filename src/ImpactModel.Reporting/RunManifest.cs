using ImpactModel.Simulation;

namespace ImpactModel.Reporting;

/// <summary>The years a run's figures are stated in (<see cref="RunManifest.Basis"/>).</summary>
/// <param name="PriceYear">Money is in GBP at this year's prices.</param>
/// <param name="HorizonYears">Present values are over this many years (year 0 undiscounted).</param>
/// <param name="DiscountRate">The discount rate as declared (a number or a distribution).</param>
/// <param name="Population">The population as its file names it (e.g. "United Kingdom, mid-2022"), or null.</param>
public sealed record ManifestBasis(int PriceYear, int HorizonYears, string DiscountRate, string? Population);

/// <summary>
/// A run folder's <c>manifest.json</c> (PRODUCT.md, "Run folder"). The order of the parameters is
/// the order of the keys in the file.
/// </summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Strand">The scenario's strand id.</param>
/// <param name="ScenarioSha256">SHA-256 over the scenario file and every file it references, lower-case hex.</param>
/// <param name="Seed">The run seed, as text: a 64-bit seed above 2^53 would lose digits in readers that hold JSON numbers as doubles.</param>
/// <param name="Replicates">Replicates run.</param>
/// <param name="Population">Persons simulated per replicate.</param>
/// <param name="DeclaredPopulation">Persons the scenario declares; counts and money are scaled to it.</param>
/// <param name="SamplingFraction">Population / declared population.</param>
/// <param name="ScaleFactor">1 / sampling fraction: what a simulated count is multiplied by.</param>
/// <param name="EngineVersion">The engine's version, without the build's commit.</param>
/// <param name="EngineCommit">The commit the engine was built from (the build's source revision), or null when the build did not record one.</param>
/// <param name="InputsScenario">Where the run folder keeps its copy of the scenario (with every file it references, under <c>inputs/</c>), relative to the folder; null when it keeps none.</param>
/// <param name="CommandLine">The command line the run was made with (arguments after the executable), so a reviewer can repeat it; null when not made from a command line.</param>
/// <param name="Threads">Threads the run used.</param>
/// <param name="ChunkSize">Persons per chunk (results do not depend on it).</param>
/// <param name="Interval">What <c>ci_low</c> and <c>ci_high</c> mean.</param>
/// <param name="StartedUtc">When the scenario's run started, UTC, to the millisecond (<c>yyyy-MM-ddTHH:mm:ss.fffZ</c>).</param>
/// <param name="ElapsedSeconds">Wall-clock seconds the scenario's run took, to the millisecond.</param>
/// <param name="Basis">The years the figures are stated in: prices, horizon, discount rate, and the population's own description.</param>
/// <param name="Uncertainty">How many parameters carried uncertainty and how (<see cref="UncertaintySummary"/>).</param>
/// <param name="Groups">The peripheral groups, in the scenario's order.</param>
/// <param name="Variants">Every variant run, in the order of the results.</param>
/// <param name="Metrics">Every metric in results.csv once (ratios against rest too), in the strands' order, with its unit in words.</param>
/// <param name="Warnings">Why some declared settings did not act, one line each.</param>
public sealed record RunManifest(
    string Scenario,
    string Strand,
    string ScenarioSha256,
    string Seed,
    int Replicates,
    long Population,
    long DeclaredPopulation,
    double SamplingFraction,
    double ScaleFactor,
    string EngineVersion,
    string? EngineCommit,
    string? InputsScenario,
    IReadOnlyList<string>? CommandLine,
    int Threads,
    int ChunkSize,
    string Interval,
    string StartedUtc,
    double ElapsedSeconds,
    ManifestBasis Basis,
    UncertaintySummary? Uncertainty,
    IReadOnlyList<string> Groups,
    IReadOnlyList<ManifestVariant> Variants,
    IReadOnlyList<ManifestMetric> Metrics,
    IReadOnlyList<string> Warnings);

/// <summary>One variant in <see cref="RunManifest.Variants"/>.</summary>
/// <param name="Id">The variant id, as in results.csv.</param>
/// <param name="Kind"><c>status-quo</c> or <c>proposal</c>.</param>
/// <param name="Description">What the variant is, for people.</param>
/// <param name="LinksData">True when the variant shares and links data.</param>
/// <param name="SafeguardsOn">Ids of the safeguards that are on.</param>
/// <param name="Changes">What the variant changes from the proposal, one line each.</param>
public sealed record ManifestVariant(
    string Id,
    string Kind,
    string Description,
    bool LinksData,
    IReadOnlyList<string> SafeguardsOn,
    IReadOnlyList<string> Changes);

/// <summary>One metric in <see cref="RunManifest.Metrics"/>: what its values in results.csv are (the host's MetricUnits).</summary>
/// <param name="Name">The metric name, as in results.csv.</param>
/// <param name="Unit">
/// In words: <c>persons</c> or what a count counts (<c>claims</c>, <c>actions</c>, <c>person-days</c>);
/// <c>GBP a year at &lt;price year&gt; prices</c>; <c>GBP present value over &lt;H&gt; years at &lt;price year&gt; prices,
/// discounted at &lt;rate&gt;</c>; <c>rate</c>; <c>ratio</c>.
/// </param>
/// <param name="Denominator">For a rate, what it is per (<c>claimants</c>); for a ratio, <c>the same metric for rest</c>; otherwise null.</param>
/// <param name="Harm">True for a harm and for its ratio against rest.</param>
/// <param name="Headline">True for the strand's headline metrics (the run summary's).</param>
public sealed record ManifestMetric(string Name, string Unit, string? Denominator, bool Harm, bool Headline = false);
