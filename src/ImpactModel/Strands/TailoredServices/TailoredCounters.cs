using ImpactModel.Simulation;
using ImpactModel.StrandKit;

namespace ImpactModel.Strands.TailoredServices;

/// <summary>
/// The tailored-services strand's integer counters, per variant and result row: persons, and money
/// in whole pence for one year; the totals and present values are formed in
/// <see cref="TailoredReplicate.Complete"/> after the merge. Each rule linkage's <c>link.*</c> block
/// follows the last (<see cref="TailoredCounters.LinkBlock"/>).
/// </summary>
internal enum TailoredCounter
{
    Eligible,
    Ineligible,
    Applied,                // eligible persons who apply by themselves (the same in every variant)
    Identified,             // eligible persons the rule flags from their own data (coverage × link × sensitivity)
    BestIdentified,         // Identified of the variant that identifies most of the row (formed in Complete)
    Flagged,                // persons the rule flags (eligible or not, own data or someone else's)
    Contacted,              // flagged persons contacted or enrolled
    OptedOut,               // persons who opted out: of matching (a safeguard) or of the action
    IneligibleContacted,
    Intrusions,             // ineligible persons contacted on a sensitive inference (after minimisation)
    DataReached,            // eligible persons reached through the rule
    OutreachReached,        // eligible persons reached by an outreach channel (not by the data)
    Reached,                // eligible persons receiving the service
    Additional,             // reached who would not have applied
    Missed,                 // eligible persons not reached
    MissedNotInData,        // of those, with no record in a source the rule reads or no link to their own
    ApplicationCostPence,
    ContactCostPence,
    OutreachCostPence,
    RunningCostPence,       // the rule's annual running cost (row all; formed in Complete)
    SafeguardCostPence,     // enabled safeguards' annual costs (row all; formed in Complete)
    TotalCostPence,         // formed in Complete
    ValuePence,             // reached × benefit per person reached, a year
    NetBenefitPence,        // formed in Complete (present value)
    NetBenefitVsStatusQuoPence,
    IntrusionValuePence,    // formed in Complete (present value), when intrusion is valued with a source
}

/// <summary>The strand's counter set: <see cref="TailoredCounter"/>, then one <c>link.*</c> block per rule linkage.</summary>
internal static class TailoredCounters
{
    private static readonly CounterSet Own = CounterSet.Of<TailoredCounter>();

    /// <summary>The counters for a rule of <paramref name="linkages"/> linkages.</summary>
    public static CounterSet For(int linkages)
    {
        CounterSet set = Own;
        for (int l = 0; l < linkages; l++)
            set = set.Then($"link{l}", LinkCounters.Set);
        return set;
    }

    /// <summary>The first counter of rule linkage <paramref name="l"/>'s block.</summary>
    public static int LinkBlock(int l) => Own.Count + l * LinkCounters.Set.Count;
}
