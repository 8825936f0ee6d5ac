namespace ImpactModel.Population;

/// <summary>
/// Integer counts over a set of persons: by area, by group, by group and area, by pair of groups
/// and by income decile. Integers, so tallies of chunks merge to the same totals in any order,
/// whatever the thread count or chunk size.
/// </summary>
public sealed class PopulationTally
{
    public PopulationTally(int areas, int groups, int incomeBoundaries)
    {
        Areas = areas;
        Groups = groups;
        ByArea = new long[areas];
        ByGroup = new long[groups];
        ByGroupArea = new long[groups * areas];
        ByGroupPair = new long[groups * groups];
        ByDecile = new long[10];
        BelowBoundary = new long[incomeBoundaries];
    }

    /// <summary>Persons by age in whole years (0..120).</summary>
    public long[] ByAge { get; } = new long[121];

    /// <summary>Persons by household size (0 when undeclared, 1..30).</summary>
    public long[] ByHouseholdSize { get; } = new long[31];

    public long Female { get; private set; }

    public int Areas { get; }

    public int Groups { get; }

    public long Persons { get; private set; }

    /// <summary>Persons in no peripheral group ("rest").</summary>
    public long Rest { get; private set; }

    public long[] ByArea { get; }

    public long[] ByGroup { get; }

    /// <summary>[group * Areas + area].</summary>
    public long[] ByGroupArea { get; }

    /// <summary>[g * Groups + h]: persons in both g and h (g ≠ h).</summary>
    public long[] ByGroupPair { get; }

    public long[] ByDecile { get; }

    /// <summary>Persons whose income is below each declared decile boundary.</summary>
    public long[] BelowBoundary { get; }

    /// <summary>Adds the persons of <paramref name="chunk"/>.</summary>
    public void Add(PersonChunk chunk, double[] boundaries)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(boundaries);
        int n = chunk.Count, groups = Groups, areas = Areas;
        ReadOnlySpan<uint> mask = chunk.GroupMask.AsSpan(0, n);
        ReadOnlySpan<byte> area = chunk.Area.AsSpan(0, n);
        ReadOnlySpan<byte> decile = chunk.IncomeDecile.AsSpan(0, n);
        ReadOnlySpan<float> income = chunk.Income.AsSpan(0, n);
        ReadOnlySpan<byte> age = chunk.Age.AsSpan(0, n);
        ReadOnlySpan<bool> female = chunk.Female.AsSpan(0, n);
        ReadOnlySpan<byte> household = chunk.HouseholdSize.AsSpan(0, n);
        long rest = 0, women = 0;
        // Locals, so the loop reads no properties (STYLE: copy fields into locals before the loop).
        long[] byArea = ByArea, byAge = ByAge, byHousehold = ByHouseholdSize, byDecile = ByDecile;
        long[] byGroup = ByGroup, byGroupArea = ByGroupArea, byPair = ByGroupPair, below = BelowBoundary;
        ReadOnlySpan<double> bounds = boundaries;
        Span<long> firstAbove = stackalloc long[bounds.Length + 1];
        for (int i = 0; i < n; i++)
        {
            int a = area[i];
            byArea[a]++;
            byAge[age[i]]++;
            byHousehold[household[i]]++;
            women += female[i] ? 1 : 0;
            byDecile[decile[i]]++;
            uint m = mask[i];
            if (m == 0)
            {
                rest++;
            }
            else
            {
                for (uint bits = m; bits != 0; bits &= bits - 1)
                {
                    int g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                    byGroup[g]++;
                    byGroupArea[g * areas + a]++;
                    for (uint others = m & ~(1u << g); others != 0; others &= others - 1)
                        byPair[g * groups + System.Numerics.BitOperations.TrailingZeroCount(others)]++;
                }
            }

            if (bounds.Length > 0)
            {
                // The index of the first boundary above this income, found from the person's decile
                // and checked against the actual income on both sides, so a misplaced income still shows.
                float x = income[i];
                int k = Math.Min(decile[i], bounds.Length);
                while (k > 0 && x < bounds[k - 1])
                    k--;
                while (k < bounds.Length && x >= bounds[k])
                    k++;
                firstAbove[k]++;
            }
        }

        // Income is below boundary b exactly when the first boundary above it is b or earlier.
        long cumulative = 0;
        for (int b = 0; b < bounds.Length; b++)
        {
            cumulative += firstAbove[b];
            below[b] += cumulative;
        }

        Persons += n;
        Rest += rest;
        Female += women;
    }

    /// <summary>Adds another tally's counts (integer sums: the order does not matter).</summary>
    public void Merge(PopulationTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Persons += other.Persons;
        Rest += other.Rest;
        Female += other.Female;
        Add(ByAge, other.ByAge);
        Add(ByHouseholdSize, other.ByHouseholdSize);
        Add(ByArea, other.ByArea);
        Add(ByGroup, other.ByGroup);
        Add(ByGroupArea, other.ByGroupArea);
        Add(ByGroupPair, other.ByGroupPair);
        Add(ByDecile, other.ByDecile);
        Add(BelowBoundary, other.BelowBoundary);
    }

    private static void Add(long[] into, long[] from)
    {
        for (int i = 0; i < into.Length; i++)
            into[i] += from[i];
    }
}
