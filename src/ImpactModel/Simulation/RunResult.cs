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
/// <param name="Variant">The variant id.</param>
/// <param name="Group">The group id, <c>all</c> or <c>rest</c>.</param>
/// <param name="Metric">The metric name.</param>
/// <param name="Summary">The values summarised over replicates.</param>
/// <param name="Events">
/// The simulated, unscaled count behind the value (persons or events in the numerator: the metric's
/// <see cref="MetricDefinition.EventsCounter"/>), summed over every replicate; for a ratio against
/// <c>rest</c>, the fewer of its harm's in the group and in <c>rest</c> (it rests on both); null when
/// the metric names no events (money by default).
/// An integer sum of integer tallies: the same for any thread count or chunk size.
/// </param>
public sealed record ResultRow(string Variant, string Group, string Metric, ReplicateSummary Summary, long? Events);

/// <summary>One metric a run reports (in one or more variants), as the host needs it to say what the values are.</summary>
/// <param name="Name">The metric name in results.csv.</param>
/// <param name="Definition">How the value is formed; for a ratio against <c>rest</c>, its harm's definition.</param>
/// <param name="RatioOf">For a ratio against <c>rest</c>, the name of its harm metric; otherwise null.</param>
/// <param name="DenominatorCounter">For a rate, the name of its denominator counter; otherwise null.</param>
public sealed record ReportedMetric(string Name, MetricDefinition Definition, string? RatioOf, string? DenominatorCounter)
{
    /// <summary>True for a harm's ratio against <c>rest</c>.</summary>
    public bool IsRatio => RatioOf is not null;
}

/// <summary>One metric of one variant and group: its value in each replicate (null where undefined).</summary>
public sealed record MetricSeries(string Variant, string Group, string Metric, ImmutableArray<double?> Values);

/// <summary>What one column of the per-replicate values is: a metric of a variant and group.</summary>
public sealed record SeriesKey(string Variant, string Group, string Metric);

/// <summary>One drawn parameter of one replicate (a row of <c>parameters.csv</c>).</summary>
public sealed record ParameterDraw(int Replicate, string Parameter, double Value, string? Source, string Grade);

/// <summary>What one drawn parameter is: its path, source and grade (the same in every replicate).</summary>
public sealed record ParameterKey(string Parameter, string? Source, string Grade);

/// <summary>
/// Everything a run produced, as values: the variants, the summaries, and, in
/// <see cref="Values"/>, every per-replicate value of every series (<see cref="SeriesKeys"/>) then of
/// every drawn parameter (<see cref="ParameterKeys"/>). The host writes it to a run folder.
/// <see cref="Metrics"/> lists every metric name that appears in <see cref="Rows"/> once, in the
/// order the strands declare them (a harm's ratio against <c>rest</c> just after the harm).
/// </summary>
public sealed record RunResult(
    string Scenario,
    string Strand,
    RunSettings Settings,
    long DeclaredPopulation,
    double SamplingFraction,
    IReadOnlyList<SimulationVariant> Variants,
    ImmutableArray<string> Groups,
    IReadOnlyList<SeriesKey> SeriesKeys,
    IReadOnlyList<ResultRow> Rows,
    IReadOnlyList<ParameterKey> ParameterKeys,
    IReplicateStore Values,
    ImmutableArray<string> HeadlineMetrics,
    ImmutableArray<string> Warnings,
    IReadOnlyList<ReportedMetric> Metrics)
{
    /// <summary>What the strands conclude that a reader must not miss (<see cref="IStrandModel.Findings"/>); also among <see cref="Warnings"/>.</summary>
    public ImmutableArray<string> Findings { get; init; } = [];

    /// <summary>How the parameters carried uncertainty (null for a result made without a scenario's parameters).</summary>
    public UncertaintySummary? Uncertainty { get; init; }

    /// <summary>Counts and money are multiplied by this (declared / simulated persons) to be for the declared population.</summary>
    public double ScaleFactor => 1 / SamplingFraction;

    /// <summary>Every series with its values, read from <see cref="Values"/> one series at a time (for tests and small runs; writers read in blocks).</summary>
    public IReadOnlyList<MetricSeries> Series => new SeriesView(this);

    /// <summary>Every parameter draw, replicate by replicate, read from <see cref="Values"/>.</summary>
    public IReadOnlyList<ParameterDraw> Parameters => new ParameterView(this);

    private sealed class SeriesView(RunResult result) : IReadOnlyList<MetricSeries>
    {
        public int Count => result.SeriesKeys.Count;

        public MetricSeries this[int index]
        {
            get
            {
                SeriesKey key = result.SeriesKeys[index];
                var values = new double[result.Values.Replicates];
                result.Values.ReadColumns(index, 1, values);
                return new MetricSeries(key.Variant, key.Group, key.Metric, [.. values.Select(x => double.IsFinite(x) ? x : (double?)null)]);
            }
        }

        public IEnumerator<MetricSeries> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
                yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class ParameterView(RunResult result) : IReadOnlyList<ParameterDraw>
    {
        public int Count => result.ParameterKeys.Count * result.Values.Replicates;

        public ParameterDraw this[int index]
        {
            get
            {
                int parameters = result.ParameterKeys.Count, replicate = index / parameters, p = index % parameters;
                var record = new double[result.Values.RecordLength];
                result.Values.ReadRecord(replicate, record);
                ParameterKey key = result.ParameterKeys[p];
                return new ParameterDraw(replicate, key.Parameter, record[result.SeriesKeys.Count + p], key.Source, key.Grade);
            }
        }

        public IEnumerator<ParameterDraw> GetEnumerator()
        {
            int series = result.SeriesKeys.Count;
            var record = new double[result.Values.RecordLength];
            for (int r = 0; r < result.Values.Replicates; r++)
            {
                result.Values.ReadRecord(r, record);
                for (int p = 0; p < result.ParameterKeys.Count; p++)
                {
                    ParameterKey key = result.ParameterKeys[p];
                    yield return new ParameterDraw(r, key.Parameter, record[series + p], key.Source, key.Grade);
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
