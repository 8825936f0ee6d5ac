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
}
