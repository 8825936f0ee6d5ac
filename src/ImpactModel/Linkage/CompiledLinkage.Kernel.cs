using System.Runtime.CompilerServices;
using ImpactModel.Random;

namespace ImpactModel.Linkage;

// The per-person kernel. Persons go through in windows of 64: each random stream is filled for the
// whole window with the vectorised generator (Philox.Fill), then read one word per person. Every
// buffer is on the stack; nothing is allocated, nothing is shared, no lock is taken.
public sealed partial class CompiledLinkage
{
    /// <summary>Persons per window: the stack buffers hold one window.</summary>
    private const int Window = 64;

    /// <summary>Candidate draws are filled for this many persons at a time, and only where one of them has that many candidates (16 measured slower: each Philox.Fill call has a fixed cost).</summary>
    private const int Lane = 64;

    /// <summary>
    /// Links persons <paramref name="firstPerson"/> … <paramref name="firstPerson"/> + n − 1
    /// (n = <paramref name="groupMask"/>.Length), each a pure function of (seed, replicate, person
    /// id, group mask): any chunking or thread count gives the same outcomes. Allocates nothing.
    /// </summary>
    /// <param name="firstPerson">Id of the first person; ids lie in [0, 2^32).</param>
    /// <param name="groupMask">Bit g set when the person is in group g (see <see cref="GroupIds"/>).</param>
    /// <param name="outcomes">Receives one outcome per person; at least as long as <paramref name="groupMask"/>.</param>
    /// <param name="histogram">When given, receives the weight of each own pair (true matches) and each candidate pair (non-matches). Not thread-safe: one per thread.</param>
    public void Link(long firstPerson, ReadOnlySpan<uint> groupMask, Span<LinkOutcome> outcomes, WeightHistogram? histogram = null)
    {
        int n = groupMask.Length;
        if (outcomes.Length < n)
            throw new ArgumentException("outcomes is shorter than groupMask", nameof(outcomes));
        if (firstPerson < 0 || firstPerson + n > Philox.PersonLimit)
            throw new ArgumentOutOfRangeException(nameof(firstPerson), firstPerson, "person ids lie in [0, 2^32)");
        uint any = 0;
        foreach (uint m in groupMask)
            any |= m;
        if (any >= (uint)MaskCount)
            throw new ArgumentException($"a group mask has a bit beyond the {GroupIds.Length} groups", nameof(groupMask));

        Span<uint> wordsA = stackalloc uint[4 * Window];
        Span<uint> wordsB = stackalloc uint[4 * Window];
        Span<double> own = stackalloc double[Window];
        Span<double> best = stackalloc double[Window];
        Span<double> candidate = stackalloc double[Window];
        Span<uint> fromMissing = stackalloc uint[Window];
        Span<int> count = stackalloc int[Window];
        Span<int> ties = stackalloc int[Window];
        Span<uint> tieWord = stackalloc uint[Window];
        Span<uint> reviewWord = stackalloc uint[Window];
        Span<bool> hasRecord = stackalloc bool[Window];
        Span<bool> ownBest = stackalloc bool[Window];

        int fields = FieldCount;
        FieldCuts[] cuts = Cuts;
        double upper = UpperThreshold, lower = LowerThreshold;
        bool review = HasClericalReview;
        ulong reviewCut = ReviewCut;

        for (int start = 0; start < n; start += Window)
        {
            int w = Math.Min(Window, n - start);
            long first = firstPerson + start;
            ReadOnlySpan<uint> masks = groupMask.Slice(start, w);
            Span<uint> a = wordsA[..(4 * w)], b = wordsB[..(4 * w)];

            // Coverage of the target source.
            Philox.Fill(CoverageKey, first, 0, a);
            for (int i = 0; i < w; i++)
            {
                hasRecord[i] = a[4 * i] < CoverageCut[masks[i]];
                own[i] = 0;
                fromMissing[i] = 0;
            }

            // The own pair, field by field in declaration order.
            for (int f = 0; f < fields; f++)
            {
                Philox.Fill(FromFieldKeys[f], first, 0, a);
                Philox.Fill(ToFieldKeys[f], first, 0, b);
                double missing = MissingWeight[f];
                for (int i = 0; i < w; i++)
                {
                    ref readonly FieldCuts c = ref cuts[(int)masks[i] * fields + f];
                    uint x = a[4 * i], y = b[4 * i];
                    double weight;
                    if (x < c.FromMissing)
                    {
                        fromMissing[i] |= 1u << f;
                        weight = missing;
                    }
                    else if (y < c.ToMissing)
                    {
                        weight = missing;
                    }
                    else
                    {
                        weight = x >= c.FromWrong && y >= c.ToWrong ? c.Agree : c.Disagree;
                    }

                    own[i] += weight;
                }
            }

            // Candidate counts, tie-break and review words.
            Philox.Fill(CandidateKey, first, 0, a);
            int most = 0;
            for (int i = 0; i < w; i++)
            {
                uint mask = masks[i];
                double mean = CandidateMean[mask];
                int k = mean > 0 ? PoissonInverse(Philox.ToUniform01(a[4 * i], a[4 * i + 1]), mean, PoissonZero[mask]) : 0;
                count[i] = k;
                most = Math.Max(most, k);
                tieWord[i] = a[4 * i + 2];
                reviewWord[i] = a[4 * i + 3];
                ownBest[i] = hasRecord[i];
                ties[i] = hasRecord[i] ? 1 : 0;
                best[i] = hasRecord[i] ? own[i] : double.NegativeInfinity;
                if (hasRecord[i])
                    histogram?.AddTrueMatch(own[i]);
            }

            // Candidate j of every person who has more than j, a lane of persons at a time.
            for (int j = 0; j < most; j++)
            {
                for (int s = 0; s < w; s += Lane)
                {
                    int e = Math.Min(w, s + Lane);
                    bool needed = false;
                    for (int i = s; i < e; i++)
                        needed |= count[i] > j;
                    if (!needed)
                        continue;

                    for (int i = s; i < e; i++)
                        candidate[i] = 0;
                    for (int f0 = 0; f0 < fields; f0 += 4)
                    {
                        Span<uint> c4 = b.Slice(4 * s, 4 * (e - s));
                        Philox.Fill(CandidateKey, first + s, (uint)(1 + DrawsPerCandidate * j + (f0 >> 2)), c4);
                        int fEnd = Math.Min(fields, f0 + 4);
                        for (int i = s; i < e; i++)
                        {
                            if (count[i] <= j)
                                continue;
                            int row = (int)masks[i] * fields;
                            uint missingBits = fromMissing[i];
                            double sum = candidate[i];
                            for (int f = f0; f < fEnd; f++)
                            {
                                ref readonly FieldCuts c = ref cuts[row + f];
                                uint word = c4[4 * (i - s) + (f & 3)];
                                sum += ((missingBits >> f) & 1) != 0 || word < c.CandidateMissing
                                    ? MissingWeight[f]
                                    : word < c.CandidateAgree ? c.Agree : c.Disagree;
                            }

                            candidate[i] = sum;
                        }
                    }

                    for (int i = s; i < e; i++)
                    {
                        if (count[i] <= j)
                            continue;
                        double v = candidate[i];
                        histogram?.AddNonMatch(v);
                        if (v > best[i])
                        {
                            best[i] = v;
                            ties[i] = 1;
                            ownBest[i] = false;
                        }
                        else if (v == best[i])
                        {
                            ties[i]++;
                        }
                    }
                }
            }

            // Decisions.
            for (int i = 0; i < w; i++)
            {
                LinkOutcome o = hasRecord[i] ? LinkOutcome.HasRecord : LinkOutcome.None;
                int t = ties[i];
                if (t > 0)
                {
                    // Among t tied records the own one is chosen when ⌊word · t / 2^32⌋ = 0,
                    // probability ⌈2^32/t⌉ / 2^32 (within 2^-32 of 1/t).
                    bool chooseOwn = ownBest[i] && (t == 1 || (((ulong)tieWord[i] * (uint)t) >> 32) == 0);
                    double v = best[i];
                    if (v > upper)
                    {
                        o |= chooseOwn ? LinkOutcome.LinkedOwn : LinkOutcome.LinkedOther;
                    }
                    else if (v >= lower && review)
                    {
                        o |= LinkOutcome.Reviewed;
                        bool correct = reviewWord[i] < reviewCut;
                        if (chooseOwn && correct)
                            o |= LinkOutcome.LinkedOwn;
                        else if (!chooseOwn && !correct)
                            o |= LinkOutcome.LinkedOther;
                    }
                }

                outcomes[start + i] = o;
            }
        }
    }

    /// <summary>
    /// The least k with Poisson CDF F(k) ≥ u: the same operations as <c>Philox.Poisson</c>, with
    /// exp(−mean) computed once per group mask instead of once per person.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person
    private static int PoissonInverse(double u, double mean, double p0)
    {
        double p = p0;
        double cdf = p;
        int k = 0;
        while (cdf < u)
        {
            k++;
            p = p * mean / k;
            double next = cdf + p;
            if (next == cdf)
                break;
            cdf = next;
        }

        return k;
    }
}
