using System.Collections.Immutable;
using ImpactModel.MonteCarlo;
using ImpactModel.Population;
using ImpactModel.Scenarios;
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
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Replicates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Persons, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Threads);

        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(scenario);
        ParameterPins pins = scope?.Pins ?? ParameterPins.None;
        if (scope?.Variants is { } only)
        {
            string? unknown = only.FirstOrDefault(id => !variants.Any(v => v.Id == id));
            if (unknown is not null)
                throw new ArgumentException($"scenario '{scenario.Name}' has no variant '{unknown}'", nameof(scope));
            variants = [.. variants.Where(v => only.Contains(v.Id))];
        }

        var groups = scenario.Population.Groups.Select(g => g.Id).ToImmutableArray();
        string[] rows = ["all", .. groups, "rest"];
        var layout = new ReplicateLayout(models, variants.Count, groups.Length);

        double scale = (double)scenario.Population.Size / settings.Persons;
        var plan = Plan(models, layout.Offsets, variants);
        int series = plan.Count * rows.Length;
        IReadOnlyList<Parameter> declared = ScenarioParameters.All(scenario);
        // One record a replicate: every series (plan order × rows), then every parameter drawn per
        // replicate (known once the first replicate is compiled: what the models read per person is
        // not); appended to the store as it is made, so memory does not grow with the replicates.
        IReadOnlyList<Parameter> parameters = [];
        double[] record = [];
        // The unscaled events behind each series, summed over replicates (integers: any order gives the same sum).
        var events = new long[series];
        store ??= new MemoryReplicateStore();
        long total = settings.Persons * settings.Replicates * layout.Passes, done = 0;
        ParameterUse? use = null;
        var options = new ChunkLoopOptions(settings.Threads, settings.ChunkSize, ChunksPerItem);
        for (int r = 0; r < settings.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = ReplicateRun.Start(scenario, variants, models, settings.Seed, r, settings.Persons, pins);
            if (use is null)
            {
                use = run.Use; // what the models read, from the first replicate's compile
                parameters = [.. declared.Where(p => !use.IsPerPerson(p.Path))];
                record = new double[series + parameters.Count];
            }

            for (int p = 0; p < parameters.Count; p++)
                record[series + p] = pins.Draw(parameters[p], settings.Seed, r);
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
            TallyTable tally = run.Complete(passes);
            Evaluate(plan, tally, rows.Length, scale, record);
            CountEvents(plan, tally, rows.Length, events);
            store.Append(record);
            progress?.Report(new RunProgress(done, total, r + 1, settings.Replicates));
        }

        var keys = new SeriesKey[series];
        for (int k = 0; k < plan.Count; k++)
        {
            for (int row = 0; row < rows.Length; row++)
                keys[k * rows.Length + row] = new SeriesKey(variants[plan[k].Variant].Id, rows[row], plan[k].Name);
        }

        // Summaries read the values back in blocks of bounded size.
        var summaries = new ReplicateSummary[series];
        ReplicateStores.ForEachColumn(store, 0, series, (i, values) => summaries[i] = ReplicateStatistics.Summarise(values));

        // results.csv: by variant, then group (all, groups, rest), then metric in the strands' order.
        var resultRows = new List<ResultRow>(series);
        foreach (int v in Enumerable.Range(0, variants.Count))
        {
            for (int row = 0; row < rows.Length; row++)
            {
                for (int k = 0; k < plan.Count; k++)
                {
                    if (plan[k].Variant == v)
                    {
                        int i = k * rows.Length + row;
                        // A ratio against rest rests on the group's events and rest's: it gets the fewer.
                        long? count = plan[k].Definition.EventsCounter < 0 ? null
                            : plan[k].RatioOf >= 0 ? Math.Min(events[i], events[plan[k].RatioOf * rows.Length + rows.Length - 1])
                            : events[i];
                        resultRows.Add(new ResultRow(variants[v].Id, rows[row], plan[k].Name, summaries[i], count));
                    }
                }
            }
        }

        var headline = models.SelectMany(m => m.Metrics).Where(d => d.IsHeadline).Select(d => d.Name).ToImmutableArray();
        ParameterKey[] parameterKeys = [.. parameters.Select(p => new ParameterKey(p.Path, p.Evidence.Source, Evidence.IdOf(p.Evidence.Grade)))];
        ImmutableArray<string> findings = [.. models.SelectMany(m => m.Findings(resultRows))];
        return new RunResult(scenario.Name, scenario.Strand, settings, scenario.Population.Size, settings.Persons / (double)scenario.Population.Size,
            variants, groups, keys, resultRows, parameterKeys, store, headline,
            [.. VariantBuilder.Warnings(scenario, models, use!), .. findings],
            Reported(models, plan))
        {
            Uncertainty = UncertaintySummary.Of(scenario.Uncertainty, parameters, [.. declared.Where(p => use!.IsPerPerson(p.Path))]),
            Findings = findings,
        };
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
        string? twice = models.SelectMany(m => m.Metrics).GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null)
            throw new InvalidOperationException($"metric '{twice}' is reported by two models (or twice by one): results would hold two series of it");
        var plan = new List<Planned>();
        for (int v = 0; v < variants.Count; v++)
        {
            for (int m = 0; m < models.Count; m++)
            {
                int counters = models[m].Counters.Count;
                foreach (MetricDefinition d in models[m].Metrics)
                {
                    if ((uint)d.Numerator >= (uint)counters || (d.Unit == MetricUnit.Rate && (uint)d.Denominator >= (uint)counters)
                        || (d.Unit == MetricUnit.Quantity && d.Denominator >= counters)
                        || d.EventsCounter >= counters)
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

    /// <summary>
    /// Every metric of <paramref name="plan"/> once, in the models' order (a ratio just after its harm):
    /// what the host needs to say what each value is.
    /// </summary>
    private static List<ReportedMetric> Reported(IReadOnlyList<IStrandModel> models, List<Planned> plan)
    {
        var planned = plan.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var list = new List<ReportedMetric>();
        foreach (IStrandModel model in models)
        {
            foreach (MetricDefinition d in model.Metrics)
            {
                if (!planned.Contains(d.Name))
                    continue;
                list.Add(new ReportedMetric(d.Name, d, null, d.Unit == MetricUnit.Rate ? model.Counters.Names[d.Denominator] : null));
                if (d.IsHarm)
                    list.Add(new ReportedMetric(RatioName(d.Name), d, d.Name, null));
            }
        }

        return list;
    }

    /// <summary>
    /// Adds this replicate's unscaled events of every series to <paramref name="events"/>: the count
    /// of the metric's events counter in the series' variant and row (a ratio's is its harm's, whose
    /// definition and variant it carries). Series without an events counter stay 0 and are reported empty.
    /// </summary>
    private static void CountEvents(List<Planned> plan, TallyTable tally, int rows, long[] events)
    {
        for (int k = 0; k < plan.Count; k++)
        {
            Planned p = plan[k];
            int counter = p.Definition.EventsCounter;
            if (counter < 0)
                continue;
            for (int row = 0; row < rows; row++)
                events[k * rows + row] += tally[p.Variant, row, p.Offset + counter];
        }
    }

    private static void Evaluate(List<Planned> plan, TallyTable tally, int rows, double scale, double[] record)
    {
        for (int k = 0; k < plan.Count; k++)
        {
            Planned p = plan[k];
            for (int row = 0; row < rows; row++)
            {
                double value;
                if (p.RatioOf >= 0)
                {
                    double own = record[p.RatioOf * rows + row], rest = record[p.RatioOf * rows + rows - 1];
                    value = double.IsFinite(own) && double.IsFinite(rest) && rest != 0 ? own / rest : double.NaN;
                }
                else
                {
                    MetricDefinition d = p.Definition;
                    long numerator = tally[p.Variant, row, p.Offset + d.Numerator];
                    value = d.Unit switch
                    {
                        MetricUnit.Persons => numerator / d.Divisor * scale,
                        MetricUnit.Money => numerator / 100.0 * scale,
                        MetricUnit.Quantity when d.Denominator < 0 => numerator / d.Divisor,
                        _ => tally[p.Variant, row, p.Offset + d.Denominator] is var den && den > 0 ? numerator / d.Divisor / den : double.NaN,
                    };
                }

                record[k * rows + row] = value;
            }
        }
    }
}
