using System.Collections.Immutable;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Pilot.Simulation;

/// <summary>A unit a pilot can randomise: a local authority (or an area when the population declares none).</summary>
/// <param name="Id">Its id.</param>
/// <param name="Index">Its declaration index among the population's local authorities (or areas).</param>
/// <param name="Area">The area it lies in.</param>
/// <param name="Population">Its declared persons.</param>
public sealed record PilotUnit(string Id, int Index, string Area, long Population);

/// <summary>A rate as counters of the merged tally: numerator over denominator, in one variant and result row.</summary>
/// <param name="Variant">The variant's index among the pilot's variants.</param>
/// <param name="Row">The result row: 0 all, then the groups.</param>
/// <param name="Numerator">The numerator counter (absolute index in the tally).</param>
/// <param name="Denominator">The denominator counter (persons of the row for a count).</param>
/// <param name="Divisor">Fixed point: numerator / Divisor / denominator is the rate (the metric's <see cref="MetricDefinition.Divisor"/>).</param>
/// <param name="DenominatorScale">Fixed point of the denominator: it counts 1/DenominatorScale of a person or record.</param>
public sealed record RateSlot(int Variant, int Row, int Numerator, int Denominator, double Divisor, double DenominatorScale = 1)
{
    /// <summary>The rate of a numerator and a denominator as counted; NaN with no denominator.</summary>
    public double Rate(double numerator, double denominator) => denominator > 0 ? numerator / Divisor / denominator : double.NaN;

    /// <summary>The persons (or records) a denominator counts.</summary>
    public long Persons(long denominator) => DenominatorScale == 1 ? denominator : (long)Math.Round(denominator / DenominatorScale);

    /// <summary>The events a numerator counts (a sum of probabilities when in fixed point).</summary>
    public double Events(double numerator) => numerator / Divisor / DenominatorScale;

    /// <summary>True when the numerator is not a whole count of events (a sum of probabilities): a pilot's events are drawn at its rate.</summary>
    public bool Drawn => Divisor != 1 || DenominatorScale != 1;
}

/// <summary>A harm a safeguard may act on: the same metric with and without it.</summary>
public sealed record SafeguardHarm(string Metric, RateSlot With, RateSlot Without);

/// <summary>One outcome of the pilot section resolved against the strand's metrics and the pilot's variants.</summary>
/// <param name="Spec">The outcome as declared.</param>
/// <param name="Group">The result row's name (<c>all</c> or a group id).</param>
/// <param name="Metric">The metric measured (for a safeguard, chosen after the engine has run: see <see cref="PilotSetup.ChooseHarm"/>).</param>
/// <param name="Treated">The treated arm's rate (benefit and harm: the proposal; safeguard: with it).</param>
/// <param name="Control">The control arm's rate (benefit: the status quo; safeguard: the proposal without it); null for a harm.</param>
/// <param name="Harms">For a safeguard: every harm metric it might act on.</param>
public sealed record PilotOutcome(PilotOutcomeSpec Spec, string Group, string Metric, RateSlot Treated, RateSlot? Control, ImmutableArray<SafeguardHarm> Harms)
{
    /// <summary>The minimum effect (benefit, safeguard) or the tolerance (harm).</summary>
    public double Target => (Spec.Kind == PilotOutcomeKind.HarmTolerance ? Spec.Tolerance : Spec.MinimumEffect)!.Mean;

    /// <summary>Two-sided tests for a benefit or a safeguard; one-sided against a tolerance.</summary>
    public int Sides => Spec.Kind == PilotOutcomeKind.HarmTolerance ? 1 : 2;
}

/// <summary>
/// What a simulated pilot needs from a scenario: its candidate units, the variants to run (the status
/// quo, the proposal, and the proposal without each safeguard whose efficacy is an outcome), each
/// outcome's counters, and the counters of the proposal's running cost. Every problem is one
/// positioned error (<see cref="ScenarioException"/>), all of them at once.
/// </summary>
public sealed class PilotSetup
{
    private PilotSetup(Scenario scenario, PilotSpec spec, ImmutableArray<PilotUnit> units, bool byAuthority, IReadOnlyList<SimulationVariant> variants,
        ImmutableArray<PilotOutcome> outcomes, (RateSlot Proposal, RateSlot StatusQuo)? cost)
    {
        Scenario = scenario;
        Spec = spec;
        Units = units;
        ByAuthority = byAuthority;
        Variants = variants;
        Outcomes = outcomes;
        Cost = cost;
    }

    public Scenario Scenario { get; }

    public PilotSpec Spec { get; }

    /// <summary>The candidate units, in declaration order.</summary>
    public ImmutableArray<PilotUnit> Units { get; }

    /// <summary>True when the units are local authorities (else areas).</summary>
    public bool ByAuthority { get; }

    /// <summary>The variants the engine runs for the pilot.</summary>
    public IReadOnlyList<SimulationVariant> Variants { get; }

    public ImmutableArray<PilotOutcome> Outcomes { get; }

    /// <summary>The annual running cost (pence) of the proposal and the status quo, when the strand reports one (<c>total_cost</c>, not a present value).</summary>
    public (RateSlot Proposal, RateSlot StatusQuo)? Cost { get; }

    /// <summary>
    /// This setup over <paramref name="scenario"/> (the same scenario with another declared population:
    /// the candidates'), its variants rebuilt from it in the same order, so every slot still holds.
    /// </summary>
    public PilotSetup For(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var ids = Variants.Select(v => v.Id).ToList();
        IReadOnlyList<SimulationVariant> variants = [.. VariantBuilder.Build(scenario).Where(v => ids.Contains(v.Id))];
        return new PilotSetup(scenario, Spec, Units, ByAuthority, variants, Outcomes, Cost) { Counters = Counters };
    }

    /// <summary>Every counter the pilot reads, each once, in a fixed order: the engine keeps these per unit.</summary>
    public ImmutableArray<(int Variant, int Row, int Counter)> Counters { get; private set; }

    /// <summary>The position of (variant, row, counter) in <see cref="Counters"/>.</summary>
    public int CounterIndex(int variant, int row, int counter) => Counters.IndexOf((variant, row, counter));

    /// <summary>Resolves the scenario's pilot section against its strand's <paramref name="models"/>.</summary>
    public static PilotSetup Resolve(Scenario scenario, IReadOnlyList<IStrandModel> models)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(models);
        var errors = new List<ScenarioError>();
        if (scenario.Pilot is not { } spec)
            throw new ScenarioException([new ScenarioError(scenario.File, 1, 1, "pilot",
                "the scenario has no pilot section: add one to size a pilot (docs/scenario-format.md, 'pilot')")]);

        (ImmutableArray<PilotUnit> units, bool byAuthority) = Candidates(scenario, spec, errors);

        var all = VariantBuilder.Build(scenario);
        var wanted = new List<string> { VariantBuilder.StatusQuo, VariantBuilder.Proposal };
        foreach (PilotOutcomeSpec o in spec.Outcomes)
        {
            if (o.Kind != PilotOutcomeKind.SafeguardEfficacy)
                continue;
            string id = VariantBuilder.WithoutPrefix + o.Safeguard;
            if (all.Any(v => v.Id == id))
                wanted.Add(id);
            else
                errors.Add(At(o, "safeguard", scenario.Safeguards.Any(s => s.Id == o.Safeguard)
                    ? $"safeguard '{o.Safeguard}' is off in the proposal: a pilot cannot measure what it prevents"
                    : $"no safeguard '{o.Safeguard}' in the scenario"));
        }

        IReadOnlyList<SimulationVariant> variants = [.. all.Where(v => wanted.Contains(v.Id))];
        int V(string id) => variants.ToList().FindIndex(v => v.Id == id);

        var metrics = new Dictionary<string, (MetricDefinition Definition, int Offset)>(StringComparer.Ordinal);
        int offset = 0;
        foreach (IStrandModel model in models)
        {
            foreach (MetricDefinition d in model.Metrics)
                metrics.TryAdd(d.Name, (d, offset));
            offset += model.Counters.Count;
        }

        int persons = metrics.TryGetValue("persons", out var p) ? p.Offset + p.Definition.Numerator : -1;
        string measurable = string.Join(", ", metrics.Values.Where(m => Measurable(m.Definition)).Select(m => m.Definition.Name).Take(12));
        // A rate's denominator may itself be in fixed point: the scale of the count metric over the same counter.
        double ScaleOf(int counter) => metrics.Values.FirstOrDefault(m => m.Definition.Unit == MetricUnit.Persons && m.Offset + m.Definition.Numerator == counter)
            .Definition?.Divisor ?? 1;
        RateSlot? Slot(MetricDefinition d, int off, int variant, int row) => variant < 0 ? null : new RateSlot(variant, row, off + d.Numerator,
            d.Unit == MetricUnit.Rate ? off + d.Denominator : persons, d.Divisor, d.Unit == MetricUnit.Rate ? ScaleOf(off + d.Denominator) : 1);

        var outcomes = ImmutableArray.CreateBuilder<PilotOutcome>();
        var groups = scenario.Population.Groups.Select(g => g.Id).ToList();
        foreach (PilotOutcomeSpec o in spec.Outcomes)
        {
            if (o.Kind == PilotOutcomeKind.SafeguardEfficacy)
            {
                int with = V(VariantBuilder.Proposal), without = V(VariantBuilder.WithoutPrefix + o.Safeguard);
                if (without < 0)
                    continue;
                var harms = metrics.Values.Where(m => m.Definition.IsHarm && Measurable(m.Definition))
                    .Select(m => new SafeguardHarm(m.Definition.Name, Slot(m.Definition, m.Offset, with, 0)!, Slot(m.Definition, m.Offset, without, 0)!))
                    .ToImmutableArray();
                if (harms.IsEmpty)
                {
                    errors.Add(At(o, "safeguard", "the strand counts no harm per person that a safeguard could prevent"));
                    continue;
                }

                outcomes.Add(new PilotOutcome(o, "all", harms[0].Metric, harms[0].With, harms[0].Without, harms));
                continue;
            }

            if (!metrics.TryGetValue(o.Metric!, out var m))
            {
                errors.Add(At(o, "metric", $"the {scenario.Strand} strand does not produce '{o.Metric}'; a pilot can measure: {measurable}, …"));
                continue;
            }

            if (!Measurable(m.Definition))
            {
                errors.Add(At(o, "metric", $"'{o.Metric}' is {(m.Definition.Unit == MetricUnit.Money ? "money" : "a quantity formed for the whole population")}, " +
                    $"not a count of persons or events or a rate: a pilot cannot measure it area by area; name one of: {measurable}, …"));
                continue;
            }

            int row = 0;
            if (o.Kind == PilotOutcomeKind.HarmTolerance)
            {
                row = 1 + groups.IndexOf(o.Group!);
                if (row == 0)
                {
                    errors.Add(At(o, "group", $"no group '{o.Group}' in the population"));
                    continue;
                }
            }

            int treated = V(VariantBuilder.Proposal), control = o.Kind == PilotOutcomeKind.Benefit ? V(VariantBuilder.StatusQuo) : -1;
            if (control >= 0 && m.Definition.LinkingVariantsOnly)
            {
                errors.Add(At(o, "metric", $"'{o.Metric}' exists only where data are shared, so the status quo has none to compare with; name a metric both arms produce"));
                continue;
            }

            outcomes.Add(new PilotOutcome(o, row == 0 ? "all" : o.Group!, o.Metric!, Slot(m.Definition, m.Offset, treated, row)!,
                Slot(m.Definition, m.Offset, control, row), []));
        }

        (RateSlot, RateSlot)? cost = metrics.TryGetValue("total_cost", out var c) && c.Definition.Unit == MetricUnit.Money && !c.Definition.PresentValue
            ? (new RateSlot(V(VariantBuilder.Proposal), 0, c.Offset + c.Definition.Numerator, persons, 1), new RateSlot(V(VariantBuilder.StatusQuo), 0, c.Offset + c.Definition.Numerator, persons, 1))
            : null;
        if (errors.Count > 0)
            throw new ScenarioException(errors);

        var setup = new PilotSetup(scenario, spec, units, byAuthority, variants, outcomes.ToImmutable(), cost);
        var counters = new List<(int, int, int)>();
        void Add(RateSlot? s)
        {
            if (s is null)
                return;
            foreach (int counter in new[] { s.Numerator, s.Denominator })
            {
                if (counter >= 0 && !counters.Contains((s.Variant, s.Row, counter)))
                    counters.Add((s.Variant, s.Row, counter));
            }
        }

        foreach (PilotOutcome o in setup.Outcomes)
        {
            Add(o.Treated);
            Add(o.Control);
            foreach (SafeguardHarm h in o.Harms)
            {
                Add(h.With);
                Add(h.Without);
            }
        }

        if (cost is { } k)
        {
            Add(k.Item1);
            Add(k.Item2);
        }

        setup.Counters = [.. counters];
        return setup;
    }

    /// <summary>A count of persons or events, or a rate: what a pilot can count unit by unit.</summary>
    private static bool Measurable(MetricDefinition d) => d.Unit is MetricUnit.Persons or MetricUnit.Rate;

    /// <summary>
    /// The harm the safeguard acts on: the harm metric whose events it prevents most of (the
    /// numerator's events without it less those with it, over every unit and replicate the engine
    /// ran: <paramref name="events"/> sums them), so that the pilot measures the harm it can count
    /// best; the first such metric on a tie.
    /// </summary>
    public static PilotOutcome ChooseHarm(PilotOutcome outcome, Func<RateSlot, double> events)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(events);
        if (outcome.Harms.IsEmpty)
            return outcome;
        SafeguardHarm best = outcome.Harms[0];
        double most = double.NegativeInfinity;
        foreach (SafeguardHarm h in outcome.Harms)
        {
            double prevented = events(h.Without) - events(h.With);
            if (prevented > most)
                (best, most) = (h, prevented);
        }

        return outcome with { Metric = best.Metric, Treated = best.With, Control = best.Without };
    }

    private static ScenarioError At(PilotOutcomeSpec o, string key, string message) =>
        new(o.Position.File, o.Position.Line, o.Position.Column, $"pilot.outcomes.{o.Id}.{key}", message);

    private static (ImmutableArray<PilotUnit>, bool) Candidates(Scenario scenario, PilotSpec spec, List<ScenarioError> errors)
    {
        PopulationSpec population = scenario.Population;
        var chosen = new SortedDictionary<int, PilotUnit>();
        bool byAuthority = !population.LocalAuthorities.IsEmpty;
        foreach (string id in spec.Areas)
        {
            if (byAuthority)
            {
                int la = population.LocalAuthorities.ToList().FindIndex(a => a.Id == id);
                var members = la >= 0 ? [la] : Enumerable.Range(0, population.LocalAuthorities.Length).Where(i => population.LocalAuthorities[i].Area == id).ToList();
                foreach (int i in members)
                {
                    LocalAuthoritySpec a = population.LocalAuthorities[i];
                    if (a.Population > 0)
                        chosen[i] = new PilotUnit(a.Id, i, a.Area, a.Population);
                }

                if (members.Count == 0)
                    errors.Add(new ScenarioError(spec.Position.File, spec.Position.Line, spec.Position.Column, "pilot.areas", $"'{id}' is neither an area nor a local authority of the population"));
            }
            else
            {
                int a = population.Areas.ToList().FindIndex(x => x.Id == id);
                if (a < 0)
                    errors.Add(new ScenarioError(spec.Position.File, spec.Position.Line, spec.Position.Column, "pilot.areas",
                        $"'{id}' is not an area of the population (it declares no local authorities)"));
                else
                    chosen[a] = new PilotUnit(id, a, id, (long)Math.Round(population.Areas[a].Share.Mean / population.Areas.Sum(x => x.Share.Mean) * population.Size));
            }
        }

        if (errors.Count == 0 && chosen.Count < 4)
            errors.Add(new ScenarioError(spec.Position.File, spec.Position.Line, spec.Position.Column, "pilot.areas",
                $"the candidate areas hold {chosen.Count} {(byAuthority ? "local authorities" : "areas")}; a pilot needs at least 4 to put 2 in each arm"));
        return ([.. chosen.Values], byAuthority);
    }
}
