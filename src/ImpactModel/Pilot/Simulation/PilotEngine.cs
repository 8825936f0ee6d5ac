using ImpactModel.Population;
using ImpactModel.Simulation;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// The counters a simulated pilot reads, for every engine replicate, candidate unit and half of the
/// unit's enrolled persons: <c>[replicate, unit, half, counter]</c>, counters in the order of
/// <see cref="PilotSetup.Counters"/>. A unit's persons are generated independently of one another, so
/// its two halves are a random split of them: an individually randomised pilot's arms, each a
/// different set of persons.
/// </summary>
public sealed class AreaCounts(int replicates, int units, int counters)
{
    private readonly long[] _values = new long[checked(replicates * units * 2 * counters)];

    public int Replicates { get; } = replicates;

    public int Units { get; } = units;

    public int Counters { get; } = counters;

    /// <summary>One half's count.</summary>
    public long this[int replicate, int unit, int half, int counter]
    {
        get => _values[(((replicate * Units) + unit) * 2 + half) * Counters + counter];
        set => _values[(((replicate * Units) + unit) * 2 + half) * Counters + counter] = value;
    }

    /// <summary>The whole unit's count: both halves.</summary>
    public long this[int replicate, int unit, int counter] => this[replicate, unit, 0, counter] + this[replicate, unit, 1, counter];
}

/// <summary>
/// Runs the engine for a simulated pilot: one replicate per simulated pilot, each over the
/// candidate units' enrolled persons (<see cref="AreaEnrolment"/>), every pass run unit by unit, and
/// half a unit by half a unit, so that each half's tallies stay apart, each pass ended with all of them (a two-pass strand's first
/// pass is merged over every unit, as over every shard), and each unit's tallies completed by the
/// models. The persons are generated as the population always generates them, so units differ as
/// the scenario's area and local-authority effects say, and parameters are drawn afresh in each
/// replicate. Replicates run in parallel, each on one thread, into their own slots: any thread count
/// gives the same counts.
/// </summary>
public static class PilotEngine
{
    /// <summary>
    /// Persons per chunk. Each share runs on one thread (replicates run in parallel) with chunks of its
    /// own, small enough that a chunk's largest buffer (4 words × 32 groups a person) stays off the
    /// large-object heap. The chunk size changes no result.
    /// </summary>
    public const int ChunkSize = 128;

    /// <summary>Runs <paramref name="replicates"/> replicates of the pilot's variants over <paramref name="enrolment"/>.</summary>
    public static AreaCounts Run(PilotSetup setup, IReadOnlyList<IStrandModel> models, AreaEnrolment enrolment, ulong seed, int replicates,
        int threads, Action<int>? replicateDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(enrolment);
        int units = enrolment.Units.Length;
        var counts = new AreaCounts(replicates, units, setup.Counters.Length);
        bool observe = models.Any(m => m.PassesUnobserved < m.Passes);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        try
        {
            Parallel.For(0, replicates, parallel, r =>
            {
                var run = ReplicateRun.Start(setup.Scenario, setup.Variants, models, seed, r, enrolment.Persons, null, enrolment);
                var shares = new List<PassResult>[2 * units];
                for (int s = 0; s < shares.Length; s++)
                    shares[s] = new List<PassResult>(run.Passes);
                for (int pass = 0; pass < run.Passes; pass++)
                {
                    // Every share adds into one set of accumulators, ended as one result: a strand's class
                    // counts (millions of cells) are made and merged once a pass, not once a share.
                    Accumulators?[] accumulators = run.NewAccumulators(pass, observe);
                    for (int s = 0; s < shares.Length; s++)
                    {
                        (long first, long count) = Half(enrolment, s / 2, s % 2);
                        shares[s].Add(run.RunShare(pass, first, count, ChunkSize, accumulators, observe ? static () => Unobserved.Instance : null,
                            cancellationToken));
                    }

                    run.EndPass(pass, [run.Accumulated(pass, accumulators)]);
                }

                // What completing adds to no persons at all (fixed costs) belongs to no unit.
                TallyTable fixedPart = run.Complete([]);
                for (int s = 0; s < shares.Length; s++)
                {
                    TallyTable tally = run.Complete(shares[s]);
                    for (int c = 0; c < setup.Counters.Length; c++)
                    {
                        (int v, int row, int counter) = setup.Counters[c];
                        counts[r, s / 2, s % 2, c] = tally[v, row, counter] - fixedPart[v, row, counter];
                    }
                }

                replicateDone?.Invoke(r);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // A body stopped by the token: the caller sees a cancellation, as from the runner.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        return counts;
    }

    /// <summary>The persons of half <paramref name="half"/> of unit <paramref name="unit"/>: the first ⌊n/2⌋, then the rest.</summary>
    public static (long First, long Count) Half(AreaEnrolment enrolment, int unit, int half)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        long n = enrolment.Counts[unit], first = enrolment.First[unit], a = n / 2;
        return half == 0 ? (first, a) : (first + a, n - a);
    }

    /// <summary>Observes nothing: asking for the persons' flags makes every model run all its passes person by person, so each unit's tallies are its own.</summary>
    private sealed class Unobserved : IChunkObserver
    {
        public static readonly Unobserved Instance = new();

        public void Observe(PersonChunk persons, PersonFlags flags)
        {
        }
    }
}
