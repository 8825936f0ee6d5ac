namespace ImpactModel.Simulation;

/// <summary>A metric summarised over replicates: mean and the 2.5th and 97.5th percentiles.</summary>
/// <param name="Mean">Mean over the replicates where the value is defined; null when none is.</param>
/// <param name="Low">2.5th percentile (R type 7); null with fewer than 2 defined values.</param>
/// <param name="High">97.5th percentile (R type 7); null with fewer than 2 defined values.</param>
/// <param name="Replicates">Replicates where the value is defined.</param>
public readonly record struct ReplicateSummary(double? Mean, double? Low, double? High, int Replicates);

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

    /// <summary>Mean and percentile interval of the defined (finite) values; NaN marks an undefined replicate.</summary>
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
        Span<double> sorted = defined.AsSpan(0, n);
        sorted.Sort();
        return new ReplicateSummary(mean, Percentile(sorted, LowProbability), Percentile(sorted, HighProbability), n);
    }
}
