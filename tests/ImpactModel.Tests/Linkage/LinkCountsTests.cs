using ImpactModel.Linkage;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;

namespace ImpactModel.Tests.Linkage;

public class LinkCountsTests
{
    /// <summary>
    /// Outcomes kept by (variant, mask, outcome) and spread at the end give every link counter of every
    /// variant and row exactly what adding person by person gives, and a second pass after a flush
    /// starts from 0 (no person counted twice).
    /// </summary>
    [Fact]
    public void Counting_by_mask_and_outcome_equals_adding_each_person()
    {
        const int variants = 5, groups = 6;
        int[] counting = [0, 3];
        var rng = new System.Random(26);
        var direct = new TallyTable(variants, groups, LinkCounters.Set.Count);
        var kept = new TallyTable(variants, groups, LinkCounters.Set.Count);
        var directBlock = new StrandTally(direct, 0, LinkCounters.Set.Count);
        var keptBlock = new StrandTally(kept, 0, LinkCounters.Set.Count);
        LinkCounts counts = LinkCounts.For(variants, counting, 1 << groups)!;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < 20_000; i++)
            {
                uint mask = rng.Next(4) == 0 ? 0u : (uint)rng.Next(1 << groups);
                var outcome = (LinkOutcome)rng.Next(16);
                int v = counting[rng.Next(counting.Length)];
                LinkCounters.Add(directBlock, v, mask, outcome);
                counts.Add(v, mask, outcome);
            }

            counts.Flush(keptBlock);
        }

        Assert.Equal(direct.Values.ToArray(), kept.Values.ToArray());
        Assert.Equal(40_000, direct[0, 0, (int)LinkCounter.Processed] + direct[3, 0, (int)LinkCounter.Processed]);
        Assert.Null(LinkCounts.For(variants, counting, LinkCounts.MaxMasks + 1));
    }
}
