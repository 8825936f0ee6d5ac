using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ImpactModel.Random;

/// <summary>
/// Natural log, exp and cos(2πu) built only from IEEE-754 +, −, ×, ÷ and <see cref="Math.Sqrt"/>
/// (all correctly rounded), so every transform of random bits gives the same double on every
/// CPU, OS and runtime. <see cref="Math.Log(double)"/> and friends call the platform C library,
/// whose last bit may differ between glibc, the Windows CRT and macOS. The .NET JIT does not
/// contract a*b+c into a fused multiply-add on its own, so the evaluation order written here is
/// the one executed.
/// </summary>
/// <remarks>
/// Accuracy is about 1–2 units in the last place (tested against <see cref="Math"/>), ample for
/// simulation. The methods are the single implementation used by every sampler, scalar or bulk.
/// </remarks>
public static class DeterministicMath
{
    // ln 2 split as in fdlibm e_log.c / e_exp.c: Ln2Hi has its low 32 bits zero, so k * Ln2Hi is
    // exact for |k| < 2^20.
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Sqrt2 = 1.41421356237309504880;
    private const double TwoPi = 6.28318530717958647692;

    /// <summary>Natural logarithm; −∞ at 0, NaN below 0 or at NaN, +∞ at +∞.</summary>
    public static double Log(double x)
    {
        if (!(x > 0))
            return x == 0 ? double.NegativeInfinity : double.NaN;
        if (double.IsPositiveInfinity(x))
            return x;
        int k = 0;
        if (x < 2.2250738585072014E-308) // subnormal: scale into the normal range
        {
            x *= 18014398509481984.0; // 2^54
            k = -54;
        }
        long bits = BitConverter.DoubleToInt64Bits(x);
        k += (int)(bits >> 52) - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5; // exact
            k++;
        }
        // m in (√2/2, √2]; log(m) = log(1 + f) = 2 atanh(s), s = f / (2 + f), |s| < 0.1716.
        // Written as f − (hfsq − s (hfsq + R)) with R = Σ 2 z^j / (2j + 1), z = s² (fdlibm's form,
        // Taylor coefficients instead of minimax ones; 12 terms leave a truncation error < 1e-20).
        double f = m - 1.0; // exact (Sterbenz)
        double s = f / (2.0 + f);
        double z = s * s;
        double r = z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (2.0 / 13
            + z * (2.0 / 15 + z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21 + z * (2.0 / 23 + z * (2.0 / 25))))))))))));
        double hfsq = 0.5 * f * f;
        double dk = k;
        return dk * Ln2Hi - ((hfsq - (s * (hfsq + r) + dk * Ln2Lo)) - f);
    }

    /// <summary>e^x; 0 below about −745.13, +∞ above about 709.78, NaN at NaN.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
            return x;
        if (x > 709.782712893384)
            return double.PositiveInfinity;
        if (x < -745.1332191019412)
            return 0.0;
        // Cody–Waite reduction: x = k ln 2 + r, |r| <= ln2 / 2; e^r by its Taylor series to r^14/14!
        // (truncation < 5e-18), then scaling by 2^k built from the exponent bits.
        double kd = Math.Round(x * InvLn2); // round half to even: deterministic
        double r = (x - kd * Ln2Hi) - kd * Ln2Lo;
        double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
            + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
            + r * (1.0 / 479001600 + r * (1.0 / 6227020800 + r * (1.0 / 87178291200))))))))))))));
        int k = (int)kd;
        if (k is >= -1020 and <= 1020)
            return p * Pow2(k);
        // Near overflow or into the subnormal range: scale in two exact steps, one final rounding.
        int k1 = k / 2;
        return p * Pow2(k1) * Pow2(k - k1);
    }

    /// <summary>
    /// cos(2πu) for finite u, reduced exactly to an octant before the one rounded multiplication
    /// by 2π, so it is accurate for the uniforms of Box–Muller.
    /// </summary>
    public static double CosTwoPi(double u)
    {
        double a = Math.Abs(u - Math.Round(u)); // exact; cos is even and has period 1 in u; a in [0, 1/2]
        if (a <= 0.125)
            return CosPoly(a * TwoPi);
        if (a <= 0.375)
            return SinPoly((0.25 - a) * TwoPi); // 0.25 − a is exact (Sterbenz): cos(2πa) = sin(2π(1/4 − a))
        return -CosPoly((0.5 - a) * TwoPi);     // cos(2πa) = −cos(2π(1/2 − a)), again exact
    }

    /// <summary>cos x for |x| ≤ π/4: Taylor series to x^20/20! (truncation below 1e-20).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CosPoly(double x)
    {
        double z = x * x;
        return 1.0 + z * (-1.0 / 2 + z * (1.0 / 24 + z * (-1.0 / 720 + z * (1.0 / 40320 + z * (-1.0 / 3628800
            + z * (1.0 / 479001600 + z * (-1.0 / 87178291200 + z * (1.0 / 20922789888000
            + z * (-1.0 / 6402373705728000 + z * (1.0 / 2432902008176640000))))))))));
    }

    /// <summary>sin x for |x| ≤ π/4: Taylor series to x^19/19! (truncation below 1e-20).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SinPoly(double x)
    {
        double z = x * x;
        return x + x * z * (-1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880 + z * (-1.0 / 39916800
            + z * (1.0 / 6227020800 + z * (-1.0 / 1307674368000 + z * (1.0 / 355687428096000
            + z * (-1.0 / 121645100408832000)))))))));
    }

    /// <summary>
    /// <see cref="Log"/> on four lanes, for arguments that are positive normal doubles (such as the
    /// uniforms of <see cref="Philox.ToUniform01"/>): the same operations in the same order, so every
    /// lane equals the scalar result bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> LogPositiveNormal(Vector256<double> x)
    {
        Vector256<long> bits = x.AsInt64();
        Vector256<long> k = (bits >>> 52) - Vector256.Create(1023L);
        Vector256<double> m = ((bits & Vector256.Create(0x000F_FFFF_FFFF_FFFFL)) | Vector256.Create(0x3FF0_0000_0000_0000L)).AsDouble();
        Vector256<double> big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * 0.5, m);
        k -= big.AsInt64(); // the mask is −1 where m was halved
        // (double)k exactly for |k| < 2^51: bits of 1.5 · 2^52 + k, minus 1.5 · 2^52.
        Vector256<double> dk = (k + Vector256.Create(0x4338_0000_0000_0000L)).AsDouble() - Vector256.Create(6755399441055744.0);
        Vector256<double> f = m - Vector256<double>.One;
        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> z = s * s;
        Vector256<double> r = z * (Vector256.Create(2.0 / 3) + z * (Vector256.Create(2.0 / 5) + z * (Vector256.Create(2.0 / 7)
            + z * (Vector256.Create(2.0 / 9) + z * (Vector256.Create(2.0 / 11) + z * (Vector256.Create(2.0 / 13)
            + z * (Vector256.Create(2.0 / 15) + z * (Vector256.Create(2.0 / 17) + z * (Vector256.Create(2.0 / 19)
            + z * (Vector256.Create(2.0 / 21) + z * (Vector256.Create(2.0 / 23) + z * Vector256.Create(2.0 / 25))))))))))));
        Vector256<double> hfsq = Vector256.Create(0.5) * f * f;
        return dk * Ln2Hi - ((hfsq - (s * (hfsq + r) + dk * Ln2Lo)) - f);
    }

    /// <summary>
    /// <see cref="CosTwoPi"/> on four lanes for u in [0, 1] (there u − round(u) is u or u − 1):
    /// the same operations per lane, so every lane equals the scalar result bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> CosTwoPiUnit(Vector256<double> u)
    {
        // Math.Round rounds ½ to 0 (to even), so round(u) = 1 exactly when u > ½; |u − 1| = 1 − u.
        Vector256<double> a = Vector256.ConditionalSelect(Vector256.GreaterThan(u, Vector256.Create(0.5)), Vector256<double>.One - u, u);
        Vector256<double> near0 = Vector256.LessThanOrEqual(a, Vector256.Create(0.125));
        Vector256<double> mid = Vector256.LessThanOrEqual(a, Vector256.Create(0.375)) & ~near0;
        Vector256<double> cx = Vector256.ConditionalSelect(near0, a, Vector256.Create(0.5) - a) * TwoPi;
        Vector256<double> c = CosPoly(cx);
        c = Vector256.ConditionalSelect(near0, c, -c);
        Vector256<double> sn = SinPoly((Vector256.Create(0.25) - a) * TwoPi);
        return Vector256.ConditionalSelect(mid, sn, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> CosPoly(Vector256<double> x)
    {
        Vector256<double> z = x * x;
        return Vector256<double>.One + z * (Vector256.Create(-1.0 / 2) + z * (Vector256.Create(1.0 / 24) + z * (Vector256.Create(-1.0 / 720)
            + z * (Vector256.Create(1.0 / 40320) + z * (Vector256.Create(-1.0 / 3628800) + z * (Vector256.Create(1.0 / 479001600)
            + z * (Vector256.Create(-1.0 / 87178291200) + z * (Vector256.Create(1.0 / 20922789888000)
            + z * (Vector256.Create(-1.0 / 6402373705728000) + z * Vector256.Create(1.0 / 2432902008176640000))))))))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> SinPoly(Vector256<double> x)
    {
        Vector256<double> z = x * x;
        return x + x * z * (Vector256.Create(-1.0 / 6) + z * (Vector256.Create(1.0 / 120) + z * (Vector256.Create(-1.0 / 5040)
            + z * (Vector256.Create(1.0 / 362880) + z * (Vector256.Create(-1.0 / 39916800) + z * (Vector256.Create(1.0 / 6227020800)
            + z * (Vector256.Create(-1.0 / 1307674368000) + z * (Vector256.Create(1.0 / 355687428096000)
            + z * Vector256.Create(-1.0 / 121645100408832000)))))))));
    }

    /// <summary>2^k for k in [−1022, 1023], exactly, from the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Pow2(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
}
