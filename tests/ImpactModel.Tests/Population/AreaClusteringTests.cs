using ImpactModel.Population;

namespace ImpactModel.Tests.Population;

/// <summary>
/// The clustering figures <c>impact describe</c> prints, against R (base R 4.2.2: <c>integrate</c>,
/// <c>uniroot</c> and <c>aov</c>); the scripts that produced each value are in <c>reference/</c>.
/// </summary>
public class AreaClusteringTests
{
    /// <summary>reference/logit-normal-icc.R: R's adaptive quadrature against our Simpson's rule; both accurate to about 1e-12.</summary>
    [Theory]
    [InlineData(0.1, 0.3, 8.192001487082119e-03)]
    [InlineData(0.5, 1, 1.735161434323720e-01)]
    [InlineData(0.01, 0.2, 4.033622656149195e-04)]
    [InlineData(0.24, 0.15, 4.082744012849342e-03)]
    [InlineData(0.003, 0.5, 8.462470033674342e-04)]
    [InlineData(0.9, 2, 2.865460881563192e-01)]
    public void The_logit_normal_ICC_matches_R(double prevalence, double sd, double expected) =>
        Assert.True(Math.Abs(AreaClustering.LogitNormalIcc(prevalence, sd) - expected) <= 1e-9 * expected,
            $"{AreaClustering.LogitNormalIcc(prevalence, sd):E15} vs R {expected:E15}");

    [Fact]
    public void The_ICC_is_0_without_variation_or_at_a_certain_prevalence()
    {
        Assert.Equal(0, AreaClustering.LogitNormalIcc(0.2, 0));
        Assert.Equal(0, AreaClustering.LogitNormalIcc(0, 0.5));
        Assert.Equal(0, AreaClustering.LogitNormalIcc(1, 0.5));
    }

    /// <summary>reference/anova-icc.R: the same estimate from person-level data through R's aov.</summary>
    [Fact]
    public void The_ANOVA_estimate_matches_R_aov_on_person_level_data()
    {
        (double icc, double se) = AreaClustering.Anova([3, 10, 0, 25, 7, 12], [40, 55, 20, 90, 33, 61]);
        Assert.Equal(3.257581173455944e-02, icc, 13);
        Assert.True(se > 0 && double.IsFinite(se));
    }

    [Fact]
    public void The_ICC_of_known_prevalences_is_their_between_variance_over_p_times_1_minus_p()
    {
        // Two equal areas at 0.1 and 0.3: mean 0.2, between variance 0.01, ICC 0.01 / 0.16.
        Assert.Equal(0.0625, AreaClustering.IccOf([0.1, 0.3], [0.5, 0.5]), 14);
        Assert.Equal(0, AreaClustering.IccOf([0.2, 0.2, 0.2], [0.2, 0.3, 0.5]), 14);
    }
}
