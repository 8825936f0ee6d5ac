using ImpactModel.Simulation;

namespace ImpactModel.Tests.Simulation;

public class TallyTableTests
{
    [Fact]
    public void Counting_persons_at_once_equals_adding_one_per_person()
    {
        var masks = new uint[5000];
        var rng = new System.Random(3);
        for (int i = 0; i < masks.Length; i++)
            masks[i] = i % 3 == 0 ? 0 : (uint)rng.Next(0, 1 << 5) & (uint)rng.Next(0, 1 << 5);
        var one = new TallyTable(3, 5, 4);
        var bulk = new TallyTable(3, 5, 4);
        foreach (uint m in masks)
            one.Add(2, m, 1, 1);
        bulk.AddPersons(2, masks, 1);
        for (int v = 0; v < 3; v++)
            for (int row = 0; row < bulk.Rows; row++)
                for (int c = 0; c < 4; c++)
                    Assert.Equal(one[v, row, c], bulk[v, row, c]);
        Assert.Equal(masks.Length, bulk[2, 0, 1]);
        Assert.Equal(masks.Count(m => m == 0), bulk[2, bulk.RestRow, 1]);
        Assert.Equal(masks.Count(m => (m & 4) != 0), bulk[2, 3, 1]);
    }

    /// <summary>
    /// The vectorised count (whole vectors of masks, then a scalar tail) equals counting each person's
    /// bits one by one, for every length around the vector width, with and without 31 groups, with
    /// masks that are all 0, all set, or random.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(4099)]
    public void Counting_by_group_equals_counting_bit_by_bit(int length)
    {
        var rng = new System.Random(length + 11);
        foreach (int groups in new[] { 0, 1, 8, 31 })
        {
            foreach (string kind in new[] { "zero", "full", "random" })
            {
                uint limit = groups == 0 ? 0 : groups == 31 ? 0x7fff_ffffu : (1u << groups) - 1;
                uint[] masks = [.. Enumerable.Range(0, length).Select(_ => kind switch
                {
                    "zero" => 0u,
                    "full" => limit,
                    _ => (uint)rng.NextInt64(0, (long)limit + 1) & (rng.Next(3) == 0 ? 0u : limit),
                })];
                var expected = new long[32];
                long expectedNone = 0;
                foreach (uint m in masks)
                {
                    expectedNone += m == 0 ? 1 : 0;
                    for (int g = 0; g < 32; g++)
                        expected[g] += (m >> g) & 1;
                }

                var byGroup = new long[32];
                long none = TallyTable.CountByGroup(masks, groups, byGroup);
                Assert.Equal(expectedNone, none);
                for (int g = 0; g < groups; g++)
                    Assert.Equal(expected[g], byGroup[g]);
            }
        }
    }

    [Fact]
    public void Flags_that_nothing_reads_are_not_kept()
    {
        var kept = new PersonFlags(3, 16);
        kept.Mark(2, 5, PersonOutcome.Harmed);
        kept.Mark(2, 5, PersonOutcome.Exposed);
        Assert.Equal(PersonOutcome.Harmed | PersonOutcome.Exposed, kept.Of(2, 16)[5]);
        Assert.Equal(PersonOutcome.None, kept.Of(1, 16)[5]);

        var dropped = new PersonFlags(3, 16, kept: false);
        Assert.False(dropped.Kept);
        dropped.Mark(2, 5, PersonOutcome.Harmed); // nothing to keep it in: no effect, no exception
        Assert.Throws<ArgumentOutOfRangeException>(() => dropped.Mark(0, 16, PersonOutcome.Harmed));
        Assert.Throws<InvalidOperationException>(() => dropped.Of(2, 16).Length);
    }
}
