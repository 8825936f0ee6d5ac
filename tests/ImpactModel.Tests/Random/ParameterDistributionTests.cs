using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

/// <summary>
/// The scenario's parameter distributions, drawn as a replicate would (Parameters stream, one index
/// per draw here to get a sample). KS at false-alarm 1e-4 and moments within 4 standard errors
/// (about 6.3e-5 each), fixed seed, n = 100,000.
/// </summary>
public class ParameterDistributionTests
{
    private const int N = 100_000;
    private static readonly RngKey Key = RngKey.From(7, 11, RngStream.Parameters);

    private static double[] Draw(ParameterDistribution d)
    {
        var x = new double[N];
        for (int i = 0; i < N; i++)
            x[i] = d.Sample(Key, i);
        return x;
    }

    /// <summary>∫ g(x) f(x) dx by composite Simpson on [lo, hi] (2m panels; error ~ h⁴, far below the SEs).</summary>
    private static double Integrate(Func<double, double> g, double lo, double hi, int m = 20_000)
    {
        double h = (hi - lo) / (2 * m), s = g(lo) + g(hi);
        for (int i = 1; i < 2 * m; i++)
            s += g(lo + i * h) * (i % 2 == 1 ? 4 : 2);
        return s * h / 3;
    }

    [Fact, Trait("Category", "Statistical")]
    public void Uniform_parameter_fits_uniform_a_b()
    {
        var d = new UniformDistribution(2, 5);
        double[] x = Draw(d);
        Stat.AssertKs(x, v => (v - 2) / 3);
        // Fourth central moment of U(a, b): (b − a)⁴ / 80.
        Stat.AssertMean(x, d.Expectation, d.Variance);
        Stat.AssertVariance(x, d.Variance, Math.Pow(3, 4) / 80);
        Assert.Equal("uniform(2, 5)", d.ToString());
    }

    [Fact, Trait("Category", "Statistical")]
    public void Triangular_parameter_fits_triangular_min_mode_max()
    {
        double a = 0.01, c = 0.02, b = 0.05;
        var d = new TriangularDistribution(a, c, b);
        double[] x = Draw(d);
        double Cdf(double v) => v <= c
            ? (v - a) * (v - a) / ((b - a) * (c - a))
            : 1 - (b - v) * (b - v) / ((b - a) * (b - c));
        Stat.AssertKs(x, Cdf);
        double Pdf(double v) => v <= c ? 2 * (v - a) / ((b - a) * (c - a)) : 2 * (b - v) / ((b - a) * (b - c));
        double mean = d.Expectation;
        // Simpson on each linear piece separately (the pdf has a kink at the mode).
        double mu4 = Integrate(v => Math.Pow(v - mean, 4) * Pdf(v), a, c) + Integrate(v => Math.Pow(v - mean, 4) * Pdf(v), c, b);
        Stat.AssertMean(x, mean, d.Variance);
        Stat.AssertVariance(x, d.Variance, mu4);
        Assert.Equal("triangular(0.01, 0.02, 0.05)", d.ToString());
    }

    [Fact, Trait("Category", "Statistical")]
    public void Beta_parameter_fits_beta_2_50()
    {
        var d = new BetaDistribution(2, 50);
        double[] x = Draw(d);
        // Integer shapes: I_x(2, 50) = 1 − (1−x)^51 − 51 x (1−x)^50.
        Stat.AssertKs(x, v => 1 - Math.Pow(1 - v, 51) - 51 * v * Math.Pow(1 - v, 50));
        double M(int k)
        {
            double m = 1;
            for (int i = 0; i < k; i++)
                m *= (2.0 + i) / (52.0 + i);
            return m;
        }
        Stat.AssertMoments(x, M(1), M(2), M(3), M(4));
        Assert.Equal(M(1), d.Expectation, 15);
        Assert.Equal(M(2) - M(1) * M(1), d.Variance, 15);
        Assert.Equal("beta(2, 50)", d.ToString());
    }

    [Fact, Trait("Category", "Statistical")]
    public void Normal_parameter_fits_normal_m_sd()
    {
        var d = new NormalDistribution(10, 2);
        double[] x = Draw(d);
        Stat.AssertKs(x, v => Stat.NormalCdf((v - 10) / 2));
        Stat.AssertMean(x, 10, 4);
        Stat.AssertVariance(x, 4, 3 * 16); // μ4 = 3σ⁴
        Assert.Equal("normal(10, 2)", d.ToString());
    }

    [Fact, Trait("Category", "Statistical")]
    public void Lognormal_parameter_has_mean_400_and_sd_150_on_the_natural_scale()
    {
        var d = new LogNormalDistribution(400, 150);
        double[] x = Draw(d);
        LogNormalShape s = d.Shape;
        Stat.AssertKs(x, v => Stat.NormalCdf((Math.Log(v) - s.Mu) / s.Sigma));
        double M(int k) => Math.Exp(k * s.Mu + k * k * s.Sigma * s.Sigma / 2);
        Stat.AssertMoments(x, M(1), M(2), M(3), M(4));
        Assert.Equal(400, M(1), 9);
        Assert.Equal(150 * 150, M(2) - M(1) * M(1), 6);
        Assert.Equal("lognormal(400, 150)", d.ToString());
    }

    [Fact]
    public void Fixed_parameter_is_its_value_and_samples_are_pure_functions_of_key_and_index()
    {
        var f = new FixedDistribution(0.035);
        Assert.Equal(0.035, f.Sample(Key, 3));
        Assert.Equal(0, f.Variance);
        var b = new BetaDistribution(2, 50);
        Assert.Equal(b.Sample(Key, 5), b.Sample(Key, 5));
        Assert.NotEqual(b.Sample(Key, 5), b.Sample(Key, 6));
        Assert.NotEqual(b.Sample(Key, 5), b.Sample(RngKey.From(7, 12, RngStream.Parameters), 5));
    }

    [Fact]
    public void Invalid_parameters_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UniformDistribution(5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TriangularDistribution(0.1, 0.05, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TriangularDistribution(1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BetaDistribution(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NormalDistribution(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogNormalDistribution(-400, 150));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedDistribution(double.NaN));
    }
}
