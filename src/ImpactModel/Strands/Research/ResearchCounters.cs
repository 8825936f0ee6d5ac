using ImpactModel.Simulation;

namespace ImpactModel.Strands.Research;

/// <summary>
/// The research strand's counters, per variant and result row. Record counts and risks are kept in
/// fixed point (<see cref="ResearchCounters.Fixed"/> per record): a record adds its probability of
/// being released, unique, at high risk …, exactly 0 or 1 when the run simulates the declared
/// population and an estimate for it otherwise, and its risk 1/f, each rounded to a multiple of
/// 1/Fixed, so every thread and shard adds the same integers. Counters marked "formed" are filled
/// in <see cref="ResearchReplicate.Complete"/> from the merged tallies.
/// </summary>
internal enum ResearchCounter
{
    ExtractRecords,             // whole records in the variant's extract (before suppression): the events behind the risk figures
    RecordsReleased,            // fixed point
    RecordsSuppressed,          // fixed point: records of the extract in classes below the threshold (or, for tables, whose cell is suppressed)
    SampleUniques,              // fixed point: released records alone in their class of the extract (f = 1)
    PopulationUniques,          // fixed point: released records alone in their class of the population (F = 1)
    RecordsAtHighRisk,          // fixed point: released records with 1/f above the high-risk threshold
    ProsecutorSum,              // fine fixed point (2^-40): Σ 1/f over released records
    JournalistSum,              // fine fixed point: Σ 1/F over released records
    AttackSum,                  // fine fixed point: Σ 1/(released records sharing what the attacker knows) (formed = ProsecutorSum when the attacker knows every released quasi-identifier)
    AttributeDisclosures,       // fixed point: (record, sensitive attribute) pairs whose value every member of the released class shares
    ExpectedReidentifications,  // formed, fixed point: a year
    ExpectedReidentificationsOverHorizon, // formed, fixed point
    CellsWithMembers,           // formed: cells of the release holding members of the row
    CellsSuppressed,            // formed: of those, cells suppressed
    GroupReleased,              // formed: 1 when any member of the row is in the release
    One,                        // formed: 1 (the denominator of per-row quantities that always exist)
    PrivacyBudgetSpent,         // formed, fixed point: ε × tables a person is in (all and each group) × counts per cell (records, holders of each attribute) × releases a year × years
    TruthPersons,               // persons of the row in the whole population (counted in the status quo, copied)
    ReleasedEvents,             // formed: whole simulated records behind each fixed-point count (results.csv's events: the count in the numerator)
    SuppressedEvents,           // formed
    UniqueEvents,               // formed
    PopulationUniqueEvents,     // formed
    HighRiskEvents,             // formed
    DisclosureEvents,           // formed
    SafeguardCostPence,         // formed (row all)
    TotalCostPence,             // formed (present value)
    ResearchValuePence,         // formed (present value), when the scenario values the research
    NetBenefitPence,            // formed (present value)
    NetBenefitVsStatusQuoPence, // formed
    ReidentificationCostPence,  // formed (present value), when re-identification is valued with a source
}

/// <summary>The counter set: <see cref="ResearchCounter"/>, then per sensitive attribute its true positives, then per question its error and whether it has an estimate.</summary>
internal static class ResearchCounters
{
    /// <summary>Fixed-point units per record (2^24: 67.6 million records of risk 1 sum to 1.1e15, far below 2^63).</summary>
    public const long Fixed = 1 << 24;

    /// <summary>Fixed-point units of the quantities formed per row (expected re-identifications, errors, ε): 2^40, fine enough for one in a billion a year.</summary>
    public const long Fine = 1L << 40;

    private static readonly CounterSet Own = CounterSet.Of<ResearchCounter>();

    public static CounterSet For(IReadOnlyList<string> attributes, IReadOnlyList<string> questions) =>
        CounterSet.Of([
            .. Own.Names,
            .. attributes.Select(a => $"true_positive.{a}"),
            .. questions.SelectMany(q => new[] { $"estimate_error.{q}", $"estimated.{q}" }),
        ]);

    /// <summary>The counter of persons of the row holding sensitive attribute <paramref name="a"/> (whole population).</summary>
    public static int TruePositive(int a) => Own.Count + a;

    /// <summary>The counter of question <paramref name="q"/>'s absolute error (fixed point, percentage points).</summary>
    public static int Error(int attributes, int q) => Own.Count + attributes + 2 * q;

    /// <summary>The counter that is 1 where question <paramref name="q"/> has an estimate in the row.</summary>
    public static int Estimated(int attributes, int q) => Error(attributes, q) + 1;

    public static int N(ResearchCounter counter) => CounterSet.IndexOf(counter);
}
