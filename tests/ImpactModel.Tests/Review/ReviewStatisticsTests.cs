using System.Globalization;
using ImpactModel.Review;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Review;

/// <summary>
/// The sensitivity analysis' statistics against R: the percentiles at which parameters are pinned
/// (qbeta, qnorm, qlnorm, qunif, a numerically inverted triangular CDF, and the spread by grade)
/// and Spearman's rank correlation (cor(method = "spearman")). The reference values come from
/// R/review_reference.R beside this file.
/// </summary>
public sealed class ReviewStatisticsTests
{
    private static Parameter Of(Distribution value, double spread = 0, ParameterKind? kind = null) =>
        new(value, new Evidence(null, EvidenceGrade.Assumption), "p", default) { Spread = spread, Kind = kind };

    private static readonly Dictionary<string, Parameter> Parameters = new(StringComparer.Ordinal)
    {
        ["beta(2, 50)"] = Of(new BetaDistribution(2, 50)),
        ["beta(25, 975)"] = Of(new BetaDistribution(25, 975)),
        ["beta(0.5, 0.5)"] = Of(new BetaDistribution(0.5, 0.5)),
        ["normal(3, 2)"] = Of(new NormalDistribution(3, 2)),
        ["lognormal(400, 150)"] = Of(new LogNormalDistribution(400, 150)),
        ["uniform(1, 5)"] = Of(new UniformDistribution(1, 5)),
        ["triangular(0.01, 0.02, 0.05)"] = Of(new TriangularDistribution(0.01, 0.02, 0.05)),
        ["probability 0.2 spread 0.3"] = Of(new FixedValue(0.2), 0.3, ParameterKind.Probability),
        ["money 150 spread 0.3"] = Of(new FixedValue(150), 0.3, ParameterKind.Money),
    };

    private static IEnumerable<string[]> Reference(string file) =>
        File.ReadLines(ValidateCommandTests.RepositoryFile("tests", "ImpactModel.Tests", "Review", "R", file)).Skip(1)
            .Select(Fields);

    /// <summary>The fields of one line of R's write.csv (every text field quoted, no quote inside one).</summary>
    private static string[] Fields(string line)
    {
        var fields = new List<string>();
        for (int i = 0; i <= line.Length;)
        {
            int end = line.Length > i && line[i] == '"' ? line.IndexOf('"', i + 1) + 1 : i;
            end = line.IndexOf(',', end) is var comma && comma >= 0 ? comma : line.Length;
            fields.Add(line[i..end].Trim('"'));
            i = end + 1;
        }

        return [.. fields];
    }

    [Fact]
    public void Percentiles_match_R_for_every_distribution_and_for_a_spread_by_grade()
    {
        int checkedRows = 0;
        foreach (string[] row in Reference("quantiles_reference.csv"))
        {
            string distribution = row[0];
            double p = double.Parse(row[1], CultureInfo.InvariantCulture), expected = double.Parse(row[2], CultureInfo.InvariantCulture);
            double actual = ParameterQuantiles.Of(Parameters[distribution], p);
            // The beta quantile bisects the regularised incomplete beta (a continued fraction good to
            // about 1e-14), the others are closed forms over AS 241: 1e-10 relative bounds both.
            Assert.True(Math.Abs(actual - expected) <= 1e-10 * Math.Abs(expected), $"{distribution} at {p}: {actual} against R's {expected}");
            checkedRows++;
        }

        Assert.Equal(Parameters.Count * 5, checkedRows);
        Assert.Equal(0.035, ParameterQuantiles.Of(Of(new FixedValue(0.035)), 0.9)); // a value held as written has no spread
    }

    [Fact]
    public void Spearman_matches_R_with_and_without_ties()
    {
        double[][] x =
        [
            [0.12, 0.5, 0.33, 0.9, 0.05, 0.61, 0.77, 0.2, 0.45, 0.81, 0.28],
            [1, 2, 2, 3, 4, 4, 4, 5, 6, 7],
            [5, 4, 3, 2, 1, 0, -1, -2, -3, -4],
        ];
        double[][] y =
        [
            [10, 42, 30, 80, 2, 55, 71, 13, 40, 77, 31],
            [3, 1, 4, 1, 5, 9, 2, 6, 5, 3],
            [1, 2, 2, 3, 5, 8, 13, 21, 34, 55],
        ];
        var expected = Reference("spearman_reference.csv").ToDictionary(r => r[0], r => double.Parse(r[1], CultureInfo.InvariantCulture));
        string[] cases = ["distinct", "ties", "decreasing"];
        for (int i = 0; i < cases.Length; i++)
            Assert.Equal(expected[cases[i]], RankCorrelation.Spearman(x[i], y[i])!.Value, 1e-14);
    }

    [Fact]
    public void Spearman_is_undefined_below_its_minimum_or_for_a_constant_and_skips_undefined_pairs()
    {
        Assert.Null(RankCorrelation.Spearman([1, 2, 3], [3, 2, 1], minimum: 10));
        Assert.Null(RankCorrelation.Spearman([1, 2, 3, 4], [5, 5, 5, 5]));
        Assert.Equal(1, RankCorrelation.Spearman([1, double.NaN, 2, 3, 4], [1, 0, 2, 3, 4])!.Value, 1e-15);
        Assert.Equal([1.5, 1.5, 3], RankCorrelation.MidRanks([7, 7, 9]));
    }

    [Theory]
    [InlineData("data_sources.hmrc-rti.coverage.base", "data_sources.hmrc-rti.coverage")]
    [InlineData("data_sources.hmrc-rti.coverage.by_group.irregular-income", "data_sources.hmrc-rti.coverage")]
    [InlineData("fraud.recovery.rate", "fraud.recovery.rate")]
    [InlineData("population.groups.base.prevalence", "population.groups.base.prevalence")]
    [InlineData("x.by_group.a.share", "x.by_group.a.share")]
    public void A_by_group_parameter_is_one_family(string path, string family) =>
        Assert.Equal(family, SensitivityAnalysis.FamilyOf(path));
}
