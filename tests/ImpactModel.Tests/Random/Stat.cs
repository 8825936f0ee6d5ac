namespace ImpactModel.Tests.Random;

/// <summary>
/// Statistics for the goodness-of-fit and moment tests. Every check is at a stated false-alarm
/// probability: a correct generator fails a given check at a given seed with about that
/// probability. The seeds are fixed, so a passing test stays passing; a failure means the
/// generator or transform changed.
/// </summary>
internal static class Stat
{
    /// <summary>False-alarm probability of each goodness-of-fit test: 1 in 10,000.</summary>
    public const double Alpha = 1e-4;

    /// <summary>
    /// Moment checks accept within K standard errors. The sample mean and variance are
    /// asymptotically normal, so P(|Z| &gt; 4) ≈ 6.3e-5 is each check's false-alarm probability.
    /// </summary>
    public const double K = 4;

    /// <summary>Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)|.</summary>
    public static double KsStatistic(double[] sample, Func<double, double> cdf)
    {
        var x = (double[])sample.Clone();
        Array.Sort(x);
        double n = x.Length, d = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = cdf(x[i]);
            d = Math.Max(d, Math.Max(f - i / n, (i + 1) / n - f));
        }
        return d;
    }

    /// <summary>
    /// Asymptotic Kolmogorov critical value: P(√n D &gt; c) ≈ 2 exp(−2c²) = α gives
    /// c = √(−ln(α/2)/2), so D_crit = c / √n (first term of Kolmogorov's series; accurate for n ≥ 1000).
    /// </summary>
    public static double KsCritical(int n, double alpha) => Math.Sqrt(-Math.Log(alpha / 2) / 2) / Math.Sqrt(n);

    public static void AssertKs(double[] sample, Func<double, double> cdf)
    {
        double d = KsStatistic(sample, cdf);
        double crit = KsCritical(sample.Length, Alpha);
        Assert.True(d < crit, $"KS D = {d:G5} exceeds the critical value {crit:G5} (n = {sample.Length}, alpha = {Alpha})");
    }

    /// <summary>
    /// Upper-α quantile of chi-square with df degrees of freedom by Wilson and Hilferty (1931):
    /// df (1 − 2/(9 df) + z_α √(2/(9 df)))³, z_α the upper-α standard normal quantile.
    /// (Slightly conservative for df = 1: 16.2 instead of 15.1 at α = 1e-4.)
    /// </summary>
    public static double ChiSquareCritical(int df, double alpha)
    {
        double z = UpperNormalQuantile(alpha);
        double h = 2.0 / (9.0 * df);
        double t = 1 - h + z * Math.Sqrt(h);
        return df * t * t * t;
    }

    /// <summary>Pearson's chi-square against expected probabilities (cells with p = 0 must be empty).</summary>
    public static void AssertChiSquare(long[] observed, double[] p)
    {
        long n = observed.Sum();
        double chi2 = 0;
        int cells = 0;
        for (int i = 0; i < observed.Length; i++)
        {
            if (p[i] == 0)
            {
                Assert.Equal(0, observed[i]);
                continue;
            }
            double e = n * p[i];
            Assert.True(e >= 5, $"cell {i} expects {e:G3} < 5: pool it");
            chi2 += (observed[i] - e) * (observed[i] - e) / e;
            cells++;
        }
        double crit = ChiSquareCritical(cells - 1, Alpha);
        Assert.True(chi2 < crit, $"chi-square {chi2:G5} exceeds the critical value {crit:G5} ({cells - 1} df, alpha = {Alpha})");
    }

    /// <summary>Sample mean within K standard errors √(σ²/n) of μ.</summary>
    public static void AssertMean(double[] x, double mu, double sigma2)
    {
        double mean = x.Average();
        double se = Math.Sqrt(sigma2 / x.Length);
        Assert.True(Math.Abs(mean - mu) < K * se, $"mean {mean:G8} is not within {K} SE ({se:G3}) of {mu:G8}");
    }

    /// <summary>
    /// Sample variance within K standard errors of σ²; SE = √((μ4 − σ⁴)/n), μ4 the true fourth
    /// central moment (the large-sample variance of s²; e.g. Kendall and Stuart, vol. 1, 10.5).
    /// </summary>
    public static void AssertVariance(double[] x, double sigma2, double mu4)
    {
        double mean = x.Average();
        double ss = 0;
        foreach (double v in x)
            ss += (v - mean) * (v - mean);
        double s2 = ss / (x.Length - 1);
        double se = Math.Sqrt((mu4 - sigma2 * sigma2) / x.Length);
        Assert.True(Math.Abs(s2 - sigma2) < K * se, $"variance {s2:G8} is not within {K} SE ({se:G3}) of {sigma2:G8}");
    }

    /// <summary>Mean and variance checks from the raw moments E[X], E[X²], E[X³], E[X⁴].</summary>
    public static void AssertMoments(double[] x, double m1, double m2, double m3, double m4)
    {
        double sigma2 = m2 - m1 * m1;
        double mu4 = m4 - 4 * m3 * m1 + 6 * m2 * m1 * m1 - 3 * m1 * m1 * m1 * m1;
        AssertMean(x, m1, sigma2);
        AssertVariance(x, sigma2, mu4);
    }

    /// <summary>
    /// erf by the everywhere-convergent series of positive terms (Abramowitz and Stegun 7.1.6):
    /// erf x = (2/√π) e^(−x²) Σ 2^n x^(2n+1) / (1·3···(2n+1)).
    /// </summary>
    public static double Erf(double x)
    {
        if (x < 0)
            return -Erf(-x);
        if (x > 6)
            return 1;
        double term = x, sum = x;
        for (int n = 1; term > 1e-17 * sum; n++)
        {
            term *= 2 * x * x / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
    }

    public static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>z with 1 − Φ(z) = α, by bisection.</summary>
    public static double UpperNormalQuantile(double alpha)
    {
        double lo = 0, hi = 40;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (1 - NormalCdf(mid) > alpha)
                lo = mid;
            else
                hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
