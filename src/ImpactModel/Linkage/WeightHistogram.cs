namespace ImpactModel.Linkage;

/// <summary>
/// Integer counts of match weights (bits) in equal bins over [<see cref="Min"/>, <see cref="Max"/>],
/// separately for true matches (each person's own pair) and non-matches (each candidate pair): the
/// data of the weight-distribution chart. Weights outside the range go to the end bins. One
/// histogram per thread; <see cref="Add(WeightHistogram)"/> merges them (integer sums, so any order
/// and chunking give the same counts).
/// </summary>
public sealed class WeightHistogram
{
    private readonly long[] _trueMatches;
    private readonly long[] _nonMatches;
    private readonly double _scale;

    /// <param name="min">Lower edge of the first bin, bits.</param>
    /// <param name="max">Upper edge of the last bin, bits (raised to min + 1 if not above min).</param>
    /// <param name="bins">Number of bins, at least 1.</param>
    public WeightHistogram(double min, double max, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentOutOfRangeException(nameof(min), "histogram edges are finite");
        Min = min;
        Max = max > min ? max : min + 1;
        Bins = bins;
        _scale = bins / (Max - Min);
        _trueMatches = new long[bins];
        _nonMatches = new long[bins];
    }

    public double Min { get; }

    public double Max { get; }

    public int Bins { get; }

    /// <summary>Width of a bin in bits.</summary>
    public double BinWidth => (Max - Min) / Bins;

    /// <summary>Own pairs (true matches) by bin.</summary>
    public ReadOnlySpan<long> TrueMatches => _trueMatches;

    /// <summary>Candidate pairs (non-matches) by bin.</summary>
    public ReadOnlySpan<long> NonMatches => _nonMatches;

    /// <summary>Lower edge of bin <paramref name="bin"/>, bits.</summary>
    public double LowerEdge(int bin) => Min + bin * BinWidth;

    /// <summary>The bin of a weight: ⌊(w − Min) / width⌋, clamped to [0, Bins − 1].</summary>
    public int BinOf(double weight)
    {
        double x = (weight - Min) * _scale;
        return x <= 0 ? 0 : x >= Bins ? Bins - 1 : (int)x;
    }

    /// <summary>Counts one true-match weight.</summary>
    public void AddTrueMatch(double weight) => _trueMatches[BinOf(weight)]++;

    /// <summary>Counts one non-match weight.</summary>
    public void AddNonMatch(double weight) => _nonMatches[BinOf(weight)]++;

    /// <summary>Adds another histogram of the same shape into this one.</summary>
    public void Add(WeightHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Bins != Bins || other.Min != Min || other.Max != Max)
            throw new ArgumentException("histograms of different shapes", nameof(other));
        for (int i = 0; i < Bins; i++)
        {
            _trueMatches[i] += other._trueMatches[i];
            _nonMatches[i] += other._nonMatches[i];
        }
    }
}
