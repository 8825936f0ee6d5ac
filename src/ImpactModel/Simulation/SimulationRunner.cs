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

    /// <summary>Runs <paramref name="scenario"/> with the population and linkage model and its strand's model (<see cref="StrandModels.For"/>).</summary>
    public static RunResult Run(Scenario scenario, RunSettings settings, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Run(scenario, settings, StrandModels.For(scenario), progress, cancellationToken);
    }

    /// <summary>Runs <paramref name="scenario"/> with the given strand models (in order: their counters and metrics follow each other).</summary>
    public static RunResult Run(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models,
        IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
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
        int[] offsets = new int[models.Count];
        int counters = 0;
        for (int m = 0; m < models.Count; m++)
        {
            offsets[m] = counters;
            counters += models[m].Counters.Count;
        }

        double scale = (double)scenario.Population.Size / settings.Persons;
        var plan = Plan(models, offsets, variants);
        int series = plan.Count * rows.Length;
        var values = new double[series][];
        for (int i = 0; i < series; i++)
            values[i] = new double[settings.Replicates];

        IReadOnlyList<Parameter> parameters = ScenarioParameters.All(scenario);
        var draws = new List<ParameterDraw>(parameters.Count * settings.Replicates);
        long total = settings.Persons * settings.Replicates, done = 0;
        PersonAttributes wanted = models.Aggregate(PersonAttributes.None, (a, m) => a | m.Reads);
        for (int r = 0; r < settings.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (Parameter p in parameters)
                draws.Add(new ParameterDraw(r, p.Path, ParameterSampler.Draw(p, settings.Seed, r), p.Evidence.Source, Evidence.IdOf(p.Evidence.Grade)));

            CompiledPopulation population = CompiledPopulation.Compile(scenario.Population, settings.Seed, r);
            var context = new ReplicateContext(scenario, variants, population, settings.Seed, r);
            IStrandReplicate[] compiled = models.Select(m => m.Compile(context)).ToArray();
            long before = done;
            TallyTable tally = Tally(population, wanted, compiled, offsets, variants.Count, groups.Length, counters, settings,
                persons => progress?.Report(new RunProgress(Interlocked.Add(ref done, persons), total, r, settings.Replicates)),
                cancellationToken);
            done = before + settings.Persons;
            for (int m = 0; m < compiled.Length; m++)
                compiled[m].Complete(tally, offsets[m]);
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
            variants, groups, seriesList, resultRows, draws, headline, [.. VariantBuilder.Warnings(scenario, models.SelectMany(m => m.SharedParameters))]);
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
                foreach (MetricDefinition d in models[m].Metrics)
                {
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

    private static TallyTable Tally(CompiledPopulation population, PersonAttributes wanted, IStrandReplicate[] compiled, int[] offsets, int variants, int groups,
        int counters, RunSettings settings, Action<long> reportPersons, CancellationToken cancellationToken)
    {
        int chunkSize = settings.ChunkSize;
        long persons = settings.Persons;
        long chunks = (persons + chunkSize - 1) / chunkSize;
        long items = (chunks + ChunksPerItem - 1) / ChunksPerItem;
        var parts = new List<TallyTable>();
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0L, items, options,
            () => (Chunk: new PersonChunk(chunkSize), Evaluators: compiled.Select(c => c.CreateEvaluator(chunkSize)).ToArray(),
                Tally: new TallyTable(variants, groups, counters)),
            (item, _, local) =>
            {
                long firstChunk = item * ChunksPerItem, lastChunk = Math.Min(chunks, firstChunk + ChunksPerItem);
                long counted = 0;
                for (long c = firstChunk; c < lastChunk; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long start = c * chunkSize;
                    int n = (int)Math.Min(chunkSize, persons - start);
                    population.Generate(local.Chunk, start, n, wanted);
                    for (int m = 0; m < local.Evaluators.Length; m++)
                        local.Evaluators[m].Evaluate(local.Chunk, local.Tally, offsets[m]);
                    counted += n;
                }

                reportPersons(counted);
                return local;
            },
            local =>
            {
                lock (parts)
                    parts.Add(local.Tally); // once per thread, at its end
            });

        var total = new TallyTable(variants, groups, counters);
        foreach (TallyTable part in parts)
            total.Merge(part);
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
