using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using C = ImpactModel.Strands.Fraud.FraudCounter;

namespace ImpactModel.Strands.Fraud;

/// <summary>
/// The fraud, error and debt strand (PRODUCT.md, strand 1; docs/metrics.md, "Fraud, error and
/// debt"): claimants with a true state and an overpayment, today's checks, the proposal's
/// earnings-matching rule over linked data, the actions and responses that follow a flag, and the
/// safeguards that act on them, evaluated for every variant on one generation of each claimant.
/// </summary>
public sealed class FraudModel : IStrandModel
{
    private readonly Scenario _scenario;

    public FraudModel(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Fraud is null)
            throw new ArgumentException($"scenario '{scenario.Name}' has no fraud section", nameof(scenario));
        _scenario = scenario;
        int matchingLinkage = VariantLinkages.IndexOf(scenario, scenario.Fraud.Matching.Linkage);
        string target = scenario.Linkages[matchingLinkage].To;
        SharedParameters =
        [
            "fraud.claimants", "fraud.true_states", "fraud.status_quo",
            "fraud.matching.earners_share", "fraud.matching.monthly_earnings", "fraud.matching.earnings_variation",
            "fraud.matching.undeclared_share", $"data_sources.{target}.stale_share", "fraud.responses.days_to_resolution",
            "fraud.recovery", "discount_rate",
        ];
        // The matching linkage's quality over the claimants it links (the population model links no one in a fraud run).
        // Counts say what they count (claims, actions, persons, person-days); money names the counter
        // whose unscaled count is the events behind it (pence are not events); present values say so.
        const string Claims = "claims", Actions = "actions", Persons = "persons";
        var m = new List<MetricDefinition>(LinkCounters.Metrics(FraudCounters.LinkBlock, CompiledLinkage.TargetQualifier(scenario, scenario.Linkages[matchingLinkage])))
        {
            new("claimants", MetricUnit.Persons, N(C.Claimants), IsHeadline: true, Counts: Claims),
            new("overpaying_claims", MetricUnit.Persons, N(C.OverpayingClaims), Counts: Claims),
            new("overpayments", MetricUnit.Money, N(C.OverpaidPence), Events: N(C.OverpayingClaims)),
            new("overpayment_share", MetricUnit.Rate, N(C.OverpaidPence), N(C.AwardPence), IsHeadline: true, Events: N(C.OverpayingClaims),
                Per: "GBP awarded"),
            new("correct_claims", MetricUnit.Persons, N(C.CorrectClaims), Counts: Claims),
            new("flagged", MetricUnit.Persons, N(C.Flagged), IsHeadline: true, Counts: Claims),
            new("true_positives", MetricUnit.Persons, N(C.TruePositives), Counts: Claims),
            new("false_positives", MetricUnit.Persons, N(C.FalsePositives), IsHeadline: true, Counts: Claims),
            new("false_positive_rate", MetricUnit.Rate, N(C.FalsePositives), N(C.CorrectClaims), IsHarm: true),
            new("positive_predictive_value", MetricUnit.Rate, N(C.TruePositives), N(C.Flagged), IsHeadline: true, Per: "flagged claims"),
            new("missed_overpayments", MetricUnit.Persons, N(C.MissedOverpayments), Counts: Claims),
            new("missed_overpayment_value", MetricUnit.Money, N(C.MissedOverpaymentPence), Events: N(C.MissedOverpayments)),
            new("letters", MetricUnit.Persons, N(C.Letters), Counts: Actions),
            new("suspensions", MetricUnit.Persons, N(C.Suspensions), Counts: Actions),
            new("debts", MetricUnit.Persons, N(C.Debts), Counts: Actions),
            new("wrongful_letters", MetricUnit.Persons, N(C.WrongfulLetters), Counts: Actions),
            new("wrongful_suspensions", MetricUnit.Persons, N(C.WrongfulSuspensions), Counts: Actions),
            new("wrongful_debts", MetricUnit.Persons, N(C.WrongfulDebts), Counts: Actions),
            new("wrongful_adverse_actions", MetricUnit.Persons, N(C.WrongfulAdverseActions), IsHeadline: true, Counts: Persons),
            new("wrongful_adverse_action_rate", MetricUnit.Rate, N(C.WrongfulAdverseActions), N(C.Claimants), IsHarm: true, IsHeadline: true),
            new("wrongful_suspension_rate", MetricUnit.Rate, N(C.WrongfulSuspensions), N(C.Claimants), IsHarm: true),
            new("wrongful_debt_rate", MetricUnit.Rate, N(C.WrongfulDebts), N(C.Claimants), IsHarm: true),
            new("appeals", MetricUnit.Persons, N(C.Appeals), Counts: Persons),
            new("reversals", MetricUnit.Persons, N(C.Reversals), Counts: Actions),
            new("hardship", MetricUnit.Persons, N(C.Hardship), IsHeadline: true, Counts: Persons),
            new("hardship_rate", MetricUnit.Rate, N(C.Hardship), N(C.Claimants), IsHarm: true),
            // Days are not independent events: the persons whose wrongful action they follow are.
            new("wrongful_action_days", MetricUnit.Persons, N(C.WrongfulActionDays), Events: N(C.WrongfulAdverseActions), Counts: "person-days"),
            new("false_match_flags", MetricUnit.Persons, N(C.FalseMatchFlags), LinkingVariantsOnly: true, Counts: Claims),
            new("averaging_flags", MetricUnit.Persons, N(C.AveragingFlags), LinkingVariantsOnly: true, Counts: Claims),
            new("stale_flags", MetricUnit.Persons, N(C.StaleFlags), LinkingVariantsOnly: true, Counts: Claims),
            new("reviewed", MetricUnit.Persons, N(C.Reviewed), LinkingVariantsOnly: true, Counts: Claims),
            new("review_stopped", MetricUnit.Persons, N(C.ReviewStopped), LinkingVariantsOnly: true, Counts: Claims),
            new("routed_to_person", MetricUnit.Persons, N(C.RoutedToPerson), LinkingVariantsOnly: true, Counts: Claims),
            new("review_wrongly_cleared", MetricUnit.Persons, N(C.ReviewCleared), LinkingVariantsOnly: true, Counts: Claims),
            new("clerical_reviews", MetricUnit.Persons, N(C.ClericalReviews), LinkingVariantsOnly: true, Counts: "linkage pairs"),
            new("overpayments_established", MetricUnit.Money, N(C.EstablishedPence), Events: N(C.TrueDebts)),
            new("money_recovered", MetricUnit.Money, N(C.RecoveredPence), IsHeadline: true, Events: N(C.TrueDebts)),
            new("money_wrongly_recovered", MetricUnit.Money, N(C.WronglyRecoveredPence), IsHeadline: true, Events: N(C.WrongfulDebts)),
            new("investigation_cost", MetricUnit.Money, N(C.InvestigationCostPence), Events: N(C.Flagged)),
            new("action_cost", MetricUnit.Money, N(C.ActionCostPence), Events: N(C.Flagged)),
            new("review_cost", MetricUnit.Money, N(C.ReviewCostPence), Events: N(C.Flagged)),
            new("appeal_cost", MetricUnit.Money, N(C.AppealCostPence), Events: N(C.Flagged)),
            new("clerical_review_cost", MetricUnit.Money, N(C.ClericalCostPence), LinkingVariantsOnly: true, Events: N(C.ClericalReviews)),
            new("safeguard_cost", MetricUnit.Money, N(C.SafeguardCostPence), Events: N(C.Flagged)),
            new("total_cost", MetricUnit.Money, N(C.TotalCostPence), Events: N(C.Flagged)),
            new("net_benefit", MetricUnit.Money, N(C.NetBenefitPence), IsHeadline: true, Events: N(C.Flagged), PresentValue: true),
            new("net_benefit_vs_status_quo", MetricUnit.Money, N(C.NetBenefitVsStatusQuoPence), IsHeadline: true, Events: N(C.Flagged),
                PresentValue: true),
        };
        if (HasSourcedValuation(scenario.Fraud))
            m.Add(new("hardship_value", MetricUnit.Money, N(C.HardshipValuePence), Events: N(C.Hardship), PresentValue: true));
        Metrics = m;
    }

    public CounterSet Counters => FraudCounters.Set;

    /// <summary>
    /// Who claims depends on age (adults only) besides the decile and groups: ages are generated only
    /// when the person's class of ages cannot tell an adult (<see cref="CompiledPopulation.AgeClassTellsAdults"/>).
    /// </summary>
    public PersonAttributes Reads =>
        !_scenario.Population.AgeBands.IsDefaultOrEmpty && !CompiledPopulation.AgeClassTellsAdults(_scenario.Population) ? PersonAttributes.Age : PersonAttributes.None;

    /// <summary>
    /// Who claims, their true state and overpayment, their earnings and how they vary, how stale the
    /// matched source's records are, today's checks, the time to resolve a case, and the valuation's
    /// discount rate: drawn once per replicate for everyone (<see cref="FraudReplicate"/>'s person model).
    /// </summary>
    public IReadOnlyList<string> SharedParameters { get; }

    public IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>
    /// Per claimant and variant: <see cref="PersonOutcome.Harmed"/>, a wrongful adverse action on a correct
    /// claim (a letter that goes ahead, whatever follows); <see cref="PersonOutcome.Exposed"/>, the claim
    /// flagged, right or wrong, by the matching rule or by today's checks (the strand counts a status-quo
    /// referral as a flag, in every variant: today's checks are data matching too, e.g. the Housing Benefit
    /// Matching Service, so the status quo exposes its referrals). Never <see cref="PersonOutcome.Protected"/>:
    /// no safeguard of this strand withholds a person from matching (they act after a flag).
    /// </summary>
    public IReadOnlyList<PersonMark> Marks { get; } =
    [
        new(PersonOutcome.Harmed, "wrongful adverse action", "wrongful_adverse_actions"),
        new(PersonOutcome.Exposed, "claim flagged by data matching or today's checks", "flagged"),
    ];

    public IStrandReplicate Compile(ReplicateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return FraudReplicate.Compile(_scenario, context);
    }

    private static int N(C counter) => CounterSet.IndexOf(counter);

    /// <summary>Hardship is valued in money only where the scenario gives a valuation with a source.</summary>
    internal static bool HasSourcedValuation(FraudSpec fraud) =>
        fraud.Hardship.Valuation is { } v && !string.IsNullOrWhiteSpace(v.Evidence.Source);
}
