using ImpactModel.MonteCarlo;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>
/// What part of a scenario a run evaluates: some of its variants (ids, in any order: they keep the
/// scenario's order; null for all), with some parameters held at fixed values in place of their
/// draws. The sensitivity analysis evaluates the status quo and the proposal alone, with every
/// uncertain parameter pinned; a variant's values do not depend on which others run with it.
/// </summary>
public sealed record RunScope(IReadOnlyList<string>? Variants, ParameterPins Pins);

/// <summary>
/// Runs a scenario: its variants, on common random numbers, over replicates and chunks of persons,
/// into integer tallies by variant × group × metric, then values, summaries and parameter draws.
/// Pure: no files, console or clock.
/// </summary>
/// <remarks>
/// Per replicate r: every parameter is drawn once for (seed, r) (<see cref="ParameterSampler"/>: the
/// draw depends on the parameter's path alone, so it is the same for every variant); the
/// population is compiled once and each person generated once; every strand evaluates all
/// variants on that person. Persons 0 … N − 1 are cut into chunks of a fixed size, and chunks into
/// work items of <see cref="ChunksPerItem"/> consecutive chunks, taken by threads as they come;
/// each thread adds into its own <see cref="TallyTable"/> of integers (no lock, nothing shared),
/// and the threads' tables are summed at the end. Integer sums do not depend on which thread
/// counted what or in which order; floating point starts after the sum. So any thread count and
/// any chunk size give identical results.
/// </remarks>
public static class SimulationRunner
{
    /// <summary>Chunks per work item: enough to amortise taking an item, few enough to balance threads.</summary>
    public const int ChunksPerItem = 8;

    /// <summary>Suffix of the ratio against <c>rest</c> of a harm metric, before any qualifier.</summary>
    public const string RatioVsRest = "_ratio_vs_rest";

    /// <summary>Runs <paramref name="scenario"/> with the models <paramref name="registry"/> gives its strand (and its warning when it has none).</summary>
    public static RunResult Run(Scenario scenario, RunSettings settings, StrandRegistry registry, IProgress<RunProgress>? progress = null,
        Func<int, IChunkObserver>? observe = null, IReplicateStore? store = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(registry);
        StrandModels models = registry.For(scenario);
        RunResult result = Run(scenario, settings, models.Models, progress, observe, store, null, cancellationToken);
        return models.Warnings.IsEmpty ? result : result with { Warnings = [.. models.Warnings, .. result.Warnings] };
    }

    /// <summary>Runs <paramref name="scenario"/> with the given strand models (in order: their counters and metrics follow each other).</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="settings">Seed, replicates, persons, threads, chunk size.</param>
    /// <param name="models">The models, in order.</param>
    /// <param name="progress">Receives progress from any thread.</param>
    /// <param name="observe">
    /// When given, makes observers for a replicate (its index is the argument), one per task of the
    /// replicate's last pass, each seeing the chunks of its task after every model evaluated them, with
    /// the persons' outcomes (<see cref="PersonFlags"/>).
    /// </param>
    /// <param name="store">
    /// Where the per-replicate values go as each replicate completes (the host spills them to a file);
    /// null keeps them in memory. The result reads them back from it: dispose it after the result is used.
    /// </param>
    /// <param name="scope">Which variants to evaluate and which parameters to hold fixed (null: every variant, every draw as made).</param>
    /// <param name="cancellationToken">Stops the run between chunks.</param>
    public static RunResult Run(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models,
        IProgress<RunProgress>? progress = null, Func<int, IChunkObserver>? observe = null, IReplicateStore? store = null,
        RunScope? scope = null, CancellationToken cancellationToken = default)
    {
        var assembly = new RunAssembly(scenario, settings, models, scope, store); // checks the arguments
        long total = settings.Persons * settings.Replicates * assembly.Passes, done = 0;
        var options = new ChunkLoopOptions(settings.Threads, settings.ChunkSize, ChunksPerItem);
        for (int r = 0; r < settings.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = ReplicateRun.Start(scenario, assembly.Variants, models, settings.Seed, r, settings.Persons, assembly.Pins);
            long before = done;
            int replicate = r;
            var passes = new List<PassResult>(run.Passes);
            for (int pass = 0; pass < run.Passes; pass++)
            {
                PassResult result = run.RunPass(pass, 0, settings.Persons, options, observe is null ? null : () => observe(replicate),
                    persons => progress?.Report(new RunProgress(Interlocked.Add(ref done, persons), total, replicate, settings.Replicates)),
                    cancellationToken);
                run.EndPass(pass, [result]);
                passes.Add(result);
            }

            done = before + settings.Persons * run.Passes;
            assembly.Add(r, run, run.Complete(passes));
            progress?.Report(new RunProgress(done, total, r + 1, settings.Replicates));
        }

        return assembly.Finish();
    }

    /// <summary>The name of the ratio against rest of a harm metric: the suffix goes before any <c>.qualifier</c>.</summary>
    public static string RatioName(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? metric + RatioVsRest : string.Concat(metric.AsSpan(0, dot), RatioVsRest, metric.AsSpan(dot));
    }
}
