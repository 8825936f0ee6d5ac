namespace ImpactModel.Strands.Fraud;

/// <summary>
/// The fraud strand's integer counters, per variant and result row: counts of persons (or
/// person-days) and money in whole pence. Annual flows are for one year of claims; the present
/// values (<see cref="NetBenefit"/>, <see cref="NetBenefitVsStatusQuo"/>, <see cref="HardshipValue"/>)
/// and the totals are formed in <see cref="FraudReplicate.Complete"/> after the merge.
/// </summary>
internal static class FraudCounters
{
    public const int Persons = 0;            // simulated persons (variant 0, row all): to keep fixed costs unscaled
    public const int Claimants = 1;
    public const int Overpaying = 2;         // claims in an error state
    public const int OverpaidPence = 3;      // annual overpayments, pence
    public const int AwardPence = 4;         // 12 × monthly award per claim, pence
    public const int CorrectClaims = 5;
    public const int Flagged = 6;
    public const int TruePositives = 7;
    public const int FalsePositives = 8;
    public const int Missed = 9;
    public const int MissedPence = 10;
    public const int Letters = 11;
    public const int WrongfulLetters = 12;
    public const int Suspensions = 13;
    public const int WrongfulSuspensions = 14;
    public const int Debts = 15;
    public const int WrongfulDebts = 16;
    public const int WrongfulAdverse = 17;   // persons with at least one wrongful adverse action
    public const int Appeals = 18;
    public const int Reversals = 19;
    public const int Hardship = 20;
    public const int RecoveredPence = 21;
    public const int WronglyRecoveredPence = 22;
    public const int InvestigationCost = 23;
    public const int ActionCost = 24;
    public const int ReviewCost = 25;
    public const int AppealCost = 26;
    public const int SafeguardCost = 27;
    public const int TotalCost = 28;         // formed in Complete
    public const int NetBenefit = 29;        // formed in Complete (present value)
    public const int NetBenefitVsStatusQuo = 30;
    public const int HardshipValue = 31;     // formed in Complete (present value), when valued
    public const int WrongfulDays = 32;      // person-days from wrongful adverse action to resolution
    public const int FalseMatchFlags = 33;   // flags raised on someone else's record
    public const int Reviewed = 34;
    public const int ReviewStopped = 35;
    public const int RoutedToPerson = 36;
    public const int AveragingFlags = 37;    // wrongful flags that period-matched comparison would not raise
    public const int StaleFlags = 38;        // wrongful flags on a stale own record
    public const int LinkProcessed = 39;     // claimants put through the matching linkage
    public const int LinkWithRecord = 40;
    public const int LinkOwn = 41;
    public const int LinkOther = 42;
    public const int LinkLinked = 43;
    public const int LinkReviewed = 44;

    public static readonly IReadOnlyList<string> Names =
    [
        "persons", "claimants", "overpaying_claims", "overpaid_pence", "award_pence", "correct_claims", "flagged", "true_positives",
        "false_positives", "missed_overpayments", "missed_overpayment_pence", "letters", "wrongful_letters", "suspensions",
        "wrongful_suspensions", "debts", "wrongful_debts", "wrongful_adverse_actions", "appeals", "reversals", "hardship",
        "money_recovered_pence", "money_wrongly_recovered_pence", "investigation_cost_pence", "action_cost_pence", "review_cost_pence",
        "appeal_cost_pence", "safeguard_cost_pence", "total_cost_pence", "net_benefit_pence", "net_benefit_vs_status_quo_pence",
        "hardship_value_pence", "wrongful_action_days", "false_match_flags", "reviewed", "review_stopped", "routed_to_person",
        "averaging_flags", "stale_flags", "link_processed", "link_with_record", "link_linked_own", "link_linked_other", "link_linked",
        "link_reviewed",
    ];
}
