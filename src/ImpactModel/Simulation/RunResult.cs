using System.Collections.Immutable;

namespace ImpactModel.Simulation;

/// <summary>How a run is made: the seed, replicates, simulated persons, threads and chunk size.</summary>
/// <param name="Seed">The run seed (unsigned 64-bit).</param>
/// <param name="Replicates">Replicates, 1 to 100,000.</param>
/// <param name="Persons">Persons simulated per replicate (ids 0 … Persons − 1).</param>
/// <param name="Threads">Worker threads; 0: every core. Results do not depend on it.</param>
/// <param name="ChunkSize">Persons per chunk. Results do not depend on it.</param>
public sealed record RunSettings(ulong Seed, int Replicates, long Persons, int Threads = 0, int ChunkSize = Population.PersonChunk.DefaultCapacity);

/// <summary>Where a run is: persons evaluated so far (every variant of them) and replicates completed.</summary>
public readonly record struct RunProgress(long PersonsDone, long PersonsTotal, int ReplicatesDone, int Replicates);

/// <summary>One row of <c>results.csv</c>.</summary>
public sealed record ResultRow(string Variant, string Group, string Metric, ReplicateSummary Summary);

/// <summary>One metric of one variant and group: its value in each replicate (null where undefined).</summary>
public sealed record MetricSeries(string Variant, string Group, string Metric, ImmutableArray<double?> Values);

/// <summary>One drawn parameter of one replicate (a row of <c>parameters.csv</c>).</summary>
public sealed record ParameterDraw(int Replicate, string Parameter, double Value, string? Source, string Grade);

/// <summary>
/// Everything a run produced, as values: the variants, every per-replicate value, the summaries and
/// the parameter draws. The host writes it to a run folder.
/// </summary>
public sealed record RunResult(
    string Scenario,
    string Strand,
    RunSettings Settings,
    long DeclaredPopulation,
    double SamplingFraction,
    IReadOnlyList<SimulationVariant> Variants,
    ImmutableArray<string> Groups,
    IReadOnlyList<MetricSeries> Series,
    IReadOnlyList<ResultRow> Rows,
    IReadOnlyList<ParameterDraw> Parameters,
    ImmutableArray<string> HeadlineMetrics,
    ImmutableArray<string> Warnings)
{
    /// <summary>Counts and money are multiplied by this (declared / simulated persons) to be for the declared population.</summary>
    public double ScaleFactor => 1 / SamplingFraction;
}
