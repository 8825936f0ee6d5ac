using System.Globalization;
using ImpactModel.MonteCarlo;
using ImpactModel.Review;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.Review;

/// <summary>
/// The safeguard view on hand-checkable fraud scenarios: paired effects, principles, the
/// sensitivity analysis. Statistical tolerances are 4σ of the quantity's own sampling distribution
/// (stated at each test).
/// </summary>
public sealed class SafeguardViewTests
{
    /// <summary>
    /// One area, two groups, every claimant linked exactly on NINo and compared on annual averages,
    /// so irregular earners are flagged wrongly. Persons simulated = declared (scale 1: counts are
    /// raw). Placeholders: {UNCERTAINTY}, {PREVALENCE}, {INVESTIGATION}, {SAFEGUARDS}, {VARIANTS}.
    /// </summary>
    private const string Template = """
        strand: fraud-error-debt
        name: review-check
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: {UNCERTAINTY}
        population:
          size: 40000
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
          - id: earnings
            body: HMRC
            fields:
              - { id: nino }
          - id: unused
            body: nobody
            coverage: "beta(2, 2)"
            fields:
              - { id: nino }
        linkage:
          - { id: link, from: claims, to: earnings, method: exact, fields: [{ field: nino }] }
        fraud:
          benefit: Housing Benefit
          claimants: { records: claims, share: 0.5, monthly_award: 400 }
          true_states:
            - { id: claimant-error, prevalence: 0.1, annual_overpayment: 1820 }
            - { id: fraud, prevalence: {PREVALENCE}, annual_overpayment: 2700 }
          status_quo: { checks: [] }
          matching:
            linkage: link
            comparison: annual-average
            flag_threshold: 50
            earners_share: 1
            monthly_earnings: 900
            earnings_variation: { base: 0, by_group: { irregular-income: 0.6 } }
            undeclared_share: 0.7
          actions: { letter_cost: 5, suspension_share: 0.3, suspension_cost: 40, debt_cost: 60, investigation_cost: {INVESTIGATION} }
          responses: { respond_to_letter: 0.5, appeal: 0.1, appeal_success_when_wrong: 0.6, appeal_cost: 250 }
          hardship: { share_of_wrongful_actions: 0.2 }
        safeguards:
        {SAFEGUARDS}
        {VARIANTS}
        """;

    private const string Fixed = "{ assumption: 0, expert-judgement: 0 }";

    private static string Review(double c) =>
        $"  - {{ id: review, type: human-review, catch_rate: {c.ToString(CultureInfo.InvariantCulture)}, cost_per_case: 35 }}";

    /// <summary>A vulnerability screen that detects no one: it cannot change anything.</summary>
    private const string IdleScreen = "  - { id: screen, type: vulnerability-screen, groups: [disabled], detection_rate: 0 }";

    internal static Scenario Load(string safeguards, string uncertainty = Fixed, string prevalence = "0.025", string investigation = "150", string variants = "")
    {
        string text = Template.Replace("{UNCERTAINTY}", uncertainty, StringComparison.Ordinal)
            .Replace("{PREVALENCE}", prevalence, StringComparison.Ordinal)
            .Replace("{INVESTIGATION}", investigation, StringComparison.Ordinal)
            .Replace("{SAFEGUARDS}", safeguards, StringComparison.Ordinal)
            .Replace("{VARIANTS}", variants, StringComparison.Ordinal);
        ScenarioLoadResult result = ScenarioLoader.Load("s/review.yaml", new MemoryFiles().With("s/review.yaml", text));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    private static RunResult Run(Scenario s, int replicates, ulong seed = 7, int threads = 0) =>
        SimulationRunner.Run(s, new RunSettings(seed, replicates, s.Population.Size, threads), BuiltInStrands.Registry);

    private static IReadOnlyList<IStrandModel> Models(Scenario s) => BuiltInStrands.Registry.For(s).Models;

    private static double[] Values(RunResult r, string variant, string metric, string group = "all") =>
        [.. r.Series.Single(x => x.Variant == variant && x.Group == group && x.Metric == metric).Values.Select(v => v ?? double.NaN)];

    [Fact]
    public void A_safeguard_that_can_do_nothing_has_every_effect_interval_containing_zero()
    {
        // Default uncertainty (assumptions spread by grade): the levels vary between replicates, so the intervals are real ones.
        Scenario s = Load(Review(0.5) + "\n" + IdleScreen, uncertainty: "{ assumption: 0.3, expert-judgement: 0.15 }");
        RunResult r = Run(s, 6);
        var rows = SafeguardEffects.Of(s, r, Models(s)).Where(x => x.Safeguard == "screen").ToList();
        Assert.Contains(rows, x => x.Effect == EffectKind.Marginal);
        Assert.Contains(rows, x => x.Effect == EffectKind.Solo);
        Assert.All(rows.Where(x => x.Summary.Low is not null), x => Assert.True(x.SpansZero, $"{x.EffectId} {x.Group} {x.Metric}: [{x.Summary.Low}, {x.Summary.High}]"));
        // On common random numbers an idle safeguard changes nothing at all, in every replicate.
        Assert.All(rows.Where(x => x.Summary.Mean is not null && !x.Metric.EndsWith(SafeguardEffects.CostPerAvoided, StringComparison.Ordinal)),
            x => Assert.Equal(0, x.Summary.Mean!.Value));
        // The working safeguard's effect on wrongful actions is not zero: the check above can fail.
        Assert.Contains(SafeguardEffects.Of(s, r, Models(s)), x => x.Safeguard == "review" && x.Metric == "wrongful_adverse_actions" && x.Group == "all" && !x.SpansZero);
    }

    [Theory, Trait("Category", "Statistical")]
    [InlineData(0.3)]
    [InlineData(0.8)]
    public void Human_review_with_catch_rate_c_has_a_marginal_effect_of_minus_c_of_the_wrongful_adverse_actions(double c)
    {
        Scenario s = Load(Review(c) + "\n" + IdleScreen);
        RunResult r = Run(s, 10);
        SafeguardEffectRow effect = SafeguardEffects.Of(s, r, Models(s)).Single(x => x is { Safeguard: "review", Effect: EffectKind.Marginal, Group: "all", Metric: "wrongful_adverse_actions" });
        double[] without = Values(r, "proposal-without-review", "wrongful_adverse_actions");
        double total = without.Sum(); // scale 1: raw counts over the 10 replicates
        Assert.True(total > 2000, $"{total} wrongful actions without review");
        // Each wrongful flag is stopped with probability c, independently: the share removed is a
        // binomial proportion over every replicate's wrongful actions; 4σ = 4 √(c(1 − c) / total).
        double removed = -effect.Summary.Mean!.Value * r.Values.Replicates / total, sigma = Math.Sqrt(c * (1 - c) / total);
        Assert.InRange(removed, c - 4 * sigma, c + 4 * sigma);
        // The paired effect is the mean of the per-replicate differences, exactly.
        double[] with = Values(r, "proposal", "wrongful_adverse_actions");
        Assert.Equal(ReplicateStatistics.Summarise([.. with.Select((w, i) => w - without[i])]), effect.Summary);
        // Its cost per wrongful action avoided: the mean cost difference over the mean wrongful actions avoided (a ratio of means),
        // positive (review costs money and saves none here), with the spread of the per-replicate ratios around it.
        SafeguardEffectRow cost = SafeguardEffects.Of(s, r, Models(s)).Single(x => x is { Safeguard: "review", Effect: EffectKind.Marginal, Group: "all", Metric: "wrongful_adverse_actions_cost_per_avoided" });
        double[] costWith = Values(r, "proposal", "total_cost"), costWithout = Values(r, "proposal-without-review", "total_cost");
        double extra = 0, avoided = 0;
        for (int i = 0; i < with.Length; i++)
        {
            extra += costWith[i] - costWithout[i];
            avoided += without[i] - with[i];
        }

        Assert.Equal(extra / avoided, cost.Summary.Mean!.Value);
        Assert.True(cost.Summary.Mean > 0);
        Assert.Equal(10, cost.Summary.Replicates); // every replicate avoids some, so the per-replicate ratios' interval is given
        Assert.InRange(cost.Summary.Mean!.Value, cost.Summary.Low!.Value, cost.Summary.High!.Value);
    }

    [Fact]
    public void Removing_a_safeguard_that_is_off_in_the_proposal_is_not_a_variant_and_has_no_marginal_effect()
    {
        Scenario s = Load(Review(0.5) + "\n" + IdleScreen.Replace(" }", ", enabled: false }", StringComparison.Ordinal));
        Assert.DoesNotContain(VariantBuilder.Build(s), v => v.Id == "proposal-without-screen");
        Assert.Contains(VariantBuilder.Build(s), v => v.Id == "proposal-only-screen");
        RunResult r = Run(s, 2);
        var rows = SafeguardEffects.Of(s, r, Models(s));
        Assert.DoesNotContain(rows, x => x.Safeguard == "screen" && x.Effect == EffectKind.Marginal);
        Assert.Contains(rows, x => x.Safeguard == "screen" && x.Effect == EffectKind.Solo);
        Assert.Contains(rows, x => x.Safeguard == "review" && x.Effect == EffectKind.Marginal);

        // A declared variant that removes it is refused at the override, as the loader refuses any bad input.
        string text = Template.Replace("{UNCERTAINTY}", Fixed, StringComparison.Ordinal).Replace("{PREVALENCE}", "0.025", StringComparison.Ordinal)
            .Replace("{INVESTIGATION}", "150", StringComparison.Ordinal)
            .Replace("{SAFEGUARDS}", IdleScreen.Replace(" }", ", enabled: false }", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("{VARIANTS}", "variants:\n  - { id: no-screen, overrides: { safeguards.screen.enabled: false } }", StringComparison.Ordinal);
        ScenarioLoadResult loaded = ScenarioLoader.Load("s/review.yaml", new MemoryFiles().With("s/review.yaml", text));
        ScenarioError error = Assert.Single(loaded.Errors);
        Assert.Equal("variants.no-screen.overrides.safeguards.screen.enabled", error.Path);
        Assert.Contains("safeguard 'screen' is off in the proposal", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0 && error.Column > 0);
    }

    [Fact]
    public void Principles_list_each_serving_safeguard_and_every_principle_no_safeguard_serves()
    {
        Scenario s = Load(Review(0.5) + "\n" + IdleScreen.Replace(" }", ", principles: [lawfulness, security] }", StringComparison.Ordinal));
        var rows = PrincipleCoverage.Of(s);
        // human-review's type serves accuracy and lawfulness by default; the screen declares its own.
        Assert.Equal(
        [
            ("lawfulness", "review"), ("lawfulness", "screen"), ("purpose-limitation", null), ("minimisation", null), ("accuracy", "review"),
            ("storage-limitation", null), ("security", "screen"), ("accountability", null),
        ], rows.Select(x => (x.Principle, x.Safeguard)));
    }

    /// <summary>Three uncertain parameters: the fraud prevalence, the investigation cost, and a data source no linkage uses.</summary>
    private static Scenario Uncertain(string investigation = "\"uniform(100, 200)\"") =>
        Load(Review(0.5), prevalence: "\"beta(25, 975)\"", investigation: investigation);

    [Fact]
    public void A_parameter_no_metric_reads_has_swing_zero_and_the_last_rank_and_swings_have_the_direction_of_the_effect()
    {
        Scenario s = Uncertain();
        RunResult r = Run(s, 3);
        Assert.Equal(["fraud.true_states.fraud.prevalence", "fraud.actions.investigation_cost", "data_sources.unused.coverage"],
            SensitivityAnalysis.Families(s, r).Select(f => f.Path).Order(Comparer<string>.Create((a, b) => Order(a).CompareTo(Order(b)))));
        var rows = SensitivityAnalysis.Analyse(s, r, Models(s));
        foreach (var metric in rows.GroupBy(x => x.Metric))
        {
            SensitivityRow unused = metric.Single(x => x.Parameter == "data_sources.unused.coverage");
            Assert.Equal(0, unused.Swing);
            Assert.Equal(metric.Max(x => x.Rank), unused.Rank);
        }

        SensitivityRow Row(string parameter, string metric) => rows.Single(x => x.Parameter == parameter && x.Metric == metric);
        // More fraud, more money recovered; dearer investigations, less net benefit; neither changes the claimants.
        Assert.True(Row("fraud.true_states.fraud.prevalence", "money_recovered").Swing > 0);
        Assert.True(Row("fraud.actions.investigation_cost", "net_benefit_vs_status_quo").Swing < 0);
        Assert.Equal(0, Row("fraud.actions.investigation_cost", "money_recovered").Swing);
        Assert.Equal(1, Row("fraud.true_states.fraud.prevalence", "money_recovered").Rank);
        // Three replicates are too few for a rank correlation.
        Assert.All(rows, x => Assert.Null(x.Spearman));
    }

    private static int Order(string path) => path switch
    {
        "fraud.true_states.fraud.prevalence" => 0,
        "fraud.actions.investigation_cost" => 1,
        _ => 2,
    };

    [Fact]
    public void The_switching_value_is_where_the_net_benefit_changes_sign_on_the_same_random_numbers()
    {
        // Investigations costing up to GBP 20,000 each: somewhere in the range the proposal stops paying.
        Scenario s = Uncertain("\"uniform(0, 20000)\"");
        RunResult r = Run(s, 2);
        var rows = SensitivityAnalysis.Analyse(s, r, Models(s));
        double value = rows.Single(x => x.Parameter == "fraud.actions.investigation_cost" && x.Metric == SensitivityAnalysis.SwitchingMetric).SwitchingValue
                       ?? throw new InvalidOperationException("no switching value");
        Assert.InRange(value, 200, 19800); // within the 1st to 99th percentiles
        Assert.All(rows.Where(x => x.Parameter != "fraud.actions.investigation_cost"), x => Assert.Null(x.SwitchingValue));

        double Net(double cost)
        {
            var pins = new Dictionary<string, double>
            {
                ["fraud.true_states.fraud.prevalence"] = ParameterQuantiles.Of(ParameterOf(s, "fraud.true_states.fraud.prevalence"), 0.5),
                ["data_sources.unused.coverage"] = 0.5,
                ["fraud.actions.investigation_cost"] = cost,
            };
            RunResult run = SimulationRunner.Run(s, r.Settings with { Replicates = 1 }, Models(s), scope: new RunScope(["status-quo", "proposal"], new ParameterPins(pins)));
            return run.Rows.Single(x => x is { Variant: "proposal", Group: "all", Metric: SensitivityAnalysis.SwitchingMetric }).Summary.Mean!.Value;
        }

        // The net benefit is linear in the cost per investigation (flags do not depend on it): a little
        // either side of the switching value it has opposite signs, and at it it is near zero.
        double below = Net(value - 20), above = Net(value + 20), at = Net(value);
        Assert.True(below > 0 && above < 0, $"{below} at {value - 20}, {above} at {value + 20}");
        Assert.True(Math.Abs(at) < (below - above) / 2, $"{at} at {value}");
    }

    private static Parameter ParameterOf(Scenario s, string path) => ScenarioParameters.All(s).Single(p => p.Path == path);

    [Fact, Trait("Category", "Statistical")]
    public void Common_random_numbers_make_a_paired_effect_at_least_three_times_more_precise_than_independent_runs()
    {
        // Every parameter fixed: what varies between replicates is chance alone.
        Scenario s = Load(Review(0.5));
        RunResult a = Run(s, 30, seed: 11), b = Run(s, 30, seed: 12);
        foreach (string metric in (string[])["net_benefit", "total_cost"])
        {
            double[] with = Values(a, "proposal", metric), without = Values(a, "proposal-without-review", metric), elsewhere = Values(b, "proposal-without-review", metric);
            double paired = StandardError([.. with.Select((x, i) => x - without[i])]);
            double independent = StandardError([.. with.Select((x, i) => x - elsewhere[i])]);
            Assert.True(independent >= 3 * paired, $"{metric}: paired s.e. {paired}, independent {independent}");
            Assert.Equal(paired, SafeguardEffects.Of(s, a, Models(s)).Single(x => x is { Safeguard: "review", Effect: EffectKind.Marginal, Group: "all" } && x.Metric == metric).Summary.McSe!.Value, 9);
        }
    }

    private static double StandardError(double[] x) => ReplicateStatistics.MonteCarloStandardError(x, x.Average());

    [Fact]
    public void The_review_is_the_same_for_one_and_two_threads()
    {
        Scenario s = Uncertain();
        RunResult one = Run(s, 12, threads: 1), two = Run(s, 12, threads: 2);
        RunReview a = RunReview.Of(s, one, Models(s), sensitivity: true), b = RunReview.Of(s, two, Models(s), sensitivity: true);
        Assert.Equal(a.Safeguards, b.Safeguards);
        Assert.Equal(a.Sensitivity, b.Sensitivity);
        Assert.Equal(a.Evidence, b.Evidence);
        Assert.Contains(a.Sensitivity, x => x.Spearman is not null); // 12 replicates: the rank correlations are there
    }

    [Fact]
    public void The_evidence_register_lists_every_parameter_as_declared_with_its_best_rank()
    {
        Scenario s = Uncertain();
        RunResult r = Run(s, 2);
        RunReview review = RunReview.Of(s, r, Models(s), sensitivity: true);
        Assert.Equal(ScenarioParameters.All(s).Select(p => p.Path), review.Evidence.Select(e => e.Parameter));
        EvidenceRow prevalence = review.Evidence.Single(e => e.Parameter == "fraud.true_states.fraud.prevalence");
        Assert.Equal("beta(25, 975)", prevalence.Value);
        Assert.Equal("assumption", prevalence.Grade);
        Assert.Equal(review.Sensitivity.Where(x => x.Parameter == prevalence.Parameter).Min(x => x.Rank), prevalence.SensitivityRank);
        Assert.Null(review.Evidence.Single(e => e.Parameter == "discount_rate").SensitivityRank); // fixed: not analysed
    }

    [Theory]
    [InlineData("fraud-error-debt", "wrongful_adverse_actions,false_positives,wrongful_suspensions,wrongful_debts,hardship")]
    [InlineData("tailored-services", "eligible_missed")]
    [InlineData("research-statistics", "sample_uniques,records_at_high_risk,attribute_disclosures")]
    public void Each_strand_harm_rate_is_paired_with_the_count_it_is_a_rate_of(string scenario, string counts)
    {
        Scenario s = ScenarioLoader.LoadScenario(Cli.ValidateCommandTests.RepositoryFile("scenarios", scenario + ".yaml"), ImpactModel.Worker.Hosting.DiskScenarioFiles.Instance);
        IReadOnlyList<string> harms = SafeguardEffects.HarmCounts(Models(s));
        Assert.All(counts.Split(','), c => Assert.Contains(c, harms));
        Assert.DoesNotContain("persons", harms); // never a count of another model's counter with the same index
    }

    [Fact]
    public void A_metric_resting_on_fewer_than_30_simulated_events_has_no_swings_quoted()
    {
        Scenario s = Uncertain();
        // 3,000 persons of the 40,000 declared: hardship (a fifth of the wrongful actions) rests on a handful of simulated persons.
        RunResult r = SimulationRunner.Run(s, new RunSettings(7, 2, 3000), BuiltInStrands.Registry);
        long? hardship = r.Rows.Single(x => x is { Variant: "proposal", Group: "all", Metric: "hardship" }).Events;
        Assert.InRange(hardship!.Value, 1, 2 * SensitivityAnalysis.ReliableEvents - 1); // both replicates together: fewer than 30 in one
        var rows = SensitivityAnalysis.Analyse(s, r, Models(s));
        Assert.All(rows.Where(x => x.Metric == "hardship"), x => Assert.True(x.Low is null && x.High is null && x.Swing is null, x.Parameter));
        long? flagged = r.Rows.Single(x => x is { Variant: "proposal", Group: "all", Metric: "flagged" }).Events;
        Assert.True(flagged > 2 * SensitivityAnalysis.ReliableEvents);
        Assert.Contains(rows, x => x.Metric == "flagged" && x.Swing is not null and not 0);
    }
}
