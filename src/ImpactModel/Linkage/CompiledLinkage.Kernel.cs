using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ImpactModel.Random;

namespace ImpactModel.Linkage;

// The per-person kernels. Persons go through in windows: each random stream is filled for the
// whole window with the vectorised generator (Philox.Fill), then read one word per person. Every
// buffer is on the stack; nothing is allocated, nothing is shared, no lock is taken.
//
// The table kernel (LinkByTables), used whenever the tables fit (TableEntryLimit), does not draw
// candidates one by one. Given the person's group profile and which fields of their from-record are
// missing, a candidate's weight has a discrete distribution G over agreement patterns, and by
// Poisson thinning the best of K ~ Poisson(λ) candidates has P(best ≤ v) = exp(−λ(1 − G(v)))
// ("no candidate" counting as below every weight): the calculator's formula. One uniform u, inverted
// against that CDF, decides everything about the candidates: u above exp(−λ(1 − G(w))) means a
// candidate beats the own weight w; u in (exp(−λ(1 − G(w⁻))), exp(−λ(1 − G(w)))] means the best
// candidates tie with it (Poisson(λ q(w)) of them, at least one), and the own record then wins the
// uniform tie-break with probability E[1/(1 + N) | N ≥ 1], decided by one word against a cut; and
// where u lies against the CDF at the thresholds gives the band of the best candidate. So a person
// costs the coverage word, the 2 × F record-field words and one block of the candidate stream,
// whatever the number of candidates. The fallback kernel (LinkEachCandidate) draws each candidate's
// fields; it samples the same model, with other draws.
public sealed partial class CompiledLinkage
{
    /// <summary>Persons per window of the fallback kernel: the stack buffers hold one window.</summary>
    private const int Window = 64;

    /// <summary>Persons per window of the table kernel: 2 KB of words a stream on the stack, at most 20 streams (<see cref="TableFieldLimit"/>).</summary>
    private const int TableWindow = 128;

    /// <summary>Candidate draws are filled for this many persons at a time, and only where one of them has that many candidates (16 measured slower: each Philox.Fill call has a fixed cost).</summary>
    private const int Lane = 64;

    /// <summary>
    /// Links persons <paramref name="firstPerson"/> … <paramref name="firstPerson"/> + n − 1
    /// (n = <paramref name="groupMask"/>.Length), each a pure function of (seed, replicate, person
    /// id, group mask): any chunking or thread count gives the same outcomes, with or without a
    /// histogram. Allocates nothing.
    /// </summary>
    /// <param name="firstPerson">Id of the first person; ids lie in [0, 2^32).</param>
    /// <param name="groupMask">Bit g set when the person is in group g (see <see cref="GroupIds"/>).</param>
    /// <param name="outcomes">Receives one outcome per person; at least as long as <paramref name="groupMask"/>.</param>
    /// <param name="histogram">When given, receives the weight of each own pair (true matches) and each candidate pair (non-matches). Not thread-safe: one per thread. With the tables, the candidates below the best are drawn for the histogram only, from further draws of the candidate stream (draw 1 on), so the outcomes do not depend on it.</param>
    public void Link(long firstPerson, ReadOnlySpan<uint> groupMask, Span<LinkOutcome> outcomes, WeightHistogram? histogram = null)
    {
        int n = groupMask.Length;
        if (outcomes.Length < n)
            throw new ArgumentException("outcomes is shorter than groupMask", nameof(outcomes));
        if (firstPerson < 0 || firstPerson + n > Philox.PersonLimit)
            throw new ArgumentOutOfRangeException(nameof(firstPerson), firstPerson, "person ids lie in [0, 2^32)");
        CheckMasks(groupMask);
        if (Own is not null)
            LinkByTables(firstPerson, [], groupMask, outcomes, histogram);
        else
            LinkEachCandidate(firstPerson, groupMask, outcomes, histogram);
    }

    /// <summary>
    /// Links the listed persons (a gathered subset of a chunk, e.g. its claimants): outcome i is
    /// exactly what <see cref="Link(long, ReadOnlySpan{uint}, Span{LinkOutcome}, WeightHistogram?)"/>
    /// gives person <paramref name="persons"/>[i] with mask <paramref name="groupMask"/>[i], at the
    /// speed of the vectorised fills instead of one call a person. Allocates nothing.
    /// </summary>
    /// <param name="persons">Person ids, in any order.</param>
    /// <param name="groupMask">The group mask of each listed person; as long as <paramref name="persons"/>.</param>
    /// <param name="outcomes">Receives one outcome per listed person.</param>
    /// <param name="histogram">As for the consecutive overload.</param>
    public void Link(ReadOnlySpan<uint> persons, ReadOnlySpan<uint> groupMask, Span<LinkOutcome> outcomes, WeightHistogram? histogram = null)
    {
        int n = groupMask.Length;
        if (persons.Length != n)
            throw new ArgumentException("persons and groupMask differ in length", nameof(persons));
        if (outcomes.Length < n)
            throw new ArgumentException("outcomes is shorter than groupMask", nameof(outcomes));
        CheckMasks(groupMask);
        if (Own is not null)
        {
            LinkByTables(0, persons, groupMask, outcomes, histogram);
            return;
        }

        // The fallback kernel draws candidates by consecutive persons: one person at a time.
        for (int i = 0; i < n; i++)
            LinkEachCandidate(persons[i], groupMask.Slice(i, 1), outcomes.Slice(i, 1), histogram);
    }

    private void CheckMasks(ReadOnlySpan<uint> groupMask)
    {
        uint any = 0;
        foreach (uint m in groupMask)
            any |= m;
        if (any >= (uint)MaskCount)
            throw new ArgumentException($"a group mask has a bit beyond the {GroupIds.Length} groups", nameof(groupMask));
    }

    /// <summary>Fills one stream's words for a window: consecutive persons from <paramref name="first"/>, or the listed ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a few times per window
    private static void FillWindow(in RngKey key, long first, ReadOnlySpan<uint> listed, Span<uint> words)
    {
        if (listed.IsEmpty)
            Philox.Fill(key, first, 0, words);
        else
            Philox.FillListed(key, listed, 0, words);
    }

    /// <summary>
    /// The table kernel (see the file's comment); arguments validated by the callers. Persons are
    /// <paramref name="firstPerson"/> + i when <paramref name="listed"/> is empty, else listed[i].
    /// </summary>
    [SkipLocalsInit] // the stack words are read only where Philox.Fill has written them
    private void LinkByTables(long firstPerson, ReadOnlySpan<uint> listed, ReadOnlySpan<uint> groupMask, Span<LinkOutcome> outcomes, WeightHistogram? histogram)
    {
        int n = groupMask.Length, fields = FieldCount;
        ulong reviewCut = ReviewCut;

        // All streams of a window at once: block b of person i is at words[(b · TableWindow + i) · 4],
        // b = 0 coverage, 1 + 2f and 2 + 2f the from and to record's field f, 1 + 2F the candidates.
        // At most TableFieldLimit fields use the tables, so at most 20 streams: 40 KB of stack.
        int blocks = 2 * fields + 2;
        Span<uint> words = stackalloc uint[4 * TableWindow * blocks];

        // Every index below is in range by construction (masks checked by Link, codes < 4^F,
        // missing bits < 2^F, profiles from ProfileOf), so the loop reads through refs unchecked.
        ref FieldCuts cuts = ref MemoryMarshal.GetArrayDataReference(Cuts);
        ref ulong coverageCut = ref MemoryMarshal.GetArrayDataReference(CoverageCut);
        ref int profileOf = ref MemoryMarshal.GetArrayDataReference(ProfileOf!);
        ref OwnEntry own = ref MemoryMarshal.GetArrayDataReference(Own!);
        ref StateEntry states = ref MemoryMarshal.GetArrayDataReference(States!);
        ref uint word = ref MemoryMarshal.GetReference(words);
        ref LinkOutcome outcome = ref MemoryMarshal.GetReference(outcomes);
        const int Stride = 4 * TableWindow; // words between one stream's block of a person and the next stream's
        int candidateOffset = (blocks - 1) * Stride;

        for (int start = 0; start < n; start += TableWindow)
        {
            int w = Math.Min(TableWindow, n - start);
            long first = firstPerson + start;
            ReadOnlySpan<uint> ids = listed.IsEmpty ? [] : listed.Slice(start, w);
            ref uint maskRef = ref Unsafe.AsRef(in groupMask[start]);

            FillWindow(CoverageKey, first, ids, words.Slice(0, 4 * w));
            for (int f = 0; f < fields; f++)
            {
                FillWindow(FromFieldKeys[f], first, ids, words.Slice((1 + 2 * f) * Stride, 4 * w));
                FillWindow(ToFieldKeys[f], first, ids, words.Slice((2 + 2 * f) * Stride, 4 * w));
            }

            // One candidate-stream block: words 0-1 the best candidate's uniform, 2 the tie-break, 3 the review.
            FillWindow(CandidateKey, first, ids, words.Slice(candidateOffset, 4 * w));

            for (int i = 0; i < w; i++)
            {
                int mask = (int)Unsafe.Add(ref maskRef, i);
                ref uint pw = ref Unsafe.Add(ref word, 4 * i);

                // The own pair's pattern, 2 bits a field (see PatternOfCompares).
                ref FieldCuts c = ref Unsafe.Add(ref cuts, mask * fields);
                ref uint px = ref Unsafe.Add(ref pw, Stride);
                int code = 0;
                for (int shift = 0; shift < 2 * fields; shift += 2)
                {
                    // word ≥ cut as the sign bit of cut − 1 − word (cuts lie in [0, 2^32]): no branches, as
                    // the outcomes of rare errors would mispredict.
                    ulong x = px, y = Unsafe.Add(ref px, Stride);
                    int compares = (int)(((c.FromMissing - 1 - x) >> 63) | (((c.ToMissing - 1 - y) >> 63) << 1)
                        | (((c.FromWrong - 1 - x) >> 63) << 2) | (((c.ToWrong - 1 - y) >> 63) << 3));
                    code |= (int)((PatternOfCompares >> (2 * compares)) & 3) << shift;
                    c = ref Unsafe.Add(ref c, 1);
                    px = ref Unsafe.Add(ref px, 2 * Stride);
                }

                int entry = (Unsafe.Add(ref profileOf, mask) << (2 * fields)) | code;
                ref readonly OwnEntry e = ref Unsafe.Add(ref own, entry);
                ref readonly StateEntry st = ref Unsafe.Add(ref states, e.State);
                ref uint cw = ref Unsafe.Add(ref pw, candidateOffset);
                double u = Philox.ToUniform01(cw, Unsafe.Add(ref cw, 1));
                bool correct = Unsafe.Add(ref cw, 3) < reviewCut;
                LinkOutcome o;
                if (pw < Unsafe.Add(ref coverageCut, mask))
                {
                    if (u <= e.Tie || (u <= e.Above && Unsafe.Add(ref cw, 2) < e.TieCut))
                        o = LinkOutcome.HasRecord | OwnChosen(e.Band, correct);
                    else if (u <= e.Above)
                        o = LinkOutcome.HasRecord | OtherChosen(e.Band, correct);
                    else
                        o = LinkOutcome.HasRecord | OtherChosen(u > st.Upper ? 2 : u > st.Lower ? 1 : 0, correct);
                    histogram?.AddTrueMatch(OwnWeight![entry]);
                }
                else
                {
                    o = OtherChosen(u > st.Upper ? 2 : u > st.Lower ? 1 : 0, correct);
                }

                Unsafe.Add(ref outcome, start + i) = o;
                if (histogram is not null)
                    AddNonMatches(histogram, ids.IsEmpty ? first + i : ids[i], e.State, st, u);
            }
        }
    }

    /// <summary>
    /// A field's 2-bit pattern by its four compares c (bit 0 from-record present, 1 to-record present,
    /// 2 from-value right, 3 to-value right): bits 2c, 2c + 1 hold 0 when the from-field is missing,
    /// 1 when the to-field is missing, 2 when both are present and right (they agree), else 3.
    /// </summary>
    private const uint PatternOfCompares = 0x84C4C4C4;

    /// <summary>The outcome when the own record is chosen with a weight in <paramref name="band"/> (2 link, 1 review, 0 none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person
    private static LinkOutcome OwnChosen(int band, bool reviewCorrect) => band switch
    {
        2 => LinkOutcome.LinkedOwn,
        1 => reviewCorrect ? LinkOutcome.Reviewed | LinkOutcome.LinkedOwn : LinkOutcome.Reviewed,
        _ => LinkOutcome.None,
    };

    /// <summary>The outcome when another person's record is chosen with a weight in <paramref name="band"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person
    private static LinkOutcome OtherChosen(int band, bool reviewCorrect) => band switch
    {
        2 => LinkOutcome.LinkedOther,
        1 => reviewCorrect ? LinkOutcome.Reviewed : LinkOutcome.Reviewed | LinkOutcome.LinkedOther,
        _ => LinkOutcome.None,
    };

    /// <summary>
    /// The candidates' weights for the histogram, consistent with the best candidate that u
    /// selects: given the best weight v_i, the candidates at v_i are Poisson(λ q_i) conditioned on at
    /// least one, those below Poisson(λ G(v_(i−1))), each with G restricted below v_i (Poisson
    /// thinning). Draws 1, 2, … of the candidate stream, one person at a time (scalar generator).
    /// </summary>
    private void AddNonMatches(WeightHistogram histogram, long person, int state, in StateEntry st, double u)
    {
        double[] weight = SupportWeight!, atOrBelow = SupportAtOrBelow!, maxAtMost = SupportMaxAtMost!;
        double lambda = ProfileMean![state >> FieldCount];
        if (st.Count == 0 || lambda == 0 || u <= LinkageCalculator.MaxAtMost(lambda, 0))
            return;

        // The least support index whose P(best ≤ v) reaches u (the last when rounding leaves it just below 1).
        int lo = st.Offset, hi = st.Offset + st.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (maxAtMost[mid] >= u)
                hi = mid;
            else
                lo = mid + 1;
        }

        double gBelow = lo > st.Offset ? atOrBelow[lo - 1] : 0;
        double mu = lambda * Math.Max(0, atOrBelow[lo] - gBelow);
        PhiloxBlock b = Philox.Block(CandidateKey, person, 1);
        int atBest = 1;
        if (mu > 0)
        {
            double e = DeterministicMath.Exp(-mu);
            atBest = Math.Max(1, Philox.PoissonInverse(e + Philox.ToUniform01(b.W0, b.W1) * (1 - e), mu));
        }

        for (int k = 0; k < atBest; k++)
            histogram.AddNonMatch(weight[lo]);

        int below = gBelow > 0 ? Philox.PoissonInverse(Philox.ToUniform01(b.W2, b.W3), lambda * gBelow) : 0;
        PhiloxBlock c = default;
        for (int j = 0; j < below; j++)
        {
            if ((j & 1) == 0)
                c = Philox.Block(CandidateKey, person, (uint)(2 + (j >> 1)));
            double v = gBelow * ((j & 1) == 0 ? Philox.ToUniform01(c.W0, c.W1) : Philox.ToUniform01(c.W2, c.W3));
            int l = st.Offset, h = lo - 1;
            while (l < h)
            {
                int mid = (l + h) >>> 1;
                if (atOrBelow[mid] >= v)
                    h = mid;
                else
                    l = mid + 1;
            }

            histogram.AddNonMatch(weight[l]);
        }
    }

    /// <summary>The fallback kernel: each candidate's fields drawn (stream layout in the remarks of <see cref="CompiledLinkage"/>).</summary>
    private void LinkEachCandidate(long firstPerson, ReadOnlySpan<uint> groupMask, Span<LinkOutcome> outcomes, WeightHistogram? histogram)
    {
        int n = groupMask.Length;
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
