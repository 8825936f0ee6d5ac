using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ImpactModel.Random;

/// <summary>
/// Natural log, log2, exp, pow, the logistic function and cos(2πu) built only from IEEE-754 +, −,
/// ×, ÷ and <see cref="Math.Sqrt"/> (all correctly rounded), so every number the engine derives
/// from them is the same double on every CPU, OS and runtime. <see cref="Math.Log(double)"/> and
/// friends call the platform C library, whose last bit may differ between glibc, the Windows CRT
/// and macOS. The .NET JIT does not contract a*b+c into a fused multiply-add on its own, so the
/// evaluation order written here is the one executed; nothing here calls
/// <see cref="Math.FusedMultiplyAdd"/> either, as exact products come from Dekker's splitting.
/// </summary>
/// <remarks>
/// Accuracy against <see cref="Math"/> (glibc, itself within about 0.5 units in the last place),
/// measured over 10^5 arguments per function; <c>DeterministicMathTests</c> holds each to its
/// bound plus the platform's own error: <see cref="Log"/>,
/// <see cref="Exp"/> and <see cref="Log2"/> within 1 unit in the last place, <see cref="Expit"/>
/// within 2, <see cref="Pow"/> within 1 while |y ln x| ≤ 64 and within 1 + |y ln x| / 128 beyond.
/// Engine code outside <c>ImpactModel.Pilot</c> calls these, never <see cref="Math"/>'s
/// transcendental functions: a test scans the engine's IL for such calls. The methods are the
/// single implementation used by every sampler, scalar or bulk.
/// </remarks>
public static class DeterministicMath
{
    // ln 2 split as in fdlibm e_log.c / e_exp.c: Ln2Hi has its low 32 bits zero, so k * Ln2Hi is
    // exact for |k| < 2^20.
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    // 1/ln 2 − InvLn2 (InvLn2 is the double nearest 1/ln 2), from 80-digit decimal arithmetic, so
    // InvLn2 + InvLn2Lo is 1/ln 2 to about 2^-107.
    private const double InvLn2Lo = 2.0355273740931033e-17;
    // Veltkamp's splitting constant 2^27 + 1: c = a (2^27 + 1) splits a into two halves of at most
    // 26 bits whose products are exact (Dekker 1971, "A floating-point technique for extending the
    // available precision", Numer. Math. 18, 224–242).
    private const double Splitter = 134217729.0;
    private const double Sqrt2 = 1.41421356237309504880;
    private const double TwoPi = 6.28318530717958647692;
    // e^x overflows above MaxExpArgument and rounds to 0 below MinExpArgument.
    private const double MaxExpArgument = 709.782712893384;
    private const double MinExpArgument = -745.1332191019412;
    // The double-double logarithm reduces m in (√2/2, √2] to the nearest of three centres, the
    // doubles nearest 2^(−1/3), 1 and 2^(1/3), split at (doubles near) 2^(∓1/6); their logarithms as
    // double-doubles from 80-digit decimal arithmetic (Tang 1990, "Table-driven implementation of
    // the logarithm function in IEEE floating-point arithmetic", ACM TOMS 16(4), with a table of 3).
    private const double CentreDown = 0.7937005259840998;
    private const double CentreUp = 1.2599210498948732;
    private const double SplitDown = 0.8908987181403393;
    private const double SplitUp = 1.122462048309373;
    private const double LogCentreDownHi = -0.23104906018664836;
    private const double LogCentreDownLo = -4.02270473920663e-18;
    private const double LogCentreUpHi = 0.23104906018664845;
    private const double LogCentreUpLo = 9.78275379146626e-18;

    /// <summary>Natural logarithm; −∞ at 0, NaN below 0 or at NaN, +∞ at +∞.</summary>
    public static double Log(double x)
    {
        if (!(x > 0))
            return x == 0 ? double.NegativeInfinity : double.NaN;
        if (double.IsPositiveInfinity(x))
            return x;
        int k = Reduce(x, out double m);
        // log(1 + f) = 2 atanh(s), s = f / (2 + f), |s| < 0.1716, written as
        // f − (hfsq − s (hfsq + R)) with R = Σ 2 z^j / (2j + 1), z = s² (fdlibm's form).
        double f = m - 1.0; // exact (Sterbenz)
        double s = f / (2.0 + f);
        double r = AtanhSeries(s * s);
        double hfsq = 0.5 * f * f;
        double dk = k;
        return dk * Ln2Hi - ((hfsq - (s * (hfsq + r) + dk * Ln2Lo)) - f);
    }

    /// <summary>
    /// Base-2 logarithm; −∞ at 0, NaN below 0 or at NaN, +∞ at +∞, and exactly k at 2^k. For
    /// x = 2^k m, log2 x = k + ln m / ln 2 with ln m and the division by ln 2 carried in
    /// double-double, so only the final addition rounds: within 1 unit in the last place.
    /// </summary>
    public static double Log2(double x)
    {
        if (!(x > 0))
            return x == 0 ? double.NegativeInfinity : double.NaN;
        if (double.IsPositiveInfinity(x))
            return x;
        int k = Reduce(x, out double m);
        double lhi = LogMantissa(m, out double llo);
        // (lhi + llo)(InvLn2 + InvLn2Lo); llo · InvLn2Lo (below 2^-100) is dropped.
        double p = lhi * InvLn2;
        double pLo = TwoProductError(lhi, InvLn2, p) + (lhi * InvLn2Lo + llo * InvLn2);
        // k + p by Fast2Sum (|k| ≥ 1 > |p|, or k = 0) is exact, so only the last addition rounds.
        double hi = k + p;
        return hi + ((p - (hi - k)) + pLo);
    }

    /// <summary>e^x; 0 below about −745.13, +∞ above about 709.78, NaN at NaN.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
            return x;
        if (x > MaxExpArgument)
            return double.PositiveInfinity;
        if (x < MinExpArgument)
            return 0.0;
        // Cody–Waite reduction (Cody and Waite 1980, "Software Manual for the Elementary
        // Functions"): x = k ln 2 + r, |r| ≤ ln 2 / 2, with ln 2 in two parts so k · Ln2Hi is exact.
        double kd = Math.Round(x * InvLn2); // round half to even: deterministic
        double r = (x - kd * Ln2Hi) - kd * Ln2Lo;
        return ScaleByPow2(ExpSeries(r), (int)kd);
    }

    /// <summary>
    /// The logistic function 1 / (1 + e^−x) = e^x / (1 + e^x): in (0, 1), or 0 or 1 once it rounds
    /// there; NaN at NaN. Each sign takes the form whose exponential is at most 1, so nothing
    /// overflows or cancels: within 2 units in the last place (one from <see cref="Exp"/>, one from
    /// the sum and the quotient).
    /// </summary>
    public static double Expit(double x)
    {
        if (x >= 0)
            return 1 / (1 + Exp(-x));
        double e = Exp(x); // NaN lands here and stays NaN
        return e / (1 + e);
    }

    /// <summary>
    /// x^y for x ≥ 0, and for x &lt; 0 when y is an integer (NaN for x &lt; 0 and any other y), with
    /// the special values of IEEE-754 pow: x^±0 = 1 and 1^y = 1 even for NaN, 0^y = 0 for y &gt; 0
    /// and +∞ for y &lt; 0, (+∞)^y = +∞ for y &gt; 0 and 0 for y &lt; 0. Computed as e^(y ln x) with
    /// ln x and y ln x carried in double-double, so in effect only the exponential rounds: within
    /// 1 + |y ln x| / 128 units in the last place, since the double-double ln x is good to 2^-60 of
    /// its value and y scales that error (measured: 1 unit of <see cref="Math.Pow"/> while
    /// |y ln x| ≤ 64, 4 near the overflow threshold).
    /// </summary>
    public static double Pow(double x, double y)
    {
        if (y == 0 || x == 1)
            return 1;
        if (double.IsNaN(x) || double.IsNaN(y))
            return double.NaN;
        double sign = 1;
        if (double.IsNegative(x)) // −0 too, so that (−0)^−1 = −∞ as IEEE-754 has it
        {
            // (−a)^y = ±a^y for an integer y, by its parity (every double of magnitude ≥ 2^53 is even);
            // for any other y, (−0)^y and (−∞)^y are those of +0 and +∞, and a finite base gives NaN.
            if (Math.Floor(y) == y)
                sign = Math.Abs(y) < 9007199254740992.0 && Math.Floor(y * 0.5) != y * 0.5 ? -1 : 1;
            else if (x != 0 && !double.IsInfinity(x))
                return double.NaN;
            x = -x;
            if (x == 1)
                return sign; // (−1)^±∞ = 1
        }

        if (x == 0 || double.IsPositiveInfinity(x))
            return sign * ((x == 0) == (y < 0) ? double.PositiveInfinity : 0);
        if (double.IsInfinity(y))
            return (x > 1) == (y > 0) ? double.PositiveInfinity : 0;
        int k = Reduce(x, out double m);
        double lhi = LogExtended(k, m, out double llo);
        double phi = y * lhi;
        if (phi > MaxExpArgument)
            return sign * double.PositiveInfinity;
        if (phi < MinExpArgument)
            return sign * 0.0;
        // y (lhi + llo) = phi + plo; then Cody–Waite as in Exp, with plo joining the reduced argument.
        double plo = TwoProductError(y, lhi, phi) + y * llo;
        double kd = Math.Round(phi * InvLn2);
        double r = (phi - kd * Ln2Hi) + (plo - kd * Ln2Lo);
        return sign * ScaleByPow2(ExpSeries(r), (int)kd);
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

    /// <summary>Splits finite x &gt; 0 as 2^k m with m in (√2/2, √2], both exactly: returns k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Reduce(double x, out double m)
    {
        int k = 0;
        if (x < 2.2250738585072014E-308) // subnormal: scale into the normal range
        {
            x *= 18014398509481984.0; // 2^54
            k = -54;
        }
        long bits = BitConverter.DoubleToInt64Bits(x);
        k += (int)(bits >> 52) - 1023;
        m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5; // exact
            k++;
        }
        return k;
    }

    /// <summary>
    /// R(z) = Σ_{j=1..12} 2 z^j / (2j + 1), so that log(1 + f) = 2 atanh(s) = 2s + s R(s²) for
    /// s = f / (2 + f). Taylor coefficients (fdlibm's e_log.c uses minimax ones of the same form);
    /// for |s| &lt; 0.1716, z &lt; 0.0295 and the truncation error is below 1e-20.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AtanhSeries(double z)
        => z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (2.0 / 13
            + z * (2.0 / 15 + z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21 + z * (2.0 / 23 + z * (2.0 / 25))))))))))));

    /// <summary>
    /// The same series to z^7, for |s| ≤ tanh(ln 2 / 12) &lt; 0.0577 after reduction to a centre:
    /// z &lt; 0.00333 and the truncation error relative to 2s is below z^8 / 17 &lt; 1e-21.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ShortAtanhSeries(double z)
        => z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (2.0 / 13 + z * (2.0 / 15)))))));

    /// <summary>
    /// ln m for m in (√2/2, √2] as hi + <paramref name="lo"/>, good to 2^-60 of its value.
    /// m = c (1 + d / c) for the nearest centre c, and ln(m / c) = 2 atanh(s) with s = d / (2c + d):
    /// d = m − c is exact (Sterbenz), s is carried with its rounding error, 2s is exact, and only
    /// s R(s²), under 0.12 % of 2s, is formed in plain double.
    /// </summary>
    private static double LogMantissa(double m, out double lo)
    {
        double c = 1, logC = 0, logCLo = 0;
        if (m < SplitDown)
            (c, logC, logCLo) = (CentreDown, LogCentreDownHi, LogCentreDownLo);
        else if (m > SplitUp)
            (c, logC, logCLo) = (CentreUp, LogCentreUpHi, LogCentreUpLo);
        double d = m - c;
        double c2 = c + c;
        double t = c2 + d;
        double tLo = d - (t - c2); // the rounding error of 2c + d, exactly (Fast2Sum: |2c| ≥ |d|)
        double s = d / t;
        // s (t + tLo) = d − e: s · t = p + TwoProductError exactly, and d − p is exact (Sterbenz).
        double p = s * t;
        double sLo = ((d - p) - TwoProductError(s, t, p) - s * tLo) / t;
        double twoS = 2.0 * s;
        double hi = logC + twoS; // Fast2Sum: |ln c| = ln 2 / 3 > |2s|, or ln c = 0
        double small = ((twoS - (hi - logC)) + logCLo) + (2.0 * sLo + s * ShortAtanhSeries(s * s));
        double sum = hi + small;
        lo = small - (sum - hi);
        return sum;
    }

    /// <summary>ln(2^k m) = k ln 2 + ln m as hi + <paramref name="lo"/>, for k and m from <see cref="Reduce(double, out double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LogExtended(int k, double m, out double lo)
    {
        double lhi = LogMantissa(m, out double llo);
        double a = k * Ln2Hi; // exact: Ln2Hi's low 32 bits are zero and |k| ≤ 1074 < 2^11
        double hi = a + lhi;
        // Fast2Sum: |a| ≥ ln 2 > |lhi| when k ≠ 0, and a = 0 otherwise.
        double small = (lhi - (hi - a)) + (llo + k * Ln2Lo);
        double sum = hi + small;
        lo = small - (sum - hi);
        return sum;
    }

    /// <summary>
    /// The rounding error of p = a · b, so that a · b = p + error exactly: Veltkamp's split and
    /// Dekker's product (Dekker 1971), only +, − and ×, exact while no partial product overflows or
    /// falls into the subnormal range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double TwoProductError(double a, double b, double p)
    {
        double c = Splitter * a;
        double aHi = c - (c - a), aLo = a - aHi;
        c = Splitter * b;
        double bHi = c - (c - b), bLo = b - bHi;
        return ((aHi * bHi - p) + aHi * bLo + aLo * bHi) + aLo * bLo;
    }

    /// <summary>e^r for |r| ≤ ln 2 / 2 (a hair more with a low part): Taylor series to r^14/14! (truncation &lt; 5e-18).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ExpSeries(double r)
        => 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
            + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
            + r * (1.0 / 479001600 + r * (1.0 / 6227020800 + r * (1.0 / 87178291200))))))))))))));

    /// <summary>p · 2^k for p near 1, with one rounding at most.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ScaleByPow2(double p, int k)
    {
        if (k is >= -1020 and <= 1020)
            return p * Pow2(k);
        // Near overflow or into the subnormal range: scale in two exact steps, one final rounding.
        int k1 = k / 2;
        return p * Pow2(k1) * Pow2(k - k1);
    }

    /// <summary>2^k for k in [−1022, 1023], exactly, from the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Pow2(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);

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

    // Four-lane versions. Each repeats its scalar original operation for operation (the polynomial
    // coefficients included), so every lane equals the scalar result bit for bit; the tests check
    // this lane by lane, which is what keeps each pair in step.

    /// <summary>
    /// <see cref="Log"/> on four lanes, for arguments that are positive normal doubles (such as the
    /// uniforms of <see cref="Philox.ToUniform01"/>): the same operations in the same order, so every
    /// lane equals the scalar result bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> LogPositiveNormal(Vector256<double> x)
    {
        Vector256<double> m = Reduce(x, out Vector256<double> dk);
        Vector256<double> f = m - Vector256<double>.One;
        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> r = AtanhSeries(s * s);
        Vector256<double> hfsq = Vector256.Create(0.5) * f * f;
        return dk * Ln2Hi - ((hfsq - (s * (hfsq + r) + dk * Ln2Lo)) - f);
    }

    /// <summary>
    /// <see cref="Pow"/> on four lanes, for x positive and normal and |y ln x| ≤ 700 (so that no
    /// special value arises and the result needs no two-step scaling): the same operations in the
    /// same order, so every lane equals the scalar result bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> PowPositiveNormal(Vector256<double> x, double y)
    {
        Vector256<double> m = Reduce(x, out Vector256<double> dk);
        Vector256<double> lhi = LogMantissa(m, out Vector256<double> llo);

        // LogExtended.
        Vector256<double> a = dk * Ln2Hi;
        Vector256<double> hi = a + lhi;
        Vector256<double> small = (lhi - (hi - a)) + (llo + dk * Ln2Lo);
        Vector256<double> log = hi + small;
        Vector256<double> logLo = small - (log - hi);

        // The tail of Pow; 2^k is built from the exponent bits of k + 1023, k from kd's low bits.
        Vector256<double> vy = Vector256.Create(y);
        Vector256<double> phi = vy * log;
        Vector256<double> plo = TwoProductError(vy, log, phi) + vy * logLo;
        Vector256<double> kd = Vector256.Round(phi * InvLn2); // to nearest, ties to even, as Math.Round
        Vector256<double> r = (phi - kd * Ln2Hi) + (plo - kd * Ln2Lo);
        Vector256<long> k = (kd + Vector256.Create(6755399441055744.0)).AsInt64() - Vector256.Create(0x4338_0000_0000_0000L);
        return ExpSeries(r) * ((k + Vector256.Create(1023L)) << 52).AsDouble();
    }

    /// <summary>
    /// <see cref="Expit"/> on four lanes for |x| ≤ 700 (so that e^−|x| needs no two-step scaling):
    /// e^−|x| by the operations of <see cref="Exp"/>, then the form <see cref="Expit"/> takes for the
    /// lane's sign, so every lane equals the scalar result bit for bit. Vector256 is exact where it is
    /// not hardware-accelerated too (each lane the same IEEE operations), so this is no platform path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> ExpitModerate(Vector256<double> x)
    {
        Vector256<double> y = -Vector256.Abs(x);
        Vector256<double> kd = Vector256.Round(y * InvLn2); // to nearest, ties to even, as Math.Round
        Vector256<double> r = (y - kd * Ln2Hi) - kd * Ln2Lo;
        Vector256<long> k = (kd + Vector256.Create(6755399441055744.0)).AsInt64() - Vector256.Create(0x4338_0000_0000_0000L);
        Vector256<double> e = ExpSeries(r) * ((k + Vector256.Create(1023L)) << 52).AsDouble();
        Vector256<double> denominator = Vector256.Create(1.0) + e;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero),
            Vector256.Create(1.0) / denominator, e / denominator);
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

    /// <summary><see cref="Reduce(double, out double)"/> for positive normal lanes; k is returned as a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Reduce(Vector256<double> x, out Vector256<double> dk)
    {
        Vector256<long> bits = x.AsInt64();
        Vector256<long> k = (bits >>> 52) - Vector256.Create(1023L);
        Vector256<double> m = ((bits & Vector256.Create(0x000F_FFFF_FFFF_FFFFL)) | Vector256.Create(0x3FF0_0000_0000_0000L)).AsDouble();
        Vector256<double> big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * 0.5, m);
        k -= big.AsInt64(); // the mask is −1 where m was halved
        // (double)k exactly for |k| < 2^51: bits of 1.5 · 2^52 + k, minus 1.5 · 2^52.
        dk = (k + Vector256.Create(0x4338_0000_0000_0000L)).AsDouble() - Vector256.Create(6755399441055744.0);
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> AtanhSeries(Vector256<double> z)
        => z * (Vector256.Create(2.0 / 3) + z * (Vector256.Create(2.0 / 5) + z * (Vector256.Create(2.0 / 7)
            + z * (Vector256.Create(2.0 / 9) + z * (Vector256.Create(2.0 / 11) + z * (Vector256.Create(2.0 / 13)
            + z * (Vector256.Create(2.0 / 15) + z * (Vector256.Create(2.0 / 17) + z * (Vector256.Create(2.0 / 19)
            + z * (Vector256.Create(2.0 / 21) + z * (Vector256.Create(2.0 / 23) + z * Vector256.Create(2.0 / 25))))))))))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ShortAtanhSeries(Vector256<double> z)
        => z * (Vector256.Create(2.0 / 3) + z * (Vector256.Create(2.0 / 5) + z * (Vector256.Create(2.0 / 7)
            + z * (Vector256.Create(2.0 / 9) + z * (Vector256.Create(2.0 / 11) + z * (Vector256.Create(2.0 / 13)
            + z * Vector256.Create(2.0 / 15)))))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LogMantissa(Vector256<double> m, out Vector256<double> lo)
    {
        Vector256<double> down = Vector256.LessThan(m, Vector256.Create(SplitDown));
        Vector256<double> up = Vector256.GreaterThan(m, Vector256.Create(SplitUp)); // never both
        Vector256<double> c = Vector256.ConditionalSelect(down, Vector256.Create(CentreDown), Vector256.ConditionalSelect(up, Vector256.Create(CentreUp), Vector256<double>.One));
        Vector256<double> logC = Vector256.ConditionalSelect(down, Vector256.Create(LogCentreDownHi), Vector256.ConditionalSelect(up, Vector256.Create(LogCentreUpHi), Vector256<double>.Zero));
        Vector256<double> logCLo = Vector256.ConditionalSelect(down, Vector256.Create(LogCentreDownLo), Vector256.ConditionalSelect(up, Vector256.Create(LogCentreUpLo), Vector256<double>.Zero));
        Vector256<double> d = m - c;
        Vector256<double> c2 = c + c;
        Vector256<double> t = c2 + d;
        Vector256<double> tLo = d - (t - c2);
        Vector256<double> s = d / t;
        Vector256<double> p = s * t;
        Vector256<double> sLo = ((d - p) - TwoProductError(s, t, p) - s * tLo) / t;
        Vector256<double> twoS = Vector256.Create(2.0) * s;
        Vector256<double> hi = logC + twoS;
        Vector256<double> small = ((twoS - (hi - logC)) + logCLo) + (Vector256.Create(2.0) * sLo + s * ShortAtanhSeries(s * s));
        Vector256<double> sum = hi + small;
        lo = small - (sum - hi);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> TwoProductError(Vector256<double> a, Vector256<double> b, Vector256<double> p)
    {
        Vector256<double> splitter = Vector256.Create(Splitter);
        Vector256<double> c = splitter * a;
        Vector256<double> aHi = c - (c - a), aLo = a - aHi;
        c = splitter * b;
        Vector256<double> bHi = c - (c - b), bLo = b - bHi;
        return ((aHi * bHi - p) + aHi * bLo + aLo * bHi) + aLo * bLo;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpSeries(Vector256<double> r)
        => Vector256<double>.One + r * (Vector256<double>.One + r * (Vector256.Create(1.0 / 2) + r * (Vector256.Create(1.0 / 6)
            + r * (Vector256.Create(1.0 / 24) + r * (Vector256.Create(1.0 / 120) + r * (Vector256.Create(1.0 / 720)
            + r * (Vector256.Create(1.0 / 5040) + r * (Vector256.Create(1.0 / 40320) + r * (Vector256.Create(1.0 / 362880)
            + r * (Vector256.Create(1.0 / 3628800) + r * (Vector256.Create(1.0 / 39916800) + r * (Vector256.Create(1.0 / 479001600)
            + r * (Vector256.Create(1.0 / 6227020800) + r * Vector256.Create(1.0 / 87178291200))))))))))))));

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
}
