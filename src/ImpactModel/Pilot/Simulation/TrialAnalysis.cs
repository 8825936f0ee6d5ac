namespace ImpactModel.Pilot.Simulation;

/// <summary>One simulated pilot's answer to one outcome: its estimate, the p-value of its test, and whether its interval holds the truth.</summary>
/// <param name="Estimate">The estimate on the outcome's scale (annual), NaN when the pilot has no data for it.</param>
/// <param name="PValue">The p-value of the pilot's test.</param>
/// <param name="Covers">Whether the confidence interval of the estimate contains the true value.</param>
public readonly record struct TrialAnswer(double Estimate, double PValue, bool Covers)
{
    /// <summary>No data: nothing is estimated, nothing rejected.</summary>
    public static TrialAnswer None => new(double.NaN, 1, false);
}

/// <summary>
/// The analyses a real pilot would run, each returning an estimate, a p-value and whether its
/// confidence interval covers a given true value (found by inverting the test at that value, so no
/// quantile is computed per pilot):
/// Welch's t-test on area rates (cluster-randomised; B. L. Welch, Biometrika 34 (1947) 28–35), the
/// two-proportion z-test with the pooled variance (individually randomised; the test R's
/// <c>prop.test(correct = FALSE)</c> makes) with the unpooled Wald interval, and the one-sided exact
/// binomial test against a tolerance with its Clopper–Pearson bound.
/// </summary>
public static class TrialAnalysis
{
    /// <summary>Student's t distribution function, by the regularised incomplete beta (Abramowitz and Stegun 26.7.1).</summary>
    public static double StudentCdf(double t, double df)
    {
        if (double.IsNaN(t) || !(df > 0))
            return double.NaN;
        if (df > 1e7)
            return Normal.Cdf(t);
        double tail = 0.5 * Binomial.RegularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>The two-sided p-value of a t statistic with <paramref name="df"/> degrees of freedom.</summary>
    public static double TwoSided(double t, double df) =>
        Math.Min(1, 2 * (1 - StudentCdf(Math.Abs(t), df)));

    /// <summary>The quantile of Student's t at <paramref name="p"/> (bisection; for the analytic answers, not per pilot).</summary>
    public static double StudentQuantile(double p, double df)
    {
        if (df > 1e7)
            return Normal.Quantile(p);
        double lo = -1e3, hi = 1e3;
        for (int i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1, Math.Abs(lo)); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (StudentCdf(mid, df) < p)
                lo = mid;
            else
                hi = mid;
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>Mean and sample variance of <paramref name="x"/>.</summary>
    public static (double Mean, double Variance) Moments(ReadOnlySpan<double> x)
    {
        double mean = 0;
        foreach (double v in x)
            mean += v;
        mean /= x.Length;
        double ss = 0;
        foreach (double v in x)
            ss += (v - mean) * (v - mean);
        return (mean, x.Length > 1 ? ss / (x.Length - 1) : double.NaN);
    }

    /// <summary>
    /// Welch's test of a ratio ρ of two means: H0 mean1 = ρ·mean0 (ρ = 1 compares them; with ρ the
    /// true ratio it is Fieller's pivot, whose acceptance region is Fieller's interval). Returns the
    /// two-sided p-value; a pilot without variation rejects exactly when the means differ.
    /// </summary>
    public static double WelchRatio(ReadOnlySpan<double> treated, ReadOnlySpan<double> control, double rho) => Welch(treated, control, rho, 0);

    /// <summary>Welch's test of a difference of means against <paramref name="delta"/>: H0 mean1 − mean0 = delta.</summary>
    public static double WelchDifference(ReadOnlySpan<double> treated, ReadOnlySpan<double> control, double delta) => Welch(treated, control, 1, delta);

    /// <summary>Welch's test of H0 mean1 − ρ·mean0 = delta, on Satterthwaite's degrees of freedom.</summary>
    private static double Welch(ReadOnlySpan<double> treated, ReadOnlySpan<double> control, double rho, double delta)
    {
        (double m1, double v1) = Moments(treated);
        (double m0, double v0) = Moments(control);
        double a = v1 / treated.Length, b = rho * rho * v0 / control.Length;
        double se = Math.Sqrt(a + b), diff = m1 - rho * m0 - delta;
        if (!(se > 0))
            return Math.Abs(diff) > 1e-15 * Math.Max(Math.Abs(m1), Math.Abs(m0)) ? 0 : 1;
        double df = (a + b) * (a + b) / (a * a / (treated.Length - 1) + b * b / (control.Length - 1));
        return TwoSided(diff / se, df);
    }

    /// <summary>The pooled two-proportion z-test of x1/n1 against x0/n0 (two-sided p-value).</summary>
    public static double TwoProportionP(long x1, long n1, long x0, long n0)
    {
        if (n1 <= 0 || n0 <= 0)
            return 1;
        double p1 = (double)x1 / n1, p0 = (double)x0 / n0, pooled = (double)(x1 + x0) / (n1 + n0);
        double se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n0));
        if (!(se > 0))
            return p1 == p0 ? 1 : 0;
        return Math.Min(1, 2 * Normal.UpperTail(Math.Abs(p1 - p0) / se));
    }

    /// <summary>
    /// Whether the unpooled Wald interval of p1 − ρ·p0 at level 1 − alpha holds 0 (ρ = 1: the interval
    /// of the difference holds <paramref name="delta"/>; otherwise the ratio's interval by Fieller's
    /// method holds ρ).
    /// </summary>
    public static bool WaldCovers(long x1, long n1, long x0, long n0, double delta, double rho, double alpha)
    {
        if (n1 <= 0 || n0 <= 0)
            return false;
        double p1 = (double)x1 / n1, p0 = (double)x0 / n0;
        double se = Math.Sqrt(p1 * (1 - p1) / n1 + rho * rho * p0 * (1 - p0) / n0);
        double diff = p1 - rho * p0 - delta;
        if (!(se > 0))
            return Math.Abs(diff) < 1e-15;
        return Math.Abs(diff) / se <= Normal.UpperQuantile(alpha / 2);
    }

    /// <summary>
    /// The exact one-sided test of H0 rate ≤ <paramref name="tolerance"/> with x events among n: the
    /// p-value P(X ≥ x | n, tolerance); above <see cref="ExactLimit"/> persons the normal approximation
    /// with the null variance.
    /// </summary>
    public static double AboveTolerance(long x, long n, double tolerance)
    {
        if (n <= 0)
            return 1;
        if (n <= ExactLimit)
            return Binomial.UpperTail(x, n, tolerance);
        double se = Math.Sqrt(tolerance * (1 - tolerance) / n);
        return se > 0 ? Normal.UpperTail(((double)x / n - tolerance) / se) : x > tolerance * n ? 0 : 1;
    }

    /// <summary>Persons up to which the tolerance test is exact (as <c>impact power tolerance --method exact</c>).</summary>
    public const long ExactLimit = 200_000;
}
