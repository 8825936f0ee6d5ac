using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

public class CategoryCutsTests
{
    [Theory]
    [InlineData(new ulong[] { 1UL << 32 })]
    [InlineData(new ulong[] { 100, 1UL << 32 })]
    [InlineData(new ulong[] { 0, 0, 7, 7, 4_000_000_000, 1UL << 32 })]
    [InlineData(new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1UL << 32 })]
    [InlineData(new ulong[] { 4294967295, 1UL << 32, 1UL << 32 })]
    public void The_category_is_the_count_of_cuts_at_or_below_the_word(ulong[] cumulative)
    {
        var cuts = new CategoryCuts(cumulative);
        Assert.Equal(cumulative.Length, cuts.Categories);
        uint[] words = [0, 1, 2, 6, 7, 8, 11, 12, 13, 99, 100, 101, 3_999_999_999, 4_000_000_000, uint.MaxValue - 1, uint.MaxValue];
        foreach (uint w in words)
        {
            int expected = 0;
            while (expected < cumulative.Length - 1 && w >= cumulative[expected])
                expected++;
            Assert.Equal(expected, cuts.Of(w));
        }
    }
}
