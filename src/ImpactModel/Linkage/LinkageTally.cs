using System.Collections.Immutable;

namespace ImpactModel.Linkage;

/// <summary>Integer counts of one result row (a group, <c>all</c> or <c>rest</c>), and the rates docs/metrics.md defines.</summary>
/// <param name="Processed">Persons linked (the denominator of the false-match and review rates).</param>
/// <param name="WithRecord">Persons with a record in the target source (the denominator of recall).</param>
/// <param name="LinkedOwn">Persons linked to their own record (true matches, after review).</param>
/// <param name="LinkedOther">Persons linked to another person's record (false matches, after review).</param>
/// <param name="Reviewed">Persons whose best pair went to clerical review.</param>
public readonly record struct LinkageCounts(long Processed, long WithRecord, long LinkedOwn, long LinkedOther, long Reviewed)
{
    /// <summary>LinkedOwn / WithRecord; null when no one has a record.</summary>
    public double? Recall => Ratio(LinkedOwn, WithRecord);

    /// <summary>LinkedOwn / (LinkedOwn + LinkedOther); null when nothing linked.</summary>
    public double? Precision => Ratio(LinkedOwn, LinkedOwn + LinkedOther);

    /// <summary>LinkedOther / Processed; null when no one was processed.</summary>
    public double? FalseMatchRate => Ratio(LinkedOther, Processed);

    /// <summary>Reviewed / Processed; null when no one was processed.</summary>
    public double? ReviewRate => Ratio(Reviewed, Processed);

    /// <summary>Persons linked to no record.</summary>
    public long NotLinked => Processed - LinkedOwn - LinkedOther;

    private static double? Ratio(long a, long b) => b == 0 ? null : (double)a / b;
}

/// <summary>
/// Linkage outcomes counted by result row: <c>all</c>, each group (a person in several groups
/// counts in each) and <c>rest</c> (persons in no group). Integer counts, so tallies of any
/// chunks merged in any order are identical; keep one per thread and merge them in chunk order.
/// </summary>
public sealed class LinkageTally
{
    private const int Columns = 5;
    private readonly long[] _counts;

    /// <param name="groupIds">The population's groups in declaration order (bit g of a mask is group g).</param>
    public LinkageTally(IReadOnlyList<string> groupIds)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        if (groupIds.Count > 31)
            throw new ArgumentOutOfRangeException(nameof(groupIds), groupIds.Count, "at most 31 groups");
        Rows = ["all", .. groupIds, "rest"];
        _counts = new long[Rows.Length * Columns];
    }

    /// <summary>Row names: <c>all</c>, the groups in order, <c>rest</c>.</summary>
    public ImmutableArray<string> Rows { get; }

    /// <summary>Counts of row <paramref name="row"/> (an index into <see cref="Rows"/>).</summary>
    public LinkageCounts this[int row]
    {
        get
        {
            int o = row * Columns;
            return new LinkageCounts(_counts[o], _counts[o + 1], _counts[o + 2], _counts[o + 3], _counts[o + 4]);
        }
    }

    /// <summary>Counts of the row named <paramref name="row"/> (<c>all</c>, a group id or <c>rest</c>).</summary>
    public LinkageCounts this[string row]
    {
        get
        {
            int i = Rows.IndexOf(row);
            return i < 0 ? throw new ArgumentException($"no row '{row}'", nameof(row)) : this[i];
        }
    }

    /// <summary>Counts the outcomes of a chunk. Allocates nothing.</summary>
    public void Add(ReadOnlySpan<uint> groupMask, ReadOnlySpan<LinkOutcome> outcomes)
    {
        if (outcomes.Length < groupMask.Length)
            throw new ArgumentException("outcomes is shorter than groupMask", nameof(outcomes));
        int rest = (Rows.Length - 1) * Columns;
        for (int i = 0; i < groupMask.Length; i++)
        {
            LinkOutcome o = outcomes[i];
            uint mask = groupMask[i];
            Count(0, o);
            if (mask == 0)
            {
                Count(rest, o);
                continue;
            }

            while (mask != 0)
            {
                int g = System.Numerics.BitOperations.TrailingZeroCount(mask);
                if (g + 2 >= Rows.Length)
                    throw new ArgumentException($"a group mask has bit {g} beyond the {Rows.Length - 2} groups", nameof(groupMask));
                Count((g + 1) * Columns, o);
                mask &= mask - 1;
            }
        }
    }

    /// <summary>Adds another tally of the same groups into this one.</summary>
    public void Add(LinkageTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.Rows.SequenceEqual(Rows))
            throw new ArgumentException("tallies of different groups", nameof(other));
        for (int i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
    }

    /// <summary>The four metrics for every row (docs/metrics.md); an undefined rate has a null value.</summary>
    /// <param name="qualifier">The target source id when the scenario links more than one source (see <see cref="CompiledLinkage.MetricQualifier"/>), else null.</param>
    public IReadOnlyList<LinkageMetric> Metrics(string? qualifier)
    {
        var list = new List<LinkageMetric>(Rows.Length * 4);
        for (int r = 0; r < Rows.Length; r++)
        {
            LinkageCounts c = this[r];
            list.Add(new(Rows[r], LinkageMetric.Name(LinkageMetric.Recall, qualifier), c.Recall));
            list.Add(new(Rows[r], LinkageMetric.Name(LinkageMetric.Precision, qualifier), c.Precision));
            list.Add(new(Rows[r], LinkageMetric.Name(LinkageMetric.FalseMatchRate, qualifier), c.FalseMatchRate));
            list.Add(new(Rows[r], LinkageMetric.Name(LinkageMetric.ReviewRate, qualifier), c.ReviewRate));
        }

        return list;
    }

    private void Count(int offset, LinkOutcome o)
    {
        _counts[offset]++;
        _counts[offset + 1] += (int)(o & LinkOutcome.HasRecord);
        _counts[offset + 2] += (int)(o & LinkOutcome.LinkedOwn) >> 1;
        _counts[offset + 3] += (int)(o & LinkOutcome.LinkedOther) >> 2;
        _counts[offset + 4] += (int)(o & LinkOutcome.Reviewed) >> 3;
    }
}

/// <summary>One metric value of one result row; <see cref="Value"/> is null when the rate's denominator is 0 (an empty CSV cell).</summary>
public sealed record LinkageMetric(string Group, string Metric, double? Value)
{
    public const string Recall = "link_recall";
    public const string Precision = "link_precision";
    public const string FalseMatchRate = "link_false_match_rate";
    public const string ReviewRate = "link_review_rate";

    /// <summary><paramref name="metric"/>, or <c>metric.qualifier</c> when a qualifier is given.</summary>
    public static string Name(string metric, string? qualifier) => qualifier is null ? metric : $"{metric}.{qualifier}";
}
