using System.Collections.Immutable;
using ImpactModel.MonteCarlo;
using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

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
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(registry);
        StrandModels models = registry.For(scenario);
        RunResult result = Run(scenario, settings, models.Models, progress, cancellationToken: cancellationToken);
        return models.Warnings.IsEmpty ? result : result with { Warnings = [.. models.Warnings, .. result.Warnings] };
    }

    /// <summary>Runs <paramref name="scenario"/> with the given strand models (in order: their counters and metrics follow each other).</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="settings">Seed, replicates, persons, threads, chunk size.</param>
    /// <param name="models">The models, in order.</param>
    /// <param name="progress">Receives progress from any thread.</param>
    /// <param name="observe">
    /// When given, makes one observer per thread that sees every chunk of the last pass after every
    /// model evaluated it, with the persons' outcomes (<see cref="PersonFlags"/>).
    /// </param>
    /// <param name="cancellationToken">Stops the run between chunks.</param>
    public static RunResult Run(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models,
        IProgress<RunProgress>? progress = null, Func<IChunkObserver>? observe = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Replicates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Persons, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Threads);

        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(scenario);
        var groups = scenario.Population.Groups.Select(g => g.Id).ToImmutableArray();
        string[] rows = ["all", .. groups, "rest"];
        var layout = new Layout(models, variants.Count, groups.Length);

        double scale = (double)scenario.Population.Size / settings.Persons;
        var plan = Plan(models, layout.Offsets, variants);
        int series = plan.Count * rows.Length;
        var values = new double[series][];
        for (int i = 0; i < series; i++)
            values[i] = new double[settings.Replicates];

        IReadOnlyList<Parameter> parameters = ScenarioParameters.All(scenario);
        var draws = new List<ParameterDraw>(parameters.Count * settings.Replicates);
        long total = settings.Persons * settings.Replicates * layout.Passes, done = 0;
        for (int r = 0; r < settings.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (Parameter p in parameters)
                draws.Add(new ParameterDraw(r, p.Path, ParameterSampler.Draw(p, settings.Seed, r), p.Evidence.Source, Evidence.IdOf(p.Evidence.Grade)));

            CompiledPopulation population = CompiledPopulation.Compile(scenario.Population, settings.Seed, r);
            var context = new ReplicateContext(scenario, variants, population, settings.Seed, r, settings.Persons);
            IStrandReplicate[] compiled = models.Select(m => m.Compile(context)).ToArray();
            long before = done;
            int replicate = r;
            TallyTable tally = Tally(population, compiled, layout, settings, observe,
                persons => progress?.Report(new RunProgress(Interlocked.Add(ref done, persons), total, replicate, settings.Replicates)),
                cancellationToken);
            done = before + settings.Persons * layout.Passes;
            for (int m = 0; m < compiled.Length; m++)
                compiled[m].Complete(layout.Slice(tally, m));
            Evaluate(plan, tally, rows.Length, scale, values, r);
            progress?.Report(new RunProgress(done, total, r + 1, settings.Replicates));
        }

        var seriesList = new List<MetricSeries>(series);
        var resultRows = new List<ResultRow>(series);
        for (int k = 0; k < plan.Count; k++)
        {
            for (int row = 0; row < rows.Length; row++)
            {
                double[] v = values[k * rows.Length + row];
                var p = plan[k];
                seriesList.Add(new MetricSeries(variants[p.Variant].Id, rows[row], p.Name,
                    [.. v.Select(x => double.IsFinite(x) ? x : (double?)null)]));
            }
        }

        // results.csv: by variant, then group (all, groups, rest), then metric in the strands' order.
        foreach (int v in Enumerable.Range(0, variants.Count))
        {
            for (int row = 0; row < rows.Length; row++)
            {
                for (int k = 0; k < plan.Count; k++)
                {
                    if (plan[k].Variant == v)
                        resultRows.Add(new ResultRow(variants[v].Id, rows[row], plan[k].Name, ReplicateStatistics.Summarise(values[k * rows.Length + row])));
                }
            }
        }

        var headline = models.SelectMany(m => m.Metrics).Where(d => d.IsHeadline).Select(d => d.Name).ToImmutableArray();
        return new RunResult(scenario.Name, scenario.Strand, settings, scenario.Population.Size, settings.Persons / (double)scenario.Population.Size,
            variants, groups, seriesList, resultRows, draws, headline, [.. VariantBuilder.Warnings(scenario, models)]);
    }

    /// <summary>The name of the ratio against rest of a harm metric: the suffix goes before any <c>.qualifier</c>.</summary>
    public static string RatioName(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? metric + RatioVsRest : string.Concat(metric.AsSpan(0, dot), RatioVsRest, metric.AsSpan(dot));
    }

    /// <summary>One (variant, metric) that is reported; <see cref="RatioOf"/> ≥ 0 for a harm's ratio against rest.</summary>
    private sealed record Planned(int Variant, string Name, MetricDefinition Definition, int Offset, int RatioOf);

    private static List<Planned> Plan(IReadOnlyList<IStrandModel> models, int[] offsets, IReadOnlyList<SimulationVariant> variants)
    {
        var plan = new List<Planned>();
        for (int v = 0; v < variants.Count; v++)
        {
            for (int m = 0; m < models.Count; m++)
            {
                int counters = models[m].Counters.Count;
                foreach (MetricDefinition d in models[m].Metrics)
                {
                    if ((uint)d.Numerator >= (uint)counters || (d.Unit == MetricUnit.Rate && (uint)d.Denominator >= (uint)counters))
                        throw new InvalidOperationException($"metric '{d.Name}' names a counter outside its model's {counters}");
                    if (d.LinkingVariantsOnly && !variants[v].LinksData)
                        continue;
                    plan.Add(new Planned(v, d.Name, d, offsets[m], -1));
                    if (d.IsHarm)
                        plan.Add(new Planned(v, RatioName(d.Name), d, offsets[m], plan.Count - 1));
                }
            }
        }

        return plan;
    }

    /// <summary>Where each model's counters sit in the tally table, and in which of the replicate's passes each model runs.</summary>
    private sealed class Layout
    {
        public Layout(IReadOnlyList<IStrandModel> models, int variants, int groups)
        {
            Models = models;
            Variants = variants;
            Groups = groups;
            Offsets = new int[models.Count];
            for (int m = 0; m < models.Count; m++)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(models[m].Passes, 1);
                Offsets[m] = Counters;
                Counters += models[m].Counters.Count;
                Passes = Math.Max(Passes, models[m].Passes);
            }
        }

        public IReadOnlyList<IStrandModel> Models { get; }

        public int Variants { get; }

        public int Groups { get; }

        public int[] Offsets { get; }

        public int Counters { get; }

        /// <summary>Passes over the persons per replicate: the most any model needs.</summary>
        public int Passes { get; } = 1;

        /// <summary>
        /// The model's own pass in the replicate's pass <paramref name="pass"/>, or −1 when it does
        /// not run then. Passes are aligned at the end: every model's last pass is the replicate's
        /// last, so the persons' outcomes of every strand are known together, in one pass.
        /// </summary>
        public int OwnPass(int model, int pass) => pass - (Passes - Models[model].Passes) is var own && own >= 0 ? own : -1;

        public StrandTally Slice(TallyTable table, int model) => new(table, Offsets[model], Models[model].Counters.Count);
    }

    /// <summary>One thread's evaluators, tallies, accumulators and flags for one pass.</summary>
    private sealed class ThreadPass
    {
        private readonly IChunkEvaluator?[] _evaluators;
        private readonly ChunkOutput[] _outputs;
        private readonly PersonAttributes[] _reads;
        private readonly IChunkObserver? _observer;

        public ThreadPass(Layout layout, IStrandReplicate[] compiled, int pass, int chunkSize, Func<IChunkObserver>? observe)
        {
            Tally = new TallyTable(layout.Variants, layout.Groups, layout.Counters);
            Flags = new PersonFlags(layout.Variants, chunkSize);
            _evaluators = new IChunkEvaluator?[compiled.Length];
            _outputs = new ChunkOutput[compiled.Length];
            _reads = new PersonAttributes[compiled.Length];
            Accumulators = new Accumulators?[compiled.Length];
            for (int m = 0; m < compiled.Length; m++)
            {
                int own = layout.OwnPass(m, pass);
                if (own < 0)
                    continue;
                var accumulators = new Accumulators(layout.Models[m].Accumulators, layout.Variants);
                Accumulators[m] = accumulators;
                _evaluators[m] = compiled[m].CreateEvaluator(own, chunkSize);
                _outputs[m] = new ChunkOutput(layout.Slice(Tally, m), accumulators, Flags);
                _reads[m] = layout.Models[m].Reads;
            }

            _observer = pass == layout.Passes - 1 ? observe?.Invoke() : null;
        }

        public TallyTable Tally { get; }

        public Accumulators?[] Accumulators { get; }

        public PersonFlags Flags { get; }

        public void Evaluate(PersonChunk chunk)
        {
            if (_observer is not null)
                Flags.Clear();
            PersonAttributes generated = chunk.Readable;
            for (int m = 0; m < _evaluators.Length; m++)
            {
                if (_evaluators[m] is not { } evaluator)
                    continue;
                if (EngineChecks.Enabled)
                    chunk.Readable = generated & _reads[m];
                evaluator.Evaluate(chunk, in _outputs[m]);
            }

            chunk.Readable = generated;
            _observer?.Observe(chunk, Flags);
        }
    }

    private static TallyTable Tally(CompiledPopulation population, IStrandReplicate[] compiled, Layout layout, RunSettings settings,
        Func<IChunkObserver>? observe, Action<long> reportPersons, CancellationToken cancellationToken)
    {
        var total = new TallyTable(layout.Variants, layout.Groups, layout.Counters);
        var options = new ChunkLoopOptions(settings.Threads, settings.ChunkSize, ChunksPerItem);
        for (int pass = 0; pass < layout.Passes; pass++)
        {
            PersonAttributes wanted = PersonAttributes.None;
            for (int m = 0; m < compiled.Length; m++)
                wanted |= layout.OwnPass(m, pass) >= 0 ? layout.Models[m].Reads : PersonAttributes.None;
            int current = pass;
            IReadOnlyList<ThreadPass> threads = ChunkLoop.Run(population, wanted, 0, settings.Persons, options,
                () => new ThreadPass(layout, compiled, current, settings.ChunkSize, observe),
                (thread, chunk) => thread.Evaluate(chunk),
                reportPersons, cancellationToken);

            // Integer sums: the same whichever thread counted what.
            foreach (ThreadPass thread in threads)
                total.Merge(thread.Tally);
            for (int m = 0; m < compiled.Length; m++)
            {
                int own = layout.OwnPass(m, pass);
                if (own < 0)
                    continue;
                var merged = new Accumulators(layout.Models[m].Accumulators, layout.Variants);
                foreach (ThreadPass thread in threads)
                    merged.Merge(thread.Accumulators[m]!);
                compiled[m].EndPass(own, merged);
            }
        }

        return total;
    }

    private static void Evaluate(List<Planned> plan, TallyTable tally, int rows, double scale, double[][] values, int replicate)
    {
        for (int k = 0; k < plan.Count; k++)
        {
            Planned p = plan[k];
            for (int row = 0; row < rows; row++)
            {
                double value;
                if (p.RatioOf >= 0)
                {
                    double own = values[p.RatioOf * rows + row][replicate], rest = values[p.RatioOf * rows + rows - 1][replicate];
                    value = double.IsFinite(own) && double.IsFinite(rest) && rest != 0 ? own / rest : double.NaN;
                }
                else
                {
                    MetricDefinition d = p.Definition;
                    long numerator = tally[p.Variant, row, p.Offset + d.Numerator];
                    value = d.Unit switch
                    {
                        MetricUnit.Persons => numerator * scale,
                        MetricUnit.Money => numerator / 100.0 * scale,
                        _ => tally[p.Variant, row, p.Offset + d.Denominator] is var den && den > 0 ? (double)numerator / den : double.NaN,
                    };
                }

                values[k * rows + row][replicate] = value;
            }
        }
    }
}
