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
    public static void Add(StrandTally block, int variant, uint mask, LinkOutcome outcome) => Add(block, variant, mask, outcome, 1);

    /// <summary>Counts <paramref name="persons"/> persons of the same group mask and linkage outcome at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(StrandTally block, int variant, uint mask, LinkOutcome outcome, long persons)
    {
        block.Add(variant, mask, (int)LinkCounter.Processed, persons);
        if ((outcome & LinkOutcome.HasRecord) != 0)
            block.Add(variant, mask, (int)LinkCounter.WithRecord, persons);
        if ((outcome & (LinkOutcome.LinkedOwn | LinkOutcome.LinkedOther)) != 0)
        {
            block.Add(variant, mask, (int)((outcome & LinkOutcome.LinkedOwn) != 0 ? LinkCounter.LinkedOwn : LinkCounter.LinkedOther), persons);
            block.Add(variant, mask, (int)LinkCounter.Linked, persons);
        }

        if ((outcome & LinkOutcome.Reviewed) != 0)
            block.Add(variant, mask, (int)LinkCounter.Reviewed, persons);
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

/// <summary>
/// One linkage's outcomes kept by (counting variant, group mask, outcome) for a pass: one increment a
/// linked person in place of up to five additions to the tally's rows, spread into a block of
/// <see cref="LinkCounters.Set"/> by <see cref="Flush"/> (an evaluator's <c>Finish</c>). The same
/// integers as <see cref="LinkCounters.Add(StrandTally, int, uint, LinkOutcome)"/> person by person.
/// </summary>
public sealed class LinkCounts
{
    /// <summary>The most group masks counted this way (10 groups: 128 KB a counting variant; a pilot makes evaluators often).</summary>
    public const int MaxMasks = 1 << 10;

    private const int Outcomes = 16; // LinkOutcome's four bits

    private readonly int[] _slotOf;   // variant → its block of counts, or −1 (a variant that does not count this linkage)
    private readonly int[] _variantOf;
    private readonly long[] _counts;  // [slot][mask][outcome]
    private readonly int _masks;

    private LinkCounts(int variants, IReadOnlyList<int> counting, int masks)
    {
        _slotOf = new int[variants];
        Array.Fill(_slotOf, -1);
        _variantOf = [.. counting];
        for (int s = 0; s < _variantOf.Length; s++)
            _slotOf[_variantOf[s]] = s;
        _masks = masks;
        _counts = new long[_variantOf.Length * masks * Outcomes];
    }

    /// <summary>Counts for the <paramref name="counting"/> variants over <paramref name="masks"/> group masks, or null when there are too many masks.</summary>
    public static LinkCounts? For(int variants, IReadOnlyList<int> counting, int masks)
    {
        ArgumentNullException.ThrowIfNull(counting);
        return masks <= MaxMasks ? new LinkCounts(variants, counting, masks) : null;
    }

    /// <summary>Counts one person's outcome in <paramref name="variant"/> (one of the counting variants).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per linked person
    public void Add(int variant, uint mask, LinkOutcome outcome) =>
        _counts[(_slotOf[variant] * _masks + (int)mask) * Outcomes + (int)outcome]++;

    /// <summary>Adds what was counted to <paramref name="block"/> and starts again from 0.</summary>
    public void Flush(StrandTally block)
    {
        for (int s = 0; s < _variantOf.Length; s++)
        {
            for (int m = 0; m < _masks; m++)
            {
                Span<long> counts = _counts.AsSpan((s * _masks + m) * Outcomes, Outcomes);
                for (int o = 0; o < Outcomes; o++)
                {
                    if (counts[o] != 0)
                        LinkCounters.Add(block, _variantOf[s], (uint)m, (LinkOutcome)o, counts[o]);
                }
            }
        }

        Array.Clear(_counts);
    }
}
