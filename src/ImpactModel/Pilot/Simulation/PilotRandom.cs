using ImpactModel.Random;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// The random numbers of one simulated pilot: a counter-based Philox stream keyed by (seed, pilot,
/// purpose), read block by block in a fixed order, so a pilot's draws do not depend on which thread
/// simulates it or on any other pilot. Binomial variates by inversion when the mean is small and by
/// Hörmann's BTRS transformed rejection otherwise (W. Hörmann, "The generation of binomial random
/// variates", J. Statist. Comput. Simul. 46 (1993) 101–110), with <see cref="DeterministicMath"/> for
/// every logarithm, so the same seed gives the same pilots on any machine.
/// </summary>
public struct PilotRandom
{
    /// <summary>What a pilot's stream is for: each has its own stream, so adding draws to one shifts no other.</summary>
    public enum Purpose
    {
        /// <summary>The order in which candidate units are drawn into the pilot.</summary>
        Units = 0,

        /// <summary>Which of a year's events fall within the pilot's months (index: months).</summary>
        Duration = 1,

        /// <summary>The split of each unit's persons between arms (individually randomised; index: months).</summary>
        Split = 2,
    }

    private readonly RngKey _key;
    private long _block;
    private PhiloxBlock _current;
    private int _used;

    /// <summary>The stream of pilot <paramref name="pilot"/> for <paramref name="purpose"/> (index <paramref name="index"/>, e.g. the months).</summary>
    public PilotRandom(ulong seed, int pilot, Purpose purpose, int index = 0)
    {
        _key = RngKey.From(seed, pilot, RngStream.Of(RngStreamKind.Pilot, (int)purpose * 1024 + index));
        _block = 0;
        _current = default;
        _used = 2;
    }

    /// <summary>A uniform double in (0, 1).</summary>
    public double NextUniform()
    {
        if (_used == 2)
        {
            _current = Philox.Block(_key, _block >> 16, (uint)(_block & 0xFFFF));
            _block++;
            _used = 0;
        }

        return _used++ == 0 ? Philox.ToUniform01(_current.W0, _current.W1) : Philox.ToUniform01(_current.W2, _current.W3);
    }

    /// <summary>A uniform whole number in [0, <paramref name="n"/>).</summary>
    public int NextIndex(int n) => Math.Min(n - 1, (int)(NextUniform() * n));

    /// <summary>Fisher–Yates: <paramref name="order"/> becomes a uniformly random permutation of 0 … length − 1.</summary>
    public void Shuffle(Span<int> order)
    {
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = NextIndex(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>A Binomial(<paramref name="n"/>, <paramref name="p"/>) variate.</summary>
    public long Binomial(long n, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n == 0 || p <= 0)
            return 0;
        if (p >= 1)
            return n;
        if (p > 0.5)
            return n - Binomial(n, 1 - p);
        return n * p < 10 ? Inversion(n, p) : Btrs(n, p);
    }

    /// <summary>Sequential search from 0 along the probabilities (Kachitvichyanukul and Schmeiser's BINV): expected n·p + 1 steps.</summary>
    private long Inversion(long n, double p)
    {
        double q = 1 - p, ratio = p / q;
        double f = DeterministicMath.Exp(n * DeterministicMath.Log(q));
        double u = NextUniform();
        long k = 0;
        while (u > f && k < n)
        {
            u -= f;
            f *= ratio * (n - k) / (k + 1);
            k++;
            if (f <= 0)
            {
                // Rounding left a remainder no term can cover: start again with a fresh uniform.
                (u, f, k) = (NextUniform(), DeterministicMath.Exp(n * DeterministicMath.Log(q)), 0);
            }
        }

        return k;
    }

    /// <summary>BTRS for n·p ≥ 10, p ≤ ½ (Hörmann 1993, algorithm BTRS).</summary>
    private long Btrs(long n, double p)
    {
        double q = 1 - p, spq = Math.Sqrt(n * p * q);
        double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
        double vr = 0.92 - 4.2 / b, alpha = (2.83 + 5.1 / b) * spq, lpq = DeterministicMath.Log(p / q);
        long m = (long)Math.Floor((n + 1) * p);
        double h = LogFactorial(m) + LogFactorial(n - m);
        while (true)
        {
            double u = NextUniform() - 0.5, v = NextUniform();
            double us = 0.5 - Math.Abs(u);
            double kd = Math.Floor((2 * a / us + b) * u + c);
            if (kd < 0 || kd > n)
                continue;
            long k = (long)kd;
            if (us >= 0.07 && v <= vr)
                return k;
            double lv = DeterministicMath.Log(v * alpha / (a / (us * us) + b));
            if (lv <= h - LogFactorial(k) - LogFactorial(n - k) + (k - m) * lpq)
                return k;
        }
    }

    private static readonly double[] SmallLogFactorials = MakeSmall();

    private static double[] MakeSmall()
    {
        var t = new double[128];
        for (int k = 1; k < t.Length; k++)
            t[k] = t[k - 1] + DeterministicMath.Log(k);
        return t;
    }

    /// <summary>ln k!: a table below 128, else Stirling's series to 1/k⁵ (error below 1e-16 relative there).</summary>
    internal static double LogFactorial(long k)
    {
        if (k < SmallLogFactorials.Length)
            return SmallLogFactorials[k];
        double x = k + 1.0, inv = 1 / x, inv2 = inv * inv;
        return (x - 0.5) * DeterministicMath.Log(x) - x + 0.91893853320467274178
            + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
    }
}
