using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

/// <summary>
/// Goodness of fit (KS for continuous, chi-square for discrete) at false-alarm probability
/// <see cref="Stat.Alpha"/> = 1e-4 and mean/variance within <see cref="Stat.K"/> = 4 standard errors
/// (false alarm about 6.3e-5 each), at fixed seeds: one person per variate, n = 100,000.
/// </summary>
public class DistributionTests
{
    private const int N = 100_000;
    private static readonly RngKey Key = RngKey.From(20261126, 0, RngStream.StrandOutcomes);

    private static double[] Draw(Func<long, double> f)
    {
        var x = new double[N];
        for (int i = 0; i < N; i++)
            x[i] = f(i);
        return x;
    }

    [Fact, Trait("Category", "Statistical")]
    public void Uniform_is_uniform_on_the_open_unit_interval()
    {
        double[] u = Draw(p => Philox.Uniform01(Key, p, 0));
        Stat.AssertKs(u, x => x);
        // U(0,1): mean 1/2, variance 1/12, fourth central moment 1/80.
        Stat.AssertMean(u, 0.5, 1.0 / 12);
        Stat.AssertVariance(u, 1.0 / 12, 1.0 / 80);
        Assert.All(u, x => Assert.InRange(x, Math.Pow(2, -53), 1 - Math.Pow(2, -53)));
    }

    [Fact]
    public void Uniform_takes_its_extreme_values_at_the_extreme_words()
    {
        Assert.Equal(Math.Pow(2, -53), Philox.ToUniform01(0, 0));
        Assert.Equal(1 - Math.Pow(2, -53), Philox.ToUniform01(uint.MaxValue, uint.MaxValue));
        Assert.Equal(0.5 + Math.Pow(2, -53), Philox.ToUniform01(0, 0x8000_0000));
        Assert.True(double.IsFinite(Math.Log(Philox.ToUniform01(0, 0))));
    }

    [Theory, Trait("Category", "Statistical")]
    [InlineData(0.3)]
    [InlineData(0.001)]
    public void Bernoulli_fires_at_its_rate(double p)
    {
        var t = BernoulliThreshold.FromProbability(p);
        Assert.True(Math.Abs(t.Probability - p) <= Math.Pow(2, -33));
        double[] x = Draw(i => Philox.Bernoulli(Key, i, 1, t) ? 1 : 0);
        long ones = (long)x.Sum();
        Stat.AssertChiSquare([N - ones, ones], [1 - p, p]);
        // Bernoulli: variance p(1−p), fourth central moment p(1−p)(1 − 3p + 3p²).
        Stat.AssertMean(x, p, p * (1 - p));
        Stat.AssertVariance(x, p * (1 - p), p * (1 - p) * (1 - 3 * p + 3 * p * p));
    }

    [Fact]
    public void Bernoulli_of_0_never_fires_and_of_1_always_fires()
    {
        var never = BernoulliThreshold.FromProbability(0);
        var always = BernoulliThreshold.FromProbability(1);
        Assert.False(never.Test(0));
        Assert.True(always.Test(uint.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => BernoulliThreshold.FromProbability(1.0000001));
        Assert.Throws<ArgumentOutOfRangeException>(() => BernoulliThreshold.FromProbability(double.NaN));
    }

    [Fact, Trait("Category", "Statistical")]
    public void Alias_table_draws_each_category_at_its_weight()
    {
        double[] w = [5, 2, 1.5, 1, 0.5, 0, 0.01];
        var table = new AliasTable(w);
        double total = w.Sum();
        var p = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            p[i] = table.Probability(i);
            // Integer columns and thresholds: within n / 2^32 of the weight.
            Assert.True(Math.Abs(p[i] - w[i] / total) <= w.Length / 4294967296.0, $"category {i}: {p[i]} vs {w[i] / total}");
        }
        Assert.Equal(1.0, p.Sum(), 12);
        var counts = new long[w.Length];
        var x = new double[N];
        for (int i = 0; i < N; i++)
        {
            int c = table.Sample(Key, i, 2);
            counts[c]++;
            x[i] = c;
        }
        Stat.AssertChiSquare(counts, p); // also asserts the zero-weight category never occurs
        // The category index as a variable: raw moments Σ i^k p_i.
        double M(int k) => p.Select((pi, i) => Math.Pow(i, k) * pi).Sum();
        Stat.AssertMoments(x, M(1), M(2), M(3), M(4));
    }

    [Fact]
    public void Alias_table_rejects_bad_weights()
    {
        Assert.Throws<ArgumentException>(() => new AliasTable([]));
        Assert.Throws<ArgumentException>(() => new AliasTable([1, -1]));
        Assert.Throws<ArgumentException>(() => new AliasTable([0, 0]));
        Assert.Throws<ArgumentException>(() => new AliasTable([1, double.NaN]));
        Assert.Equal(0, new AliasTable([3]).Sample(uint.MaxValue, uint.MaxValue));
    }

    [Fact, Trait("Category", "Statistical")]
    public void Normal_is_standard_normal()
    {
        double[] z = Draw(p => Philox.Normal(Key, p, 3));
        Stat.AssertKs(z, Stat.NormalCdf);
        Stat.AssertMean(z, 0, 1);
        Stat.AssertVariance(z, 1, 3); // fourth central moment of N(0,1) is 3
    }

    [Fact, Trait("Category", "Statistical")]
    public void Lognormal_has_the_declared_natural_scale_mean_and_sd()
    {
        var shape = LogNormalShape.FromMeanSd(400, 150);
        Assert.Equal(400, shape.Mean, 9);
        Assert.Equal(150 * 150, shape.Variance, 6);
        double[] x = Draw(p => Philox.LogNormal(Key, p, 4, shape));
        Stat.AssertKs(x, v => Stat.NormalCdf((Math.Log(v) - shape.Mu) / shape.Sigma));
        // Raw moments E[X^k] = exp(kμ + k²σ²/2).
        double M(int k) => Math.Exp(k * shape.Mu + k * k * shape.Sigma * shape.Sigma / 2);
        Stat.AssertMoments(x, M(1), M(2), M(3), M(4));
    }

    public static TheoryData<double> GammaShapes => new() { 3.0, 0.5 };

    [Theory, MemberData(nameof(GammaShapes)), Trait("Category", "Statistical")]
    public void Gamma_fits_its_distribution(double a)
    {
        double[] x = Draw(p => Philox.Gamma(Key, p, 5, a));
        // Closed-form CDFs: shape 3 is Erlang, 1 − e^−x (1 + x + x²/2); shape 1/2 is χ²₁/2, erf(√x).
        Func<double, double> cdf = a == 3.0
            ? v => 1 - Math.Exp(-v) * (1 + v + v * v / 2)
            : v => Stat.Erf(Math.Sqrt(v));
        Stat.AssertKs(x, cdf);
        // Raw moments of Gamma(a, 1): E[X^k] = a (a+1) ... (a+k−1).
        Stat.AssertMoments(x, a, a * (a + 1), a * (a + 1) * (a + 2), a * (a + 1) * (a + 2) * (a + 3));
    }

    public static TheoryData<double, double> BetaShapes => new() { { 2, 5 }, { 0.5, 0.5 } };

    [Theory, MemberData(nameof(BetaShapes)), Trait("Category", "Statistical")]
    public void Beta_fits_its_distribution(double a, double b)
    {
        double[] x = Draw(p => Philox.Beta(Key, p, 6, a, b));
        Assert.All(x, v => Assert.InRange(v, 0, 1));
        // Closed-form CDFs: beta(2, 5) = 1 − (1−x)^6 − 6x(1−x)^5; beta(½, ½) is the arcsine law (2/π) asin √x.
        Func<double, double> cdf = a == 2
            ? v => 1 - Math.Pow(1 - v, 6) - 6 * v * Math.Pow(1 - v, 5)
            : v => 2 / Math.PI * Math.Asin(Math.Sqrt(v));
        Stat.AssertKs(x, cdf);
        // Raw moments E[X^k] = Π_{i<k} (a + i)/(a + b + i).
        double M(int k)
        {
            double m = 1;
            for (int i = 0; i < k; i++)
                m *= (a + i) / (a + b + i);
            return m;
        }
        Stat.AssertMoments(x, M(1), M(2), M(3), M(4));
    }

    [Fact]
    public void Beta_with_tiny_shapes_stays_in_the_unit_interval()
    {
        for (int p = 0; p < 2000; p++)
            Assert.InRange(Philox.Beta(Key, p, 7, 0.01, 0.02), 0, 1);
    }

    [Theory, Trait("Category", "Statistical")]
    [InlineData(3.5)]
    [InlineData(0.05)]
    [InlineData(40)]
    public void Poisson_fits_its_distribution(double mean)
    {
        double[] x = Draw(p => Philox.Poisson(Key, p, 8, mean));
        // Consecutive counts are pooled greedily into cells expecting at least 5; what is left at
        // the right end (and the tail beyond kmax, below 1e-30) goes into the last cell.
        int kmax = (int)(mean + 20 * Math.Sqrt(mean) + 20);
        var cellOf = new int[kmax + 1];
        var pmf = new List<double>();
        double pk = Math.Exp(-mean), cur = 0, total = 0;
        for (int k = 0; k <= kmax; k++)
        {
            if (k > 0)
                pk *= mean / k;
            cur += pk;
            total += pk;
            cellOf[k] = pmf.Count;
            if (N * cur >= 5)
            {
                pmf.Add(cur);
                cur = 0;
            }
        }
        for (int k = 0; k <= kmax; k++)
            cellOf[k] = Math.Min(cellOf[k], pmf.Count - 1);
        pmf[^1] += cur + (1 - total);
        var counts = new long[pmf.Count];
        foreach (double v in x)
            counts[cellOf[Math.Min((int)v, kmax)]]++;
        Stat.AssertChiSquare(counts, [.. pmf]);
        // Poisson: variance λ, fourth central moment λ(1 + 3λ).
        Stat.AssertMean(x, mean, mean);
        Stat.AssertVariance(x, mean, mean * (1 + 3 * mean));
    }

    [Fact]
    public void Poisson_of_mean_0_is_0_and_bad_means_are_rejected()
    {
        Assert.Equal(0, Philox.Poisson(Key, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Poisson(Key, 1, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Poisson(Key, 1, 0, Philox.PoissonMeanLimit + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Gamma(Key, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Beta(Key, 1, 0, 1, double.PositiveInfinity));
    }
}
