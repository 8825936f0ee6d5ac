using System.Text;
using ImpactModel.Scenarios;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// One test per validation rule. Each damages the small fixture in one place and asserts the
/// exact message: the file, the line and column of the offending token, the dotted path and the text.
/// </summary>
public class ScenarioValidationTests
{
    private const string S = ScenarioPath;
    private const string P = PopulationPath;

    [Fact]
    public void The_fixture_is_valid_and_reads_every_section()
    {
        ScenarioLoadResult result = Load();
        Assert.Empty(result.Errors);
        var scenario = result.Scenario!;
        Assert.Equal("small-fraud", scenario.Name);
        Assert.Equal(3, scenario.Population.Groups.Length);
        Assert.Equal(1_000_000, scenario.Population.Size);
        Assert.Equal(0.1, scenario.Population.Groups[1].Prevalence.Mean, 12);
        Assert.Equal("survey-estimate", ImpactModel.Scenarios.Model.Evidence.IdOf(scenario.Population.Groups[2].Prevalence.Evidence.Grade));
        Assert.Equal(0.3, scenario.DataSources[0].Fields[1].ErrorRate.For("frequent-mover").Mean);
        Assert.Equal(0.05, scenario.DataSources[0].Fields[1].ErrorRate.For("disabled").Mean);
        Assert.Equal(2, scenario.Safeguards.Length);
        Assert.Equal(2, scenario.Variants[0].Overrides.Length);
        Assert.Equal(["s/fraud.yaml", "s/pop.yaml"], scenario.ReferencedFiles.ToArray());
        Assert.Equal("population.groups.frequent-mover.prevalence", scenario.Population.Groups[1].Prevalence.Path);
    }

    [Fact]
    public void A_probability_above_one_is_out_of_range()
    {
        string text = Replace(Scenario, "appeal: 0.1", "appeal: 1.5");
        Assert.Equal($"{At(S, text, "1.5")}: fraud.responses.appeal: must be in [0, 1], got 1.5", SingleError(Load(text)));
    }

    [Fact]
    public void A_negative_amount_of_money_is_out_of_range()
    {
        string text = Replace(Scenario, "letter_cost: 5", "letter_cost: -5");
        Assert.Equal($"{At(S, text, "-5")}: fraud.actions.letter_cost: must be in [0, ∞) GBP, got -5", SingleError(Load(text)));
    }

    [Fact]
    public void A_discount_rate_above_one_is_out_of_range()
    {
        string text = Replace(Scenario, "discount_rate: 0.035", "discount_rate: 3.5");
        Assert.Equal($"{At(S, text, "3.5")}: discount_rate: must be in [0, 1], got 3.5", SingleError(Load(text)));
    }

    [Fact]
    public void Text_where_a_number_belongs_is_a_type_error()
    {
        string text = Replace(Scenario, "appeal_cost: 250", "appeal_cost: lots");
        Assert.Equal($"{At(S, text, "lots")}: fraud.responses.appeal_cost: expected a number or a distribution such as beta(2, 50), got 'lots'",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_mapping_where_a_list_belongs_is_a_type_error()
    {
        string text = Replace(Scenario, "groups: [disabled, no-fixed-address]", "groups: { disabled: yes }");
        Assert.Equal($"{At(S, text, "{ disabled: yes }")}: safeguards.screen.groups: expected a list of group ids, got a mapping", SingleError(Load(text)));
    }

    [Fact]
    public void A_population_size_beyond_the_limit_is_refused()
    {
        string pop = Replace(PopulationText, "size: 1000000", "size: 200000000");
        Assert.Equal($"{At(P, pop, "200000000")}: population.size: population size must be between 1 and 100,000,000, got 200,000,000",
            SingleError(Load(population: pop)));
    }

    [Fact]
    public void A_horizon_of_zero_years_is_refused()
    {
        string text = Replace(Scenario, "horizon_years: 5", "horizon_years: 0");
        Assert.Equal($"{At(S, text, "0\n")}: horizon_years: horizon in years must be between 1 and 100, got 0", SingleError(Load(text)));
    }

    [Fact]
    public void Area_shares_that_do_not_sum_to_one_are_refused_with_the_tolerance()
    {
        string pop = Replace(PopulationText, "share: 0.6", "share: 0.5");
        Assert.Equal($"{At(P, pop, "- { id: north")}: population.areas: area shares sum to 0.9, not 1 (tolerance ±0.001); shares are fractions of the population",
            SingleError(Load(population: pop)));
    }

    [Fact]
    public void An_unknown_key_gets_a_did_you_mean()
    {
        string text = Replace(Scenario, "horizon_years: 5", "horizon_years: 5\nhorizon_yeras: 6");
        Assert.Equal($"{At(S, text, "horizon_yeras")}: horizon_yeras: unknown key 'horizon_yeras'; did you mean 'horizon_years'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_unknown_strand_gets_a_did_you_mean()
    {
        string text = Replace(Scenario, "strand: fraud-error-debt", "strand: fraud-eror-debt");
        Assert.Equal(
            $"{At(S, text, "fraud-eror-debt")}: strand: unknown strand 'fraud-eror-debt'; known: fraud-error-debt, tailored-services, research-statistics; did you mean 'fraud-error-debt'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_unknown_group_in_by_group_names_the_known_groups()
    {
        string text = Replace(Scenario, "by_group: { disabled: 0.15 }", "by_group: { disabld: 0.15 }");
        Assert.Equal(
            $"{At(S, text, "disabld")}: fraud.claimants.share.by_group.disabld: unknown group 'disabld'; known: no-fixed-address, frequent-mover, disabled; did you mean 'disabled'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_unknown_data_source_in_a_linkage_is_a_reference_error()
    {
        string text = Replace(Scenario, "to: earnings", "to: earning");
        Assert.Equal(
            $"{At(S, text, "earning\n")}: linkage.link.to: unknown data source 'earning'; known: claims, earnings; did you mean 'earnings'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_linked_field_that_a_source_lacks_is_a_reference_error()
    {
        string text = Replace(Scenario, "      - id: postcode\nlinkage:", "      - id: postcod\nlinkage:");
        Assert.Equal(
            $"{At(S, text, "{ field: postcode")}: linkage.link.fields.postcode: unknown field of data source 'earnings' 'postcode'; known: nino, postcod; did you mean 'postcod'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_unknown_safeguard_type_gets_a_did_you_mean()
    {
        string text = Replace(Scenario, "type: human-review", "type: human-reveiw");
        ScenarioLoadResult result = Load(text);
        string error = result.Errors[0].ToString();
        Assert.StartsWith($"{At(S, text, "human-reveiw")}: safeguards.human-review.type: unknown safeguard type 'human-reveiw'; known: human-review, minimum-evidence-standard, ", error, StringComparison.Ordinal);
        Assert.EndsWith("; did you mean 'human-review'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_override_of_an_unknown_path_gets_a_did_you_mean()
    {
        string text = Replace(Scenario, "safeguards.human-review.catch_rate: 0.9", "safeguards.human-review.catch_rat: 0.9");
        Assert.Equal(
            $"{At(S, text, "safeguards.human-review.catch_rat")}: variants.strict.overrides.safeguards.human-review.catch_rat: unknown parameter path 'safeguards.human-review.catch_rat'; did you mean 'safeguards.human-review.catch_rate'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_override_value_is_checked_against_the_range_of_its_target()
    {
        string text = Replace(Scenario, "safeguards.human-review.catch_rate: 0.9", "safeguards.human-review.catch_rate: 9");
        Assert.Equal($"{At(S, text, "9\n")}: variants.strict.overrides.safeguards.human-review.catch_rate: must be in [0, 1], got 9",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_override_of_a_setting_must_name_an_allowed_value()
    {
        string text = Replace(Scenario, "fraud.matching.comparison: period-matched", "fraud.matching.comparison: period-match");
        Assert.Equal(
            $"{At(S, text, "period-match")}: variants.strict.overrides.fraud.matching.comparison: unknown value 'period-match'; known: annual-average, period-matched; did you mean 'period-matched'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_reserved_variant_id_is_refused()
    {
        string text = Replace(Scenario, "- id: strict", "- id: proposal-without-screen");
        Assert.StartsWith($"{At(S, text, "proposal-without-screen")}: variants.proposal-without-screen.id: variant id 'proposal-without-screen' is reserved",
            SingleError(Load(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_that_breaks_the_pattern_is_refused()
    {
        string pop = Replace(PopulationText, "- id: disabled", "- id: Disabled_People");
        ScenarioLoadResult result = Load(population: pop);
        Assert.Contains(
            $"{At(P, pop, "Disabled_People")}: population.groups[2].id: group id 'Disabled_People' must match ^[a-z][a-z0-9-]*$ (lower-case letters, digits and hyphens, starting with a letter)",
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_duplicate_id_in_a_list_is_refused()
    {
        string text = Replace(Scenario, "- id: screen", "- id: human-review");
        ScenarioLoadResult result = Load(text);
        Assert.Contains($"{At(S, text, "id: human-review", 2)}: safeguards.human-review: safeguard 'human-review' is declared twice (first at line {At(S, text, "- id: human-review").Split(':')[1]})",
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_missing_required_section_of_the_strand_is_named()
    {
        int start = Scenario.IndexOf("fraud:\n", StringComparison.Ordinal);
        int end = Scenario.IndexOf("safeguards:\n", StringComparison.Ordinal);
        string text = Scenario.Remove(start, end - start);
        // The variant's override of fraud.matching.comparison then names a path that does not exist: that is said too.
        Assert.Equal($"{S}:1:1: missing required key 'fraud'", Load(text).Errors[0].ToString());
    }

    [Fact]
    public void A_missing_required_key_is_reported_at_its_mapping()
    {
        string text = Replace(Scenario, "    monthly_award: 400\n", "");
        Assert.Equal($"{At(S, text, "records: claims")}: fraud.claimants: missing required key 'monthly_award'", SingleError(Load(text)));
    }

    [Fact]
    public void Bad_distribution_parameters_are_refused()
    {
        string text = Replace(Scenario, "catch_rate: \"beta(14, 6)\"", "catch_rate: \"beta(0, 6)\"");
        Assert.Equal($"{At(S, text, "\"beta(0, 6)\"")}: safeguards.human-review.catch_rate: beta(alpha, beta) needs alpha > 0 and beta > 0, got beta(0, 6)",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_unknown_distribution_gets_a_did_you_mean()
    {
        string text = Replace(Scenario, "catch_rate: \"beta(14, 6)\"", "catch_rate: \"bta(14, 6)\"");
        Assert.Equal(
            $"{At(S, text, "\"bta(14, 6)\"")}: safeguards.human-review.catch_rate: unknown distribution 'bta'; known: uniform, triangular, beta, normal, lognormal; did you mean 'beta'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_normal_distribution_for_a_probability_suggests_a_beta_with_the_same_moments()
    {
        string text = Replace(Scenario, "catch_rate: \"beta(14, 6)\"", "catch_rate: \"normal(0.7, 0.1)\"");
        // Method of moments: alpha + beta = 0.7 * 0.3 / 0.01 - 1 = 20, so beta(14, 6).
        Assert.Equal(
            $"{At(S, text, "\"normal(0.7, 0.1)\"")}: safeguards.human-review.catch_rate: normal(0.7, 0.1) can take values outside [0, 1]; use a beta distribution for a probability, e.g. beta(14, 6) with the same mean and spread",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_normal_distribution_for_money_suggests_a_lognormal()
    {
        string text = Replace(Scenario, "monthly_earnings: \"lognormal(900, 500)\"", "monthly_earnings: \"normal(900, 500)\"");
        Assert.Equal(
            $"{At(S, text, "\"normal(900, 500)\"")}: fraud.matching.monthly_earnings: normal(900, 500) can take values outside [0, ∞) GBP; use lognormal(900, 500), which cannot go below 0",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_distribution_cut_at_its_comma_in_braces_says_to_quote_it()
    {
        string text = Replace(Scenario, "annual_overpayment: \"lognormal(1800, 1400)\"", "annual_overpayment: lognormal(1800, 1400)");
        Assert.StartsWith($"{At(S, text, "lognormal(1800")}: fraud.true_states.claimant-error.annual_overpayment: 'lognormal(1800' looks like a distribution cut at a comma inside {{ }}: quote it",
            SingleError(Load(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void Overlaps_outside_the_Frechet_bounds_are_impossible()
    {
        // 1% of people in no-fixed-address; 5% of them in a group of 0.2% is more people than the group has.
        string pop = Replace(PopulationText, "prevalence: \"beta(10, 90)\"", "prevalence: 0.002");
        pop = Replace(pop, "share: 0.5 }", "share: 0.5 }");
        Assert.Equal(
            $"{At(P, pop, "0.5 }")}: population.groups.no-fixed-address.overlaps.frequent-mover.share: impossible overlap: 0.5 of 'no-fixed-address' (prevalence 0.01) in 'frequent-mover' (prevalence 0.002) is outside the Fréchet bounds [0, 0.2]",
            SingleError(Load(population: pop)));
    }

    [Fact]
    public void Error_states_adding_up_to_more_than_every_claim_are_refused()
    {
        string text = Replace(Scenario, "id: fraud, prevalence: 0.025", "id: fraud, prevalence: 0.95");
        Assert.Equal($"{At(S, text, "- { id: claimant-error")}: fraud.true_states: the error states' prevalences add up to 1.05 of claims, more than 1",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_money_value_for_hardship_needs_a_source()
    {
        string text = Replace(Scenario, "share_of_wrongful_actions: 0.2", "share_of_wrongful_actions: 0.2\n    valuation: 500");
        Assert.StartsWith($"{At(S, text, "500\n")}: fraud.hardship.valuation: a money value for hardship needs a source",
            SingleError(Load(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_evidence_grade_is_refused()
    {
        string pop = Replace(PopulationText, "grade: survey-estimate", "grade: survey");
        Assert.Equal(
            $"{At(P, pop, "survey }")}: population.groups.disabled.prevalence.grade: unknown evidence grade 'survey'; known: published-statistic, survey-estimate, expert-judgement, assumption; did you mean 'survey-estimate'?",
            SingleError(Load(population: pop)));
    }

    [Fact]
    public void A_problem_inside_the_shared_population_file_is_reported_at_its_own_position()
    {
        string pop = Replace(PopulationText, "prevalence: 0.01", "prevalence: 1.01");
        Assert.Equal($"{At(P, pop, "1.01")}: population.groups.no-fixed-address.prevalence: must be in [0, 1], got 1.01",
            SingleError(Load(population: pop)));
        Assert.StartsWith("s/pop.yaml:9:", At(P, pop, "1.01"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_population_file_is_reported_where_the_scenario_names_it()
    {
        string text = Replace(Scenario, "population: pop.yaml", "population: people.yaml");
        Assert.Equal($"{At(S, text, "people.yaml")}: population: population file 'people.yaml' (s/people.yaml): no such file",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_scenario_referenced_as_a_population_file_is_refused()
    {
        var files = Files().With("s/other.yaml", "strand: fraud-error-debt\npopulation: pop.yaml\n");
        string text = Replace(Scenario, "population: pop.yaml", "population: other.yaml");
        files.With(S, text);
        Assert.StartsWith("s/other.yaml:1:1: strand: 'other.yaml' is a scenario, not a shared population file",
            SingleError(ScenarioLoader.Load(S, files)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_names_both_positions_and_its_path()
    {
        string text = Replace(Scenario, "    appeal_cost: 250\n", "    appeal_cost: 250\n    appeal_cost: 260\n");
        Assert.Equal($"{At(S, text, "appeal_cost", 2)}: fraud.responses.appeal_cost: duplicate key 'appeal_cost' (first at line {At(S, text, "appeal_cost").Split(':')[1]}, column 5)",
            SingleError(Load(text)));
    }

    [Fact]
    public void A_duplicate_key_inside_a_list_item_is_named_by_the_item_id()
    {
        string pop = Replace(PopulationText, "      income_gradient: -0.3\n", "      income_gradient: -0.3\n      income_gradient: -0.2\n");
        Assert.Equal($"{At(P, pop, "income_gradient", 2)}: population.groups.no-fixed-address.income_gradient: duplicate key 'income_gradient' (first at line {At(P, pop, "income_gradient").Split(':')[1]}, column 7)",
            SingleError(Load(population: pop)));
    }

    [Fact]
    public void A_tab_in_indentation_is_named_at_the_tab()
    {
        string text = Replace(Scenario, "\n  benefit: Housing Benefit", "\n\tbenefit: Housing Benefit");
        Assert.Equal($"{At(S, text, "\tbenefit")}: a tab in indentation; YAML indents with spaces only", SingleError(Load(text)));
    }

    [Fact]
    public void A_truncated_file_is_a_positioned_syntax_error()
    {
        string text = Scenario[..Scenario.IndexOf("m: 0.98", StringComparison.Ordinal)];
        string error = SingleError(Load(text));
        Assert.StartsWith($"{S}:", error, StringComparison.Ordinal);
        Assert.Contains("YAML syntax:", error, StringComparison.Ordinal);
        Assert.Contains("truncated", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_where_the_quote_opens()
    {
        Assert.Equal($"{S}:2:7: YAML syntax: While scanning a quoted scalar, found unexpected end of stream (is the file truncated, or a bracket or quote left open?)",
            SingleError(Load("strand: fraud-error-debt\nname: \"unclosed\n")));
    }

    [Fact]
    public void An_empty_file_is_one_line()
    {
        Assert.Equal($"{S}:1:1: the file is empty; a scenario needs at least 'strand:' and 'name:', a population file 'population:'",
            SingleError(Load("# nothing here\n")));
    }

    [Fact]
    public void A_binary_file_is_one_line()
    {
        var files = Files().WithBytes(S, [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]);
        Assert.Equal($"{S}:1:5: is not a text file (a zero byte at offset 4); scenarios are UTF-8 YAML",
            SingleError(ScenarioLoader.Load(S, files)));
    }

    [Fact]
    public void Invalid_utf8_is_one_line()
    {
        var files = Files().WithBytes(S, Encoding.Latin1.GetBytes("name: caf\u00e9\n"));
        Assert.Equal($"{S}:1:10: is not valid UTF-8 text (bad byte at offset 9); save scenarios as UTF-8 YAML", SingleError(ScenarioLoader.Load(S, files)));
    }

    [Fact]
    public void A_file_without_strand_or_population_says_what_it_expected()
    {
        Assert.Equal($"{S}:1:1: no top-level 'strand:' (a scenario) or 'population:' (a shared population file)",
            SingleError(Load("name: x\n")));
    }

    [Fact]
    public void A_section_of_another_strand_is_refused()
    {
        string text = Replace(Scenario, "strand: fraud-error-debt", "strand: tailored-services");
        var errors = Load(text).Errors.Select(e => e.ToString()).ToList();
        Assert.Contains($"{S}:1:1: missing required key 'tailored_services'", errors);
        Assert.Contains($"{At(S, text, "fraud:\n")}: fraud: a 'fraud' section belongs to strand 'fraud-error-debt', not 'tailored-services'", errors);
        Assert.Contains($"{At(S, text, "human-review\n    catch")}: safeguards.human-review.type: a human-review safeguard has no mechanism in this scenario's strand 'tailored-services'; it acts in: fraud-error-debt", errors);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        string text = Replace(Scenario, "appeal: 0.1", "appeal: 1.5");
        text = Replace(text, "letter_cost: 5", "letter_cost: -5");
        string pop = Replace(PopulationText, "prevalence: 0.01", "prevalence: 1.01");
        ScenarioLoadResult result = Load(text, pop);
        Assert.Equal(3, result.Errors.Count);
        Assert.Equal(["s/fraud.yaml", "s/fraud.yaml", "s/pop.yaml"], result.Errors.Select(e => e.File));
        Assert.True(result.Errors[0].Line < result.Errors[1].Line);
    }

    [Fact]
    public void A_population_file_alone_validates_as_one()
    {
        ScenarioLoadResult result = ScenarioLoader.Load(P, Files());
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Population);
        Assert.Null(result.Scenario);
    }

    [Fact]
    public void A_safeguard_in_a_strand_where_it_has_no_mechanism_is_refused()
    {
        string text = Replace(Scenario, "    cost_per_case: 35\n", "    cost_per_case: 35\n    strands: [research-statistics]\n");
        Assert.Equal($"{At(S, text, "[research-statistics]")}: safeguards.human-review.strands: a human-review safeguard has no mechanism in strand 'research-statistics'; it acts in: fraud-error-debt",
            SingleError(Load(text)));
    }

    [Fact]
    public void An_unknown_principle_gets_a_did_you_mean()
    {
        string text = Replace(Scenario, "    cost_per_case: 35\n", "    cost_per_case: 35\n    principles: [acuracy]\n");
        Assert.Equal($"{At(S, text, "acuracy")}: safeguards.human-review.principles[0]: unknown data-protection principle 'acuracy'; known: lawfulness, purpose-limitation, minimisation, accuracy, storage-limitation, security, accountability; did you mean 'accuracy'?",
            SingleError(Load(text)));
    }

    [Fact]
    public void M_not_above_u_is_refused()
    {
        string text = Replace(Scenario, "{ field: postcode, m: 0.8, u: 0.001 }", "{ field: postcode, m: 0.001, u: 0.8 }");
        Assert.StartsWith($"{At(S, text, "0.001, u")}: linkage.link.fields.postcode.m: m (0.001) must exceed u (0.8)", SingleError(Load(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_lower_threshold_above_the_upper_is_refused()
    {
        string text = Replace(Scenario, "lower_threshold: 8", "lower_threshold: 18");
        Assert.Equal($"{At(S, text, "18")}: linkage.link.lower_threshold: the lower threshold (18) is above the upper (15)", SingleError(Load(text)));
    }
}
