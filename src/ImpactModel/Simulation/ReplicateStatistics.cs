namespace ImpactModel.Simulation;

/// <summary>A metric summarised over replicates: mean, the 2.5th and 97.5th percentiles, and the mean's Monte Carlo standard error.</summary>
/// <param name="Mean">Mean over the replicates where the value is defined; null when none is.</param>
/// <param name="Low">2.5th percentile (R type 7); null with fewer than 2 defined values.</param>
/// <param name="High">97.5th percentile (R type 7); null with fewer than 2 defined values.</param>
/// <param name="Replicates">Replicates where the value is defined.</param>
/// <param name="McSe">Monte Carlo standard error of <paramref name="Mean"/>: s / √n, s the sample standard deviation
/// (n − 1 denominator) of the defined values; null with fewer than 2.</param>
public readonly record struct ReplicateSummary(double? Mean, double? Low, double? High, int Replicates, double? McSe = null);

/// <summary>Summaries over replicates, in a fixed order of operations so they are reproducible bit for bit.</summary>
public static class ReplicateStatistics
{
    /// <summary>The lower end of the reported interval.</summary>
    public const double LowProbability = 0.025;

    /// <summary>The upper end of the reported interval.</summary>
    public const double HighProbability = 0.975;

    /// <summary>What <c>ci_low</c> and <c>ci_high</c> mean, for the manifest.</summary>
    public const string IntervalDescription =
        "2.5th and 97.5th percentiles over replicates (R quantile type 7: linear interpolation between order statistics, " +
        "h = (n - 1) p); an uncertainty interval carrying parameter uncertainty and chance; empty with fewer than 2 replicates " +
        "where the value is defined";

    /// <summary>
    /// The p-quantile of sorted values by Hyndman and Fan's (1996) definition 7, R's default:
    /// h = (n − 1)p, Q = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋ + 1] − x[⌊h⌋]) with 0-based x.
    /// Hyndman, R. J. and Fan, Y. (1996) "Sample quantiles in statistical packages", The American Statistician 50(4), 361–365.
    /// </summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double p)
    {
        if (sorted.Length == 0)
            throw new ArgumentException("no values", nameof(sorted));
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability lies in [0, 1]");
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        if (lo >= sorted.Length - 1)
            return sorted[^1];
        double fraction = h - lo;
        return sorted[lo] + fraction * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>
    /// The Monte Carlo standard error of the mean of <paramref name="values"/> (in replicate order) whose
    /// mean is <paramref name="mean"/>: s / √n with s² = Σ (x − mean)² / (n − 1), the sum taken in order
    /// after the mean (the two-pass algorithm: Chan, Golub and LeVeque (1983) "Algorithms for computing
    /// the sample variance: analysis and recommendations", The American Statistician 37(3), 242–247;
    /// for s / √n as the Monte Carlo error of a mean over replicates: Koehler, Brown and Haneuse (2009)
    /// "On the assessment of Monte Carlo error in simulation-based statistical analyses", The American
    /// Statistician 63(2), 155–162). A fixed order of operations, so the same values give the same bits.
    /// </summary>
    public static double MonteCarloStandardError(ReadOnlySpan<double> values, double mean)
    {
        int n = values.Length;
        if (n < 2)
            throw new ArgumentException("a standard error needs at least 2 values", nameof(values));
        double squares = 0;
        foreach (double x in values)
        {
            double d = x - mean;
            squares += d * d; // in replicate order: reproducible
        }

        return Math.Sqrt(squares / (n - 1)) / Math.Sqrt(n);
    }

    /// <summary>Mean, percentile interval and Monte Carlo standard error of the defined (finite) values; NaN marks an undefined replicate.</summary>
    public static ReplicateSummary Summarise(ReadOnlySpan<double> values)
    {
        var defined = new double[values.Length];
        int n = 0;
        double sum = 0;
        foreach (double x in values)
        {
            if (double.IsFinite(x))
            {
                defined[n++] = x;
                sum += x; // in replicate order: reproducible
            }
        }

        if (n == 0)
            return new ReplicateSummary(null, null, null, 0);
        double mean = sum / n;
        if (n < 2)
            return new ReplicateSummary(mean, null, null, n);
        double mcSe = MonteCarloStandardError(defined.AsSpan(0, n), mean); // before the sort: replicate order
        Span<double> sorted = defined.AsSpan(0, n);
        sorted.Sort();
        return new ReplicateSummary(mean, Percentile(sorted, LowProbability), Percentile(sorted, HighProbability), n, mcSe);
    }
}
