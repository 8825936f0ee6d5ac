namespace ImpactModel.Pilot;

/// <summary>
/// Exact binomial and Poisson probabilities for the exact tests. Tails come from the regularised
/// incomplete beta function, P(X ≥ k) = I_p(k, n − k + 1) for X ~ Binomial(n, p) (Abramowitz and
/// Stegun 26.5.24), evaluated by its continued fraction with the modified Lentz method (Press et al.,
/// Numerical Recipes, 3rd ed., §6.4), so one tail costs O(√n) steps rather than a sum over n terms.
/// </summary>
public static class Binomial
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; relative error about 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0))
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0");
        if (x < 0.5) // reflection: Γ(x)Γ(1 − x) = π / sin(πx)
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double a = Lanczos[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++)
            a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>P(X ≥ k) for X ~ Binomial(n, p); 1 when k ≤ 0, 0 when k &gt; n.</summary>
    public static double UpperTail(long k, long n, double p)
    {
        if (k <= 0) return 1.0;
        if (k > n) return 0.0;
        if (p <= 0) return 0.0;
        if (p >= 1) return 1.0;
        return RegularizedBeta(p, k, n - k + 1);
    }

    /// <summary>P(X ≤ k) for X ~ Binomial(n, p).</summary>
    public static double LowerTail(long k, long n, double p)
    {
        if (k < 0) return 0.0;
        if (k >= n) return 1.0;
        if (p <= 0) return 1.0;
        if (p >= 1) return 0.0;
        return RegularizedBeta(1 - p, n - k, k + 1);
    }

    /// <summary>
    /// The smallest c such that P(X ≥ c) ≤ <paramref name="alpha"/> for X ~ Binomial(n, p0): rejecting
    /// when at least c events are seen is the exact one-sided test of size at most alpha. Returns n + 1
    /// when no count can reject. <paramref name="start"/> is a known lower bound (the answer for n − 1).
    /// </summary>
    public static long CriticalCount(long n, double p0, double alpha, long start = 0)
        => CriticalCount(n, p0, alpha, start, out _);

    /// <summary>
    /// <see cref="CriticalCount(long, double, double, long)"/>, also giving the attained size
    /// P(X ≥ c) in <paramref name="attained"/> (0 when c = n + 1), so callers need not recompute it.
    /// The tail falls as c rises, so the search gallops up from <paramref name="start"/> (steps 1, 2,
    /// 4, …) and then bisects: O(log n) tails even from start 0, where a count-by-count scan from 0
    /// would cost about n·p0 tails (half a million for a Poisson total of a million).
    /// </summary>
    public static long CriticalCount(long n, double p0, double alpha, long start, out double attained)
    {
        long lo = Math.Max(0, start); // invariant below: every c < lo has a tail above alpha
        if (lo > n)
        {
            attained = 0;
            return n + 1;
        }

        double tail = UpperTail(lo, n, p0);
        if (tail <= alpha)
        {
            attained = tail;
            return lo;
        }

        // lo fails; find hi that passes (n + 1 always does: its tail is 0).
        long step = 1, hi;
        double hiTail;
        while (true)
        {
            hi = lo + step;
            if (hi > n)
            {
                hi = n + 1;
                hiTail = 0;
                break;
            }

            hiTail = UpperTail(hi, n, p0);
            if (hiTail <= alpha)
                break;
            lo = hi;
            step *= 2;
        }

        while (hi - lo > 1)
        {
            long mid = lo + (hi - lo) / 2;
            double midTail = UpperTail(mid, n, p0);
            if (midTail <= alpha)
            {
                hi = mid;
                hiTail = midTail;
            }
            else
            {
                lo = mid;
            }
        }

        attained = hiTail;
        return hi;
    }

    /// <summary>ln P(N = k) for N ~ Poisson(mean).</summary>
    public static double PoissonLogPmf(long k, double mean)
        => k == 0 ? -mean : -mean + k * Math.Log(mean) - LogGamma(k + 1.0);

    /// <summary>I_x(a, b), the regularised incomplete beta function, for 0 &lt; x &lt; 1 and a, b &gt; 0.</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0.0;
        if (x >= 1) return 1.0;
        double logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Accurate.Log1P(-x);
        double front = Math.Exp(logFront);
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
        if (x < (a + 1) / (a + b + 2))
            return front * BetaContinuedFraction(x, a, b) / a;
        return 1.0 - front * BetaContinuedFraction(1 - x, b, a) / b;
    }

    private static double BetaContinuedFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300;
        const double Eps = 1e-16;
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1.0, d = 1.0 - qab * x / qap;
        if (Math.Abs(d) < Tiny) d = Tiny;
        d = 1.0 / d;
        double h = d;
        for (int m = 1; m <= 100_000; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1.0 + aa * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = 1.0 + aa / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1.0 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1.0 + aa * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = 1.0 + aa / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1.0 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1.0) <= Eps)
                return h;
        }

        // Reached only far beyond the sizes the exact methods accept (their limits are checked before any
        // search); if it happens the honest answer is a refusal that points to the approximation.
        throw new PowerInputException("method",
            $"the exact binomial tail cannot be computed to full precision for {Check.Show(a + b - 1)} trials; use --method normal");
    }
}

/// <summary>log(1 + x) and exp(x) − 1 without cancellation near 0 (.NET's LogP1/ExpM1 compute them naively).</summary>
internal static class Accurate
{
    /// <summary>log(1 + x), Goldberg's correction (What Every Computer Scientist Should Know About Floating-Point, 1991, thm 4).</summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) − 1, Kahan's trick.</summary>
    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
    }
}
