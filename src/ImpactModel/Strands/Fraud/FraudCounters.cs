using ImpactModel.Simulation;
using ImpactModel.StrandKit;

namespace ImpactModel.Strands.Fraud;

/// <summary>
/// The fraud strand's integer counters, per variant and result row: counts of persons (or
/// person-days) and money in whole pence. Annual flows are for one year of claims; the present
/// values (<see cref="NetBenefitPence"/>, <see cref="NetBenefitVsStatusQuoPence"/>, <see cref="HardshipValuePence"/>)
/// and the totals are formed in <see cref="FraudReplicate.Complete"/> after the merge. Names derive
/// from the members (<see cref="CounterSet.Of{TCounter}"/>); the matching linkage's <c>link.*</c>
/// block follows the last (<see cref="FraudCounters.LinkBlock"/>).
/// </summary>
internal enum FraudCounter
{
    Claimants,
    OverpayingClaims,       // claims in an error state
    OverpaidPence,          // annual overpayments, pence
    AwardPence,             // 12 × monthly award per claim, pence
    CorrectClaims,
    Flagged,
    TruePositives,
    FalsePositives,
    MissedOverpayments,
    MissedOverpaymentPence,
    Letters,
    WrongfulLetters,
    Suspensions,
    WrongfulSuspensions,
    Debts,
    WrongfulDebts,
    WrongfulAdverseActions, // persons with at least one wrongful adverse action
    Appeals,
    Reversals,
    Hardship,
    RecoveredPence,
    WronglyRecoveredPence,
    InvestigationCostPence,
    ActionCostPence,
    ReviewCostPence,
    AppealCostPence,
    SafeguardCostPence,
    TotalCostPence,          // formed in Complete
    NetBenefitPence,         // formed in Complete (present value)
    NetBenefitVsStatusQuoPence,
    HardshipValuePence,      // formed in Complete (present value), when valued
    WrongfulActionDays,      // person-days from wrongful adverse action to resolution
    FalseMatchFlags,         // flags raised on someone else's record
    Reviewed,
    ReviewStopped,
    RoutedToPerson,
    AveragingFlags,          // wrongful flags that period-matched comparison would not raise
    StaleFlags,              // wrongful flags on a stale own record
    ReviewCleared,           // true cases human review wrongly cleared (the overpayment missed)
    ClericalReviews,         // linkage pairs sent to clerical review (a claimant's best pair in the band)
    ClericalCostPence,       // their cost, pence
    EstablishedPence,        // overpayments established as debts, pence (before the recovery rate)
    TrueDebts,               // debts raised on true cases (the events behind the two above)
}

/// <summary>The fraud strand's counter set: <see cref="FraudCounter"/>, then the matching linkage's <c>link.*</c> block.</summary>
internal static class FraudCounters
{
    private static readonly CounterSet Own = CounterSet.Of<FraudCounter>();

    /// <summary>Every counter, in index order.</summary>
    public static CounterSet Set { get; } = Own.Then("link", LinkCounters.Set);

    /// <summary>The first counter of the matching linkage's block (claimants put through it, by <see cref="LinkCounter"/>).</summary>
    public static int LinkBlock => Own.Count;
}
