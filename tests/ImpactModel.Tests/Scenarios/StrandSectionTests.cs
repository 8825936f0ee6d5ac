using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// The tailored-services, research and pilot sections and their safeguards: one test per rule,
/// each asserting the exact file, line, column, path and message.
/// </summary>
public class StrandSectionTests
{
    private const string T = "s/tailored.yaml";
    private const string R = "s/research.yaml";

    public const string Tailored = """
        strand: tailored-services
        name: small-tailored
        price_year: 2023
        horizon_years: 5
        population: pop.yaml
        data_sources:
          - id: benefits
            body: DWP
            fields: [{ id: address }]
          - id: property
            body: VOA
            fields: [{ id: address }]
        linkage:
          - { id: link, from: benefits, to: property, method: exact, fields: [{ field: address }] }
        tailored_services:
          service: Warm Home Discount
          need:
            description: fuel poverty
            prevalence: { base: 0.13, by_group: { disabled: 0.2 } }
            area_odds_ratios: { north: 1.3 }
          status_quo:
            take_up: 0.6
          identification:
            sources: [benefits, property]
            linkages: [link]
            proxy: benefit receipt and a cold home
            sensitivity: 0.75
            false_positive_rate: 0.08
            sensitive_inference: true
          unidentifiable_groups: [no-fixed-address]
          action:
            type: automatic-enrolment
            response: 0.92
          opt_out: 0.02
          values:
            benefit_per_person_reached: 150
        safeguards:
          - { id: outreach, type: outreach-channel, groups: [no-fixed-address], reach_rate: 0.3 }
          - { id: opt-out, type: opt-out, opt_out_rate: 0.02 }
        pilot:
          areas: [north, south]
          designs: [cluster-randomised]
          duration_months: [6, 12]
          outcomes:
            - { id: reached, kind: benefit, metric: eligible_reached, minimum_effect: 0.1 }
            - { id: harm, kind: harm-tolerance, metric: ineligible_contacted, group: disabled, tolerance: 0.01 }
            - { id: outreach-works, kind: safeguard-efficacy, safeguard: outreach, minimum_effect: 0.2 }
        variants:
          - id: contact
            overrides:
              tailored_services.action.type: proactive-contact
        """;

    public const string Research = """
        strand: research-statistics
        name: small-research
        price_year: 2023
        horizon_years: 5
        population: research-pop.yaml
        research:
          extract: { sample_fraction: 1 }
          quasi_identifiers:
            - id: age
              levels: { year: 91, five-year: 19 }
              released: year
            - id: area
              levels: { local-authority: 3, region: 2 }
              released: local-authority
          sensitive_attributes:
            - { id: benefit-receipt, prevalence: { base: 0.15, by_group: { disabled: 0.35 } } }
          release:
            form: record-level-tre
            releases_per_year: 4
          high_risk_threshold: 0.2
          attack:
            attacker: an insider
            attempts_per_year: 20
            knows: [age, area]
            success_if_unique: 0.9
          questions:
            - { id: benefit-by-group, attribute: benefit-receipt, groups: [disabled] }
          values:
            research_value: { value: 1000000, source: "test", grade: assumption }
        safeguards:
          - { id: generalise, type: generalisation, levels: { age: five-year, area: region } }
          - { id: suppress, type: suppression, threshold: 10 }
          - { id: noise, type: noise, epsilon: 1 }
        variants:
          - id: tables
            overrides:
              research.release.form: public-tables
              safeguards.generalise.levels.age: year
        """;

    /// <summary>The research fixture's population: ages, sex, three local authorities in two regions and a categorical attribute, so that each quasi-identifier the engine knows can be released from it.</summary>
    public const string ResearchPopulationPath = "s/research-pop.yaml";

    public const string ResearchPopulation = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: north, share: 0.4 }
            - { id: south, share: 0.6 }
          local_authorities: { file: las.csv, source: test, grade: assumption }
          age:
            - { from: 0, to: 15, share: 0.2 }
            - { from: 16, to: 64, share: 0.6 }
            - { from: 65, to: 90, share: 0.2 }
          female_share: 0.51
          groups:
            - id: no-fixed-address
              prevalence: 0.01
            - id: disabled
              prevalence: 0.2
          attributes:
            - id: accommodation
              categories:
                - { id: private-household, share: 0.98 }
                - { id: communal-or-none, share: 0.02 }
              by_group:
                no-fixed-address: { communal-or-none: 0.5 }
        """;

    /// <summary>Three local authorities: one in the north, two in the south.</summary>
    public const string ResearchAuthorities = """
        code,name,region,population
        N1,North One,north,400
        S1,South One,south,300
        S2,South Two,south,300
        """;

    private static MemoryFiles ResearchFiles(string text) =>
        new MemoryFiles().With(R, text).With(ResearchPopulationPath, ResearchPopulation).With("s/las.csv", ResearchAuthorities);

    private static ScenarioLoadResult LoadT(string text) =>
        ScenarioLoader.Load(T, new MemoryFiles().With(T, text).With(PopulationPath, PopulationText));

    private static ScenarioLoadResult LoadR(string text) => ScenarioLoader.Load(R, ResearchFiles(text));

    [Fact]
    public void The_tailored_services_fixture_is_valid_and_reads_every_key()
    {
        ScenarioLoadResult result = LoadT(Tailored);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        TailoredServicesSpec ts = result.Scenario!.TailoredServices!;
        Assert.Equal(ServiceAction.AutomaticEnrolment, ts.Action);
        Assert.Equal(0.2, ts.Need.Prevalence.For("disabled").Mean);
        Assert.Equal(["no-fixed-address"], ts.UnidentifiableGroups.ToArray());
        Assert.True(ts.Identification.SensitiveInference);
        PilotSpec pilot = result.Scenario.Pilot!;
        Assert.Equal([6L, 12L], pilot.DurationsMonths.ToArray());
        Assert.Equal(PilotOutcomeKind.SafeguardEfficacy, pilot.Outcomes[2].Kind);
        Assert.Equal(0.8, pilot.Power.Mean);
    }

    [Fact]
    public void The_research_fixture_is_valid_and_reads_every_key()
    {
        ScenarioLoadResult result = LoadR(Research);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        ResearchSpec research = result.Scenario!.Research!;
        Assert.Equal(19, research.QuasiIdentifiers[0].Levels[1].Categories);
        Assert.Equal("five-year", result.Scenario.Safeguards[0].Levels["age"]);
        Assert.Equal(ReleaseForm.RecordLevelTre, research.Release);
        Assert.Equal(3, research.QuasiIdentifiers[1].Levels[0].Categories);
        Assert.Equal(4, research.ReleasesPerYear!.Mean);
        Assert.Equal(0.2, research.HighRiskThreshold!.Mean);
        Assert.Equal(QuestionKind.Prevalence, research.Questions[0].Kind);
        Assert.Equal(1_000_000, research.ResearchValue!.Mean);
    }

    [Fact]
    public void An_unknown_action_type_gets_a_did_you_mean()
    {
        string text = Replace(Tailored, "type: automatic-enrolment", "type: automatic-enrollment");
        Assert.Equal($"{At(T, text, "automatic-enrollment")}: tailored_services.action.type: unknown action 'automatic-enrollment'; known: proactive-contact, automatic-enrolment; did you mean 'automatic-enrolment'?",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void An_identification_source_must_be_declared()
    {
        string text = Replace(Tailored, "sources: [benefits, property]", "sources: [benefits, propery]");
        Assert.Equal($"{At(T, text, "propery")}: tailored_services.identification.sources[1]: unknown data source 'propery'; known: benefits, property; did you mean 'property'?",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void An_unidentifiable_group_must_be_a_population_group()
    {
        string text = Replace(Tailored, "unidentifiable_groups: [no-fixed-address]", "unidentifiable_groups: [homeless]");
        Assert.StartsWith($"{At(T, text, "homeless")}: tailored_services.unidentifiable_groups[0]: unknown group 'homeless'; known: no-fixed-address, frequent-mover, disabled",
            SingleError(LoadT(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_need_odds_ratio_must_name_a_declared_area()
    {
        string text = Replace(Tailored, "area_odds_ratios: { north: 1.3 }", "area_odds_ratios: { nort: 1.3 }");
        Assert.Equal($"{At(T, text, "nort:")}: tailored_services.need.area_odds_ratios.nort: unknown area 'nort'; known: north, south; did you mean 'north'?",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void A_zero_odds_ratio_is_out_of_range()
    {
        string text = Replace(Tailored, "area_odds_ratios: { north: 1.3 }", "area_odds_ratios: { north: 0 }");
        Assert.Equal($"{At(T, text, "0 }")}: tailored_services.need.area_odds_ratios.north: must be in (0, ∞), got 0", SingleError(LoadT(text)));
    }

    [Fact]
    public void An_intrusion_valuation_needs_a_source()
    {
        string text = Replace(Tailored, "benefit_per_person_reached: 150", "benefit_per_person_reached: 150\n    intrusion_valuation: 20");
        Assert.StartsWith($"{At(T, text, "20\n")}: tailored_services.values.intrusion_valuation: a money value for intrusion needs a source",
            SingleError(LoadT(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_outreach_channel_must_list_groups()
    {
        string text = Replace(Tailored, "groups: [no-fixed-address], reach_rate: 0.3", "reach_rate: 0.3");
        Assert.Equal($"{At(T, text, "{ id: outreach")}: safeguards.outreach: missing required key 'groups'", SingleError(LoadT(text)));
    }

    [Fact]
    public void A_fraud_only_safeguard_in_a_tailored_scenario_is_refused()
    {
        string text = Replace(Tailored, "{ id: opt-out, type: opt-out, opt_out_rate: 0.02 }", "{ id: review, type: human-review, catch_rate: 0.7, cost_per_case: 30 }");
        Assert.Equal($"{At(T, text, "human-review")}: safeguards.review.type: a human-review safeguard has no mechanism in this scenario's strand 'tailored-services'; it acts in: fraud-error-debt",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void A_pilot_area_must_be_declared()
    {
        string text = Replace(Tailored, "areas: [north, south]", "areas: [north, sth]");
        Assert.Equal($"{At(T, text, "sth")}: pilot.areas[1]: unknown area 'sth'; known: north, south; did you mean 'south'?", SingleError(LoadT(text)));
    }

    [Fact]
    public void An_unknown_pilot_design_gets_a_did_you_mean()
    {
        string text = Replace(Tailored, "designs: [cluster-randomised]", "designs: [cluster-randomized]");
        Assert.Equal($"{At(T, text, "cluster-randomized")}: pilot.designs[0]: unknown pilot design 'cluster-randomized'; known: cluster-randomised, individually-randomised; did you mean 'cluster-randomised'?",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void A_pilot_duration_beyond_ten_years_is_refused()
    {
        string text = Replace(Tailored, "duration_months: [6, 12]", "duration_months: [6, 240]");
        Assert.Equal($"{At(T, text, "240")}: pilot.duration_months[1]: pilot duration in months must be between 1 and 120, got 240", SingleError(LoadT(text)));
    }

    [Fact]
    public void An_empty_list_of_durations_is_refused()
    {
        string text = Replace(Tailored, "duration_months: [6, 12]", "duration_months: []");
        Assert.Equal($"{At(T, text, "[]")}: pilot.duration_months: name at least one duration in months", SingleError(LoadT(text)));
    }

    [Fact]
    public void An_empty_optional_value_is_an_unfinished_line()
    {
        string text = Replace(Tailored, "  opt_out: 0.02", "  opt_out:");
        Assert.Equal($"{At(T, text, "opt_out:")}: tailored_services.opt_out: missing value (give it a value or delete the key)", SingleError(LoadT(text)));
    }

    [Fact]
    public void A_quoted_whole_number_is_text()
    {
        string text = Replace(Tailored, "price_year: 2023", "price_year: \"2023\"");
        Assert.Equal($"{At(T, text, "\"2023\"")}: price_year: expected a whole number (price year), got the text \"2023\"; remove the quotes", SingleError(LoadT(text)));
    }

    [Fact]
    public void Target_power_not_above_alpha_is_refused()
    {
        string text = Replace(Tailored, "  duration_months: [6, 12]", "  duration_months: [6, 12]\n  power: 0.04");
        Assert.Equal($"{At(T, text, "0.04")}: pilot.power: target power (0.04) must be above alpha (0.05)", SingleError(LoadT(text)));
    }

    [Fact]
    public void A_key_that_does_not_apply_to_the_outcome_kind_is_refused()
    {
        string text = Replace(Tailored, "metric: eligible_reached, minimum_effect: 0.1", "metric: eligible_reached, minimum_effect: 0.1, group: disabled");
        Assert.Equal($"{At(T, text, "group: disabled }")}: pilot.outcomes.reached.group: 'group' does not apply to a benefit outcome; it takes: metric, minimum_effect",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void A_metric_name_must_match_the_metric_pattern()
    {
        string text = Replace(Tailored, "metric: eligible_reached", "metric: Eligible-Reached");
        Assert.StartsWith($"{At(T, text, "Eligible-Reached")}: pilot.outcomes.reached.metric: metric name 'Eligible-Reached' must match",
            SingleError(LoadT(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_safeguard_efficacy_outcome_must_name_a_declared_safeguard()
    {
        string text = Replace(Tailored, "safeguard: outreach,", "safeguard: outrech,");
        Assert.Equal($"{At(T, text, "outrech")}: pilot.outcomes.outreach-works.safeguard: unknown safeguard 'outrech'; known: outreach, opt-out; did you mean 'outreach'?",
            SingleError(LoadT(text)));
    }

    [Fact]
    public void A_harm_tolerance_group_must_be_a_population_group()
    {
        string text = Replace(Tailored, "group: disabled, tolerance", "group: disable, tolerance");
        Assert.StartsWith($"{At(T, text, "disable,")}: pilot.outcomes.harm.group: unknown group 'disable'",
            SingleError(LoadT(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_released_level_must_be_one_of_the_declared_levels()
    {
        string text = Replace(Research, "released: local-authority", "released: ward");
        Assert.Equal($"{At(R, text, "ward")}: research.quasi_identifiers.area.released: unknown level of detail 'ward'; known: local-authority, region",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_level_needs_a_whole_number_of_categories()
    {
        string text = Replace(Research, "five-year: 19", "five-year: many");
        Assert.Equal($"{At(R, text, "many")}: research.quasi_identifiers.age.levels.five-year: expected a whole number (number of distinct values), got 'many'",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void The_attacker_can_only_know_declared_quasi_identifiers()
    {
        string text = Replace(Research, "knows: [age, area]", "knows: [age, postcode]");
        Assert.Equal($"{At(R, text, "postcode")}: research.attack.knows[1]: unknown quasi-identifier 'postcode'; known: age, area",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_question_must_ask_about_a_declared_sensitive_attribute()
    {
        string text = Replace(Research, "attribute: benefit-receipt", "attribute: benefit");
        Assert.Equal($"{At(R, text, "benefit,")}: research.questions.benefit-by-group.attribute: unknown sensitive attribute 'benefit'; known: benefit-receipt; did you mean 'benefit-receipt'?",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void An_unknown_release_form_gets_a_did_you_mean()
    {
        string text = Replace(Research, "form: record-level-tre", "form: record-level");
        Assert.Equal($"{At(R, text, "record-level\n")}: research.release.form: unknown release form 'record-level'; known: record-level-tre, public-tables; did you mean 'record-level-tre'?",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void Generalisation_must_name_a_level_the_quasi_identifier_has()
    {
        string text = Replace(Research, "levels: { age: five-year, area: region }", "levels: { age: decade, area: region }");
        Assert.Equal($"{At(R, text, "decade")}: safeguards.generalise.levels.age: unknown level of detail of 'age' 'decade'; known: year, five-year",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_privacy_budget_of_zero_is_out_of_range()
    {
        string text = Replace(Research, "epsilon: 1", "epsilon: 0");
        Assert.Equal($"{At(R, text, "epsilon: 0", offset: 9)}: safeguards.noise.epsilon: must be in (0, ∞), got 0", SingleError(LoadR(text)));
    }

    [Fact]
    public void An_override_of_a_generalisation_level_must_be_a_declared_level()
    {
        string text = Replace(Research, "safeguards.generalise.levels.age: year", "safeguards.generalise.levels.age: month");
        Assert.Equal($"{At(R, text, "month")}: variants.tables.overrides.safeguards.generalise.levels.age: unknown value 'month'; known: year, five-year",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_research_section_in_a_fraud_scenario_is_refused()
    {
        string text = Replace(Research, "strand: research-statistics", "strand: fraud-error-debt");
        Assert.Contains($"{At(R, text, "research:")}: research: a 'research' section belongs to strand 'research-statistics', not 'fraud-error-debt'",
            LoadR(text).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_quasi_identifier_the_population_cannot_release_gets_a_did_you_mean()
    {
        string text = Replace(Research, "      released: local-authority\n",
            "      released: local-authority\n    - id: acommodation\n      levels: { type: 2 }\n      released: type\n");
        Assert.Equal($"{At(R, text, "acommodation")}: research.quasi_identifiers.acommodation.id: unknown quasi-identifier 'acommodation'; " +
                     "known: age, sex, area, accommodation; did you mean 'accommodation'?",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_level_the_engine_does_not_know_is_refused_with_the_levels_it_knows()
    {
        string text = Replace(Research, "levels: { year: 91, five-year: 19 }", "levels: { year: 91, five-year: 19, month: 1092 }");
        Assert.Equal($"{At(R, text, "month")}: research.quasi_identifiers.age.levels.month: the engine knows no level 'month' of quasi-identifier 'age' " +
                     "(known: year, five-year, ten-year; or a level of 1 value, which releases nothing)",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_level_whose_count_differs_from_the_population_is_refused()
    {
        string text = Replace(Research, "local-authority: 3,", "local-authority: 4,");
        Assert.Equal($"{At(R, text, "local-authority: 4")}: research.quasi_identifiers.area.levels.local-authority: " +
                     "level 'local-authority' of quasi-identifier 'area' has 3 distinct values in this population, not 4",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_categorical_attribute_level_must_have_the_attribute_category_count()
    {
        string text = Replace(Research, "      released: local-authority\n",
            "      released: local-authority\n    - id: accommodation\n      levels: { type: 3 }\n      released: type\n");
        Assert.Equal($"{At(R, text, "type: 3")}: research.quasi_identifiers.accommodation.levels.type: " +
                     "level 'type' of quasi-identifier 'accommodation' has 2 distinct values in this population, not 3",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_level_of_one_value_releases_nothing_and_is_accepted_whatever_its_name()
    {
        string text = Replace(Research, "      released: local-authority\n",
            "      released: local-authority\n    - id: sex\n      levels: { sex: 2, withheld: 1 }\n      released: withheld\n" +
            "    - id: accommodation\n      levels: { type: 2 }\n      released: type\n");
        ScenarioLoadResult result = LoadR(text);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        QuasiIdentifierSpec sex = result.Scenario!.Research!.QuasiIdentifiers[2];
        Assert.Equal("withheld", sex.Released);
        Assert.Equal(1, sex.Levels[1].Categories);
    }

    [Fact]
    public void A_difference_question_is_read()
    {
        string text = Replace(Research, "attribute: benefit-receipt, groups", "attribute: benefit-receipt, kind: difference, groups");
        ScenarioLoadResult result = LoadR(text);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(QuestionKind.Difference, result.Scenario!.Research!.Questions[0].Kind);
    }

    [Fact]
    public void An_unknown_question_kind_gets_a_did_you_mean()
    {
        string text = Replace(Research, "attribute: benefit-receipt, groups", "attribute: benefit-receipt, kind: differnce, groups");
        Assert.Equal($"{At(R, text, "differnce")}: research.questions.benefit-by-group.kind: unknown question kind 'differnce'; known: prevalence, difference; did you mean 'difference'?",
            SingleError(LoadR(text)));
    }

    [Fact]
    public void A_research_value_needs_a_source()
    {
        string text = Replace(Research, "research_value: { value: 1000000, source: \"test\", grade: assumption }", "research_value: 1000000");
        Assert.StartsWith($"{At(R, text, "1000000")}: research.values.research_value: a money value for research needs a source",
            SingleError(LoadR(text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_high_risk_threshold_above_one_is_out_of_range()
    {
        string text = Replace(Research, "high_risk_threshold: 0.2", "high_risk_threshold: 1.5");
        Assert.Equal($"{At(R, text, "1.5")}: research.high_risk_threshold: must be in [0, 1], got 1.5", SingleError(LoadR(text)));
    }
}
