using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Linkage;

/// <summary>One linkage rate for one row (all, a group, rest): simulated, its standard error, and the calculator's expectation.</summary>
/// <param name="Metric">link_recall, link_precision, link_false_match_rate or link_review_rate.</param>
/// <param name="Simulated">The simulated rate; null when its denominator is 0.</param>
/// <param name="StandardError">sqrt(r(1 − r)/denominator), the binomial error of the simulated rate; null when undefined.</param>
/// <param name="Expected">The analytic calculator's rate for the row's realised mix of group memberships; null when undefined.</param>
/// <param name="Denominator">Persons in the rate's denominator (docs/metrics.md).</param>
public sealed record LinkageRate(string Metric, double? Simulated, double? StandardError, double? Expected, long Denominator);

/// <summary>The linkage figures of one row.</summary>
public sealed record LinkageRow(string Group, long Processed, IReadOnlyList<LinkageRate> Rates);

/// <summary>One linkage of a scenario, described by group.</summary>
public sealed record LinkageSection(string Id, string From, string To, string MetricQualifier, IReadOnlyList<LinkageRow> Rows);

/// <summary>
/// What a scenario's data quality implies for linkage, by group: simulated on the scenario's
/// population (replicate 0) next to the analytic calculator's expectation for the same mix of
/// group memberships, so users can see the error the data produce before any strand runs.
/// </summary>
public static class LinkageDescription
{
    /// <summary>Most persons simulated for the linkage section (the calculator's expectation needs no simulation).</summary>
    public const long MaxPersons = 1_000_000;

    public static IReadOnlyList<LinkageSection> Describe(Scenario scenario, ulong seed, long persons, int threads = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        persons = Math.Min(persons, MaxPersons);
        const int replicate = 0;
        CompiledPopulation population = CompiledPopulation.Compile(scenario.Population, seed, replicate);
        var sections = new List<LinkageSection>();
        foreach (LinkageSpec spec in scenario.Linkages)
        {
            CompiledLinkage linkage = CompiledLinkage.Compile(scenario, spec, population.GroupIds, seed, replicate);
            (LinkageTally tally, long[] masks) = Simulate(population, linkage, persons, threads, cancellationToken);
            sections.Add(new LinkageSection(spec.Id, spec.From, spec.To, linkage.MetricQualifier ?? "",
                Rows(tally, masks, linkage, population.GroupIds.Count)));
        }

        return sections;
    }

    private static (LinkageTally, long[]) Simulate(CompiledPopulation population, CompiledLinkage linkage, long persons, int threads,
        CancellationToken cancellationToken)
    {
        int maskCount = 1 << population.GroupIds.Count;
        IReadOnlyList<(LinkageTally Tally, long[] Masks, LinkOutcome[] Outcomes)> parts = ChunkLoop.Run(population, PersonAttributes.None, 0, persons,
            new ChunkLoopOptions(threads),
            () => (Tally: new LinkageTally(population.GroupIds), Masks: new long[maskCount], Outcomes: new LinkOutcome[PersonChunk.DefaultCapacity]),
            (local, chunk) =>
            {
                Span<LinkOutcome> outcomes = local.Outcomes.AsSpan(0, chunk.Count);
                linkage.Link(chunk.FirstPerson, chunk.Groups, outcomes);
                local.Tally.Add(chunk.Groups, outcomes);
                foreach (uint m in chunk.Groups)
                    local.Masks[m]++;
            },
            cancellationToken: cancellationToken);

        var total = new LinkageTally(population.GroupIds);
        var masks = new long[maskCount];
        foreach (var part in parts)
        {
            total.Add(part.Tally);
            for (int m = 0; m < maskCount; m++)
                masks[m] += part.Masks[m];
        }

        return (total, masks);
    }

    private static List<LinkageRow> Rows(LinkageTally tally, long[] masks, CompiledLinkage linkage, int groups)
    {
        var expectations = new Dictionary<uint, LinkageExpectation>();
        LinkageExpectation For(uint mask)
        {
            if (!expectations.TryGetValue(mask, out var e))
                expectations[mask] = e = LinkageCalculator.Expect(linkage, mask);
            return e;
        }

        // The calculator enumerates 4^F field patterns and stops at its own limit; beyond it (a valid
        // linkage compares up to CompiledLinkage.MaxFields) the rows carry no expectation rather than fail.
        bool calculable = linkage.FieldCount <= LinkageCalculator.MaxFields;
        var rows = new List<LinkageRow>();
        for (int row = 0; row < tally.Rows.Length; row++)
        {
            // The row's persons: everyone (all), the members of group g, or those in no group (rest).
            Func<uint, bool> inRow = row == 0 ? _ => true : row <= groups ? m => (m & (1u << (row - 1))) != 0 : m => m == 0;
            double hasRecord = 0, own = 0, other = 0, reviewed = 0, weight = 0;
            for (uint m = 0; m < masks.Length; m++)
            {
                if (masks[m] == 0 || !inRow(m) || !calculable)
                    continue;
                LinkageExpectation e = For(m);
                double w = masks[m];
                weight += w;
                hasRecord += w * e.HasRecord;
                own += w * e.LinkedOwn;
                other += w * e.LinkedOther;
                reviewed += w * e.Reviewed;
            }

            LinkageCounts c = tally[row];
            LinkageExpectation? expected = weight > 0
                ? new LinkageExpectation(hasRecord / weight, own / weight, other / weight, reviewed / weight)
                : null;
            rows.Add(new LinkageRow(tally.Rows[row], c.Processed,
            [
                Rate(LinkageMetric.Recall, c.Recall, c.WithRecord, expected?.Recall),
                Rate(LinkageMetric.Precision, c.Precision, c.LinkedOwn + c.LinkedOther, expected?.Precision),
                Rate(LinkageMetric.FalseMatchRate, c.FalseMatchRate, c.Processed, expected?.FalseMatchRate),
                Rate(LinkageMetric.ReviewRate, c.ReviewRate, c.Processed, expected?.ReviewRate),
            ]));
        }

        return rows;
    }

    private static LinkageRate Rate(string metric, double? simulated, long denominator, double? expected) =>
        new(metric, simulated, simulated is { } r && denominator > 0 ? Math.Sqrt(r * (1 - r) / denominator) : null, expected, denominator);
}
