using ImpactModel.Random;

namespace ImpactModel.Linkage;

/// <summary>
/// Expected linkage outcomes per processed person: probabilities of having a record, of being linked
/// to one's own record, to someone else's, and of review. The rates follow as ratios of these
/// expectations (what the tallies' ratios converge to).
/// </summary>
public readonly record struct LinkageExpectation(double HasRecord, double LinkedOwn, double LinkedOther, double Reviewed)
{
    /// <summary>E[linked own] / E[has record]; null when no one has a record.</summary>
    public double? Recall => HasRecord > 0 ? LinkedOwn / HasRecord : null;

    /// <summary>E[linked own] / E[linked]; null when nothing can link.</summary>
    public double? Precision => LinkedOwn + LinkedOther > 0 ? LinkedOwn / (LinkedOwn + LinkedOther) : null;

    /// <summary>P(linked to someone else's record), per processed person.</summary>
    public double FalseMatchRate => LinkedOther;

    /// <summary>P(sent to clerical review), per processed person.</summary>
    public double ReviewRate => Reviewed;
}

/// <summary>
/// The analytic counterpart of <see cref="CompiledLinkage.Link(long, ReadOnlySpan{uint}, Span{LinkOutcome}, WeightHistogram?)"/>: for a person with a given group
/// mask, the exact expected outcomes of the model the kernel simulates (see the remarks of
/// <see cref="CompiledLinkage"/>), with no simulation.
/// </summary>
/// <remarks>
/// <para>Method. Condition on which fields of the person's <c>from</c> record are missing (2^F
/// states; the same record meets the own record and every candidate, so this is what makes the own
/// and candidate weights dependent). Given that state, the own pair's weight and each candidate's
/// weight are independent, each a discrete distribution found by enumerating the field outcomes
/// (missing, agree, disagree: at most 3^F patterns, summed in field order exactly as the kernel
/// sums, so equal patterns give equal doubles and ties are the kernel's ties). Cost O(4^F) patterns
/// in all.</para>
/// <para>Best-candidate rule with K ~ Poisson(λ) candidates of weight distribution G: by Poisson
/// thinning the numbers of candidates above, at and below a weight w are independent Poisson with
/// means λ(1 − G(w)), λ·q(w), λ·G(w⁻). So P(max candidate ≤ w) = exp(−λ(1 − G(w))) (no candidate
/// counts as below everything), and the own record of weight w is chosen with probability
/// exp(−λ(1 − G(w))) · E[1/(1 + N)], N ~ Poisson(λ q(w)), which is (1 − e^(−μ))/μ with μ = λ q(w)
/// (1 when μ = 0): it must have no candidate above and win the uniform tie-break among the
/// 1 + N tied records. The chosen pair's weight then goes through the thresholds and review.</para>
/// <para>Exactness. Probabilities are the kernel's realised ones (integer cuts / 2^32), and the
/// kernel's tables are built from <see cref="Distribution"/>, <see cref="MaxAtMost"/> and
/// <see cref="WinTie"/> here. Differences remain below 1e-9: the table kernel inverts a uniform on
/// a 2^-52 grid and cuts the tie-break probability to 2^-32; the fallback kernel picks the own
/// record among t tied with probability ⌈2^32/t⌉/2^32 instead of 1/t, and its Poisson inversion
/// stops where the CDF rounds to 1.</para>
/// </remarks>
public static class LinkageCalculator
{
    /// <summary>Most fields the calculator enumerates (4^F patterns).</summary>
    public const int MaxFields = 12;

    /// <summary>Expected outcomes for a person with <paramref name="groupMask"/>.</summary>
    public static LinkageExpectation Expect(CompiledLinkage linkage, uint groupMask)
    {
        ArgumentNullException.ThrowIfNull(linkage);
        if (groupMask >= (uint)linkage.MaskCount)
            throw new ArgumentOutOfRangeException(nameof(groupMask), groupMask, "a bit beyond the population's groups");
        int fields = linkage.FieldCount;
        if (fields > MaxFields)
            throw new ArgumentException($"the calculator enumerates at most {MaxFields} fields", nameof(linkage));

        const double T = CompiledLinkage.TwoTo32;
        var ctx = new Context(linkage, groupMask);
        double cover = linkage.CoverageCut[groupMask] / T;
        double ownSum = 0, otherSum = 0, reviewSum = 0;

        for (int missing = 0; missing < 1 << fields; missing++)
        {
            double pState = 1;
            for (int f = 0; f < fields; f++)
            {
                double pm = ctx.Cuts[f].FromMissing / T;
                pState *= (missing & (1 << f)) != 0 ? pm : 1 - pm;
            }

            if (pState == 0)
                continue;

            (double[] ownW, double[] ownP) = Distribution(ctx.Cuts, ctx.Missing, missing, own: true);
            (double[] candW, double[] candP) = Distribution(ctx.Cuts, ctx.Missing, missing, own: false);
            Accumulate(ctx, cover, ownW, ownP, candW, candP, out double o, out double x, out double r);
            ownSum += pState * o;
            otherSum += pState * x;
            reviewSum += pState * r;
        }

        return new LinkageExpectation(cover, ownSum, otherSum, reviewSum);
    }

    /// <summary>Expected outcomes over a mix of group masks, each with its share of the persons (shares are normalised).</summary>
    public static LinkageExpectation Expect(CompiledLinkage linkage, IReadOnlyList<(uint Mask, double Share)> mix)
    {
        ArgumentNullException.ThrowIfNull(mix);
        double total = mix.Sum(m => m.Share), h = 0, o = 0, x = 0, r = 0;
        if (!(total > 0))
            throw new ArgumentException("the shares sum to no persons", nameof(mix));
        foreach ((uint mask, double share) in mix)
        {
            LinkageExpectation e = Expect(linkage, mask);
            double s = share / total;
            h += s * e.HasRecord;
            o += s * e.LinkedOwn;
            x += s * e.LinkedOther;
            r += s * e.Reviewed;
        }

        return new LinkageExpectation(h, o, x, r);
    }

    private sealed class Context(CompiledLinkage linkage, uint mask)
    {
        public readonly FieldCuts[] Cuts = linkage.Cuts.AsSpan((int)mask * linkage.FieldCount, linkage.FieldCount).ToArray();
        public readonly double[] Missing = linkage.MissingWeight;
        public readonly double Mean = linkage.CandidateMean[mask];
        public readonly double Upper = linkage.UpperThreshold;
        public readonly double Lower = linkage.LowerThreshold;
        public readonly bool Review = linkage.HasClericalReview;
        public readonly double Accuracy = linkage.ReviewCut / CompiledLinkage.TwoTo32;
    }

    /// <summary>The weight distribution (sorted distinct weights and their probabilities) of the own pair or of one candidate, given the from-record's missing fields.</summary>
    /// <remarks>Also builds the kernel's tables (<see cref="CompiledLinkage"/>), so both see the same weights and probabilities.</remarks>
    internal static (double[] Weights, double[] Probabilities) Distribution(FieldCuts[] cuts, double[] missingWeights, int fromMissing, bool own)
    {
        const double T = CompiledLinkage.TwoTo32;
        var dist = new Dictionary<double, double>();
        int fields = cuts.Length;

        void Walk(int f, double sum, double p)
        {
            if (p == 0)
                return;
            if (f == fields)
            {
                dist[sum] = dist.GetValueOrDefault(sum) + p;
                return;
            }

            FieldCuts c = cuts[f];
            double missing = missingWeights[f];
            if ((fromMissing & (1 << f)) != 0)
            {
                Walk(f + 1, sum + missing, p);
                return;
            }

            double pMissing, pAgree;
            if (own)
            {
                // From present (given); to missing; both present and right.
                double fromRight = (T - c.FromWrong) / (T - c.FromMissing);
                pMissing = c.ToMissing / T;
                pAgree = fromRight * ((T - c.ToWrong) / T);
            }
            else
            {
                pMissing = c.CandidateMissing / T;
                pAgree = (c.CandidateAgree - c.CandidateMissing) / T;
            }

            Walk(f + 1, sum + missing, p * pMissing);
            Walk(f + 1, sum + c.Agree, p * pAgree);
            Walk(f + 1, sum + c.Disagree, p * Math.Max(0, 1 - pMissing - pAgree));
        }

        Walk(0, 0.0, 1);
        double[] w = [.. dist.Keys.Order()];
        return (w, [.. w.Select(x => dist[x])]);
    }

    private static void Accumulate(
        Context ctx, double cover, double[] ownW, double[] ownP, double[] candW, double[] candP,
        out double linkedOwn, out double linkedOther, out double reviewed)
    {
        int r = candW.Length;
        double lambda = ctx.Mean;

        // atOrBelow[i] = G(v_i) = P(candidate ≤ v_i); maxIs[i] = P(max of the K candidates = v_i).
        var atOrBelow = new double[r];
        var maxIs = new double[r];
        double g = 0, below = MaxAtMost(lambda, 0);
        for (int i = 0; i < r; i++)
        {
            g += candP[i];
            atOrBelow[i] = Math.Min(1, g);
            double at = MaxAtMost(lambda, atOrBelow[i]);
            maxIs[i] = at - below;
            below = at;
        }

        // Suffix sums over candidate weights of the decision when another's record is chosen.
        var sufLink = new double[r + 1];
        var sufReview = new double[r + 1];
        for (int i = r - 1; i >= 0; i--)
        {
            (double link, double rev) = OtherDecision(ctx, candW[i]);
            sufLink[i] = sufLink[i + 1] + maxIs[i] * link;
            sufReview[i] = sufReview[i + 1] + maxIs[i] * rev;
        }

        // No record: the best candidate, if any, is chosen.
        linkedOwn = 0;
        linkedOther = (1 - cover) * sufLink[0];
        reviewed = (1 - cover) * sufReview[0];

        for (int k = 0; k < ownW.Length; k++)
        {
            double w = ownW[k], p = cover * ownP[k];
            int above = UpperBound(candW, w); // first candidate weight > w
            double gw = above > 0 ? atOrBelow[above - 1] : 0;
            double qw = above > 0 && candW[above - 1] == w ? candP[above - 1] : 0;
            double noneAbove = MaxAtMost(lambda, gw);
            double pOwn = noneAbove * WinTie(lambda * qw);

            (double ownLink, double ownReview) = OwnDecision(ctx, w);
            (double otherLink, double otherReview) = OtherDecision(ctx, w);
            double pOtherTied = noneAbove - pOwn;
            linkedOwn += p * pOwn * ownLink;
            linkedOther += p * (pOtherTied * otherLink + sufLink[above]);
            reviewed += p * (pOwn * ownReview + pOtherTied * otherReview + sufReview[above]);
        }
    }

    /// <summary>E[1/(1 + N)], N ~ Poisson(μ): the chance that a record wins a uniform tie-break against N tied ones, (1 − e^(−μ))/μ.</summary>
    internal static double WinTie(double mu) => mu == 0 ? 1 : mu < 1e-6 ? 1 - mu / 2 + mu * mu / 6 : (1 - DeterministicMath.Exp(-mu)) / mu;

    /// <summary>P(max of Poisson(λ) candidates ≤ x) where G(x) = <paramref name="atOrBelow"/>: exp(−λ(1 − G)).</summary>
    internal static double MaxAtMost(double lambda, double atOrBelow) => DeterministicMath.Exp(-lambda * (1 - atOrBelow));

    /// <summary>(P(linked own), P(reviewed)) when the own record is chosen at weight w.</summary>
    private static (double Link, double Review) OwnDecision(Context ctx, double w) =>
        w > ctx.Upper ? (1, 0) : w >= ctx.Lower && ctx.Review ? (ctx.Accuracy, 1) : (0, 0);

    /// <summary>(P(linked other), P(reviewed)) when another's record is chosen at weight w.</summary>
    private static (double Link, double Review) OtherDecision(Context ctx, double w) =>
        w > ctx.Upper ? (1, 0) : w >= ctx.Lower && ctx.Review ? (1 - ctx.Accuracy, 1) : (0, 0);

    /// <summary>The first index whose value is above <paramref name="w"/> (sorted ascending).</summary>
    internal static int UpperBound(double[] sorted, double w)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= w)
                lo = mid + 1;
            else
                hi = mid;
        }

        return lo;
    }
}
