namespace ImpactModel.Review;

/// <summary>Spearman's rank correlation: Pearson's correlation of the mid-ranks (ties share the mean of their ranks).</summary>
public static class RankCorrelation
{
    /// <summary>
    /// ρ over the pairs where both values are finite, or null with fewer than <paramref name="minimum"/>
    /// such pairs or when either side is constant over them.
    /// </summary>
    public static double? Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int minimum = 3)
    {
        if (x.Length != y.Length)
            throw new ArgumentException("the two series differ in length", nameof(y));
        var xs = new List<double>(x.Length);
        var ys = new List<double>(y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                xs.Add(x[i]);
                ys.Add(y[i]);
            }
        }

        if (xs.Count < Math.Max(2, minimum))
            return null;
        double[] rx = MidRanks(xs), ry = MidRanks(ys);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            double dx = rx[i] - mx, dy = ry[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : null;
    }

    /// <summary>Ranks 1 … n in value order, tied values sharing the mean of their ranks.</summary>
    public static double[] MidRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int[] order = [.. Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i)];
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            double mid = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
                ranks[order[k]] = mid;
            start = end + 1;
        }

        return ranks;
    }
}
