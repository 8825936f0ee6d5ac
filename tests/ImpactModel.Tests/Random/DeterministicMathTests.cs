using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

public class DeterministicMathTests
{
    // The functions aim at about 1-2 ulp; 4 ulp (relative 4 × 2^-52 ≈ 8.9e-16) leaves room for the
    // platform library's own error, and a wrong constant or missing term fails by far more.
    private const double RelTol = 4 * 2.220446049250313e-16;

    private static void AssertClose(double expected, double actual, double scale)
        => Assert.True(Math.Abs(expected - actual) <= RelTol * scale, $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Log_agrees_with_the_platform_log_across_the_range()
    {
        var rng = new System.Random(1);
        for (int i = 0; i < 100_000; i++)
        {
            double x = Math.Exp(rng.NextDouble() * 1400 - 700);
            double expected = Math.Log(x);
            AssertClose(expected, DeterministicMath.Log(x), Math.Max(Math.Abs(expected), 1e-300));
        }
        for (int i = 0; i < 100_000; i++)
        {
            double x = Philox.ToUniform01((uint)rng.Next(), (uint)rng.Next()); // the Box–Muller inputs
            AssertClose(Math.Log(x), DeterministicMath.Log(x), Math.Abs(Math.Log(x)));
        }
        Assert.Equal(0.0, DeterministicMath.Log(1.0));
        AssertClose(Math.Log(double.Epsilon), DeterministicMath.Log(double.Epsilon), 745);
        AssertClose(Math.Log(double.MaxValue), DeterministicMath.Log(double.MaxValue), 710);
        Assert.Equal(double.NegativeInfinity, DeterministicMath.Log(0.0));
        Assert.True(double.IsNaN(DeterministicMath.Log(-1)));
        Assert.True(double.IsNaN(DeterministicMath.Log(double.NaN)));
        Assert.Equal(double.PositiveInfinity, DeterministicMath.Log(double.PositiveInfinity));
    }

    [Fact]
    public void Exp_agrees_with_the_platform_exp_across_the_range()
    {
        var rng = new System.Random(2);
        for (int i = 0; i < 100_000; i++)
        {
            double x = rng.NextDouble() * 1400 - 700;
            double expected = Math.Exp(x);
            AssertClose(expected, DeterministicMath.Exp(x), expected);
        }
        Assert.Equal(1.0, DeterministicMath.Exp(0));
        Assert.Equal(double.PositiveInfinity, DeterministicMath.Exp(710));
        Assert.Equal(0.0, DeterministicMath.Exp(-746));
        AssertClose(Math.Exp(709.7), DeterministicMath.Exp(709.7), Math.Exp(709.7));
        // Subnormal results: absolute error of a unit in the last place of the smallest subnormal.
        Assert.True(Math.Abs(Math.Exp(-740) - DeterministicMath.Exp(-740)) <= 2 * double.Epsilon);
    }

    /// <summary>|a − b| in units in the last place of b.</summary>
    private static double Ulps(double a, double b)
    {
        if (a == b)
            return 0;
        double magnitude = Math.Abs(b);
        return Math.Abs(a - b) / (Math.BitIncrement(magnitude) - magnitude);
    }

    // The platform's own error, which a comparison with it adds to ours: glibc's log2, exp and pow
    // are within about 0.52 ulp, and the other platforms' within 1. A tolerance is our bound plus this.
    private const double PlatformUlps = 1;

    [Fact]
    public void Log2_agrees_with_the_platform_log2_and_is_exact_at_powers_of_two()
    {
        // Bound: 1 ulp (k + ln m / ln 2 in double-double, one final rounding).
        var rng = new System.Random(5);
        for (int i = 0; i < 100_000; i++)
        {
            double x = i % 2 == 0 ? Math.Exp(rng.NextDouble() * 1400 - 700) : rng.NextDouble() * 1.5 + 0.5; // wide, and near 1
            double ulps = Ulps(DeterministicMath.Log2(x), Math.Log2(x));
            Assert.True(ulps <= 1 + PlatformUlps, $"log2({x:R}) is {ulps} ulp from the platform's");
        }
        for (int k = -1074; k <= 1023; k++)
            Assert.Equal(k, DeterministicMath.Log2(Math.ScaleB(1.0, k)));
        Assert.Equal(double.NegativeInfinity, DeterministicMath.Log2(0.0));
        Assert.True(double.IsNaN(DeterministicMath.Log2(-1)));
        Assert.True(double.IsNaN(DeterministicMath.Log2(double.NaN)));
        Assert.Equal(double.PositiveInfinity, DeterministicMath.Log2(double.PositiveInfinity));
    }

    [Fact]
    public void Expit_agrees_with_the_platform_logistic_on_both_sides_and_saturates_without_overflow()
    {
        // Bound: 2 ulp each way (Exp's 1, the sum and the quotient), the reference formula likewise
        // with Math.Exp, so the two differ by at most 4.
        var rng = new System.Random(6);
        for (int i = 0; i < 100_000; i++)
        {
            double x = i % 2 == 0 ? rng.NextDouble() * 80 - 40 : rng.NextDouble() * 1450 - 725;
            double expected = x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
            double ulps = Ulps(DeterministicMath.Expit(x), expected);
            Assert.True(ulps <= 4, $"expit({x:R}) is {ulps} ulp from the platform formula's");
        }
        Assert.Equal(0.5, DeterministicMath.Expit(0));
        Assert.Equal(1.0, DeterministicMath.Expit(800));
        Assert.Equal(0.0, DeterministicMath.Expit(-800));
        Assert.Equal(1.0, DeterministicMath.Expit(double.PositiveInfinity));
        Assert.Equal(0.0, DeterministicMath.Expit(double.NegativeInfinity));
        Assert.True(double.IsNaN(DeterministicMath.Expit(double.NaN)));
    }

    [Fact]
    public void Pow_agrees_with_the_platform_pow_over_the_engines_uses_and_the_whole_range()
    {
        // Bound: 1 + |y ln x| / 128 ulp (the exponential's rounding, and the double-double ln x good
        // to 2^-60 of its value, scaled by y).
        var rng = new System.Random(7);
        void Check(double x, double y)
        {
            double bound = 1 + Math.Abs(y * Math.Log(x)) / 128 + PlatformUlps;
            double ulps = Ulps(DeterministicMath.Pow(x, y), Math.Pow(x, y));
            Assert.True(ulps <= bound, $"pow({x:R}, {y:R}) is {ulps} ulp from the platform's (bound {bound})");
        }

        for (int i = 0; i < 100_000; i++)
            Check(1 - rng.NextInt64(0, 1L << 32) / 4294967296.0, -1 / 2.5); // the Pareto income tail, (1 − f)^(−1/α)
        for (int i = 0; i < 100_000; i++)
            Check(1 + rng.NextDouble() * 0.2, -rng.Next(0, 101));       // discount factors (1 + r)^−t
        for (int i = 0; i < 100_000; i++)
        {
            double x = i % 2 == 0 ? Math.Exp(rng.NextDouble() * 1400 - 700) : 0.7 + rng.NextDouble() * 0.72;
            Check(x, (rng.NextDouble() * 1400 - 700) / Math.Log(x)); // |y ln x| ≤ 700, results from 1e-304 to 1e304
        }
    }

    [Fact]
    public void Pow_gives_the_special_values_of_IEEE_754_and_exact_small_powers()
    {
        double[] values =
        [
            0.0, -0.0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 2.5, -2.5, 1e-310, -1e-310, 1e300, -1e300,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        ];
        foreach (double x in values)
        {
            foreach (double y in values)
            {
                double expected = Math.Pow(x, y), actual = DeterministicMath.Pow(x, y);
                string what = $"pow({x:R}, {y:R}) = {actual:R}, platform {expected:R}";
                if (double.IsNaN(expected))
                    Assert.True(double.IsNaN(actual), what);
                else if (double.IsFinite(expected) && expected != 0 && Math.Abs(expected) != 1)
                    Assert.True(Ulps(actual, expected) <= 1 + PlatformUlps, what);
                else // ±0, ±1 and ±∞ exactly, the sign of zero included
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), what);
            }
        }
        Assert.Equal(8.0, DeterministicMath.Pow(2, 3));
        Assert.Equal(-8.0, DeterministicMath.Pow(-2, 3));
        Assert.Equal(1e-3, DeterministicMath.Pow(10, -3));
        Assert.Equal(double.Epsilon, DeterministicMath.Pow(2, -1074));
        Assert.Equal(Math.ScaleB(1.0, 1023), DeterministicMath.Pow(2, 1023));
        Assert.Equal(double.PositiveInfinity, DeterministicMath.Pow(2, 1024));
    }

    [Fact]
    public void Cos_two_pi_agrees_with_the_platform_cos()
    {
        var rng = new System.Random(3);
        for (int i = 0; i < 100_000; i++)
        {
            double u = rng.NextDouble() * 4 - 2;
            // Reference on the exactly reduced argument v = u − round(u), |2πv| ≤ π, so the rounding of
            // 2πv moves it by at most π × 2^-53 ≈ 3.5e-16; 1e-15 absolute covers that plus 2 ulp.
            double v = u - Math.Round(u);
            Assert.True(Math.Abs(Math.Cos(2 * Math.PI * v) - DeterministicMath.CosTwoPi(u)) < 1e-15, $"u = {u:R}");
        }
        Assert.Equal(1.0, DeterministicMath.CosTwoPi(0));
        Assert.Equal(-1.0, DeterministicMath.CosTwoPi(0.5));
        Assert.Equal(0.0, DeterministicMath.CosTwoPi(0.25), 15);
    }

    [Fact]
    public void Vector_log_and_cos_give_the_scalar_bits_lane_by_lane()
    {
        var rng = new System.Random(4);
        var inputs = new List<double>
        {
            Math.Pow(2, -53), 1 - Math.Pow(2, -53), 0.5, 0.5 + Math.Pow(2, -53), 0.125, 0.375, 0.25, 0.75, 0.625, 0.875,
            Math.Sqrt(2) / 2, BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(Math.Sqrt(2) / 2) + 1), 1e-300,
        };
        for (int i = 0; i < 100_000; i++)
            inputs.Add(Philox.ToUniform01((uint)rng.Next(), (uint)rng.Next()));
        while (inputs.Count % 4 != 0)
            inputs.Add(0.3);
        for (int i = 0; i < inputs.Count; i += 4)
        {
            var v = System.Runtime.Intrinsics.Vector256.Create(inputs[i], inputs[i + 1], inputs[i + 2], inputs[i + 3]);
            var log = DeterministicMath.LogPositiveNormal(v);
            var cos = DeterministicMath.CosTwoPiUnit(v);
            for (int lane = 0; lane < 4; lane++)
            {
                Assert.Equal(DeterministicMath.Log(inputs[i + lane]), log[lane]);
                Assert.Equal(DeterministicMath.CosTwoPi(inputs[i + lane]), cos[lane]);
            }
        }
    }

    [Fact]
    public void Vector_pow_gives_the_scalar_bits_lane_by_lane()
    {
        // Each case is four lanes under one exponent y, all within the vector's range |y ln x| ≤ 700.
        var rng = new System.Random(8);
        var cases = new List<(double[] X, double Y)>();
        // The centres' split points, √2, √2/2 and 1 with their neighbours, where the reduction turns.
        foreach (double edge in new[] { 0.8908987181403393, 1.122462048309373, Math.Sqrt(2), Math.Sqrt(2) / 2, 1 })
            cases.Add(([Math.BitDecrement(edge), edge, Math.BitIncrement(edge), Math.ScaleB(1.0, -32)], -0.4));
        for (int i = 0; i < 25_000; i++)
        {
            // The income tail's arguments 1 − f in [2^-32, 1] under −1/α ...
            var tail = new double[4];
            for (int lane = 0; lane < 4; lane++)
                tail[lane] = 1 - rng.NextInt64(0, 1L << 32) / 4294967296.0;
            cases.Add((tail, -1 / 2.5));
            // ... and x across the range with |y ln x| ≤ 700 in every lane.
            double x = Math.Exp(rng.NextDouble() * 1400 - 700);
            double y = (rng.NextDouble() * 1400 - 700) / Math.Log(x);
            cases.Add(([x, Math.Sqrt(x), Math.Sqrt(Math.Sqrt(x)), 1], y));
        }
        foreach (var (x, y) in cases)
        {
            var v = DeterministicMath.PowPositiveNormal(System.Runtime.Intrinsics.Vector256.Create(x[0], x[1], x[2], x[3]), y);
            for (int lane = 0; lane < 4; lane++)
                Assert.Equal(DeterministicMath.Pow(x[lane], y), v[lane]);
        }
    }

    [Fact]
    public void Expit_on_four_lanes_is_the_scalar_expit_bit_for_bit()
    {
        var random = new System.Random(16);
        for (int i = 0; i < 200_000; i++)
        {
            // Every scale from tiny to ±700, both signs, and the exact zeros.
            double[] x = [.. Enumerable.Range(0, 4).Select(_ => i < 4 ? (i % 2 == 0 ? 0.0 : -0.0)
                : (random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-12, 3)) * (random.Next(8) == 0 ? 7 : 1))];
            System.Runtime.Intrinsics.Vector256<double> lanes = DeterministicMath.ExpitModerate(System.Runtime.Intrinsics.Vector256.Create(x));
            for (int j = 0; j < 4; j++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(DeterministicMath.Expit(x[j])), BitConverter.DoubleToInt64Bits(lanes[j]));
        }
    }
}
