using ImpactModel.Scenarios.Model;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// The analytic answer beside each simulated one, from <c>impact power</c>'s own formulas with the
/// rates and the intra-cluster correlation the simulated units imply: the pooled two-proportion power
/// (individually randomised), the same with the design effect 1 + (m − 1)·ICC and Student's t on
/// 2(k − 1) degrees of freedom in place of the normal (cluster-randomised, k units per arm of m persons
/// on average; the t is what the Welch analysis of so few areas pays), and the exact binomial test
/// against the tolerance at the persons the design carries.
/// </summary>
internal sealed class AnalyticPilot
{
    private readonly PilotSetup _setup;
    private readonly PilotOutcome[] _outcomes;
    private readonly PilotSettings _settings;
    private readonly double _alpha, _target;
    private readonly (double P1, double P0, double Between, double Mean, double Harmonic, double PerUnit)[] _moments;

    public AnalyticPilot(PilotSetup setup, AreaCounts counts, PilotOutcome[] outcomes, PilotSettings settings, double alpha, double target)
    {
        (_setup, _outcomes, _settings, _alpha, _target) = (setup, outcomes, settings, alpha, target);
        _moments = [.. outcomes.Select(o => Moments(counts, o))];
    }

    /// <summary>
    /// The rates of both arms pooled over units and replicates, the between-unit variance of the unit
    /// rates beyond their binomial variance (an ANOVA estimator, averaged over replicates and arms),
    /// the mean rate, and the harmonic and arithmetic mean of the persons per unit.
    /// </summary>
    private (double, double, double, double, double, double) Moments(AreaCounts counts, PilotOutcome o)
    {
        RateSlot[] slots = o.Control is { } c ? [o.Treated, c] : [o.Treated];
        double between = 0, inverse = 0, persons = 0;
        int n = 0;
        foreach (RateSlot slot in slots)
        {
            int num = _setup.CounterIndex(slot.Variant, slot.Row, slot.Numerator), den = _setup.CounterIndex(slot.Variant, slot.Row, slot.Denominator);
            for (int r = 0; r < counts.Replicates; r++)
            {
                double x = 0, d = 0, sum = 0, sumSq = 0, within = 0;
                int units = 0;
                for (int u = 0; u < counts.Units; u++)
                {
                    long du = counts[r, u, den];
                    x += counts[r, u, num] / slot.Divisor;
                    d += du;
                    if (du <= 0)
                        continue;
                    double rate = counts[r, u, num] / slot.Divisor / du;
                    (sum, sumSq, units) = (sum + rate, sumSq + rate * rate, units + 1);
                    inverse += 1.0 / du;
                    persons += du;
                    within += 1.0 / du;
                }

                if (units < 2 || d <= 0)
                    continue;
                double p = x / d;
                double variance = (sumSq - sum * sum / units) / (units - 1);
                between += Math.Max(0, variance - p * (1 - p) * within / units);
                n++;
            }
        }

        double p1 = PilotSimulator.PooledRate(_setup, counts, o.Treated), p0 = o.Control is { } ctl ? PilotSimulator.PooledRate(_setup, counts, ctl) : double.NaN;
        double cells = (double)counts.Units * counts.Replicates * slots.Length;
        double mean = o.Control is null ? p1 : (p1 + p0) / 2;
        return (p1, p0, n > 0 ? between / n : double.NaN, mean, inverse > 0 ? cells / inverse : double.NaN, persons / cells);
    }

    /// <summary>The ICC at <paramref name="months"/> and the analytic power of the design with <paramref name="k"/> units per arm.</summary>
    public (double? Icc, double? Power) At(int outcome, string design, int months, int k)
    {
        PilotOutcome o = _outcomes[outcome];
        (double p1, double p0, double between, double mean, double harmonic, double perUnit) = _moments[outcome];
        double share = _settings.YearlyOutcomes ? Math.Min(1, months / 12.0) : 1;
        double pm = mean * share, pq = pm * (1 - pm);
        double? icc = pq > 0 && !double.IsNaN(between) ? between * share * share / pq : null;
        double designEffect = 1 + (harmonic - 1) * (icc ?? 0);
        bool cluster = design == PilotSimulator.Cluster;
        double p1m = p1 * share;
        if (!(p1m >= 0 && p1m <= 1) || icc is null)
            return (icc, null);
        if (o.Spec.Kind == PilotOutcomeKind.HarmTolerance)
        {
            double tolerance = Math.Min(1, o.Target * share);
            double n = k * perUnit / (cluster ? designEffect : 1);
            if (!(n >= 1))
                return (icc, null);
            double power = n <= ToleranceTest.MaxExactN
                ? ToleranceTest.ExactAt((long)Math.Round(n), p1m, tolerance, _alpha).Power
                : ToleranceTest.NormalPower(p1m, tolerance, n, _alpha);
            return (icc, power);
        }

        double p0m = p0 * share;
        if (!(p0m >= 0 && p0m <= 1))
            return (icc, null);
        var settings = new PowerSettings(_alpha, 2, _target);
        if (!cluster)
            return (icc, TwoProportions.PooledPower(p1m, p0m, k * perUnit, settings));
        double effective = k * harmonic / designEffect;
        double se = Math.Sqrt((p1m * (1 - p1m) + p0m * (1 - p0m)) / effective);
        if (!(se > 0))
            return (icc, null);
        double df = 2 * (k - 1), delta = Math.Abs(p1m - p0m) / se;
        double critical = TrialAnalysis.StudentQuantile(1 - _alpha / 2, df);
        return (icc, 1 - TrialAnalysis.StudentCdf(critical - delta, df));
    }
}
