using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Valuation;

namespace ImpactModel.Tests.Strands.Fraud;

/// <summary>
/// What issue 17 added to the fraud strand's accounting, checked by hand on a tiny scenario whose
/// persons are simulated one for one (scale 1) and whose values are held as written: clerical review
/// of linkage pairs costs what the scenario says per pair and enters the total cost; a debt is
/// recovered at the declared rate, over the declared years, discounted in the net benefit; review
/// wrongly clears the declared share of true cases.
/// </summary>
public sealed class RecoveryAndCostTests
{
    /// <summary>
    /// Surname alone, agreement weight log2(0.95 / 0.01) = 6.57 bits: between the thresholds 5 and 7,
    /// so every pair that agrees on the surname goes to clerical review (at GBP 4 a pair).
    /// </summary>
    private const string Template = """
        strand: fraud-error-debt
        name: accounting
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population:
          size: 40000
          area_variation: 0
          areas:
            - { id: north, share: 1 }
          groups:
            - { id: irregular-income, prevalence: 0.2 }
        data_sources:
          - id: claims
            body: DWP
            fields:
              - { id: surname, error_rate: 0.1 }
          - id: earnings
            body: HMRC
            fields:
              - { id: surname }
        linkage:
          - id: link
            from: claims
            to: earnings
            method: probabilistic
            fields:
              - { field: surname, m: 0.95, u: 0.01, chance_agreement: 0.05 }
            upper_threshold: 7
            lower_threshold: 5
            clerical_review: { accuracy: 0.9, cost_per_pair: 4 }
            candidates_per_block: 1
        fraud:
          benefit: Housing Benefit
          claimants: { records: claims, share: 0.5, monthly_award: 400 }
          true_states:
            - { id: claimant-error, prevalence: 0.2, annual_overpayment: "lognormal(1820, 1400)" }
          status_quo: { checks: [] }
          matching:
            linkage: link
            comparison: annual-average
            flag_threshold: 50
            earners_share: 1
            monthly_earnings: 900
            earnings_variation: { base: 0, by_group: { irregular-income: 0.6 } }
            undeclared_share: 0.7
          actions: { letter_cost: 5, suspension_share: 0.3, suspension_cost: 40, debt_cost: 60, investigation_cost: 150 }
          responses: { respond_to_letter: 0.5, appeal: 0.1, appeal_success_when_wrong: 0.6, appeal_cost: 250 }
          hardship: { share_of_wrongful_actions: 0.2 }
        {RECOVERY}
        safeguards:
        {SAFEGUARDS}
        """;

    private static Scenario Load(string recovery = "", string safeguards = "  []", string? template = null)
    {
        string text = (template ?? Template).Replace("{RECOVERY}", recovery, StringComparison.Ordinal).Replace("{SAFEGUARDS}", safeguards, StringComparison.Ordinal);
        ScenarioLoadResult result = ScenarioLoader.Load("s/a.yaml", new MemoryFiles().With("s/a.yaml", text));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    private static RunResult Run(Scenario s) =>
        SimulationRunner.Run(s, new RunSettings(11, 1, s.Population.Size), BuiltInStrands.Registry);

    private static double Value(RunResult r, string variant, string metric, string group = "all") =>
        r.Series.Single(x => x.Variant == variant && x.Group == group && x.Metric == metric).Values[0]
        ?? throw new InvalidOperationException($"{variant}/{group}/{metric} is undefined");

    [Fact]
    public void Clerical_review_costs_its_price_per_reviewed_pair_and_counts_in_the_total_cost()
    {
        RunResult r = Run(Load());
        double reviews = Value(r, "proposal", "clerical_reviews");
        double claimants = Value(r, "proposal", "claimants");
        Assert.True(reviews > 1000, $"only {reviews} pairs reviewed");
        // Every reviewed pair is a claimant whose best pair fell in the band: the linkage's review rate.
        Assert.Equal(Value(r, "proposal", "link_review_rate") * claimants, reviews, 6);
        Assert.Equal(4 * reviews, Value(r, "proposal", "clerical_review_cost"), 6);
        double parts = Value(r, "proposal", "investigation_cost") + Value(r, "proposal", "action_cost") + Value(r, "proposal", "review_cost")
                       + Value(r, "proposal", "appeal_cost") + Value(r, "proposal", "safeguard_cost") + Value(r, "proposal", "clerical_review_cost");
        Assert.Equal(parts, Value(r, "proposal", "total_cost"), 6);
        // The status quo links nothing: it reviews no pair and pays for none.
        Assert.DoesNotContain(r.Series, x => x.Variant == "status-quo" && x.Metric == "clerical_review_cost");
    }

    [Fact]
    public void Without_recovery_declared_every_debt_is_recovered_in_full_in_its_year()
    {
        RunResult r = Run(Load());
        Assert.Equal(Value(r, "proposal", "overpayments_established"), Value(r, "proposal", "money_recovered"), 6);
        double annuity = PresentValue.AnnuityFactor(5, 0.035);
        double expected = annuity * (Value(r, "proposal", "money_recovered") - Value(r, "proposal", "total_cost"));
        Assert.Equal(expected, Value(r, "proposal", "net_benefit"), 0.01 + 1e-12 * Math.Abs(expected));
    }

    [Fact]
    public void A_debt_is_recovered_at_the_declared_rate_over_the_declared_years_and_discounted_accordingly()
    {
        RunResult r = Run(Load("  recovery: { rate: 0.8, timing: [0.5, 0.3, 0.2] }"));
        double established = Value(r, "proposal", "overpayments_established"), recovered = Value(r, "proposal", "money_recovered");
        double debts = Value(r, "proposal", "true_positives");
        // Each debt's recovery is rounded to the penny on its own: at most half a penny each.
        Assert.InRange(recovered, 0.8 * established - 0.005 * debts, 0.8 * established + 0.005 * debts);

        // Debts raised in years 0 … 4; a debt raised in year y brings 50% of its recovery in y, 30% in
        // y + 1 and 20% in y + 2, of which only what falls in years 0 … 4 counts, discounted at 3.5%.
        double factor = 0;
        for (int y = 0; y < 5; y++)
        {
            double[] timing = [0.5, 0.3, 0.2];
            for (int k = 0; k < timing.Length && y + k < 5; k++)
                factor += timing[k] / Math.Pow(1.035, y + k);
        }

        Assert.Equal(factor, PresentValue.OfStaggered(5, 0.035, [0.5, 0.3, 0.2]), 12);
        double expected = factor * recovered - PresentValue.AnnuityFactor(5, 0.035) * Value(r, "proposal", "total_cost");
        Assert.Equal(expected, Value(r, "proposal", "net_benefit"), 0.01 + 1e-12 * Math.Abs(expected));
        // Wrongful debts are recovered at the same rate as true ones.
        Assert.True(Value(r, "proposal", "money_wrongly_recovered") > 0);
    }

    [Fact]
    public void Recovery_timing_all_in_the_first_year_discounts_like_an_annuity()
    {
        Assert.Equal(PresentValue.AnnuityFactor(7, 0.035), PresentValue.OfStaggered(7, 0.035, [1]), 14);
        // Spread evenly over two years over a one-year horizon: half of it arrives inside.
        Assert.Equal(0.5, PresentValue.OfStaggered(1, 0.035, [0.5, 0.5]), 14);
    }

    [Theory, Trait("Category", "Statistical")]
    [InlineData(0.2)]
    [InlineData(0.5)]
    public void Review_wrongly_clears_the_declared_share_of_true_cases_which_then_go_unrecovered(double f)
    {
        string rate = f.ToString(System.Globalization.CultureInfo.InvariantCulture);
        RunResult r = Run(Load(safeguards: $"  - {{ id: review, type: human-review, catch_rate: 0, cost_per_case: 35, false_clearance_rate: {rate} }}"));
        double truePositives = Value(r, "proposal", "true_positives"), cleared = Value(r, "proposal", "review_wrongly_cleared");
        Assert.True(truePositives > 500, $"only {truePositives} true cases flagged");
        // Every flag is reviewed (no status-quo checks); each true one is cleared with probability f:
        // a binomial proportion over the true positives, 4σ = 4 √(f(1 − f)/n).
        double sigma = Math.Sqrt(f * (1 - f) / truePositives);
        Assert.InRange(cleared / truePositives, f - 4 * sigma, f + 4 * sigma);
        // Common random numbers: the same true flags without review; those cleared are missed instead.
        double missedWithout = Value(r, "proposal-no-safeguards", "missed_overpayments");
        Assert.Equal(missedWithout + cleared, Value(r, "proposal", "missed_overpayments"), 6);
        Assert.True(Value(r, "proposal", "money_recovered") < Value(r, "proposal-no-safeguards", "money_recovered"));
    }

    [Fact]
    public void Notification_and_appeal_raises_appeals_on_matching_flags_only_not_on_todays_referrals()
    {
        // No earnings record for anyone (coverage 0) and no other record to meet (no candidates): the
        // matching rule flags nobody, so every flag is a referral by today's checks, which follows
        // today's process in every variant.
        string template = Template.Replace("candidates_per_block: 1", "candidates_per_block: 0", StringComparison.Ordinal).Replace("    body: HMRC\n    fields:", "    body: HMRC\n    coverage: 0\n    fields:", StringComparison.Ordinal)
            .Replace("status_quo: { checks: [] }", "status_quo: { checks: [{ id: hbms, detection_rate: 0.3, false_referral_rate: 0.05, cost_per_case: 60 }] }", StringComparison.Ordinal);
        Assert.Contains("coverage: 0", template, StringComparison.Ordinal);
        RunResult r = Run(Load(safeguards: "  - { id: notice, type: notification-and-appeal, appeal_rate: 1, cost_per_case: 2 }", template: template));
        Assert.True(Value(r, "status-quo", "appeals") > 100);
        Assert.Equal(Value(r, "status-quo", "flagged"), Value(r, "proposal", "flagged"));
        Assert.Equal(Value(r, "status-quo", "appeals"), Value(r, "proposal", "appeals"));
        Assert.Equal(Value(r, "status-quo", "safeguard_cost"), Value(r, "proposal", "safeguard_cost"));
    }
}
