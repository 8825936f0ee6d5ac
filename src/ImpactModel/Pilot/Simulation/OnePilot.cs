using ImpactModel.Scenarios.Model;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// One simulated pilot: engine replicate <c>i</c>'s unit-by-unit counts, the order in which units
/// join the pilot, and, for the duration last thinned, each outcome's events and persons per unit
/// (whole units for the cluster design, each unit's persons split between arms for the individual one).
/// </summary>
internal sealed class OnePilot
{
    private readonly PilotSetup _setup;
    private readonly AreaCounts _counts;
    private readonly IReadOnlyList<long> _enrolled;
    private readonly PilotSettings _settings;
    private readonly PilotOutcome[] _outcomes;
    private readonly int _replicate;
    private readonly double _alpha;
    private readonly int[] _order;

    // [outcome][unit]: events and persons of the treated (1) and control (0) slots, whole units and split.
    private readonly long[][] _x1, _n1, _x0, _n0, _sx1, _sn1, _sx0, _sn0;
    private readonly double[] _treatedRates, _controlRates;

    public OnePilot(PilotSetup setup, AreaCounts counts, IReadOnlyList<long> enrolled, PilotSettings settings, PilotOutcome[] outcomes, int replicate, double alpha)
    {
        (_setup, _counts, _enrolled, _settings, _outcomes, _replicate, _alpha) = (setup, counts, enrolled, settings, outcomes, replicate, alpha);
        int units = counts.Units;
        _order = new int[units];
        new PilotRandom(settings.Seed, replicate, PilotRandom.Purpose.Units).Shuffle(_order);
        long[][] Make() => [.. outcomes.Select(_ => new long[units])];
        (_x1, _n1, _x0, _n0, _sx1, _sn1, _sx0, _sn0) = (Make(), Make(), Make(), Make(), Make(), Make(), Make(), Make());
        _treatedRates = new double[units];
        _controlRates = new double[units];
    }

    /// <summary>A slot's counter as counted (in fixed point where the strand counts so).</summary>
    private long Raw(int unit, int half, RateSlot slot, bool numerator)
    {
        int counter = _setup.CounterIndex(slot.Variant, slot.Row, numerator ? slot.Numerator : slot.Denominator);
        return half < 0 ? _counts[_replicate, unit, counter] : _counts[_replicate, unit, half, counter];
    }

    /// <summary>A slot's numerator as counted, or its denominator in persons (or records); half −1 for the whole unit.</summary>
    private long Value(int unit, int half, RateSlot slot, bool numerator) =>
        numerator ? Raw(unit, half, slot, true) : slot.Persons(Raw(unit, half, slot, false));

    private long Value(int unit, RateSlot slot, bool numerator) => Value(unit, -1, slot, numerator);

    private double Rate(int unit, RateSlot slot) => slot.Rate(Raw(unit, -1, slot, true), Raw(unit, -1, slot, false));

    /// <summary>
    /// The events of a year within the pilot's share of it (binomial thinning) among the persons of
    /// half <paramref name="half"/> of a unit (−1: all of them), or, for a fixed-point count of
    /// probabilities, events drawn at its rate.
    /// </summary>
    private long Events(ref PilotRandom random, int unit, int half, RateSlot slot, double share)
    {
        long x = Value(unit, half, slot, true), d = Value(unit, half, slot, false);
        if (slot.Drawn)
            return d > 0 ? random.Binomial(d, Math.Min(1, slot.Rate(x, Raw(unit, half, slot, false)) * share)) : 0;
        return share >= 1 ? x : random.Binomial(x, share);
    }

    /// <summary>
    /// The share of a year's events a pilot of <paramref name="months"/> sees: m/12, at most one year
    /// (the strands count a year); all of them for counts that are not a year's (a release).
    /// </summary>
    public double Share(int months) => _settings.YearlyOutcomes ? Math.Min(1, months / 12.0) : 1;

    /// <summary>
    /// Draws each unit's events within <paramref name="months"/>: of the whole unit for the cluster
    /// design; for the individually randomised one, the treated arm's among the unit's first half of
    /// persons and the control arm's among its second half (different persons, as in a real trial).
    /// </summary>
    public void Thin(int months)
    {
        double share = Share(months);
        var thin = new PilotRandom(_settings.Seed, _replicate, PilotRandom.Purpose.Duration, months);
        var split = new PilotRandom(_settings.Seed, _replicate, PilotRandom.Purpose.Split, months);
        for (int u = 0; u < _counts.Units; u++)
        {
            for (int o = 0; o < _outcomes.Length; o++)
            {
                PilotOutcome outcome = _outcomes[o];
                _x1[o][u] = Events(ref thin, u, -1, outcome.Treated, share);
                _n1[o][u] = Value(u, outcome.Treated, false);
                _sx1[o][u] = Events(ref split, u, 0, outcome.Treated, share);
                _sn1[o][u] = Value(u, 0, outcome.Treated, false);
                if (outcome.Control is not { } control)
                    continue;
                _x0[o][u] = Events(ref thin, u, -1, control, share);
                _n0[o][u] = Value(u, control, false);
                _sx0[o][u] = Events(ref split, u, 1, control, share);
                _sn0[o][u] = Value(u, 1, control, false);
            }
        }
    }

    /// <summary>Persons enrolled in the pilot's units (2k units, both designs).</summary>
    public long Persons(int k)
    {
        long total = 0;
        for (int j = 0; j < 2 * k; j++)
            total += _enrolled[_order[j]];
        return total;
    }

    /// <summary>
    /// The pilot's cost (GBP) in whole authorities: the added cost of running the proposal for the
    /// treated persons over the pilot's months (the strand's annual <c>total_cost</c>, proposal less
    /// status quo, scaled from the simulated share to the whole authority), and the section's
    /// evaluation cost for each of the pilot's 2k units.
    /// </summary>
    public double Cost(int k, int months, bool cluster)
    {
        double evaluation = 2 * k * (_setup.Spec.EvaluationCostPerArea?.Mean ?? 0);
        if (_setup.Cost is not { } cost)
            return evaluation;
        // The simulated persons are a share of each authority: the running cost is scaled to whole ones.
        double share = _settings.YearlyOutcomes ? months / 12.0 : 1, total = 0;
        for (int j = 0; j < (cluster ? k : 2 * k); j++)
            total += Value(_order[j], cost.Proposal, true) - Value(_order[j], cost.StatusQuo, true);
        return total / 100 / _settings.Fraction * share * (cluster ? 1 : 0.5) + evaluation;
    }

    /// <summary>
    /// The true value a pilot estimates: the candidate population's, in this replicate (annual counts
    /// of every candidate unit). A cluster-randomised pilot compares means of unit rates, so its
    /// estimand is the mean over the candidate units of each unit's difference (a safeguard: one minus
    /// the ratio of the mean rates); an individually randomised pilot and a harm's test pool persons,
    /// so theirs are the rates pooled over every candidate unit's persons. Bias and coverage are
    /// measured against these; the same value serves every size of this pilot.
    /// </summary>
    public double Truth(PilotOutcome outcome, bool cluster)
    {
        int units = _order.Length;
        if (outcome.Spec.Kind == PilotOutcomeKind.HarmTolerance)
            return Pooled(outcome.Treated, units);
        RateSlot control = outcome.Control!;
        if (cluster)
        {
            double t = 0, c = 0;
            int n = 0;
            for (int u = 0; u < units; u++)
            {
                double a = Rate(u, outcome.Treated), b = Rate(u, control);
                if (double.IsNaN(a) || double.IsNaN(b))
                    continue;
                (t, c, n) = (t + a, c + b, n + 1);
            }

            if (n == 0)
                return double.NaN;
            return outcome.Spec.Kind == PilotOutcomeKind.Benefit ? (t - c) / n : c > 0 ? 1 - t / c : double.NaN;
        }

        double treated = Pooled(outcome.Treated, units), untreated = Pooled(control, units);
        return outcome.Spec.Kind == PilotOutcomeKind.Benefit ? treated - untreated : untreated > 0 ? 1 - treated / untreated : double.NaN;
    }

    /// <summary>A rate pooled over the first <paramref name="units"/> units of the pilot.</summary>
    private double Pooled(RateSlot slot, int units)
    {
        double x = 0, d = 0;
        for (int j = 0; j < units; j++)
        {
            x += Raw(_order[j], -1, slot, true);
            d += Raw(_order[j], -1, slot, false);
        }

        return slot.Rate(x, d);
    }

    /// <summary>Analyses outcome <paramref name="o"/> of this pilot at k units per arm, as the real pilot would.</summary>
    public TrialAnswer Analyse(int o, int k, int months, bool cluster, double truth)
    {
        PilotOutcome outcome = _outcomes[o];
        double scale = 1 / Share(months); // to the annual scale: a pilot longer than a year sees one year's events
        PilotOutcomeKind kind = outcome.Spec.Kind;
        if (kind == PilotOutcomeKind.HarmTolerance)
        {
            long x = 0, n = 0;
            for (int j = 0; j < (cluster ? k : 2 * k); j++)
            {
                int u = _order[j];
                x += cluster ? _x1[o][u] : _sx1[o][u];
                n += cluster ? _n1[o][u] : _sn1[o][u];
            }

            if (n == 0)
                return TrialAnswer.None;
            double p = TrialAnalysis.AboveTolerance(x, n, Math.Min(1, outcome.Target / scale));
            bool covers = double.IsNaN(truth) || TrialAnalysis.AboveTolerance(x, n, Math.Min(1, truth / scale)) >= _alpha;
            return new TrialAnswer((double)x / n * scale, p, covers);
        }

        bool benefit = kind == PilotOutcomeKind.Benefit;
        if (cluster)
        {
            int t = 0, c = 0;
            for (int j = 0; j < k; j++)
            {
                int u = _order[j], v = _order[k + j];
                if (_n1[o][u] > 0)
                    _treatedRates[t++] = (double)_x1[o][u] / _n1[o][u];
                if (_n0[o][v] > 0)
                    _controlRates[c++] = (double)_x0[o][v] / _n0[o][v];
            }

            if (t < 2 || c < 2)
                return TrialAnswer.None;
            ReadOnlySpan<double> treated = _treatedRates.AsSpan(0, t), control = _controlRates.AsSpan(0, c);
            double m1 = TrialAnalysis.Moments(treated).Mean, m0 = TrialAnalysis.Moments(control).Mean;
            if (benefit)
            {
                bool covers = TrialAnalysis.WelchDifference(treated, control, truth / scale) >= _alpha;
                return new TrialAnswer((m1 - m0) * scale, TrialAnalysis.WelchDifference(treated, control, 0), covers);
            }

            double estimate = m0 > 0 ? 1 - m1 / m0 : double.NaN;
            return new TrialAnswer(estimate, TrialAnalysis.WelchRatio(treated, control, 1),
                !double.IsNaN(truth) && TrialAnalysis.WelchRatio(treated, control, 1 - truth) >= _alpha);
        }

        long x1 = 0, n1 = 0, x0 = 0, n0 = 0;
        for (int j = 0; j < 2 * k; j++)
        {
            int u = _order[j];
            (x1, n1, x0, n0) = (x1 + _sx1[o][u], n1 + _sn1[o][u], x0 + _sx0[o][u], n0 + _sn0[o][u]);
        }

        if (n1 == 0 || n0 == 0)
            return TrialAnswer.None;
        double r1 = (double)x1 / n1, r0 = (double)x0 / n0, pValue = TrialAnalysis.TwoProportionP(x1, n1, x0, n0);
        if (benefit)
            return new TrialAnswer((r1 - r0) * scale, pValue, TrialAnalysis.WaldCovers(x1, n1, x0, n0, truth / scale, 1, _alpha));
        return new TrialAnswer(r0 > 0 ? 1 - r1 / r0 : double.NaN, pValue,
            !double.IsNaN(truth) && TrialAnalysis.WaldCovers(x1, n1, x0, n0, 0, 1 - truth, _alpha));
    }
}
