using System.Globalization;
using System.Text;
using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios;
using ScenarioSpec = ImpactModel.Scenarios.Model.Scenario;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// Every limit a model enforces when it compiles a replicate is checked at load, at the value's
/// position, with the model's own constant: just past the limit the scenario does not validate, at
/// the limit it loads and its models compile. So <c>validate</c> ok means <c>run</c> will not refuse it.
/// </summary>
public class ModelLimitTests
{
    private const string S = ScenarioPath;
    private const string P = PopulationPath;
    private static readonly string Limit = Philox.PoissonMeanLimit.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Compiles replicate 0 of every model of <paramref name="scenario"/>, as a run's first replicate does.</summary>
    internal static void CompileReplicateZero(ScenarioSpec scenario)
    {
        var variants = VariantBuilder.Build(scenario);
        var population = CompiledPopulation.Compile(scenario.Population, 1, 0);
        var context = new ReplicateContext(scenario, variants, population, 1, 0, 1000);
        foreach (IStrandModel model in BuiltInStrands.Registry.For(scenario).Models)
            model.Compile(context);
    }

    private static ScenarioSpec Valid(string scenario, string? population = null)
    {
        ScenarioLoadResult result = Load(scenario, population);
        Assert.Empty(result.Errors);
        return result.Scenario!;
    }

    [Fact]
    public void Candidates_per_block_just_above_the_Poisson_limit_is_refused_where_it_is_written()
    {
        string text = Replace(Scenario, "candidates_per_block: 2", "candidates_per_block: 700.001");
        Assert.Equal($"{At(S, text, "700.001")}: linkage.link.candidates_per_block: must be in [0, {Limit}] (the engine's limit for a mean count), got 700.001",
            SingleError(Load(text)));
    }

    [Theory]
    [InlineData("701")]
    [InlineData("1.8e19")]
    public void A_huge_candidates_per_block_is_refused_at_load_not_in_the_run(string value)
    {
        string text = Replace(Scenario, "candidates_per_block: 2", $"candidates_per_block: {value}");
        Assert.StartsWith($"{At(S, text, value)}: linkage.link.candidates_per_block: must be in [0, {Limit}]", SingleError(Load(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void Candidates_per_block_at_the_limit_loads_and_compiles()
    {
        CompileReplicateZero(Valid(Replace(Scenario, "candidates_per_block: 2", $"candidates_per_block: {Limit}")));
    }

    [Fact]
    public void A_candidates_distribution_without_an_upper_bound_is_refused_with_a_bounded_suggestion()
    {
        string text = Replace(Scenario, "candidates_per_block: 2", "candidates_per_block: \"lognormal(400, 150)\"");
        Assert.Equal($"{At(S, text, "\"lognormal")}: linkage.link.candidates_per_block: lognormal(400, 150) can take values outside [0, {Limit}] " +
                     $"(the engine's limit for a mean count); use a distribution bounded above, e.g. triangular(min, mode, max) or uniform(a, b), with its maximum at most {Limit}",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_candidates_distribution_bounded_by_the_limit_loads_and_compiles()
    {
        CompileReplicateZero(Valid(Replace(Scenario, "candidates_per_block: 2", $"candidates_per_block: \"triangular(0, 350, {Limit})\"")));
    }

    [Fact]
    public void A_variant_override_of_candidates_per_block_above_the_limit_is_refused()
    {
        string text = Replace(Scenario, "fraud.matching.comparison: period-matched", "linkage.link.candidates_per_block: 701");
        Assert.Equal($"{At(S, text, "701")}: variants.strict.overrides.linkage.link.candidates_per_block: must be in [0, {Limit}] (the engine's limit for a mean count), got 701",
            SingleError(Load(text)));
    }

    [Fact]
    public void Group_values_that_combine_above_the_limit_for_a_person_in_both_groups_are_refused()
    {
        // 100 × (600/100) × (600/100) = 3,600 for a person who is both a frequent mover and disabled.
        string text = Replace(Scenario, "candidates_per_block: 2", "candidates_per_block: { base: 100, by_group: { frequent-mover: 600, disabled: 600 } }");
        Assert.Equal($"{At(S, text, "600")}: linkage.link.candidates_per_block.by_group: a person in groups 'frequent-mover' and 'disabled' takes base × each group's ratio " +
                     $"to the base, which can reach 3600; it must stay in [0, {Limit}] (the engine's limit for a mean count): lower the groups' values or raise the base's smallest value",
            SingleError(Load(text)));
    }

    [Fact]
    public void Group_values_that_combine_exactly_to_the_limit_load_and_compile()
    {
        CompileReplicateZero(Valid(Replace(Scenario, "candidates_per_block: 2",
            $"candidates_per_block: {{ base: 100, by_group: {{ frequent-mover: {Limit}, disabled: 100 }} }}")));
    }

    [Fact]
    public void Group_values_over_a_base_that_can_be_zero_are_unbounded_and_refused()
    {
        string text = Replace(Scenario, "candidates_per_block: 2", "candidates_per_block: { base: \"uniform(0, 5)\", by_group: { frequent-mover: 3, disabled: 4 } }");
        Assert.Contains("which is unbounded (the base can be 0", SingleError(Load(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_that_lowers_the_base_so_groups_combine_above_the_limit_is_refused_at_its_override()
    {
        string text = Replace(Scenario, "candidates_per_block: 2", "candidates_per_block: { base: 100, by_group: { frequent-mover: 300, disabled: 200 } }");
        text = Replace(text, "fraud.matching.comparison: period-matched", "linkage.link.candidates_per_block.base: 50");
        Assert.StartsWith($"{At(S, text, ".base: 50", offset: ".base: ".Length)}: variants.strict.overrides.linkage.link.candidates_per_block.base: with this override, " +
                          "linkage.link.candidates_per_block: a person in groups 'frequent-mover' and 'disabled' takes base × each group's ratio to the base, which can reach 1200;",
            SingleError(Load(text)), StringComparison.Ordinal);
    }

    internal static string WithFields(int count)
    {
        var source = new StringBuilder();
        var link = new StringBuilder();
        for (int f = 0; f < count; f++)
        {
            source.Append(CultureInfo.InvariantCulture, $"      - id: f{f}\n");
            link.Append(CultureInfo.InvariantCulture, $"      - {{ field: f{f}, m: 0.9, u: 0.01 }}\n");
        }

        string text = Scenario.Replace("""
                  - id: nino
                    error_rate: 0.01
                  - id: postcode
                    error_rate: { base: 0.05, by_group: { frequent-mover: 0.3 } }

            """, source.ToString(), StringComparison.Ordinal);
        text = Replace(text, """
                  - id: nino
                  - id: postcode

            """, source.ToString());
        text = Replace(text, """
                  - { field: nino, m: 0.98, u: 0.0001 }
                  - { field: postcode, m: 0.8, u: 0.001 }

            """, link.ToString());
        return Replace(text, "upper_threshold: 15", "upper_threshold: 40");
    }

    [Fact]
    public void A_linkage_of_more_fields_than_the_model_compares_is_refused_at_its_list()
    {
        string text = WithFields(CompiledLinkage.MaxFields + 1);
        Assert.Equal($"{At(S, text, "- { field: f0")}: linkage.link.fields: a linkage compares at most {CompiledLinkage.MaxFields} fields, got {CompiledLinkage.MaxFields + 1}",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_linkage_of_as_many_fields_as_the_model_compares_loads_and_compiles()
    {
        CompileReplicateZero(Valid(WithFields(CompiledLinkage.MaxFields)));
    }

    [Fact]
    public void Describe_gives_a_linkage_of_more_fields_than_its_calculator_enumerates_without_expectations_instead_of_failing()
    {
        ScenarioSpec scenario = Valid(WithFields(LinkageCalculator.MaxFields + 1));
        LinkageSection section = Assert.Single(LinkageDescription.Describe(scenario, seed: 1, persons: 2000));
        Assert.All(section.Rows.SelectMany(r => r.Rates), rate => Assert.Null(rate.Expected));
        Assert.Contains(section.Rows.SelectMany(r => r.Rates), rate => rate.Simulated is not null);
    }

    private static string WithGroups(int count)
    {
        var groups = new StringBuilder();
        for (int g = 3; g < count; g++)
            groups.Append(CultureInfo.InvariantCulture, $"    - {{ id: extra-{g}, prevalence: 0.01 }}\n");
        return PopulationText + "\n" + groups;
    }

    [Fact]
    public void A_population_of_more_groups_than_the_model_tables_hold_is_refused_at_its_list()
    {
        string population = WithGroups(GroupValueTable.MaxGroups + 1);
        Assert.Equal($"{At(P, population, "- id: no-fixed-address")}: population.groups: at most {GroupValueTable.MaxGroups} peripheral groups, got {GroupValueTable.MaxGroups + 1}",
            Assert.Single(Load(population: population).Errors).ToString());
    }

    [Fact]
    public void A_population_of_as_many_groups_as_the_model_tables_hold_loads_and_compiles()
    {
        CompileReplicateZero(Valid(Scenario, WithGroups(GroupValueTable.MaxGroups)));
    }
}
