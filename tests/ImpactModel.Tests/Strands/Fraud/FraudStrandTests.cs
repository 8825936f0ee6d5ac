using ImpactModel.Pilot;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Strands.Fraud;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.Strands.Fraud;

/// <summary>
/// Hand-checkable cases of the fraud, error and debt strand. Statistical tolerances are 4σ of the
/// quantity's own sampling distribution (stated at each test): a correct build fails one in about
/// 16,000 runs, and with fixed seeds a passing test keeps passing.
/// </summary>
public sealed class FraudStrandTests
{
    /// <summary>
    /// One area, no area effects, two groups; every claimant earns GBP 900 a month on average and
    /// only irregular earners' months vary (coefficient of variation 0.6). Persons simulated =
    /// declared, so counts are raw (scale 1). Placeholders: {LINKAGE}, {COMPARISON}, {SAFEGUARDS}, {EARNINGS}.
    /// </summary>
    private const string Template = """
        strand: fraud-error-debt
        name: hand-check
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population:
          size: 200000
          area_variation: 0
          areas:
            - { id: north, share: 1 }
          groups:
            - { id: irregular-income, prevalence: 0.2 }
            - { id: disabled, prevalence: 0.2 }
        data_sources:
          - id: claims
            body: DWP
            fields:
              - { id: nino }
              - { id: surname, error_rate: 0.2 }
          - id: earnings
            body: HMRC
            fields:
              - { id: nino }
              - { id: surname }
        linkage:
        {LINKAGE}
        fraud:
          benefit: Housing Benefit
          claimants: { records: claims, share: 0.5, monthly_award: 400 }
          true_states:
            - { id: claimant-error, prevalence: 0.1, annual_overpayment: "lognormal(1820, 1400)" }
            - { id: fraud, prevalence: 0.025, annual_overpayment: 2700 }
          status_quo: { checks: [] }
          matching:
            linkage: link
            comparison: {COMPARISON}
            flag_threshold: 50
            earners_share: 1
            monthly_earnings: 900
            earnings_variation: { base: 0, by_group: { irregular-income: 0.6 } }
            undeclared_share: 0.7
          actions: { letter_cost: 5, suspension_share: 0.3, suspension_cost: 40, debt_cost: 60, investigation_cost: 150 }
          responses: { respond_to_letter: 0.5, appeal: 0.1, appeal_success_when_wrong: 0.6, appeal_cost: 250 }
          hardship: { share_of_wrongful_actions: 0.2 }
        {SAFEGUARDS}
        """;

    /// <summary>Exact on NINo, which no source gets wrong: every claimant links to their own record.</summary>
    private const string PerfectLinkage = "  - { id: link, from: claims, to: earnings, method: exact, fields: [{ field: nino }] }";

    /// <summary>On surname alone, wrong in 20% of claims and agreeing by chance 30% of the time: false matches happen.</summary>
    private const string SurnameLinkage = """
          - id: link
            from: claims
            to: earnings
            method: probabilistic
            fields:
              - { field: surname, m: 0.95, u: 0.01, chance_agreement: 0.3 }
            upper_threshold: 3
            lower_threshold: 2
            candidates_per_block: {CANDIDATES}
        """;

    private static Scenario Load(string linkage, string comparison, string safeguards = "safeguards: []")
    {
        string text = Template.Replace("{LINKAGE}", linkage, StringComparison.Ordinal)
            .Replace("{COMPARISON}", comparison, StringComparison.Ordinal)
            .Replace("{SAFEGUARDS}", safeguards, StringComparison.Ordinal);
        var files = new MemoryFiles().With("s/hand.yaml", text);
        ScenarioLoadResult result = ScenarioLoader.Load("s/hand.yaml", files);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    private static RunResult Run(Scenario s, int replicates = 1, int threads = 0, int chunk = 4096, long? persons = null) =>
        SimulationRunner.Run(s, new RunSettings(7, replicates, persons ?? s.Population.Size, threads, chunk), BuiltInStrands.Registry);

    private static double Value(RunResult r, string variant, string group, string metric, int replicate = 0) =>
        r.Series.Single(x => x.Variant == variant && x.Group == group && x.Metric == metric).Values[replicate]
        ?? throw new InvalidOperationException($"{variant}/{group}/{metric} is undefined");

    [Fact]
    public void Perfect_data_and_period_matched_comparison_give_no_false_positives()
    {
        RunResult r = Run(Load(PerfectLinkage, "period-matched"));
        Assert.Equal(1.0, Value(r, "proposal", "all", "link_recall"));
        Assert.Equal(0.0, Value(r, "proposal", "all", "false_positives"));
        Assert.Equal(0.0, Value(r, "proposal", "all", "wrongful_adverse_actions"));
        Assert.Equal(0.0, Value(r, "proposal", "all", "money_wrongly_recovered"));
        Assert.True(Value(r, "proposal", "all", "true_positives") > 1000, "the rule still finds undeclared earnings");
        Assert.Equal(1.0, Value(r, "proposal", "all", "positive_predictive_value"));
    }

    [Fact, Trait("Category", "Statistical")]
    public void Annual_averaging_gives_false_positives_only_to_irregular_earners_at_the_rate_the_month_factor_implies()
    {
        RunResult r = Run(Load(PerfectLinkage, "annual-average"));
        // Regular earners' months equal their average: averaging misreads nothing.
        Assert.Equal(0.0, Value(r, "proposal", "rest", "false_positives"));

        // Irregular earners: declared = 900 f with f = exp(s z − s²/2), s² = ln(1 + 0.6²); the
        // averaged record shows 900, so a correct claim is flagged when 900 (1 − f) > 50, i.e.
        // z < (ln(1 − 50/900) + s²/2) / s. Persons in both groups have the irregular group's variation (a group listed alone wins).
        double s2 = Math.Log(1 + 0.36), s = Math.Sqrt(s2);
        double p = Normal.Cdf((Math.Log(1 - 50.0 / 900) + s2 / 2) / s);
        double n = Value(r, "proposal", "irregular-income", "correct_claims");
        double fp = Value(r, "proposal", "irregular-income", "false_positives");
        // 4σ of a binomial proportion over n correct irregular claims.
        double sigma = Math.Sqrt(p * (1 - p) / n);
        Assert.InRange(fp / n, p - 4 * sigma, p + 4 * sigma);
        Assert.Equal(fp, Value(r, "proposal", "irregular-income", "averaging_flags"));
    }

    [Fact]
    public void A_false_match_rate_of_zero_removes_flags_on_someone_elses_income()
    {
        Scenario withFalse = Load(SurnameLinkage.Replace("{CANDIDATES}", "3", StringComparison.Ordinal), "period-matched");
        Scenario without = Load(SurnameLinkage.Replace("{CANDIDATES}", "0", StringComparison.Ordinal), "period-matched");
        RunResult a = Run(withFalse), b = Run(without);
        Assert.True(Value(a, "proposal", "all", "link_false_match_rate") > 0.01);
        Assert.True(Value(a, "proposal", "all", "false_match_flags") > 100);
        Assert.Equal(0.0, Value(b, "proposal", "all", "link_false_match_rate"));
        Assert.Equal(0.0, Value(b, "proposal", "all", "false_match_flags"));
        // Period-matched, no staleness, no variation: someone else's income is the only source of false positives.
        Assert.Equal(Value(a, "proposal", "all", "false_match_flags"), Value(a, "proposal", "all", "false_positives"));
        Assert.Equal(0.0, Value(b, "proposal", "all", "false_positives"));
    }

    [Theory, Trait("Category", "Statistical")]
    [InlineData(0.3)]
    [InlineData(0.7)]
    public void Human_review_with_catch_rate_c_removes_a_fraction_c_of_wrongful_adverse_actions(double c)
    {
        string review = $"safeguards:\n  - {{ id: review, type: human-review, catch_rate: {c.ToString(System.Globalization.CultureInfo.InvariantCulture)}, cost_per_case: 35 }}";
        RunResult r = Run(Load(PerfectLinkage, "annual-average", review));
        double w0 = Value(r, "proposal-no-safeguards", "all", "wrongful_adverse_actions");
        double w1 = Value(r, "proposal", "all", "wrongful_adverse_actions");
        Assert.True(w0 > 1000);
        // Common random numbers: the same wrongful flags in both variants; each is stopped with
        // probability c, so the share removed is a binomial proportion over w0: 4σ = 4 √(c(1−c)/w0).
        double removed = (w0 - w1) / w0, sigma = Math.Sqrt(c * (1 - c) / w0);
        Assert.InRange(removed, c - 4 * sigma, c + 4 * sigma);
        Assert.Equal(w0 - w1, Value(r, "proposal", "all", "review_stopped"));
        // Review stops wrongful flags only: overpayments found are unchanged.
        Assert.Equal(Value(r, "proposal-no-safeguards", "all", "money_recovered"), Value(r, "proposal", "all", "money_recovered"));
    }

    [Fact]
    public void Results_are_identical_for_any_thread_count_and_chunk_size()
    {
        Scenario s = ShippedScenario();
        RunResult a = Run(s, 2, threads: 1, chunk: 4096, persons: 60_000);
        RunResult b = Run(s, 2, threads: 2, chunk: 1000, persons: 60_000);
        RunResult c = Run(s, 2, threads: 2, chunk: 333, persons: 60_000);
        Assert.Equal(a.Series.Count, b.Series.Count);
        for (int i = 0; i < a.Series.Count; i++)
        {
            Assert.Equal(a.Series[i].Metric, b.Series[i].Metric);
            Assert.Equal(a.Series[i].Values.ToArray(), b.Series[i].Values.ToArray());
            Assert.Equal(a.Series[i].Values.ToArray(), c.Series[i].Values.ToArray());
        }

        Assert.Contains(a.Series, x => x.Metric == "net_benefit" && x.Values[0] is not null and not 0);

        // Claimants alike in every variant counted by group mask, and the skip of claimants no variant
        // flags, are exact: without them (each claimant added to the rows in every variant), the same values.
        foreach (string metric in new[] { "missed_overpayments", "clerical_reviews", "link_false_match_rate" })
            Assert.Contains(a.Series, x => x.Metric == metric && x.Values[0] is > 0);
        try
        {
            FraudEvaluator.FastPaths = false;
            RunResult slow = Run(s, 2, threads: 2, chunk: 333, persons: 60_000);
            Assert.Equal(a.Series.Count, slow.Series.Count);
            for (int i = 0; i < a.Series.Count; i++)
            {
                Assert.Equal((a.Series[i].Variant, a.Series[i].Group, a.Series[i].Metric), (slow.Series[i].Variant, slow.Series[i].Group, slow.Series[i].Metric));
                Assert.Equal(a.Series[i].Values.ToArray(), slow.Series[i].Values.ToArray());
            }
        }
        finally
        {
            FraudEvaluator.FastPaths = true;
        }
    }

    [Fact]
    public void A_variant_that_overrides_who_claims_is_reported_and_evaluated_on_the_same_claimants()
    {
        // Who claims describes the people, not the proposal: every variant is evaluated on the same
        // persons, so the override is reported as not applied (never silently) and changes nothing.
        const string Variants = """
            safeguards: []
            variants:
              - id: more-claims
                overrides:
                  fraud.claimants.share: 0.9
                  fraud.matching.flag_threshold: 80
            """;
        Scenario s = Load(PerfectLinkage, "annual-average", Variants);
        RunResult r = Run(s, persons: 20_000);
        string warning = Assert.Single(r.Warnings);
        Assert.Contains("'more-claims'", warning, StringComparison.Ordinal);
        Assert.Contains("'fraud.claimants.share'", warning, StringComparison.Ordinal);
        Assert.Contains("not applied", warning, StringComparison.Ordinal);
        Assert.Equal(Value(r, "proposal", "all", "claimants"), Value(r, "more-claims", "all", "claimants"));
        // The threshold is the proposal's own: that override acts (fewer flags at a higher threshold).
        Assert.True(Value(r, "more-claims", "all", "flagged") < Value(r, "proposal", "all", "flagged"));
    }

    [Theory]
    [InlineData("fraud.status_quo.checks.existing-matching.detection_rate.base", true)]
    [InlineData("fraud.claimants.share.base", true)]
    [InlineData("fraud.true_states.fraud.prevalence.base", true)]
    [InlineData("fraud.matching.monthly_earnings", true)]
    [InlineData("data_sources.hmrc-rti.stale_share.base", true)]
    [InlineData("discount_rate", true)]
    [InlineData("fraud.matching.flag_threshold", false)]
    [InlineData("data_sources.hmrc-rti.fields.nino.error_rate.base", false)]
    [InlineData("safeguards.human-review.catch_rate", false)]
    public void Only_overrides_of_what_every_variant_shares_are_reported_as_not_applied(string path, bool shared)
    {
        // The paths as the shipped scenario's reader names them (parameters.csv lists the same).
        Scenario s = ShippedScenario();
        Assert.Contains(ScenarioParameters.All(s), p => p.Path == path);
        s = s with { Variants = [new VariantSpec("v", null, [new ParameterOverride(path, path, new FixedValue(0.5), default)], default)] };
        IReadOnlyList<string> warnings = VariantBuilder.Warnings(s, BuiltInStrands.Registry.For(s).Models);
        Assert.Equal(shared ? 1 : 0, warnings.Count);
    }

    [Fact]
    public void Claimant_intercept_keeps_the_declared_share_over_the_ten_deciles()
    {
        foreach (double p in new[] { 0.01, 0.07, 0.4 })
        {
            foreach (double g in new[] { -0.8, -0.4, 0, 0.3 })
            {
                double c = FraudReplicate.Intercept(p, g), mean = 0;
                for (int d = 0; d < 10; d++)
                    mean += 1 / (1 + Math.Exp(-(c + g * (d - 4.5))));
                Assert.Equal(p, mean / 10, 9);
            }
        }
    }

    internal static Scenario ShippedScenario() =>
        ScenarioLoader.LoadScenario(Path.Combine(RepositoryRoot(), "scenarios", "fraud-error-debt.yaml"), new DiskFiles());

    internal static string RepositoryRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ImpactModel.sln")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository not found");
        return dir;
    }

    private sealed class DiskFiles : IScenarioFiles
    {
        public string Resolve(string referencingFile, string relativePath) =>
            Path.Combine(Path.GetDirectoryName(referencingFile) ?? "", relativePath);

        public ScenarioFileContent Read(string path) =>
            File.Exists(path) ? ScenarioFileContent.Of(File.ReadAllBytes(path)) : ScenarioFileContent.Failed("no such file");
    }
}
