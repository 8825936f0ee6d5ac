namespace ImpactModel.Linkage;

/// <summary>
/// What linkage did for one person (one byte per person). A person is "not linked" when neither
/// <see cref="LinkedOwn"/> nor <see cref="LinkedOther"/> is set; at most one of the two is set.
/// </summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Outcome, not an event-args type.")]
public enum LinkOutcome : byte
{
    /// <summary>No record in the target source, and nothing linked.</summary>
    None = 0,

    /// <summary>The person has a record in the target (<c>to</c>) source.</summary>
    HasRecord = 1,

    /// <summary>The person's record was linked to their own record in the target source (a true match).</summary>
    LinkedOwn = 2,

    /// <summary>The person's record was linked to another person's record (a false match).</summary>
    LinkedOther = 4,

    /// <summary>The best pair fell between the thresholds and went to clerical review.</summary>
    Reviewed = 8,
}
