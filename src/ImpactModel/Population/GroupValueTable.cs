using ImpactModel.Scenarios.Model;

namespace ImpactModel.Population;

/// <summary>
/// A by-group parameter compiled for one replicate into a table indexed by a person's group
/// mask (bit g set when the person is in peripheral group g), so the per-person loop does one
/// array read. The combination rule is the one docs/scenario-format.md states: a person in no
/// listed group gets the base; in one listed group, that group's value; in several, for
/// probabilities the base odds times each group's odds ratio against the base, for other kinds the
/// base times each group's ratio to the base.
/// </summary>
public static class GroupValueTable
{
    /// <summary>Most peripheral groups a population may declare (a person's groups fit one 32-bit mask; tables have 2^G entries).</summary>
    public const int MaxGroups = 16;

    /// <param name="values">The by-group parameter.</param>
    /// <param name="groupIds">The population's groups in declaration order (bit g is groupIds[g]).</param>
    /// <param name="drawn">The replicate's value of each parameter.</param>
    /// <param name="probability">Combine on the odds scale (true) or multiplicatively (false).</param>
    public static double[] Build(GroupValues values, IReadOnlyList<string> groupIds, Func<Parameter, double> drawn, bool probability)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(groupIds);
        ArgumentNullException.ThrowIfNull(drawn);
        if (groupIds.Count > MaxGroups)
            throw new ArgumentOutOfRangeException(nameof(groupIds), groupIds.Count, $"at most {MaxGroups} groups");

        double b = drawn(values.Base);
        // Per group: the factor against the base (odds ratio or ratio), or null when not listed.
        var factor = new double?[groupIds.Count];
        var exact = new double?[groupIds.Count];
        foreach (var g in values.ByGroup)
        {
            int index = IndexOf(groupIds, g.Group);
            if (index < 0)
                continue;
            double v = drawn(g.Value);
            exact[index] = v;
            factor[index] = probability ? Ratio(Odds(v), Odds(b)) : Ratio(v, b);
        }

        var table = new double[1 << groupIds.Count];
        for (int mask = 0; mask < table.Length; mask++)
        {
            int listed = 0, last = -1;
            double f = 1;
            for (int g = 0; g < groupIds.Count; g++)
            {
                if ((mask & (1 << g)) != 0 && factor[g] is { } fg)
                {
                    listed++;
                    last = g;
                    f *= fg;
                }
            }

            table[mask] = listed switch
            {
                0 => b,
                1 => exact[last]!.Value,
                _ => probability ? FromOdds(Odds(b) * f) : b * f,
            };
        }

        return table;
    }

    private static int IndexOf(IReadOnlyList<string> ids, string id)
    {
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id)
                return i;
        }

        return -1;
    }

    /// <summary>p/(1−p), with 0 and 1 mapped to 0 and +∞.</summary>
    private static double Odds(double p) => p >= 1 ? double.PositiveInfinity : p / (1 - p);

    private static double FromOdds(double odds) =>
        double.IsPositiveInfinity(odds) ? 1 : double.IsNaN(odds) ? 1 : odds / (1 + odds);

    /// <summary>a/b with the limits a group value of 0 or 1 against a base of 0 or 1 implies.</summary>
    private static double Ratio(double a, double b)
    {
        if (b == 0)
            return a == 0 ? 1 : double.PositiveInfinity;
        if (double.IsPositiveInfinity(b))
            return double.IsPositiveInfinity(a) ? 1 : 0;
        return a / b;
    }
}
