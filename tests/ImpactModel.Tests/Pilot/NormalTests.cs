using ImpactModel.Pilot;

namespace ImpactModel.Tests.Pilot;

/// <summary>The normal distribution against values printed by R 4.2.2 (print(x, digits = 17)).</summary>
public class NormalTests
{
    [Theory]
    [InlineData(0.975, 1.9599639845400536)]
    [InlineData(0.8, 0.84162123357291441)]
    [InlineData(0.95, 1.6448536269514715)]
    [InlineData(0.5, 0.0)]
    [InlineData(1e-10, -6.3613409024040557)]
    [InlineData(0.001, -3.0902323061678132)]
    public void Quantile_matches_R_qnorm(double p, double expected)
        => Assert.Equal(expected, Normal.Quantile(p), 14);

    [Theory]
    [InlineData(-1.96, 0.024997895148220428)]
    [InlineData(0.5, 0.69146246127401301)]
    [InlineData(3.0, 0.9986501019683699)]
    [InlineData(-10.0, 7.6198530241605269e-24)]
    public void Cdf_matches_R_pnorm(double x, double expected)
        => Assert.True(Math.Abs(Normal.Cdf(x) - expected) <= 4e-16 * expected, $"{Normal.Cdf(x):R}");

    [Fact]
    public void Quantile_and_cdf_invert_each_other()
    {
        for (double p = 0.001; p < 1; p += 0.001)
            Assert.True(Math.Abs(Normal.Cdf(Normal.Quantile(p)) - p) < 1e-15, $"p={p}");
    }

    [Fact]
    public void Upper_tail_keeps_precision_far_out()
        => Assert.True(Math.Abs(Normal.UpperTail(10.0) - 7.6198530241605269e-24) < 1e-37);
}
