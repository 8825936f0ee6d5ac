using System.Runtime.CompilerServices;
using ImpactModel.Linkage;
using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>The counters of one linkage over the persons a strand links (docs/metrics.md, the <c>link_*</c> metrics).</summary>
public enum LinkCounter
{
    /// <summary>Persons put through the linkage (the denominator of the false-match and review rates).</summary>
    Processed,

    /// <summary>Persons with a record in the target source (the denominator of recall).</summary>
    WithRecord,

    /// <summary>Persons linked to their own record.</summary>
    LinkedOwn,

    /// <summary>Persons linked to someone else's record.</summary>
    LinkedOther,

    /// <summary>Persons linked to any record (the denominator of precision).</summary>
    Linked,

    /// <summary>Persons whose best pair went to clerical review.</summary>
    Reviewed,
}

/// <summary>
/// The <c>link_*</c> counters and metrics of one linkage, for whichever persons a strand links
/// (everyone, or only its claimants): a block of <see cref="Set"/> counters the strand appends to
/// its own with <see cref="CounterSet.Then"/>.
/// </summary>
public static class LinkCounters
{
    /// <summary>The block's counters.</summary>
    public static CounterSet Set { get; } = CounterSet.Of<LinkCounter>();

    /// <summary>
    /// The four <c>link_*</c> metrics of a block starting at counter <paramref name="first"/>, in the
    /// order results list them: recall (headline), precision, false-match rate (a harm, headline),
    /// review rate. Each exists only in variants that link data. Their events are their numerators
    /// (persons linked to their own or another's record, persons reviewed).
    /// </summary>
    public static IEnumerable<MetricDefinition> Metrics(int first, string? qualifier)
    {
        int At(LinkCounter c) => first + (int)c;
        yield return new(LinkageMetric.Name(LinkageMetric.Recall, qualifier), MetricUnit.Rate, At(LinkCounter.LinkedOwn), At(LinkCounter.WithRecord),
            LinkingVariantsOnly: true, IsHeadline: true, Per: "persons with a record in the target source");
        yield return new(LinkageMetric.Name(LinkageMetric.Precision, qualifier), MetricUnit.Rate, At(LinkCounter.LinkedOwn), At(LinkCounter.Linked),
            LinkingVariantsOnly: true, Per: "persons linked");
        yield return new(LinkageMetric.Name(LinkageMetric.FalseMatchRate, qualifier), MetricUnit.Rate, At(LinkCounter.LinkedOther), At(LinkCounter.Processed),
            IsHarm: true, LinkingVariantsOnly: true, IsHeadline: true, Per: "persons processed");
        yield return new(LinkageMetric.Name(LinkageMetric.ReviewRate, qualifier), MetricUnit.Rate, At(LinkCounter.Reviewed), At(LinkCounter.Processed),
            LinkingVariantsOnly: true, Per: "persons processed");
    }

    /// <summary>Counts one person's linkage outcome in <paramref name="variant"/> (a block of <see cref="Set"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per linked person
    public static void Add(StrandTally block, int variant, uint mask, LinkOutcome outcome)
    {
        block.Add(variant, mask, (int)LinkCounter.Processed, 1);
        if ((outcome & LinkOutcome.HasRecord) != 0)
            block.Add(variant, mask, (int)LinkCounter.WithRecord, 1);
        if ((outcome & (LinkOutcome.LinkedOwn | LinkOutcome.LinkedOther)) != 0)
        {
            block.Add(variant, mask, (int)((outcome & LinkOutcome.LinkedOwn) != 0 ? LinkCounter.LinkedOwn : LinkCounter.LinkedOther), 1);
            block.Add(variant, mask, (int)LinkCounter.Linked, 1);
        }

        if ((outcome & LinkOutcome.Reviewed) != 0)
            block.Add(variant, mask, (int)LinkCounter.Reviewed, 1);
    }

    /// <summary>Copies each variant's linkage counters from the variant that counted its shared linkage.</summary>
    public static void CopyShared(StrandTally block, VariantLinkages linkages)
    {
        ArgumentNullException.ThrowIfNull(linkages);
        for (int v = 0; v < linkages.CountedBy.Count; v++)
        {
            if (linkages.CountedBy[v] != v)
                block.CopyCounters(linkages.CountedBy[v], v, 0, Set.Count);
        }
    }
}
