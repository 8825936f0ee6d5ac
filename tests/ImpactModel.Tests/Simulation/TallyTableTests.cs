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
}
