using System.Collections.Immutable;
using ImpactModel.MonteCarlo;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>
/// Turns a run's completed replicates into its <see cref="RunResult"/>: each replicate's merged
/// tallies (<see cref="ReplicateRun.Complete"/>) become one record of values (every series, then every
/// parameter drawn per replicate), appended to the store in replicate order; the unscaled events are
/// summed; at the end the series are summarised. One process (<see cref="SimulationRunner"/>) and a
/// merge of shards (<see cref="Shards.ShardRunner.Merge"/>) both go through it, so the same tallies give the
/// same bytes whichever made them.
/// </summary>
internal sealed class RunAssembly
{
    private readonly Scenario _scenario;
    private readonly RunSettings _settings;
    private readonly IReadOnlyList<IStrandModel> _models;
    private readonly List<Planned> _plan;
    private readonly string[] _rows;
    private readonly ImmutableArray<string> _groups;
    private readonly double _scale;
    private readonly int _series;
    private readonly IReadOnlyList<Parameter> _declared;
    private readonly IReplicateStore _store;
    private readonly long[] _events;
    private IReadOnlyList<Parameter> _parameters = [];
    private double[] _record = [];
    private ParameterUse? _use;
    private int _added;

    /// <param name="scenario">The scenario.</param>
    /// <param name="settings">Seed, replicates, persons (threads and chunk size are recorded only).</param>
    /// <param name="models">The models, in order.</param>
    /// <param name="scope">Which variants and which pinned parameters (null: all, none).</param>
    /// <param name="store">Where the records go (null: memory).</param>
    public RunAssembly(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models, RunScope? scope, IReplicateStore? store)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Replicates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Persons, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Threads);
        _scenario = scenario;
        _settings = settings;
        _models = models;

        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(scenario);
        Pins = scope?.Pins ?? ParameterPins.None;
        if (scope?.Variants is { } only)
        {
            string? unknown = only.FirstOrDefault(id => !variants.Any(v => v.Id == id));
            if (unknown is not null)
                throw new ArgumentException($"scenario '{scenario.Name}' has no variant '{unknown}'", nameof(scope));
            variants = [.. variants.Where(v => only.Contains(v.Id))];
        }

        Variants = variants;
        _groups = [.. scenario.Population.Groups.Select(g => g.Id)];
        _rows = ["all", .. _groups, "rest"];
        var layout = new ReplicateLayout(models, variants.Count, _groups.Length);
        Passes = layout.Passes;
        PassesUnobserved = layout.PassesUnobserved;
        _scale = (double)scenario.Population.Size / settings.Persons;
        _plan = Plan(models, layout.Offsets, variants);
        _series = _plan.Count * _rows.Length;
        _declared = ScenarioParameters.All(scenario);
        // One record a replicate: every series (plan order × rows), then every parameter drawn per
        // replicate (known once the first replicate is compiled: what the models read per person is
        // not); appended to the store as it is made, so memory does not grow with the replicates.
        // The unscaled events behind each series, summed over replicates (integers: any order gives the same sum).
        _events = new long[_series];
        _store = store ?? new MemoryReplicateStore();
    }

    /// <summary>The variants evaluated, in the scenario's order.</summary>
    public IReadOnlyList<SimulationVariant> Variants { get; }

    /// <summary>Parameters held at fixed values (none unless the scope pins some).</summary>
    public ParameterPins Pins { get; }

    /// <summary>Passes over the persons per replicate.</summary>
    public int Passes { get; }

    /// <summary>Passes over the persons per replicate when no observer reads the persons' flags.</summary>
    public int PassesUnobserved { get; }

    /// <summary>Adds replicate <paramref name="replicate"/> (the next in order), from its compiled run and its completed tallies.</summary>
    public void Add(int replicate, ReplicateRun run, TallyTable tally)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(tally);
        if (replicate != _added)
            throw new InvalidOperationException($"replicate {replicate} added after {_added} replicates: they are added in order");
        if (_use is null)
        {
            _use = run.Use; // what the models read, from the first replicate's compile
            _parameters = [.. _declared.Where(p => !_use.IsPerPerson(p.Path))];
            _record = new double[_series + _parameters.Count];
        }

        for (int p = 0; p < _parameters.Count; p++)
            _record[_series + p] = Pins.Draw(_parameters[p], _settings.Seed, replicate);
        Evaluate(_plan, tally, _rows.Length, _scale, _record);
        CountEvents(_plan, tally, _rows.Length, _events);
        _store.Append(_record);
        _added++;
    }

    /// <summary>The run's result, once every replicate has been added.</summary>
    public RunResult Finish()
    {
        if (_added != _settings.Replicates)
            throw new InvalidOperationException($"{_added} of {_settings.Replicates} replicates were added");
        IReadOnlyList<SimulationVariant> variants = Variants;
        string[] rows = _rows;
        var keys = new SeriesKey[_series];
        for (int k = 0; k < _plan.Count; k++)
        {
            for (int row = 0; row < rows.Length; row++)
                keys[k * rows.Length + row] = new SeriesKey(variants[_plan[k].Variant].Id, rows[row], _plan[k].Name);
        }

        // Summaries read the values back in blocks of bounded size.
        var summaries = new ReplicateSummary[_series];
        ReplicateStores.ForEachColumn(_store, 0, _series, (i, values) => summaries[i] = ReplicateStatistics.Summarise(values));

        // results.csv: by variant, then group (all, groups, rest), then metric in the strands' order.
        var resultRows = new List<ResultRow>(_series);
        foreach (int v in Enumerable.Range(0, variants.Count))
        {
            for (int row = 0; row < rows.Length; row++)
            {
                for (int k = 0; k < _plan.Count; k++)
                {
                    if (_plan[k].Variant == v)
                    {
                        int i = k * rows.Length + row;
                        // A ratio against rest rests on the group's events and rest's: it gets the fewer.
                        long? count = _plan[k].Definition.EventsCounter < 0 ? null
                            : _plan[k].RatioOf >= 0 ? Math.Min(_events[i], _events[_plan[k].RatioOf * rows.Length + rows.Length - 1])
                            : _events[i];
                        resultRows.Add(new ResultRow(variants[v].Id, rows[row], _plan[k].Name, summaries[i], count));
                    }
                }
            }
        }

        var headline = _models.SelectMany(m => m.Metrics).Where(d => d.IsHeadline).Select(d => d.Name).ToImmutableArray();
        ParameterKey[] parameterKeys = [.. _parameters.Select(p => new ParameterKey(p.Path, p.Evidence.Source, Evidence.IdOf(p.Evidence.Grade)))];
        ImmutableArray<string> findings = [.. _models.SelectMany(m => m.Findings(resultRows))];
        return new RunResult(_scenario.Name, _scenario.Strand, _settings, _scenario.Population.Size, _settings.Persons / (double)_scenario.Population.Size,
            variants, _groups, keys, resultRows, parameterKeys, _store, headline,
            [.. VariantBuilder.Warnings(_scenario, _models, _use!), .. findings],
            Reported(_models, _plan))
        {
            Uncertainty = UncertaintySummary.Of(_scenario.Uncertainty, _parameters, [.. _declared.Where(p => _use!.IsPerPerson(p.Path))]),
            Findings = findings,
        };
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
                        plan.Add(new Planned(v, SimulationRunner.RatioName(d.Name), d, offsets[m], plan.Count - 1));
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
                    list.Add(new ReportedMetric(SimulationRunner.RatioName(d.Name), d, d.Name, null));
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
