using ImpactModel.Reporting;

namespace ImpactModel.Tests.Reporting;

/// <summary>The comparisons the views draw, against hand-worked numbers.</summary>
public class RunFactsTests
{
    [Fact]
    public void A_difference_adds_the_two_intervals_half_widths_in_quadrature_on_each_side()
    {
        // a = 10 (8 to 13), b = 4 (3 to 6): d = 6; low 6 − √(2² + 2²) = 3.1716; high 6 + √(3² + 1²) = 9.1623.
        Figure d = RunFacts.Difference(new Figure(10, 8, 13, false), new Figure(4, 3, 6, false))!.Value;
        Assert.Equal(6, d.Mean, 12);
        Assert.Equal(6 - Math.Sqrt(8), d.Low!.Value, 12);
        Assert.Equal(6 + Math.Sqrt(10), d.High!.Value, 12);
        Assert.False(d.Unreliable);
        Assert.True(RunFacts.Difference(new Figure(1, null, null, false), new Figure(1, 0, 2, true)) is { Low: null, High: null, Unreliable: true });
        Assert.Null(RunFacts.Difference(null, new Figure(1, 0, 2, false)));
    }

    [Fact]
    public void A_variant_is_dominated_only_by_one_with_no_more_harm_and_no_less_benefit_better_on_one()
    {
        // x: harm (persons), y: net benefit; c is dominated by b (less harm, more benefit); d ties b exactly (not dominated);
        // e has the least harm (frontier); f equals b in harm with less benefit (dominated).
        (string Variant, double Harm, double Benefit)[] points =
            [("status-quo", 5, 0), ("proposal", 10, 100), ("b", 8, 120), ("c", 9, 110), ("d", 8, 120), ("e", 1, -50), ("f", 8, 90)];
        RunFacts facts = Facts(points);
        var dominated = facts.Frontier().ToDictionary(p => p.Variant, p => p.Dominated);
        Assert.Equal(new Dictionary<string, bool>
        {
            ["status-quo"] = false, ["proposal"] = true, ["b"] = false, ["c"] = true, ["d"] = false, ["e"] = false, ["f"] = true,
        }, dominated);
        Assert.Equal(["status-quo", "proposal"], facts.Variants.Take(2));
    }

    [Fact]
    public void Groups_are_ranked_by_their_ratio_against_rest_with_rest_last_at_one()
    {
        (string Variant, double Harm, double Benefit)[] points = [("status-quo", 5, 0), ("proposal", 10, 100)];
        RunFacts facts = Facts(points, ratios: new() { ["g1"] = 1.2, ["g2"] = 3.4, ["g3"] = 0.7 });
        Assert.Equal(["g2", "g1", "g3", "rest"], facts.GroupHarms().Select(g => g.Group));
        Assert.Equal(["g2", "g1"], facts.TopHarmRatios(2).Select(g => g.Group));
        Assert.Equal(1, facts.GroupHarms()[^1].Ratio!.Value.Mean);
    }

    private static RunFacts Facts((string Variant, double Harm, double Benefit)[] points, Dictionary<string, double>? ratios = null)
    {
        StrandView view = StrandViews.Fraud;
        string harm = view.HarmCounts[0], benefit = view.Benefits[0];
        ratios ??= [];
        var rows = new List<ResultLine>();
        foreach ((string variant, double h, double b) in points)
        {
            rows.Add(new ResultLine(variant, "all", harm, h, h - 1, h + 1, 3, 0.1, 1000));
            rows.Add(new ResultLine(variant, "all", benefit, b, b - 1, b + 1, 3, 0.1, 1000));
        }

        foreach ((string group, double ratio) in ratios)
        {
            rows.Add(new ResultLine("proposal", group, view.HarmRate, 0.01 * ratio, null, null, 3, null, 1000));
            rows.Add(new ResultLine("proposal", group, view.HarmRatio, ratio, null, null, 3, null, 1000));
        }

        ManifestMetric[] metrics = [new(harm, "persons", null, false, true), new(benefit, "GBP", null, false, true),
            new(view.HarmRate, "rate", "claimants", true, true), new(view.HarmRatio, "ratio", "the same metric for rest", true, false)];
        var manifest = new RunManifest("s", view.Strand, new string('0', 64), "1", 3, 1000, 1000, 1, 1, "0.1.0", null, null, null, 2, 1024, "", "", 0,
            new ManifestBasis(2014, 5, "0.035", null), null, [.. ratios.Keys],
            [.. points.Select(p => new ManifestVariant(p.Variant, p.Variant == "status-quo" ? "status-quo" : "proposal", "", true, [], []))],
            metrics, []);
        return new RunFacts(new RunData("folder", manifest, rows, [], null));
    }
}
