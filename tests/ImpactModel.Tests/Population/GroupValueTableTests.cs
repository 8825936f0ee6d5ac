using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Tests.Population;

public class GroupValueTableTests
{
    private static Parameter P(double v, string path = "x") => new(new FixedValue(v), Evidence.None, path, default);

    private static GroupValues Values(double baseValue, params (string Group, double Value)[] groups) =>
        new(P(baseValue), [.. groups.Select(g => new GroupParameter(g.Group, P(g.Value)))]);

    private static readonly string[] Groups = ["a", "b", "c"];

    [Fact]
    public void A_person_in_no_listed_group_gets_the_base_and_in_one_group_that_groups_value()
    {
        double[] table = GroupValueTable.Build(Values(0.2, ("a", 0.5)), Groups, p => p.Mean, probability: true);
        Assert.Equal(8, table.Length);
        Assert.Equal(0.2, table[0b000]);
        Assert.Equal(0.5, table[0b001]);
        Assert.Equal(0.2, table[0b010]); // b is not listed
        Assert.Equal(0.5, table[0b011]); // a listed, b not: a's value
    }

    [Fact]
    public void Two_listed_groups_multiply_their_odds_ratios()
    {
        // base odds 0.25; a: odds 1 (ratio 4); b: odds 0.5 (ratio 2) -> combined odds 0.25 * 8 = 2 -> p = 2/3.
        double[] table = GroupValueTable.Build(Values(0.2, ("a", 0.5), ("b", 1.0 / 3)), Groups, p => p.Mean, probability: true);
        Assert.Equal(2.0 / 3, table[0b011], 12);
    }

    [Fact]
    public void Other_kinds_multiply_their_ratios_to_the_base()
    {
        double[] table = GroupValueTable.Build(Values(2, ("a", 6), ("c", 3)), Groups, p => p.Mean, probability: false);
        Assert.Equal(9, table[0b101], 12);
        Assert.Equal(6, table[0b001]);
    }

    [Fact]
    public void A_certain_group_value_stays_certain_when_combined()
    {
        double[] table = GroupValueTable.Build(Values(0.2, ("a", 1), ("b", 0.5)), Groups, p => p.Mean, probability: true);
        Assert.Equal(1, table[0b011]);
    }
}
