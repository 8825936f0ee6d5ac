using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Valuation;
using ImpactModel.Worker.Commands;
using static ImpactModel.Tests.Simulation.SimulationTestScenarios;

namespace ImpactModel.Tests.Simulation;

public class RunnerTests
{
    [Fact]
    public void Same_seed_gives_byte_identical_results_and_replicates_for_one_or_two_threads_and_two_chunk_sizes()
    {
        Scenario s = Fixture();
        RunResult one = Run(s, 42, 3, 40_000, threads: 1, chunk: 4096);
        RunResult two = Run(s, 42, 3, 40_000, threads: 2, chunk: 4096);
        RunResult small = Run(s, 42, 3, 40_000, threads: 2, chunk: 1000);
        string results = Csv(one, RunFolder.WriteResults), replicates = Csv(one, RunFolder.WriteReplicates);
        Assert.Equal(results, Csv(two, RunFolder.WriteResults));
        Assert.Equal(replicates, Csv(two, RunFolder.WriteReplicates));
        Assert.Equal(results, Csv(small, RunFolder.WriteResults));
        Assert.Equal(replicates, Csv(small, RunFolder.WriteReplicates));
        Assert.Equal(Csv(one, RunFolder.WriteParameters), Csv(small, RunFolder.WriteParameters));
        Assert.NotEqual(results, Csv(Run(s, 43, 3, 40_000), RunFolder.WriteResults));
    }

    [Fact]
    public void Variants_are_status_quo_proposal_each_safeguard_removed_none_each_alone_and_the_declared_ones()
    {
        Scenario s = Fixture();
        var variants = VariantBuilder.Build(s);
        Assert.Equal(
            ["status-quo", "proposal", "proposal-without-human-review", "proposal-without-screen", "proposal-no-safeguards",
             "proposal-only-human-review", "proposal-only-screen", "strict"],
            variants.Select(v => v.Id));
        Assert.False(variants[0].LinksData);
        Assert.All(variants.Skip(1), v => Assert.True(v.LinksData));
        Assert.Equal(["screen"], variants[2].EnabledSafeguards.Select(g => g.Id));
        Assert.Empty(variants[4].EnabledSafeguards);
        Assert.Equal(["human-review"], variants[5].EnabledSafeguards.Select(g => g.Id));

        SimulationVariant strict = variants[^1];
        Assert.Equal(new FixedValue(0.9), strict.Resolve(strict.Scenario.Safeguards[0].Get("catch_rate")!).Value);
        Assert.IsType<BetaDistribution>(s.Safeguards[0].Get("catch_rate")!.Value);
        Assert.Equal("period-matched", strict.Setting("fraud.matching.comparison"));
        // Untouched records are shared, so the runner links once for all of these variants.
        Assert.Same(s.Linkages[0], strict.Scenario.Linkages[0]);
        Assert.Same(s.Population, strict.Scenario.Population);
    }

    [Fact]
    public void An_override_of_a_linkage_parameter_changes_that_variant_only()
    {
        string text = Scenarios.ScenarioFixture.Scenario.Replace(
            "safeguards.human-review.catch_rate: 0.9", "linkage.link.upper_threshold: 40", StringComparison.Ordinal);
        var loaded = Scenarios.ScenarioFixture.Load(text);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var variants = VariantBuilder.Build(loaded.Scenario!);
        Assert.Equal(new FixedValue(40), variants[^1].Resolve(variants[^1].Scenario.Linkages[0].UpperThreshold!).Value);
        RunResult r = Run(loaded.Scenario!, 5, 2, 20_000);
        double Recall(string v) => r.Rows.Single(x => x.Variant == v && x.Group == "all" && x.Metric == "link_recall").Summary.Mean!.Value;
        Assert.True(Recall("strict") < Recall("proposal") - 0.5, $"strict {Recall("strict")}, proposal {Recall("proposal")}");
    }

    [Fact]
    public void Results_have_rows_for_all_rest_and_every_group_and_no_link_rows_in_the_status_quo()
    {
        Scenario s = Fixture();
        RunResult r = Run(s, 7, 2, 20_000);
        string[] groups = ["all", "no-fixed-address", "frequent-mover", "disabled", "rest"];
        foreach (var v in r.Variants)
        {
            foreach (string g in groups)
            {
                Assert.Contains(r.Rows, x => x.Variant == v.Id && x.Group == g && x.Metric == "persons");
                bool linked = r.Rows.Any(x => x.Variant == v.Id && x.Group == g && x.Metric == "link_recall");
                Assert.Equal(v.LinksData, linked);
                Assert.Equal(v.LinksData, r.Rows.Any(x => x.Variant == v.Id && x.Group == g && x.Metric == "link_false_match_rate_ratio_vs_rest"));
            }
        }

        // Persons of all are exactly the declared population; groups scaled by declared / simulated.
        Assert.All(r.Rows.Where(x => x.Metric == "persons" && x.Group == "all"), x => Assert.Equal(1_000_000, x.Summary.Mean!.Value, 6));
        Assert.Equal(50, r.ScaleFactor, 12);
    }

    [Fact]
    public void Percentiles_are_R_type_7()
    {
        // R: quantile(c(1, 2, 3, 4, 10), c(0, 0.025, 0.5, 0.975, 1), type = 7) gives 1, 1.1, 3, 9.4, 10.
        double[] x = [1, 2, 3, 4, 10];
        Assert.Equal(1, ReplicateStatistics.Percentile(x, 0), 12);
        Assert.Equal(1.1, ReplicateStatistics.Percentile(x, 0.025), 12);
        Assert.Equal(3, ReplicateStatistics.Percentile(x, 0.5), 12);
        Assert.Equal(9.4, ReplicateStatistics.Percentile(x, 0.975), 12);
        Assert.Equal(10, ReplicateStatistics.Percentile(x, 1), 12);
        // R: quantile(c(0.3, 0.1), c(0.025, 0.975)) gives 0.105, 0.295.
        var s = ReplicateStatistics.Summarise([0.3, double.NaN, 0.1]);
        Assert.Equal(0.2, s.Mean!.Value, 12);
        Assert.Equal(0.105, s.Low!.Value, 12);
        Assert.Equal(0.295, s.High!.Value, 12);
        Assert.Equal(2, s.Replicates);
    }

    [Fact]
    public void Intervals_are_empty_with_fewer_than_two_replicates_and_undefined_values_are_empty_cells()
    {
        Assert.Equal(new ReplicateSummary(0.5, null, null, 1), ReplicateStatistics.Summarise([0.5]));
        Assert.Equal(new ReplicateSummary(null, null, null, 0), ReplicateStatistics.Summarise([double.NaN, double.NaN]));
        RunResult r = Run(Fixture(), 3, 1, 5_000);
        string csv = Csv(r, RunFolder.WriteResults);
        Assert.StartsWith("scenario,strand,variant,group,metric,mean,ci_low,ci_high,replicates,mc_se,events\n", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", csv, StringComparison.Ordinal);
        Assert.Contains(",,,1,,", csv, StringComparison.Ordinal); // one replicate: no interval and no mc_se
        Assert.DoesNotContain("NaN", Csv(r, RunFolder.WriteReplicates), StringComparison.Ordinal);
    }

    [Fact]
    public void Ratio_names_put_the_suffix_before_the_qualifier()
    {
        Assert.Equal("link_false_match_rate_ratio_vs_rest", SimulationRunner.RatioName("link_false_match_rate"));
        Assert.Equal("link_false_match_rate_ratio_vs_rest.hmrc-rti", SimulationRunner.RatioName("link_false_match_rate.hmrc-rti"));
    }

    [Fact]
    public void Present_values_leave_year_0_undiscounted_and_discount_year_t_by_1_over_1_plus_r_to_the_t()
    {
        Assert.Equal(1, PresentValue.Factor(0, 0.035));
        Assert.Equal(1 / (1.035 * 1.035), PresentValue.Factor(2, 0.035), 15);
        Assert.Equal(100 + 100 / 1.035 + 100 / (1.035 * 1.035), PresentValue.OfConstant(100, 3, 0.035), 10);
        Assert.Equal(500, PresentValue.OfConstant(100, 5, 0), 12);
        Assert.Equal(10 + 20 / 1.1, PresentValue.Of([10, 20], 0.1), 12);
        Assert.Equal(1000 + 50 + 50 / 1.035, PresentValue.OfSetupAndAnnual(1000, 50, 2, 0.035), 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => PresentValue.Factor(1, 1.5));
    }
}
