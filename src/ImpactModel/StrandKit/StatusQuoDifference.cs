using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>A counter against the status quo's in the same replicate (common random numbers), for every variant and row.</summary>
public static class StatusQuoDifference
{
    /// <summary>Sets <paramref name="difference"/> to <paramref name="value"/> minus the status quo's <paramref name="value"/>, variant by variant, row by row.</summary>
    public static void Form<TCounter>(StrandTally<TCounter> tally, TCounter value, TCounter difference, int statusQuo)
        where TCounter : struct, Enum
    {
        for (int v = 0; v < tally.Variants; v++)
        {
            for (int row = 0; row < tally.Rows; row++)
                tally[v, row, difference] = tally[v, row, value] - tally[statusQuo, row, value];
        }
    }
}
