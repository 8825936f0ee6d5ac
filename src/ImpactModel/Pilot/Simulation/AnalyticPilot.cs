using ImpactModel.Scenarios.Model;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// The analytic answer beside each simulated one, from <c>impact power</c>'s own formulas with the
/// rates and the intra-cluster correlation the simulated units imply: the pooled two-proportion power
/// (individually randomised), the same with the design effect 1 + (m − 1)·ICC and Student's t on
/// Satterthwaite's degrees of freedom in place of the normal (cluster-randomised, k units per arm of m
/// persons on average; the t is what the Welch analysis of so few areas pays), and the exact binomial
/// test against the tolerance at the treated persons, pooled as the simulated pilot pools them.
/// </summary>
internal sealed class AnalyticPilot
{
    private readonly PilotSetup _setup;
    private readonly PilotOutcome[] _outcomes;
    private readonly PilotSettings _settings;
    private readonly double _alpha, _target;
    private readonly Moments[] _moments;

    public AnalyticPilot(PilotSetup setup, AreaCounts counts, PilotOutcome[] outcomes, PilotSettings settings, double alpha, double target)
    {
        (_setup, _outcomes, _settings, _alpha, _target) = (setup, outcomes, settings, alpha, target);
        _moments = [.. outcomes.Select(o => MomentsOf(counts, o))];
    }

    /// <summary>
    /// Each arm's rate pooled over units and replicates and the between-unit variance of its unit
    /// rates beyond their binomial variance (an ANOVA estimator: the sample variance of the unit rates
    /// less the mean of p(1 − p)/m, averaged over replicates), and the harmonic and arithmetic mean
    /// persons per unit.
    /// </summary>
    private sealed record Moments(double P1, double P0, double Between1, double Between0, double Harmonic, double PerUnit);

    private Moments MomentsOf(AreaCounts counts, PilotOutcome o)
    {
        double inverse = 0, persons = 0;
        long cells = 0;
        double Between(RateSlot slot)
        {
            int num = _setup.CounterIndex(slot.Variant, slot.Row, slot.Numerator), den = _setup.CounterIndex(slot.Variant, slot.Row, slot.Denominator);
            double between = 0;
            int n = 0;
            for (int r = 0; r < counts.Replicates; r++)
            {
                double x = 0, d = 0, sum = 0, sumSq = 0, within = 0;
                int units = 0;
                for (int u = 0; u < counts.Units; u++)
                {
                    long raw = counts[r, u, den], du = slot.Persons(raw);
                    x += slot.Events(counts[r, u, num]);
                    d += du;
                    if (du <= 0)
                        continue;
                    double rate = slot.Rate(counts[r, u, num], raw);
                    (sum, sumSq, units) = (sum + rate, sumSq + rate * rate, units + 1);
                    (inverse, persons, within, cells) = (inverse + 1.0 / du, persons + du, within + 1.0 / du, cells + 1);
                }

                if (units < 2 || d <= 0)
                    continue;
                double p = x / d, variance = (sumSq - sum * sum / units) / (units - 1);
                between += Math.Max(0, variance - p * (1 - p) * within / units);
                n++;
            }

            return n > 0 ? between / n : double.NaN;
        }

        double b1 = Between(o.Treated), b0 = o.Control is { } c ? Between(c) : 0;
        // Persons per unit over the units that have any (a rare group's unit may have none).
        double all = (double)counts.Units * counts.Replicates * (o.Control is null ? 1 : 2);
        return new Moments(PilotSimulator.PooledRate(_setup, counts, o.Treated), o.Control is { } ctl ? PilotSimulator.PooledRate(_setup, counts, ctl) : 0,
            b1, b0, inverse > 0 ? cells / inverse : double.NaN, persons / all);
    }

    /// <summary>
    /// The ICC at <paramref name="months"/> (both arms' between-unit variance over both arms' binomial
    /// variance: the ICC that puts their total in one design effect) and the analytic power of the
    /// design with <paramref name="k"/> units per arm.
    /// </summary>
    public (double? Icc, double? Power) At(int outcome, string design, int months, int k)
    {
        PilotOutcome o = _outcomes[outcome];
        Moments m = _moments[outcome];
        bool harm = o.Spec.Kind == PilotOutcomeKind.HarmTolerance;
        double share = _settings.YearlyOutcomes ? Math.Min(1, months / 12.0) : 1;
        double p1 = m.P1 * share, p0 = m.P0 * share;
        double v1 = p1 * (1 - p1), v0 = harm ? 0 : p0 * (1 - p0);
        double s1 = m.Between1 * share * share, s0 = m.Between0 * share * share;
        double? icc = v1 + v0 > 0 && !double.IsNaN(s1) && !double.IsNaN(s0) ? (s1 + s0) / (v1 + v0) : null;
        bool cluster = design == PilotSimulator.Cluster;
        if (!(p1 >= 0 && p1 <= 1 && p0 >= 0 && p0 <= 1) || icc is null)
            return (icc, null);
        if (harm)
        {
            // The same test as the simulated pilot's: the treated persons pooled, as if independent (the
            // ICC column says how far the areas make them not).
            double tolerance = Math.Min(1, o.Target * share), n = k * m.PerUnit;
            if (!(n >= 1))
                return (icc, null);
            double power = n <= ToleranceTest.MaxExactN
                ? ToleranceTest.ExactAt((long)Math.Round(n), p1, tolerance, _alpha).Power
                : ToleranceTest.NormalPower(p1, tolerance, n, _alpha);
            return (icc, power);
        }

        if (!cluster)
            return (icc, TwoProportions.PooledPower(p1, p0, k * m.PerUnit, new PowerSettings(_alpha, 2, _target)));

        // Each arm's unit rates vary as p(1 − p)·DE/m, DE = 1 + (m − 1)·ICC of that arm (the unequal-arms
        // cluster formula); Welch's test of k units per arm on Satterthwaite's degrees of freedom.
        double a = v1 * ClusterDesign.DesignEffect(m.Harmonic, v1 > 0 ? s1 / v1 : 0, 0) / m.Harmonic;
        double b = v0 * ClusterDesign.DesignEffect(m.Harmonic, v0 > 0 ? s0 / v0 : 0, 0) / m.Harmonic;
        double se = Math.Sqrt((a + b) / k);
        if (!(se > 0))
            return (icc, null);
        double df = (a + b) * (a + b) / ((a * a + b * b) / (k - 1)), delta = Math.Abs(p1 - p0) / se;
        double critical = TrialAnalysis.StudentQuantile(1 - _alpha / 2, df);
        return (icc, 1 - TrialAnalysis.StudentCdf(critical - delta, df));
    }
}
