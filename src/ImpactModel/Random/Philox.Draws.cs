using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ImpactModel.Random;

// Variates from Philox blocks. Each (key, person, draw) is meant for one variate; a sampler that
// needs several blocks for one variate (gamma, beta) takes them from the sub-blocks of that
// (person, draw), never from other draw indices, so it cannot shift any other draw.
public static partial class Philox
{
    /// <summary>Bits of 1.0: exponent 0, significand 0.</summary>
    private const ulong OneBits = 0x3FF0_0000_0000_0000;

    /// <summary>1 − 2^-53, so that (1 + m 2^-52) − (1 − 2^-53) = (m + ½) 2^-52, exactly.</summary>
    private const double OneMinusHalfUlp = 1.0 - 1.0 / 9007199254740992.0;

    /// <summary>Persons per chunk in the bulk fills (a 4 KiB stack buffer of blocks).</summary>
    private const int FillChunk = 256;

    /// <summary>Largest Poisson mean accepted by <see cref="Poisson"/> (inversion costs O(mean)).</summary>
    public const double PoissonMeanLimit = 700;

    /// <summary>
    /// A uniform double in the open interval (0, 1) from two 32-bit words, read as the little-endian
    /// 64-bit word x = hi · 2^32 + lo: the top 53 bits of x with the lowest of them forced to 1,
    /// times 2^-53 (Random123 <c>u01fixedpt</c>), i.e. ((x &gt;&gt; 12) + ½) · 2^-52. The result is one
    /// of the 2^52 odd multiples of 2^-53, all equally likely, so it lies in [2^-53, 1 − 2^-53]: never
    /// 0 nor 1, ln u and ln(1 − u) are finite (≥ −36.8), and u and 1 − u have the same distribution.
    /// </summary>
    /// <remarks>
    /// <para>The 53rd significand bit cannot be random as well: only 2^53 − 1 multiples of 2^-53 lie
    /// strictly inside (0, 1), so no map of 53 free bits onto an equally spaced grid avoids both 0 and
    /// 1. The midpoint grid keeps the mean exactly ½ and the interval symmetric.</para>
    /// <para>Computed exactly as bits(1 + m · 2^-52) − (1 − 2^-53) with m = x &gt;&gt; 12: an OR into the
    /// significand and one exact subtraction, so the vectorised fills give the same doubles.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per draw
    public static double ToUniform01(uint lo, uint hi)
        => BitConverter.Int64BitsToDouble((long)(((((ulong)hi << 32) | lo) >> 12) | OneBits)) - OneMinusHalfUlp;

    /// <summary>A uniform double in (0, 1) for a person's draw (words 0 and 1); see <see cref="ToUniform01"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform01(in RngKey key, long person, uint draw)
    {
        PhiloxBlock b = Block(key, person, draw);
        return ToUniform01(b.W0, b.W1);
    }

    /// <summary>Whether a person's draw is an event of probability <paramref name="p"/> (word 0 against the threshold).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Bernoulli(in RngKey key, long person, uint draw, BernoulliThreshold p)
        => p.Test(Block(key, person, draw).W0);

    /// <summary>
    /// A standard normal variate from one block by the Box–Muller transform (Box and Muller 1958):
    /// √(−2 ln u1) · cos(2π u2), u1 from words 0–1 and u2 from words 2–3, with
    /// <see cref="DeterministicMath"/>. Since u1 ≥ 2^-53, |z| ≤ 8.57 (the tail beyond has
    /// probability about 1e-17).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToNormal(PhiloxBlock b)
    {
        double u1 = ToUniform01(b.W0, b.W1);
        double u2 = ToUniform01(b.W2, b.W3);
        return Math.Sqrt(-2.0 * DeterministicMath.Log(u1)) * DeterministicMath.CosTwoPi(u2);
    }

    /// <summary>A standard normal variate for a person's draw; see <see cref="ToNormal"/>.</summary>
    public static double Normal(in RngKey key, long person, uint draw) => ToNormal(Block(key, person, draw));

    /// <summary>A normal variate with mean <paramref name="mean"/> and standard deviation <paramref name="sd"/>.</summary>
    public static double Normal(in RngKey key, long person, uint draw, double mean, double sd)
        => mean + sd * ToNormal(Block(key, person, draw));

    /// <summary>A lognormal variate: exp(μ + σ z) with z from <see cref="Normal(in RngKey, long, uint)"/>.</summary>
    public static double LogNormal(in RngKey key, long person, uint draw, LogNormalShape shape)
        => DeterministicMath.Exp(shape.Mu + shape.Sigma * ToNormal(Block(key, person, draw)));

    /// <summary>
    /// A gamma variate with shape <paramref name="shape"/> &gt; 0 and scale 1, by Marsaglia and
    /// Tsang (2000), "A simple method for generating gamma variables", ACM TOMS 26(3); for shape
    /// &lt; 1 by their boost Gamma(a) = Gamma(a + 1) · U^(1/a).
    /// </summary>
    /// <remarks>
    /// Rejection needs a variable number of blocks; they are the sub-blocks of this (person, draw)
    /// (counter word 3, top 8 bits): sub-block 0 holds the boost uniform, attempt i uses sub-blocks
    /// 2i + 1 (the normal) and 2i + 2 (the uniform), i &lt; 63. Each attempt succeeds with
    /// probability above 0.95, so running out (about 0.05^63) does not happen in practice and throws.
    /// </remarks>
    public static double Gamma(in RngKey key, long person, uint draw, double shape)
    {
        CheckShape(shape, nameof(shape));
        CheckPerson(person);
        double g = GammaCore(key, (uint)person, draw, shape, 0, out double logBoost);
        return shape < 1 ? g * DeterministicMath.Exp(logBoost) : g;
    }

    /// <summary>
    /// A beta variate X / (X + Y), X ~ Gamma(<paramref name="a"/>), Y ~ Gamma(<paramref name="b"/>)
    /// (e.g. Devroye 1986, Non-Uniform Random Variate Generation, IX.4). X uses sub-blocks 0–127 and Y
    /// 128–255 of this (person, draw); with a shape below 1 the ratio is formed in log space so that
    /// tiny shapes do not give 0/0.
    /// </summary>
    public static double Beta(in RngKey key, long person, uint draw, double a, double b)
    {
        CheckShape(a, nameof(a));
        CheckShape(b, nameof(b));
        CheckPerson(person);
        double x = GammaCore(key, (uint)person, draw, a, 0, out double bx);
        double y = GammaCore(key, (uint)person, draw, b, SubBlocks / 2, out double by);
        if (a >= 1 && b >= 1)
            return x / (x + y);
        // X / (X + Y) = 1 / (1 + exp(ln Y − ln X)).
        double logRatio = DeterministicMath.Log(y) + by - (DeterministicMath.Log(x) + bx);
        return 1.0 / (1.0 + DeterministicMath.Exp(logRatio));
    }

    /// <summary>
    /// A Poisson count with mean in [0, <see cref="PoissonMeanLimit"/>] by inversion with one
    /// uniform (sequential search from 0; Devroye 1986, X.3.3, or Knuth TAOCP 2, 3.4.1): the least
    /// k with F(k) ≥ u. One block per variate whatever the mean; the cost is O(mean), so it is meant
    /// for the small means of rare events (say below 50).
    /// </summary>
    public static int Poisson(in RngKey key, long person, uint draw, double mean)
    {
        if (!(mean >= 0 && mean <= PoissonMeanLimit))
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "a Poisson mean lies in [0, 700]");
        PhiloxBlock b = Block(key, person, draw);
        return PoissonInverse(ToUniform01(b.W0, b.W1), mean);
    }

    /// <summary>The least k with Poisson(mean) CDF F(k) ≥ u.</summary>
    internal static int PoissonInverse(double u, double mean)
    {
        double p = DeterministicMath.Exp(-mean);
        double cdf = p;
        int k = 0;
        while (cdf < u)
        {
            k++;
            p = p * mean / k;
            double next = cdf + p;
            if (next == cdf)
                break; // the remaining terms are below rounding: u lies beyond with probability < 1e-15
            cdf = next;
        }
        return k;
    }

    /// <summary>Marsaglia–Tsang for shape max(a, a + 1 if a &lt; 1); <paramref name="logBoost"/> = ln(U)/a when a &lt; 1, else 0.</summary>
    private static double GammaCore(in RngKey key, uint person, uint draw, double shape, int subBase, out double logBoost)
    {
        double a = shape;
        logBoost = 0;
        if (shape < 1)
        {
            PhiloxBlock ub = SubBlock(key, person, draw, subBase);
            logBoost = DeterministicMath.Log(ToUniform01(ub.W0, ub.W1)) / shape;
            a = shape + 1;
        }
        double d = a - 1.0 / 3.0;
        double c = 1.0 / Math.Sqrt(9.0 * d);
        for (int i = 0; i < 63; i++)
        {
            double x = ToNormal(SubBlock(key, person, draw, subBase + 2 * i + 1));
            double v = 1.0 + c * x;
            if (v <= 0)
                continue;
            v = v * v * v;
            PhiloxBlock ub = SubBlock(key, person, draw, subBase + 2 * i + 2);
            double u = ToUniform01(ub.W0, ub.W1);
            double x2 = x * x;
            // Squeeze first, then the exact test (Marsaglia and Tsang 2000, section 4).
            if (u < 1.0 - 0.0331 * x2 * x2 || DeterministicMath.Log(u) < 0.5 * x2 + d * (1.0 - v + DeterministicMath.Log(v)))
                return d * v;
        }
        throw new InvalidOperationException("gamma sampler exhausted its 63 attempts (probability about 1e-82)");
    }

    private static void CheckShape(double shape, string name)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
            throw new ArgumentOutOfRangeException(name, shape, "a shape parameter is finite and above 0");
    }

    /// <summary>
    /// Uniform doubles in (0, 1) for consecutive persons: <c>dest[i] = Uniform01(key, firstPerson + i, draw)</c>,
    /// computed a chunk at a time on <see cref="BestPath"/>. Allocates nothing.
    /// </summary>
    public static void FillUniform01(in RngKey key, long firstPerson, uint draw, Span<double> dest)
        => FillUniform01(key, firstPerson, draw, dest, BestPath);

    /// <summary>As <see cref="FillUniform01(in RngKey, long, uint, Span{double})"/> on a chosen path.</summary>
    public static void FillUniform01(in RngKey key, long firstPerson, uint draw, Span<double> dest, PhiloxPath path)
    {
        CheckRange(firstPerson, dest.Length);
        Span<uint> buf = stackalloc uint[4 * FillChunk];
        for (int i = 0; i < dest.Length; i += FillChunk)
        {
            int m = Math.Min(FillChunk, dest.Length - i);
            Span<uint> blocks = buf[..(4 * m)];
            Fill(key, firstPerson + i, draw, blocks, path);
            BlocksToUniform01(blocks, dest.Slice(i, m), path);
        }
    }

    /// <summary>dest[j] = ToUniform01(word 0, word 1 of block j); the vector code computes the same bits.</summary>
    private static void BlocksToUniform01(ReadOnlySpan<uint> blocks, Span<double> dest, PhiloxPath path)
    {
        // Block j is the 64-bit words 2j (words 0-1, the one we want) and 2j + 1.
        ref ulong src = ref Unsafe.As<uint, ulong>(ref MemoryMarshal.GetReference(blocks));
        ref double dst = ref MemoryMarshal.GetReference(dest);
        int n = dest.Length, j = 0;
        if (path == PhiloxPath.Avx512 && Avx512F.IsSupported)
        {
            Vector512<ulong> evens = Vector512.Create(0UL, 2, 4, 6, 8, 10, 12, 14);
            Vector512<ulong> one = Vector512.Create(OneBits);
            Vector512<double> offset = Vector512.Create(OneMinusHalfUlp);
            for (; j + 8 <= n; j += 8)
            {
                Vector512<ulong> x = Avx512F.PermuteVar8x64x2(
                    Vector512.LoadUnsafe(ref src, (nuint)(2 * j)), evens, Vector512.LoadUnsafe(ref src, (nuint)(2 * j + 8)));
                (((x >>> 12) | one).AsDouble() - offset).StoreUnsafe(ref dst, (nuint)j);
            }
        }
        else if (path != PhiloxPath.Scalar && Avx2.IsSupported)
        {
            Vector256<ulong> one = Vector256.Create(OneBits);
            Vector256<double> offset = Vector256.Create(OneMinusHalfUlp);
            for (; j + 4 <= n; j += 4)
            {
                // [b0, b2 | b1, b3] then lanes 0, 2, 1, 3 -> b0, b1, b2, b3.
                Vector256<ulong> x = Avx2.Permute4x64(Avx2.UnpackLow(
                    Vector256.LoadUnsafe(ref src, (nuint)(2 * j)), Vector256.LoadUnsafe(ref src, (nuint)(2 * j + 4))), 0b11_01_10_00);
                (((x >>> 12) | one).AsDouble() - offset).StoreUnsafe(ref dst, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            ulong x = Unsafe.Add(ref src, 2 * j);
            Unsafe.Add(ref dst, j) = BitConverter.Int64BitsToDouble((long)((x >> 12) | OneBits)) - OneMinusHalfUlp;
        }
    }

    /// <summary>
    /// Standard normal variates for consecutive persons: <c>dest[i] = Normal(key, firstPerson + i, draw)</c>.
    /// Allocates nothing.
    /// </summary>
    public static void FillNormal(in RngKey key, long firstPerson, uint draw, Span<double> dest)
    {
        CheckRange(firstPerson, dest.Length);
        Span<uint> buf = stackalloc uint[4 * FillChunk];
        for (int i = 0; i < dest.Length; i += FillChunk)
        {
            int m = Math.Min(FillChunk, dest.Length - i);
            Span<uint> blocks = buf[..(4 * m)];
            Fill(key, firstPerson + i, draw, blocks, BestPath);
            BlocksToNormal(blocks, dest.Slice(i, m));
        }
    }

    /// <summary>dest[j] = ToNormal(block j), four lanes at a time where AVX2 is available, same bits.</summary>
    private static void BlocksToNormal(ReadOnlySpan<uint> blocks, Span<double> dest)
    {
        ref ulong src = ref Unsafe.As<uint, ulong>(ref MemoryMarshal.GetReference(blocks));
        ref double dst = ref MemoryMarshal.GetReference(dest);
        int n = dest.Length, j = 0;
        if (Avx2.IsSupported)
        {
            Vector256<ulong> one = Vector256.Create(OneBits);
            Vector256<double> offset = Vector256.Create(OneMinusHalfUlp);
            for (; j + 4 <= n; j += 4)
            {
                Vector256<ulong> v0 = Vector256.LoadUnsafe(ref src, (nuint)(2 * j));     // b0.01 b0.23 b1.01 b1.23
                Vector256<ulong> v1 = Vector256.LoadUnsafe(ref src, (nuint)(2 * j + 4)); // b2.01 b2.23 b3.01 b3.23
                Vector256<ulong> x1 = Avx2.Permute4x64(Avx2.UnpackLow(v0, v1), 0b11_01_10_00);  // words 0-1 of b0..b3
                Vector256<ulong> x2 = Avx2.Permute4x64(Avx2.UnpackHigh(v0, v1), 0b11_01_10_00); // words 2-3 of b0..b3
                Vector256<double> u1 = ((x1 >>> 12) | one).AsDouble() - offset;
                Vector256<double> u2 = ((x2 >>> 12) | one).AsDouble() - offset;
                Vector256<double> z = Vector256.Sqrt(Vector256.Create(-2.0) * DeterministicMath.LogPositiveNormal(u1))
                    * DeterministicMath.CosTwoPiUnit(u2);
                z.StoreUnsafe(ref dst, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            ulong x1 = Unsafe.Add(ref src, 2 * j), x2 = Unsafe.Add(ref src, 2 * j + 1);
            Unsafe.Add(ref dst, j) = ToNormal(new PhiloxBlock((uint)x1, (uint)(x1 >> 32), (uint)x2, (uint)(x2 >> 32)));
        }
    }

    /// <summary>
    /// Bernoulli events for consecutive persons: <c>dest[i] = Bernoulli(key, firstPerson + i, draw, p)</c>.
    /// Allocates nothing.
    /// </summary>
    public static void FillBernoulli(in RngKey key, long firstPerson, uint draw, BernoulliThreshold p, Span<bool> dest)
    {
        CheckRange(firstPerson, dest.Length);
        Span<uint> buf = stackalloc uint[4 * FillChunk];
        ulong threshold = p.Threshold;
        for (int i = 0; i < dest.Length; i += FillChunk)
        {
            int m = Math.Min(FillChunk, dest.Length - i);
            Span<uint> blocks = buf[..(4 * m)];
            Fill(key, firstPerson + i, draw, blocks, BestPath);
            Span<bool> d = dest.Slice(i, m);
            for (int j = 0; j < d.Length; j++)
                d[j] = blocks[4 * j] < threshold;
        }
    }

    private static void CheckRange(long firstPerson, int count)
    {
        if (firstPerson < 0 || firstPerson + count > PersonLimit)
            throw new ArgumentOutOfRangeException(nameof(firstPerson), firstPerson, "person ids lie in [0, 2^32)");
    }
}
