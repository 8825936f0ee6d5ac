using ImpactModel.Reporting;
using ImpactModel.Reporting.Html;
using ImpactModel.Worker.Output;

namespace ImpactModel.Tests.Reporting;

/// <summary>What the review view selects from its files, against hand-made rows.</summary>
public class ReviewFactsTests
{
    private static readonly string[] Headline = ["net_benefit_vs_status_quo", "wrongful_adverse_actions", "hardship"];

    private static SafeguardLine Line(string safeguard, string effect, string metric, double? low, double? high, string group = "all") =>
        new(safeguard, effect, group, metric, ((low ?? 0) + (high ?? 0)) / 2, low, high, 20);

    [Fact]
    public void No_detectable_effect_is_a_headline_metric_for_everyone_whose_paired_interval_contains_zero()
    {
        var review = ReviewData.None with
        {
            Safeguards =
            [
                Line("human-review", "marginal", "wrongful_adverse_actions", -10, -2), // excludes zero
                Line("human-review", "marginal", "hardship", -3, 1), // contains zero
                Line("human-review", "marginal", "net_benefit_vs_status_quo", 0, 5), // zero on the edge: contains it
                Line("human-review", "marginal", "flagged", -1, 1), // not a headline metric here
                Line("human-review", "marginal", "wrongful_adverse_actions", -1, 1, group: "rest"), // not everyone
                Line("human-review", "solo", "hardship", null, null), // no interval: nothing to say
                Line("human-review", "solo", "wrongful_adverse_actions", -5, 0), // contains zero
                Line("audit", "marginal", "hardship", 0.1, 2), // excludes zero
            ],
        };
        IReadOnlyList<NoDetectableEffect> none = ReviewFacts.NoDetectableEffects(review, Headline);
        Assert.Equal(2, none.Count);
        Assert.Equal(("human-review", "marginal"), (none[0].Safeguard, none[0].Effect));
        Assert.Equal(["net_benefit_vs_status_quo", "hardship"], none[0].Metrics); // in the headline's order
        Assert.Equal(("human-review", "solo"), (none[1].Safeguard, none[1].Effect));
        Assert.Equal(["wrongful_adverse_actions"], none[1].Metrics);
        Assert.Equal("human-review on net benefit vs status quo, hardship; human-review alone on wrongful adverse actions", ReviewFacts.InBrief(none));
        Assert.Equal("human-review on net benefit vs status quo, hardship; and 1 more in report.html", ReviewFacts.InBrief(none, 1));
        Assert.Empty(ReviewFacts.NoDetectableEffects(ReviewData.None, Headline));
    }

    [Fact]
    public void The_weakest_evidence_is_an_assumption_or_expert_judgement_ranked_one_to_five_best_rank_then_assumption_first()
    {
        var review = ReviewData.None with
        {
            Evidence =
            [
                new("a", "1", null, "published-statistic", 1), // strong evidence
                new("b", "1", null, "expert-judgement", 2),
                new("c", "1", null, "assumption", 6), // moves the decision too little
                new("d", "1", null, "assumption", 2),
                new("e", "1", null, "survey-estimate", 1),
                new("f", "1", null, "assumption", null), // not ranked
                new("g", "1", null, "expert-judgement", 5),
            ],
        };
        Assert.Equal(["d", "b", "g"], ReviewFacts.WeakestEvidence(review).Select(e => e.Parameter));
        Assert.Equal(["weakest evidence moving the decision most: d (assumption, sensitivity rank 2)"], TerminalSummary.ReviewLines(review, Headline));
    }

    [Fact]
    public void The_principles_matrix_puts_the_uncovered_principles_first_then_the_served_in_article_order()
    {
        var review = ReviewData.None with
        {
            Principles =
            [
                new("lawfulness", "notification-and-appeal"), new("accuracy", "human-review"), new("lawfulness", "human-review"),
                new("accountability", "sanctions-and-audit"), new("storage-limitation", null), new("minimisation", null),
            ],
        };
        IReadOnlyList<PrincipleRow> rows = ReviewFacts.PrincipleMatrix(review);
        Assert.Equal(["storage-limitation", "minimisation", "lawfulness", "accuracy", "accountability"], rows.Select(r => r.Principle));
        Assert.Equal([true, true, false, false, false], rows.Select(r => r.Uncovered));
        Assert.Equal(["notification-and-appeal", "human-review"], rows[2].Safeguards);
        Assert.Equal(["storage-limitation", "minimisation"], ReviewFacts.UncoveredPrinciples(review));
        Assert.Equal(["notification-and-appeal", "human-review", "sanctions-and-audit"], ReviewFacts.PrincipleSafeguards(review));
        Assert.Null(ReviewFacts.UncoveredPrinciples(ReviewData.None));
    }

    [Theory]
    [InlineData(5e6, 1e6, "changes sign (from a gain to a loss) if p is below 0.25.")] // rises with p, a gain now: a loss below
    [InlineData(5e6, -1e6, "changes sign (from a gain to a loss) if p is above 0.25.")]
    [InlineData(-5e6, 1e6, "changes sign (from a loss to a gain) if p is above 0.25.")]
    [InlineData(-5e6, -1e6, "changes sign (from a loss to a gain) if p is below 0.25.")]
    [InlineData(5e6, 0, "changes sign where p crosses 0.25.")]
    public void A_switching_value_is_stated_on_the_side_where_the_net_benefit_changes_sign(double netBenefit, double swing, string expected)
    {
        var line = new SensitivityLine("p", "net_benefit_vs_status_quo", 0, swing, swing, 1, null, 0.25);
        Assert.EndsWith(expected, ReviewSections.Switching(line, netBenefit), StringComparison.Ordinal);
        Assert.StartsWith("The proposal's net benefit against the status quo ", ReviewSections.Switching(line, netBenefit), StringComparison.Ordinal);
    }

    [Fact]
    public void Safeguard_effects_are_the_paired_marginal_rows_when_the_folder_has_them_else_the_unpaired_removal()
    {
        // Unpaired: proposal 10 (8 to 12), without human-review 16 (13 to 19): removing it adds 6.
        var rows = new List<ResultLine>
        {
            new("status-quo", "all", "wrongful_adverse_actions", 5, 4, 6, 20, 0.1, 1000),
            new("proposal", "all", "wrongful_adverse_actions", 10, 8, 12, 20, 0.1, 1000),
            new("proposal-without-human-review", "all", "wrongful_adverse_actions", 16, 13, 19, 20, 0.1, 1000),
        };
        ManifestMetric[] metrics = [new("wrongful_adverse_actions", "persons", null, false, true)];
        var manifest = new RunManifest("s", StrandViews.Fraud.Strand, new string('0', 64), "1", 20, 1000, 1000, 1, 1, "0.1.0", null, null, null, 2, 1024, "", "", 0,
            new ManifestBasis(2014, 5, "0.035", null), null, [],
            [new("status-quo", "status-quo", "", false, [], []), new("proposal", "proposal", "", true, ["human-review"], []),
                new("proposal-without-human-review", "proposal", "", true, [], [])], metrics, []);
        SafeguardEffect unpaired = Assert.Single(new RunFacts(new RunData("f", manifest, rows, [], null)).SafeguardEffects());
        Assert.False(unpaired.Paired);
        Assert.Equal(6, unpaired.Harm!.Value.Mean, 12);

        var review = ReviewData.None with { Safeguards = [new("human-review", "marginal", "all", "wrongful_adverse_actions", -6, -6.5, -5.5, 20),
            new("human-review", "solo", "all", "wrongful_adverse_actions", -7, -8, -6, 20)] };
        var facts = new RunFacts(new RunData("f", manifest, rows, [], null, review));
        SafeguardEffect paired = Assert.Single(facts.SafeguardEffects());
        Assert.True(paired.Paired);
        Assert.Equal(new Figure(-6, -6.5, -5.5, false), paired.Harm);
        Assert.Equal(new Figure(-7, -8, -6, false), facts.Paired("human-review", "solo", "wrongful_adverse_actions"));
        Assert.Null(facts.Paired("human-review", "solo", "wrongful_adverse_actions", "rest"));
    }
}
