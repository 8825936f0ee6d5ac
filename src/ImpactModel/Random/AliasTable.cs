using System.Runtime.CompilerServices;

namespace ImpactModel.Random;

/// <summary>
/// Categorical sampling in O(1) by Walker's alias method (Walker 1977, ACM TOMS 3(3)) with Vose's
/// linear-time construction (Vose 1991, IEEE TSE 17(9)). Built once per replicate; sampling uses
/// two 32-bit words and integer compares only.
/// </summary>
/// <remarks>
/// Word 0 picks the column j = ⌊w0 · n / 2^32⌋ (multiply-shift, Lemire 2019), word 1 keeps j when
/// w1 &lt; threshold[j] and takes alias[j] otherwise. Because both steps are on 32-bit integers the
/// realised probabilities differ from the weights by at most about n / 2^32 (column sizes differ
/// by one word, thresholds are rounded to 2^-32); <see cref="Probability"/> gives them exactly.
/// </remarks>
public sealed class AliasTable
{
    private const double TwoTo32 = 4294967296.0;
    private readonly ulong[] _threshold;
    private readonly int[] _alias;

    /// <summary>Builds the table from non-negative weights (not necessarily summing to 1).</summary>
    /// <exception cref="ArgumentException">No weights, a negative or non-finite weight, or all zero.</exception>
    public AliasTable(ReadOnlySpan<double> weights)
    {
        int n = weights.Length;
        if (n == 0)
            throw new ArgumentException("an alias table needs at least one category", nameof(weights));
        double total = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w))
                throw new ArgumentException("weights are finite and at least 0", nameof(weights));
            total += w;
        }
        if (!(total > 0) || double.IsInfinity(total))
            throw new ArgumentException("weights must have a positive, finite sum", nameof(weights));

        var scaled = new double[n];
        var small = new int[n];
        var large = new int[n];
        int ns = 0, nl = 0;
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            if (scaled[i] < 1)
                small[ns++] = i;
            else
                large[nl++] = i;
        }
        _threshold = new ulong[n];
        _alias = new int[n];
        // Vose: pair each under-full column with an over-full one, which donates the remainder.
        while (ns > 0 && nl > 0)
        {
            int l = small[--ns];
            int g = large[--nl];
            _threshold[l] = ToThreshold(scaled[l]);
            _alias[l] = g;
            scaled[g] = (scaled[g] + scaled[l]) - 1;
            if (scaled[g] < 1)
                small[ns++] = g;
            else
                large[nl++] = g;
        }
        // Whatever is left is full up to rounding (Vose's numerically stable ending).
        while (nl > 0)
        {
            int g = large[--nl];
            _threshold[g] = 1UL << 32;
            _alias[g] = g;
        }
        while (ns > 0)
        {
            int l = small[--ns];
            _threshold[l] = 1UL << 32;
            _alias[l] = l;
        }
    }

    /// <summary>Number of categories.</summary>
    public int Count => _alias.Length;

    /// <summary>The exact probability that <see cref="Sample(uint, uint)"/> returns <paramref name="category"/>.</summary>
    public double Probability(int category)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(category);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(category, Count);
        int n = Count;
        double p = 0;
        for (int j = 0; j < n; j++)
        {
            // Words w with ⌊w n / 2^32⌋ = j: from ⌈j 2^32 / n⌉ to ⌈(j+1) 2^32 / n⌉ − 1.
            ulong first = (((ulong)j << 32) + (ulong)n - 1) / (ulong)n;
            ulong next = (((ulong)(j + 1) << 32) + (ulong)n - 1) / (ulong)n;
            double column = (next - first) / TwoTo32;
            double keep = _threshold[j] / TwoTo32;
            if (j == category)
                p += column * keep;
            if (_alias[j] == category)
                p += column * (1 - keep);
        }
        return p;
    }

    /// <summary>The category chosen by two uniformly random 32-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per draw
    public int Sample(uint w0, uint w1)
    {
        int j = (int)(((ulong)w0 * (uint)_alias.Length) >> 32);
        return w1 < _threshold[j] ? j : _alias[j];
    }

    /// <summary>The category of a person's draw in a stream (words 0 and 1 of its block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Sample(in RngKey key, long person, uint draw)
    {
        PhiloxBlock b = Philox.Block(key, person, draw);
        return Sample(b.W0, b.W1);
    }

    private static ulong ToThreshold(double p) => p >= 1 ? 1UL << 32 : (ulong)Math.Round(Math.Max(p, 0) * TwoTo32);
}
