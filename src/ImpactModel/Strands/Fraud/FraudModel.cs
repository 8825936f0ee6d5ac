using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using C = ImpactModel.Strands.Fraud.FraudCounters;

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
        string target = scenario.Linkages.FirstOrDefault(l => l.Id == scenario.Fraud.Matching.Linkage)?.To ?? "";
        SharedParameters =
        [
            "fraud.claimants", "fraud.true_states", "fraud.status_quo",
            "fraud.matching.earners_share", "fraud.matching.monthly_earnings", "fraud.matching.earnings_variation",
            "fraud.matching.undeclared_share", $"data_sources.{target}.stale_share", "fraud.responses.days_to_resolution",
            "discount_rate",
        ];
        // The matching linkage's quality over the claimants it links (the population model links no one in a fraud run).
        string? q = scenario.Linkages.Select(l => l.To).Distinct(StringComparer.Ordinal).Count() > 1
            ? scenario.Linkages.First(l => l.Id == scenario.Fraud.Matching.Linkage).To
            : null;
        var m = new List<MetricDefinition>
        {
            new(LinkageMetric.Name(LinkageMetric.Recall, q), MetricUnit.Rate, C.LinkOwn, C.LinkWithRecord, LinkingVariantsOnly: true, IsHeadline: true),
            new(LinkageMetric.Name(LinkageMetric.Precision, q), MetricUnit.Rate, C.LinkOwn, C.LinkLinked, LinkingVariantsOnly: true),
            new(LinkageMetric.Name(LinkageMetric.FalseMatchRate, q), MetricUnit.Rate, C.LinkOther, C.LinkProcessed, IsHarm: true, LinkingVariantsOnly: true, IsHeadline: true),
            new(LinkageMetric.Name(LinkageMetric.ReviewRate, q), MetricUnit.Rate, C.LinkReviewed, C.LinkProcessed, LinkingVariantsOnly: true),
            new("claimants", MetricUnit.Persons, C.Claimants, IsHeadline: true),
            new("overpaying_claims", MetricUnit.Persons, C.Overpaying),
            new("overpayments", MetricUnit.Money, C.OverpaidPence),
            new("overpayment_share", MetricUnit.Rate, C.OverpaidPence, C.AwardPence, IsHeadline: true),
            new("correct_claims", MetricUnit.Persons, C.CorrectClaims),
            new("flagged", MetricUnit.Persons, C.Flagged, IsHeadline: true),
            new("true_positives", MetricUnit.Persons, C.TruePositives),
            new("false_positives", MetricUnit.Persons, C.FalsePositives, IsHeadline: true),
            new("false_positive_rate", MetricUnit.Rate, C.FalsePositives, C.CorrectClaims, IsHarm: true),
            new("positive_predictive_value", MetricUnit.Rate, C.TruePositives, C.Flagged, IsHeadline: true),
            new("missed_overpayments", MetricUnit.Persons, C.Missed),
            new("missed_overpayment_value", MetricUnit.Money, C.MissedPence),
            new("letters", MetricUnit.Persons, C.Letters),
            new("suspensions", MetricUnit.Persons, C.Suspensions),
            new("debts", MetricUnit.Persons, C.Debts),
            new("wrongful_letters", MetricUnit.Persons, C.WrongfulLetters),
            new("wrongful_suspensions", MetricUnit.Persons, C.WrongfulSuspensions),
            new("wrongful_debts", MetricUnit.Persons, C.WrongfulDebts),
            new("wrongful_adverse_actions", MetricUnit.Persons, C.WrongfulAdverse, IsHeadline: true),
            new("wrongful_adverse_action_rate", MetricUnit.Rate, C.WrongfulAdverse, C.Claimants, IsHarm: true, IsHeadline: true),
            new("wrongful_suspension_rate", MetricUnit.Rate, C.WrongfulSuspensions, C.Claimants, IsHarm: true),
            new("wrongful_debt_rate", MetricUnit.Rate, C.WrongfulDebts, C.Claimants, IsHarm: true),
            new("appeals", MetricUnit.Persons, C.Appeals),
            new("reversals", MetricUnit.Persons, C.Reversals),
            new("hardship", MetricUnit.Persons, C.Hardship, IsHeadline: true),
            new("hardship_rate", MetricUnit.Rate, C.Hardship, C.Claimants, IsHarm: true),
            new("wrongful_action_days", MetricUnit.Persons, C.WrongfulDays),
            new("false_match_flags", MetricUnit.Persons, C.FalseMatchFlags, LinkingVariantsOnly: true),
            new("averaging_flags", MetricUnit.Persons, C.AveragingFlags, LinkingVariantsOnly: true),
            new("stale_flags", MetricUnit.Persons, C.StaleFlags, LinkingVariantsOnly: true),
            new("reviewed", MetricUnit.Persons, C.Reviewed, LinkingVariantsOnly: true),
            new("review_stopped", MetricUnit.Persons, C.ReviewStopped, LinkingVariantsOnly: true),
            new("routed_to_person", MetricUnit.Persons, C.RoutedToPerson, LinkingVariantsOnly: true),
            new("money_recovered", MetricUnit.Money, C.RecoveredPence, IsHeadline: true),
            new("money_wrongly_recovered", MetricUnit.Money, C.WronglyRecoveredPence, IsHeadline: true),
            new("investigation_cost", MetricUnit.Money, C.InvestigationCost),
            new("action_cost", MetricUnit.Money, C.ActionCost),
            new("review_cost", MetricUnit.Money, C.ReviewCost),
            new("appeal_cost", MetricUnit.Money, C.AppealCost),
            new("safeguard_cost", MetricUnit.Money, C.SafeguardCost),
            new("total_cost", MetricUnit.Money, C.TotalCost),
            new("net_benefit", MetricUnit.Money, C.NetBenefit, IsHeadline: true),
            new("net_benefit_vs_status_quo", MetricUnit.Money, C.NetBenefitVsStatusQuo, IsHeadline: true),
        };
        if (HasSourcedValuation(scenario.Fraud))
            m.Add(new("hardship_value", MetricUnit.Money, C.HardshipValue));
        Metrics = m;
    }

    public IReadOnlyList<string> Counters => C.Names;

    /// <summary>Who claims depends on age (adults only) besides the decile and groups.</summary>
    public PersonAttributes Reads => PersonAttributes.Age;

    /// <summary>
    /// Who claims, their true state and overpayment, their earnings and how they vary, how stale the
    /// matched source's records are, today's checks, the time to resolve a case, and the valuation's
    /// discount rate: drawn once per replicate for everyone (<see cref="FraudReplicate"/>'s person model).
    /// </summary>
    public IReadOnlyList<string> SharedParameters { get; }

    public IReadOnlyList<MetricDefinition> Metrics { get; }

    public IStrandReplicate Compile(ReplicateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return FraudReplicate.Compile(_scenario, context);
    }

    /// <summary>Hardship is valued in money only where the scenario gives a valuation with a source.</summary>
    internal static bool HasSourcedValuation(FraudSpec fraud) =>
        fraud.Hardship.Valuation is { } v && !string.IsNullOrWhiteSpace(v.Evidence.Source);
}
