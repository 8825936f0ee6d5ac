using System.Globalization;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.Pilot.Simulation;

/// <summary>
/// Small fraud scenarios for simulated pilots: 24 equal areas (the units), two groups, every
/// parameter fixed (no uncertainty), a human review, and a pilot section whose outcomes are
/// placeholders. {AREA_VARIATION} is the logit-scale sd of the groups' prevalence across areas.
/// </summary>
internal static class PilotScenarios
{
    public const int Areas = 24;

    private const string Template = """
        strand: fraud-error-debt
        name: pilot-check
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population:
          size: {SIZE}
          area_variation: {AREA_VARIATION}
          areas:
        {AREAS}
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
        linkage:
          - { id: link, from: claims, to: earnings, method: exact, fields: [{ field: nino }] }
        fraud:
          benefit: Housing Benefit
          claimants: { records: claims, share: 0.5, monthly_award: 400 }
          true_states:
            - { id: claimant-error, prevalence: 0.1, annual_overpayment: 1820 }
            - { id: fraud, prevalence: 0.025, annual_overpayment: 2700 }
          status_quo: {STATUS_QUO}
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
        safeguards:
          - { id: review, type: human-review, catch_rate: {CATCH}, cost_per_case: 35 }
        pilot:
          areas: [{CANDIDATES}]
          designs: {DESIGNS}
          duration_months: {MONTHS}
          outcomes:
        {OUTCOMES}
        """;

    /// <summary>A scenario of <paramref name="size"/> persons with the given outcomes (YAML list items, indented 4).</summary>
    public static Scenario Load(long size, double areaVariation, string outcomes, string months = "[12]", int units = Areas, string statusQuo = NoChecks, double catchRate = 0.5,
        string designs = "[cluster-randomised, individually-randomised]")
    {
        string areas = string.Join("\n", Enumerable.Range(1, units).Select(a => string.Create(CultureInfo.InvariantCulture, $"    - {{ id: a{a:00}, share: {1.0 / units:R} }}")));
        string text = Template.Replace("{SIZE}", size.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{AREA_VARIATION}", areaVariation.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{AREAS}", areas, StringComparison.Ordinal)
            .Replace("{STATUS_QUO}", statusQuo, StringComparison.Ordinal)
            .Replace("{DESIGNS}", designs, StringComparison.Ordinal)
            .Replace("{CATCH}", catchRate.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{CANDIDATES}", string.Join(", ", Enumerable.Range(1, units).Select(a => string.Create(CultureInfo.InvariantCulture, $"a{a:00}"))), StringComparison.Ordinal)
            .Replace("{MONTHS}", months, StringComparison.Ordinal)
            .Replace("{OUTCOMES}", outcomes, StringComparison.Ordinal);
        ScenarioLoadResult result = ScenarioLoader.Load("s/pilot.yaml", new MemoryFiles().With("s/pilot.yaml", text));
        Xunit.Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    /// <summary>Today's process finds nothing: the status quo has no events of the strand's actions.</summary>
    public const string NoChecks = "{ checks: [] }";

    /// <summary>Today's process finds a quarter of the wrong claims and refers 1% of correct ones: both arms have events.</summary>
    public const string Checks = "{ checks: [{ id: existing, detection_rate: 0.25, false_referral_rate: 0.01, cost_per_case: 60 }] }";

    /// <summary>Today's checks with a given false-referral rate: the closer the status quo's wrongful actions come to the proposal's, the smaller the effect.</summary>
    public static string ChecksReferring(double falseReferral) => string.Create(CultureInfo.InvariantCulture,
        $"{{ checks: [{{ id: existing, detection_rate: 0.25, false_referral_rate: {falseReferral:R}, cost_per_case: 60 }}] }}");

    public const string Benefit = "    - { id: found, kind: benefit, metric: true_positives, minimum_effect: 0.002 }";
    public const string WrongfulBenefit = "    - { id: wrongful, kind: benefit, metric: wrongful_adverse_actions, minimum_effect: 0.002 }";
    public const string Harm = "    - { id: harm, kind: harm-tolerance, metric: wrongful_adverse_actions, group: irregular-income, tolerance: 0.01 }";
    public const string Safeguard = "    - { id: review-works, kind: safeguard-efficacy, safeguard: review, minimum_effect: 0.5 }";
}
