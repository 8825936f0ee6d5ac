using ImpactModel.Reporting;
namespace ImpactModel.Worker.Output;

/// <summary>The one JSON object <c>impact run --json</c> writes to stdout: where the run folder is, and each scenario's headline figures.</summary>
/// <param name="Out">The run folder named by --out (or the default).</param>
/// <param name="Runs">One entry per scenario, in the order given.</param>
public sealed record RunSummary(string Out, IReadOnlyList<RunSummaryEntry> Runs);

/// <summary>One scenario of <see cref="RunSummary"/>.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Strand">The scenario's strand id.</param>
/// <param name="Folder">The scenario's own run folder.</param>
/// <param name="Seed">The run seed, as text (see <see cref="RunManifest.Seed"/>).</param>
/// <param name="Replicates">Replicates run.</param>
/// <param name="Population">Persons simulated per replicate.</param>
/// <param name="DeclaredPopulation">Persons the scenario declares.</param>
/// <param name="Variants">Ids of every variant run.</param>
/// <param name="Headline">The headline metrics of the status quo and the proposal, every group.</param>
/// <param name="Warnings">As in the manifest.</param>
public sealed record RunSummaryEntry(
    string Scenario,
    string Strand,
    string Folder,
    string Seed,
    int Replicates,
    long Population,
    long DeclaredPopulation,
    IReadOnlyList<string> Variants,
    IReadOnlyList<HeadlineFigure> Headline,
    IReadOnlyList<string> Warnings);

/// <summary>One row of results.csv, as a headline of <see cref="RunSummaryEntry"/>; an undefined value is null.</summary>
/// <param name="Variant">Variant id.</param>
/// <param name="Group">Group id, <c>all</c> or <c>rest</c>.</param>
/// <param name="Metric">Metric name.</param>
/// <param name="Mean">Mean over replicates.</param>
/// <param name="CiLow">2.5th percentile over replicates; null with fewer than 2.</param>
/// <param name="CiHigh">97.5th percentile over replicates; null with fewer than 2.</param>
/// <param name="Replicates">Replicates behind the figures.</param>
/// <param name="McSe">Monte Carlo standard error of the mean; null with fewer than 2 replicates.</param>
/// <param name="Events">Simulated, unscaled events behind the value, summed over replicates; null when the metric names none.</param>
/// <param name="Unit">The unit in words, as in the manifest's <c>metrics</c>.</param>
public sealed record HeadlineFigure(
    string Variant,
    string Group,
    string Metric,
    double? Mean,
    double? CiLow,
    double? CiHigh,
    int Replicates,
    double? McSe,
    long? Events,
    string Unit);
