using ImpactModel.Population;
using ImpactModel.Simulation;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// The counters a simulated pilot reads, for every engine replicate and candidate unit:
/// <c>[replicate, unit, counter]</c> in the order of <see cref="PilotSetup.Counters"/>.
/// </summary>
public sealed class AreaCounts(int replicates, int units, int counters)
{
    private readonly long[] _values = new long[checked(replicates * units * counters)];

    public int Replicates { get; } = replicates;

    public int Units { get; } = units;

    public int Counters { get; } = counters;

    public long this[int replicate, int unit, int counter]
    {
        get => _values[((replicate * Units) + unit) * Counters + counter];
        set => _values[((replicate * Units) + unit) * Counters + counter] = value;
    }
}

/// <summary>
/// Runs the engine for a simulated pilot: one replicate per simulated pilot, each over the
/// candidate units' enrolled persons (<see cref="AreaEnrolment"/>), every pass run unit by unit so
/// that each unit's tallies stay apart, each pass ended with all of them (a two-pass strand's first
/// pass is merged over every unit, as over every shard), and each unit's tallies completed by the
/// models. The persons are generated as the population always generates them, so units differ as
/// the scenario's area and local-authority effects say, and parameters are drawn afresh in each
/// replicate. Replicates run in parallel, each on one thread, into their own slots: any thread count
/// gives the same counts.
/// </summary>
public static class PilotEngine
{
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
        var options = new ChunkLoopOptions(1);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, replicates, parallel, r =>
        {
            var run = ReplicateRun.Start(setup.Scenario, setup.Variants, models, seed, r, enrolment.Persons, null, enrolment);
            var shares = new List<PassResult>[units];
            for (int k = 0; k < units; k++)
                shares[k] = new List<PassResult>(run.Passes);
            for (int pass = 0; pass < run.Passes; pass++)
            {
                var results = new PassResult[units];
                for (int k = 0; k < units; k++)
                {
                    results[k] = run.RunPass(pass, enrolment.First[k], enrolment.Counts[k], options,
                        observe ? static () => Unobserved.Instance : null, null, cancellationToken);
                    shares[k].Add(results[k]);
                }

                run.EndPass(pass, results);
            }

            // What completing adds to no persons at all (fixed costs) belongs to no unit.
            TallyTable fixedPart = run.Complete([]);
            for (int k = 0; k < units; k++)
            {
                TallyTable tally = run.Complete(shares[k]);
                for (int c = 0; c < setup.Counters.Length; c++)
                {
                    (int v, int row, int counter) = setup.Counters[c];
                    counts[r, k, c] = tally[v, row, counter] - fixedPart[v, row, counter];
                }
            }

            replicateDone?.Invoke(r);
        });
        return counts;
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
