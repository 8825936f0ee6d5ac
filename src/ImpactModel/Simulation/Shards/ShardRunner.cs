using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation.Shards;

/// <summary>Where shards' results are read from (a shared folder, the results store): one replicate's block of one shard and phase.</summary>
public interface IShardSource
{
    /// <summary>Replicate <paramref name="replicate"/>'s block of shard <paramref name="shard"/>'s phase <paramref name="phase"/> (both 1-based).</summary>
    ShardBlock Read(int shard, int phase, int replicate);
}

/// <summary>
/// Runs a run's shards and merges them. A shard is a range of replicates × a range of persons
/// (<see cref="ShardPlan"/>); its output in each phase is, per replicate, the integer tallies and
/// accumulators of one pass over its persons (<see cref="ShardBlock"/>). A strand with two passes
/// over the persons runs in two phases: a shard's second phase first ends pass one of each of its
/// replicates with every shard's pass-one results, so pass two never starts before pass one is merged
/// across all shards. The merge ends every pass of every replicate with every shard's results and
/// completes it through <see cref="RunAssembly"/>, as one process does: integer sums in any order, so
/// the merged results are byte-identical to one process's for any number of shards.
/// </summary>
/// <remarks>Shards run unobserved (no person's flags are read), so a model runs the passes it needs then (<see cref="IStrandModel.PassesUnobserved"/>).</remarks>
public static class ShardRunner
{
    /// <summary>Phases a sharded run of <paramref name="models"/> needs: its passes over the persons when unobserved.</summary>
    public static int Phases(IReadOnlyList<IStrandModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return new ReplicateLayout(models, 1, 0).PassesUnobserved;
    }

    /// <summary>
    /// Runs phase <paramref name="phase"/> (1-based) of <paramref name="shard"/>: for each of its
    /// replicates in order, the block of that pass over its persons, made as it is enumerated (so a
    /// writer holds one replicate at a time). From phase 2 on, <paramref name="earlier"/> gives every
    /// shard's results of the earlier phases.
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="settings">Seed, replicates and persons of the whole run; threads and chunk size for this shard.</param>
    /// <param name="models">The models, in order.</param>
    /// <param name="plan">The run's shards.</param>
    /// <param name="shard">The shard to run (one of <paramref name="plan"/>'s).</param>
    /// <param name="phase">The phase, 1 … <see cref="Phases"/>.</param>
    /// <param name="earlier">Every shard's results of the earlier phases (needed from phase 2).</param>
    /// <param name="progress">Persons done in this shard's phase (every variant of them).</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    public static IEnumerable<ShardBlock> RunPhase(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models, ShardPlan plan,
        ShardSpan shard, int phase, IShardSource? earlier, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(shard);
        int phases = Phases(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(phase, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(phase, phases);
        if (phase > 1 && earlier is null)
            throw new ArgumentException($"phase {phase} needs every shard's results of the earlier phases", nameof(earlier));
        if (plan.Shard(shard.Number) != shard || plan.Replicates != settings.Replicates || plan.Persons != settings.Persons)
            throw new ArgumentException($"shard {shard.Name} is not of this run's plan", nameof(shard));
        return Blocks(scenario, settings, models, plan, shard, phase - 1, earlier, progress, cancellationToken);
    }

    private static IEnumerable<ShardBlock> Blocks(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models, ShardPlan plan,
        ShardSpan shard, int pass, IShardSource? earlier, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(scenario);
        var options = new ChunkLoopOptions(settings.Threads, settings.ChunkSize, SimulationRunner.ChunksPerItem);
        long total = shard.Persons * shard.Replicates, done = 0;
        for (int r = shard.FirstReplicate; r < shard.FirstReplicate + shard.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = ReplicateRun.Start(scenario, variants, models, settings.Seed, r, settings.Persons);
            run.ExpectShares(observed: false);
            for (int before = 0; before < pass; before++)
                run.EndPass(before, Shares(run, plan, earlier!, r, before));
            int replicate = r, completed = r - shard.FirstReplicate;
            PassResult result = run.RunPass(pass, shard.FirstPerson, shard.Persons, options, null,
                persons => progress?.Report(new RunProgress(Interlocked.Add(ref done, persons), total, completed, shard.Replicates)),
                cancellationToken);
            done = (long)(completed + 1) * shard.Persons;
            progress?.Report(new RunProgress(done, total, completed + 1, shard.Replicates));
            yield return ShardBlock.Of(replicate, result);
        }
    }

    /// <summary>Every shard's results of pass <paramref name="pass"/> of replicate <paramref name="replicate"/>, shaped for <paramref name="run"/>.</summary>
    private static List<PassResult> Shares(ReplicateRun run, ShardPlan plan, IShardSource source, int replicate, int pass) =>
        [.. plan.Covering(replicate).Select(s => source.Read(s.Number, pass + 1, replicate).Into(run.EmptyResult(pass)))];

    /// <summary>
    /// Merges every shard's results of every phase into the run's result, replicate by replicate, as
    /// one process would have made it.
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="settings">Seed, replicates and persons of the run (threads and chunk size are recorded only).</param>
    /// <param name="models">The models, in order.</param>
    /// <param name="plan">The run's shards.</param>
    /// <param name="source">Every shard's results.</param>
    /// <param name="store">Where the per-replicate values go (null: memory).</param>
    /// <param name="cancellationToken">Checked between replicates.</param>
    public static RunResult Merge(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models, ShardPlan plan, IShardSource source,
        IReplicateStore? store = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(source);
        var assembly = new RunAssembly(scenario, settings, models, null, store);
        if (plan.Replicates != settings.Replicates || plan.Persons != settings.Persons)
            throw new ArgumentException("the plan is of another run", nameof(plan));
        int phases = Phases(models);
        for (int r = 0; r < settings.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = ReplicateRun.Start(scenario, assembly.Variants, models, settings.Seed, r, settings.Persons);
            run.ExpectShares(observed: false);
            var all = new List<PassResult>();
            for (int pass = 0; pass < run.Passes; pass++)
            {
                // A pass beyond the phases runs no model unobserved: every share's result of it is empty.
                List<PassResult> shares = pass < phases ? Shares(run, plan, source, r, pass) : [];
                run.EndPass(pass, shares);
                all.AddRange(shares);
            }

            assembly.Add(r, run, run.Complete(all));
        }

        return assembly.Finish();
    }
}
