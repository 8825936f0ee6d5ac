using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.Simulation;

/// <summary>Declared variants' overrides: typed by the loader, applied without reflection, reported where they do not act.</summary>
public class VariantOverrideTests
{
    private static Scenario WithVariants(string variants)
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, """
            variants:
              - id: strict
                overrides:
                  safeguards.human-review.catch_rate: 0.9
                  fraud.matching.comparison: period-matched
            """, variants);
        var loaded = ScenarioFixture.Load(text);
        Assert.True(loaded.IsValid, loaded.Summary + string.Join("\n", loaded.Errors));
        return loaded.Scenario!;
    }

    [Fact]
    public void The_loader_types_each_override_by_what_it_names()
    {
        Scenario s = WithVariants("""
            variants:
              - id: v
                overrides:
                  data_sources.claims.fields.nino.error_rate.base: 0.05
                  data_sources.claims.fields.postcode.error_rate.base: "beta(2, 20)"
                  fraud.matching.comparison: period-matched
                  safeguards.screen.enabled: false
            """);
        var o = s.Variants[0].Overrides;
        // A value declared once for everyone is named path.base; the override replaces the value's own parameter.
        var single = Assert.IsType<ParameterOverride>(o[0]);
        Assert.Equal(("data_sources.claims.fields.nino.error_rate", new FixedValue(0.05)), (single.Target, single.Value));
        // The base of a by-group value is a parameter of its own.
        var byGroup = Assert.IsType<ParameterOverride>(o[1]);
        Assert.Equal("data_sources.claims.fields.postcode.error_rate.base", byGroup.Target);
        Assert.IsType<BetaDistribution>(byGroup.Value);
        Assert.Equal("period-matched", Assert.IsType<SettingOverride>(o[2]).Value);
        Assert.Equal("false", Assert.IsType<SettingOverride>(o[3]).Value);
        Assert.True(o[0].Position.Line > 0);
    }

    [Fact]
    public void Switching_a_safeguard_off_in_a_declared_variant_gives_the_variant_without_it()
    {
        Scenario s = WithVariants("""
            variants:
              - id: no-review
                overrides:
                  safeguards.human-review.enabled: false
            """);
        RunResult r = SimulationTestScenarios.Run(s, seed: 5, replicates: 2, persons: 40_000);
        Assert.Equal(Values(r, "proposal-without-human-review"), Values(r, "no-review"));
        Assert.NotEqual(Values(r, "proposal"), Values(r, "no-review"));
    }

    [Fact]
    public void An_override_to_the_declared_value_changes_nothing_and_others_keep_their_draws()
    {
        // The same distribution at the same path is drawn from the same counter: common random numbers.
        Scenario s = WithVariants("""
            variants:
              - id: same
                overrides:
                  safeguards.human-review.catch_rate: "beta(14, 6)"
                  data_sources.claims.fields.nino.error_rate.base: 0.01
              - id: noisier
                overrides:
                  data_sources.claims.fields.nino.error_rate.base: 0.2
            """);
        RunResult r = SimulationTestScenarios.Run(s, seed: 5, replicates: 2, persons: 40_000);
        Assert.Equal(Values(r, "proposal"), Values(r, "same"));
        // A noisier identifier in the claims records: the variant links its own records, with lower recall.
        double Recall(string v) => r.Series.Single(x => x.Variant == v && x.Group == "all" && x.Metric == "link_recall").Values.Average(x => x!.Value);
        Assert.True(Recall("noisier") < Recall("proposal"), $"recall {Recall("noisier")} vs {Recall("proposal")}");
        // Only the linkage reads the identifier's error: the variant's other draws are the proposal's.
        var variants = VariantBuilder.Build(s);
        SimulationVariant noisier = variants.Single(v => v.Id == "noisier"), proposal = variants.Single(v => v.Id == "proposal");
        var draws = new StrandKit.ReplicateDraws(["no-fixed-address"], 5, 0);
        Parameter threshold = s.Fraud!.Matching.FlagThreshold, error = ScenarioParameters.All(s).Single(p => p.Path == "data_sources.claims.fields.nino.error_rate");
        Assert.Equal(draws.For(proposal).Draw(threshold), draws.For(noisier).Draw(threshold));
        Assert.Equal(0.2, draws.For(noisier).Draw(error));
        Assert.Equal(0.01, draws.For(proposal).Draw(error));
    }

    [Theory]
    [InlineData("data_sources.hmrc-rti.stale_months", "has no effect")]             // nothing in the run reads how old records are
    [InlineData("data_sources.dwp-claims.coverage", "has no effect")]               // the linkage reads the target's coverage only
    [InlineData("fraud.claimants.share", "is not applied")]                          // who claims: every variant's persons
    [InlineData("data_sources.hmrc-rti.fields.nino.error_rate.base", null)]          // read by the matching linkage for each variant
    [InlineData("fraud.matching.flag_threshold", null)]
    [InlineData("safeguards.human-review.catch_rate", null)]
    public void What_an_override_does_in_a_run_is_found_from_what_the_models_read(string path, string? warning)
    {
        Scenario s = Strands.Fraud.FraudStrandTests.ShippedScenario();
        Parameter target = ScenarioParameters.All(s).Single(p => p.Path == path || p.Path == path + ".base");
        s = s with { Variants = [new VariantSpec("v", null, [new ParameterOverride(path, target.Path, new FixedValue(0.5), default)], default)] };
        IReadOnlyList<string> warnings = VariantBuilder.Warnings(s, BuiltInStrands.Registry.For(s).Models);
        if (warning is null)
            Assert.Empty(warnings);
        else
            Assert.Contains($"override '{path}' {warning}", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_compile_linkages_without_tables_and_find_what_a_compile_with_them_finds()
    {
        // Validate's warnings compile replicate 0 with no linkage tables (a fifth of validate's time);
        // the tables read no parameter, so the warnings are those of a compile that builds them.
        Scenario s = Strands.Fraud.FraudStrandTests.ShippedScenario();
        string[] paths = ["data_sources.hmrc-rti.stale_months", "fraud.claimants.share", "data_sources.hmrc-rti.fields.nino.error_rate.base",
            "fraud.matching.flag_threshold", "safeguards.human-review.catch_rate"];
        s = s with
        {
            Variants = [new VariantSpec("v", null, [.. paths.Select(path =>
                (OverrideSpec)new ParameterOverride(path, ScenarioParameters.All(s).Single(p => p.Path == path || p.Path == path + ".base").Path,
                    new FixedValue(0.5), default))], default)],
        };
        IReadOnlyList<ImpactModel.Simulation.IStrandModel> models = BuiltInStrands.Registry.For(s).Models;
        var context = new ReplicateContext(s, VariantBuilder.Build(s), ImpactModel.Population.CompiledPopulation.Compile(s.Population, 0, 0), 0, 0,
            s.Population.Size);
        foreach (var model in models)
            model.Compile(context);
        IReadOnlyList<string> withTables = VariantBuilder.Warnings(s, models, context.Use);
        Assert.Equal(2, withTables.Count);
        Assert.Equal(withTables, VariantBuilder.Warnings(s, models));

        var groups = s.Population.Groups.Select(g => g.Id).ToArray();
        using (ImpactModel.Linkage.CompiledLinkage.WithoutTables())
            Assert.Null(ImpactModel.Linkage.CompiledLinkage.Compile(s, s.Linkages[0], groups, 1, 0).ProfileOf);
        Assert.NotNull(ImpactModel.Linkage.CompiledLinkage.Compile(s, s.Linkages[0], groups, 1, 0).ProfileOf);
    }

    [Fact]
    public void An_override_that_every_variant_shares_is_reported_with_its_position()
    {
        Scenario s = WithVariants("""
            variants:
              - id: other-rate
                overrides:
                  discount_rate: 0.05
            """);
        string warning = Assert.Single(VariantBuilder.Warnings(s, BuiltInStrands.Registry.For(s).Models));
        Assert.StartsWith($"{ScenarioFixture.ScenarioPath}:", warning, StringComparison.Ordinal);
        Assert.Contains("variant 'other-rate': override 'discount_rate' is not applied", warning, StringComparison.Ordinal);
    }

    private static string[] Values(RunResult r, string variant) =>
        [.. r.Series.Where(x => x.Variant == variant).Select(x => $"{x.Group},{x.Metric},{string.Join(';', x.Values)}")];

    private static double Value(RunResult r, string variant, string metric) =>
        r.Series.Single(x => x.Variant == variant && x.Group == "all" && x.Metric == metric).Values[0]!.Value;
}
