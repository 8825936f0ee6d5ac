using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ImpactModel.Random;

namespace ImpactModel.Linkage;

/// <summary>
/// What the kernel needs for one own-pair pattern of one profile: where the inversion uniform u of
/// the best candidate falls relative to the own weight, the tie-break cut and the decision band.
/// </summary>
/// <param name="Above">P(best candidate ≤ own weight) = exp(−λ(1 − G(w))): u above it means a candidate beats the own record.</param>
/// <param name="Tie">P(best candidate &lt; own weight): <c>Tie</c> &lt; u ≤ <c>Above</c> means the best candidates tie with the own record.</param>
/// <param name="TieCut">A tie word below this chooses the own record among the tied ones (probability of winning given a tie, · 2^32).</param>
/// <param name="Band">Decision band of w: 2 above the upper threshold, 1 in the review band (only with review), 0 otherwise.</param>
/// <param name="State">Index in <see cref="CompiledLinkage.States"/> of the pattern's profile and from-missing fields (read also when the person has no record).</param>
internal readonly record struct OwnEntry(double Above, double Tie, ulong TieCut, int Band, int State);

/// <summary>
/// The best-candidate distribution of one profile and one missing-state of the person's <c>from</c>
/// record: the inversion cuts of the thresholds and where its support lies in the flat arrays.
/// </summary>
/// <param name="Upper">P(best candidate ≤ upper threshold): u above it means a best candidate that links.</param>
/// <param name="Lower">P(best candidate &lt; lower threshold) (= <c>Upper</c> without review): u in (Lower, Upper] means review.</param>
/// <param name="Offset">First index of the support in <see cref="CompiledLinkage.SupportWeight"/>.</param>
/// <param name="Count">Number of distinct candidate weights.</param>
internal readonly record struct StateEntry(double Upper, double Lower, int Offset, int Count);

// Tables of the exact best-candidate distribution (see the kernel's remarks): built once per
// replicate, read-only afterwards, so threads share them without locks.
public sealed partial class CompiledLinkage
{
    /// <summary>Most table entries (profiles × 4^fields) before the kernel falls back to drawing candidates one by one.</summary>
    internal const int TableEntryLimit = 1 << 18;

    /// <summary>Most fields the tables serve (4^9 entries a profile; the kernel's stack holds 2 · 9 + 2 streams of a window).</summary>
    internal const int TableFieldLimit = 9;

    /// <summary>[mask]: the profile (masks with identical linkage parameters share one).</summary>
    internal int[]? ProfileOf;

    /// <summary>[profile · 4^F + code], code holding 2 bits per field (0 from-missing, 1 to-missing, 2 agree, 3 disagree).</summary>
    internal OwnEntry[]? Own;

    /// <summary>[profile · 4^F + code]: the own pair's weight in bits (summed in field order, as the calculator sums), for the histogram.</summary>
    internal double[]? OwnWeight;

    /// <summary>[profile · 2^F + from-missing bits].</summary>
    internal StateEntry[]? States;

    /// <summary>Candidate weights of every state, ascending within a state (<see cref="StateEntry.Offset"/>).</summary>
    internal double[]? SupportWeight;

    /// <summary>G at each support weight: P(a candidate ≤ it).</summary>
    internal double[]? SupportAtOrBelow;

    /// <summary>exp(−λ(1 − G)) at each support weight: P(best candidate ≤ it).</summary>
    internal double[]? SupportMaxAtMost;

    /// <summary>[profile]: the mean number of candidates.</summary>
    internal double[]? ProfileMean;

    /// <summary>Tables most recently built, by their inputs: a replicate whose linkage draws the same values reuses them.</summary>
    private const int CachedTables = 8;

    private static readonly Lock CacheGate = new();
    private static readonly List<(byte[] Inputs, int Hash, TableSet Tables)> Cache = [];

    /// <summary>The tables of one set of inputs: read-only once built, so linkages and threads share them.</summary>
    private sealed record TableSet(int[] ProfileOf, OwnEntry[] Own, double[] OwnWeight, StateEntry[] States, double[] SupportWeight,
        double[] SupportAtOrBelow, double[] SupportMaxAtMost, double[] ProfileMean);

    /// <summary>
    /// Builds the tables, or leaves them null (fallback kernel) when they would exceed <paramref name="entryLimit"/>.
    /// The tables are a pure function of the cuts, weights, candidate means and thresholds, so when
    /// those are bit for bit the same as for a linkage built recently (every replicate of a linkage
    /// whose parameters are fixed), the same tables are used again instead of built: building them
    /// is most of the fixed cost of a replicate.
    /// </summary>
    internal void BuildTables(int entryLimit)
    {
        if (FieldCount > TableFieldLimit)
            return;
        byte[] inputs = TableInputs(entryLimit);
        int hash = HashOf(inputs);
        lock (CacheGate)
        {
            foreach (var (cachedInputs, cachedHash, tables) in Cache)
            {
                if (cachedHash == hash && cachedInputs.AsSpan().SequenceEqual(inputs))
                {
                    Use(tables);
                    return;
                }
            }
        }

        if (Build(entryLimit) is not { } built)
            return;
        Use(built);
        lock (CacheGate)
        {
            if (Cache.Count == CachedTables)
                Cache.RemoveAt(0);
            Cache.Add((inputs, hash, built));
        }
    }

    private void Use(TableSet t)
    {
        ProfileOf = t.ProfileOf;
        Own = t.Own;
        OwnWeight = t.OwnWeight;
        States = t.States;
        SupportWeight = t.SupportWeight;
        SupportAtOrBelow = t.SupportAtOrBelow;
        SupportMaxAtMost = t.SupportMaxAtMost;
        ProfileMean = t.ProfileMean;
    }

    /// <summary>Every input of the tables, as bytes (doubles by their bits, so −0 and 0 differ).</summary>
    private byte[] TableInputs(int entryLimit)
    {
        ReadOnlySpan<byte> cuts = MemoryMarshal.AsBytes(Cuts.AsSpan()), means = MemoryMarshal.AsBytes(CandidateMean.AsSpan()),
            missing = MemoryMarshal.AsBytes(MissingWeight.AsSpan());
        var bytes = new byte[5 * sizeof(long) + cuts.Length + means.Length + missing.Length];
        Span<long> head = MemoryMarshal.Cast<byte, long>(bytes.AsSpan(0, 5 * sizeof(long)));
        head[0] = entryLimit;
        head[1] = ((long)FieldCount << 32) | (uint)MaskCount;
        head[2] = BitConverter.DoubleToInt64Bits(UpperThreshold);
        head[3] = BitConverter.DoubleToInt64Bits(LowerThreshold);
        head[4] = HasClericalReview ? 1 : 0;
        int at = 5 * sizeof(long);
        cuts.CopyTo(bytes.AsSpan(at));
        means.CopyTo(bytes.AsSpan(at += cuts.Length));
        missing.CopyTo(bytes.AsSpan(at + means.Length));
        return bytes;
    }

    private static int HashOf(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    /// <summary>Builds the tables from this linkage's inputs, or null when they would exceed <paramref name="entryLimit"/>.</summary>
    private TableSet? Build(int entryLimit)
    {
        int fields = FieldCount, masks = MaskCount;

        // Masks with the same cuts, weights and candidate mean behave identically: one profile each.
        var profileOf = new int[masks];
        var representatives = new List<int>();
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var key = new StringBuilder();
        for (int mask = 0; mask < masks; mask++)
        {
            key.Clear().Append(CultureInfo.InvariantCulture, $"{BitConverter.DoubleToInt64Bits(CandidateMean[mask]):x}");
            for (int f = 0; f < fields; f++)
            {
                FieldCuts c = Cuts[mask * fields + f];
                key.Append(CultureInfo.InvariantCulture, $"|{c.FromMissing:x},{c.FromWrong:x},{c.ToMissing:x},{c.ToWrong:x},{c.CandidateMissing:x},{c.CandidateAgree:x}")
                    .Append(CultureInfo.InvariantCulture, $",{BitConverter.DoubleToInt64Bits(c.Agree):x},{BitConverter.DoubleToInt64Bits(c.Disagree):x}");
            }

            string k = key.ToString();
            if (!byKey.TryGetValue(k, out int p))
            {
                p = representatives.Count;
                byKey.Add(k, p);
                representatives.Add(mask);
            }

            profileOf[mask] = p;
        }

        int profiles = representatives.Count, codes = 1 << (2 * fields), states = 1 << fields;
        if ((long)profiles * codes > entryLimit)
            return null;

        double upper = UpperThreshold, lower = LowerThreshold;
        bool review = HasClericalReview;
        var own = new OwnEntry[profiles * codes];
        var ownWeight = new double[profiles * codes];
        var stateEntries = new StateEntry[profiles * states];
        var weights = new List<double>();
        var atOrBelow = new List<double>();
        var maxAtMost = new List<double>();
        var profileMean = new double[profiles];
        var stateWeights = new double[states][];
        var stateG = new double[states][];
        var stateP = new double[states][];

        for (int p = 0; p < profiles; p++)
        {
            int mask = representatives[p];
            FieldCuts[] row = Cuts.AsSpan(mask * fields, fields).ToArray();
            double lambda = CandidateMean[mask];
            profileMean[p] = lambda;

            for (int s = 0; s < states; s++)
            {
                (double[] w, double[] prob) = LinkageCalculator.Distribution(row, MissingWeight, s, own: false);
                var g = new double[w.Length];
                double sum = 0;
                for (int i = 0; i < w.Length; i++)
                {
                    // As the calculator accumulates G, so the kernel's cuts are its probabilities.
                    sum += prob[i];
                    g[i] = Math.Min(1, sum);
                }

                stateWeights[s] = w;
                stateG[s] = g;
                stateP[s] = prob;
                double at(int i) => i >= 0 ? g[i] : 0;
                double cutUpper = LinkageCalculator.MaxAtMost(lambda, at(LinkageCalculator.UpperBound(w, upper) - 1));
                double cutLower = review ? LinkageCalculator.MaxAtMost(lambda, at(LowerBound(w, lower) - 1)) : cutUpper;
                stateEntries[p * states + s] = new StateEntry(cutUpper, cutLower, weights.Count, w.Length);
                for (int i = 0; i < w.Length; i++)
                {
                    weights.Add(w[i]);
                    atOrBelow.Add(g[i]);
                    maxAtMost.Add(LinkageCalculator.MaxAtMost(lambda, g[i]));
                }
            }

            for (int code = 0; code < codes; code++)
            {
                int state = 0;
                double w = 0.0;
                for (int f = 0; f < fields; f++)
                {
                    int v = (code >> (2 * f)) & 3;
                    if (v == 0)
                        state |= 1 << f;
                    w += v <= 1 ? MissingWeight[f] : v == 2 ? row[f].Agree : row[f].Disagree;
                }

                double[] sw = stateWeights[state], sg = stateG[state], sp = stateP[state];
                int above = LinkageCalculator.UpperBound(sw, w);
                double gw = above > 0 ? sg[above - 1] : 0;
                bool tied = above > 0 && sw[above - 1] == w;
                double qw = tied ? sp[above - 1] : 0;
                double noneAbove = LinkageCalculator.MaxAtMost(lambda, gw);
                double noneAtOrAbove = tied ? LinkageCalculator.MaxAtMost(lambda, above > 1 ? sg[above - 2] : 0) : noneAbove;

                // P(own chosen) = noneAbove · E[1/(1 + N)], N ~ Poisson(λ q(w)) (the calculator's rule).
                // The kernel chooses the own record when u ≤ noneAtOrAbove, and in the tie region
                // (noneAtOrAbove, noneAbove] with the conditional probability that makes the total equal.
                double pOwn = noneAbove * LinkageCalculator.WinTie(lambda * qw);
                double pTie = noneAbove > noneAtOrAbove ? Math.Clamp((pOwn - noneAtOrAbove) / (noneAbove - noneAtOrAbove), 0, 1) : 1;
                int band = w > upper ? 2 : w >= lower && review ? 1 : 0;
                own[p * codes + code] = new OwnEntry(noneAbove, noneAtOrAbove, BernoulliThreshold.Cut(pTie), band, p * states + state);
                ownWeight[p * codes + code] = w;
            }
        }

        return new TableSet(profileOf, own, ownWeight, stateEntries, [.. weights], [.. atOrBelow], [.. maxAtMost], profileMean);
    }

    /// <summary>Drops the tables so <see cref="Link(long, ReadOnlySpan{uint}, Span{LinkOutcome}, WeightHistogram?)"/> uses the fallback kernel (tests compare the two).</summary>
    internal void DropTables()
    {
        ProfileOf = null;
        Own = null;
        OwnWeight = null;
        States = null;
        SupportWeight = SupportAtOrBelow = SupportMaxAtMost = null;
        ProfileMean = null;
    }

    /// <summary>The first index whose value is at least <paramref name="w"/> (sorted ascending).</summary>
    private static int LowerBound(double[] sorted, double w)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < w)
                lo = mid + 1;
            else
                hi = mid;
        }

        return lo;
    }
}
