namespace ImpactModel.Population;

/// <summary>
/// Integer counts over a set of persons: by area, by group, by group and area, by pair of groups
/// and by income decile. Integers, so tallies of chunks merge to the same totals in any order,
/// whatever the thread count or chunk size.
/// </summary>
/// <remarks>
/// Group memberships are counted as persons by (group mask, area): one increment a person, with no
/// branch on how many groups the person is in (which is random, so a loop over the groups would
/// mispredict). The counts by group, group and area, pair of groups and "rest" are formed from
/// those on first read after an addition. With too many groups for a table of every mask (more
/// than <see cref="MaskTableLimit"/> cells) each membership is counted directly instead. The rest is
/// counted the same way, by joint keys, so a person costs five increments where a table per count
/// cost twelve: (mask, area), (mask, local authority), (mask, age band, under 16), (age, age band) and
/// (income decile, first boundary above the income, household size, sex); the counts by area,
/// authority, age, band, household size, decile, boundary and sex are sums of those. Like its additions, reading a tally is
/// for one thread at a time (a read may form those counts).
/// </remarks>
public sealed class PopulationTally
{
    /// <summary>The most (mask × area) cells counted by mask: 2^10 masks × 64 areas, 512 KB.</summary>
    public const int MaskTableLimit = 1 << 16;

    private readonly long[] _byGroup;
    private readonly long[] _byGroupArea;
    private readonly long[] _byGroupPair;
    private readonly long[]? _byMaskArea; // [mask * Areas + area], or null: memberships counted directly
    private long _rest;
    private bool _stale; // the derived group counts lag _byMaskArea

    /// <summary>Household sizes counted: 0 (undeclared) to 30.</summary>
    private const int HouseholdSizes = 31;

    private readonly int _bandCells;         // age bands, at least 1
    private readonly long[] _byAgeAndBand;   // [age * _bandCells + band]
    private readonly long[] _byIncomeAndHome; // [((decile * (boundaries + 1) + first boundary above) * HouseholdSizes + size) * 2 + female]
    private bool _demographyStale; // the counts by age, band, household size, decile, boundary and sex lag the two above
    private long _female;

    // Formed on read from the keyed counts above (or, without the tables by mask, counted directly).
    private readonly long[] _byArea;
    private readonly long[] _byAuthority;
    private readonly long[] _byAgeBand;
    private readonly long[] _byAge = new long[121];
    private readonly long[] _byHouseholdSize = new long[HouseholdSizes];
    private readonly long[] _byDecile = new long[10];
    private readonly long[] _belowBoundary;

    public PopulationTally(int areas, int groups, int incomeBoundaries)
        : this(areas, groups, incomeBoundaries, 0, 0, byMask: true)
    {
    }

    /// <param name="areas">Areas.</param>
    /// <param name="groups">Peripheral groups.</param>
    /// <param name="incomeBoundaries">Declared decile boundaries (9, or 0 without income).</param>
    /// <param name="authorities">Declared local authorities (0: none counted).</param>
    /// <param name="ageBands">Declared age bands (0: none counted).</param>
    public PopulationTally(int areas, int groups, int incomeBoundaries, int authorities, int ageBands)
        : this(areas, groups, incomeBoundaries, authorities, ageBands, byMask: true)
    {
    }

    /// <param name="areas">Areas.</param>
    /// <param name="groups">Peripheral groups.</param>
    /// <param name="incomeBoundaries">Declared decile boundaries (9, or 0 without income).</param>
    /// <param name="authorities">Declared local authorities (0: none counted).</param>
    /// <param name="ageBands">Declared age bands (0: none counted).</param>
    /// <param name="byMask">False counts each membership directly, as with too many groups (for tests).</param>
    internal PopulationTally(int areas, int groups, int incomeBoundaries, int authorities, int ageBands, bool byMask)
    {
        Areas = areas;
        Groups = groups;
        Authorities = authorities;
        AgeBands = ageBands;
        _byArea = new long[areas];
        _byGroup = new long[groups];
        _byGroupArea = new long[groups * areas];
        _byGroupPair = new long[groups * groups];
        _belowBoundary = new long[incomeBoundaries];
        _byIncomeAndHome = new long[10 * (incomeBoundaries + 1) * HouseholdSizes * 2];
        _byAuthority = new long[authorities];
        _byGroupAuthority = new long[groups * authorities];
        _byAgeBand = new long[ageBands];
        _byGroupAgeBand = new long[groups * ageBands];
        _childMembers = new long[groups];
        _bandCells = Math.Max(1, ageBands);
        _byAgeAndBand = new long[_byAge.Length * _bandCells];
        if (byMask && groups < 31 && (1L << groups) * Math.Max(1, areas) <= MaskTableLimit)
            _byMaskArea = new long[(1 << groups) * Math.Max(1, areas)];
        // Places by mask too, when the tables are small enough: one increment per person and table.
        if (_byMaskArea is not null && (authorities > 0 || ageBands > 0) && (1L << groups) * Math.Max(1, authorities) <= PlacesTableLimit
            && (1L << groups) * _bandCells * 2 <= PlacesTableLimit)
        {
            _byMaskAuthority = new long[(1 << groups) * Math.Max(1, authorities)];
            _byMaskBandChild = new long[(1 << groups) * _bandCells * 2];
        }
    }

    /// <param name="areas">Areas.</param>
    /// <param name="groups">Peripheral groups.</param>
    /// <param name="incomeBoundaries">Declared decile boundaries (9, or 0 without income).</param>
    /// <param name="byMask">False counts each membership directly, as with too many groups (for tests).</param>
    internal PopulationTally(int areas, int groups, int incomeBoundaries, bool byMask)
        : this(areas, groups, incomeBoundaries, 0, 0, byMask)
    {
    }

    /// <summary>Local authorities counted (0: none).</summary>
    public int Authorities { get; }

    /// <summary>Age bands counted (0: none).</summary>
    public int AgeBands { get; }

    /// <summary>Persons by local authority.</summary>
    public long[] ByAuthority
    {
        get
        {
            DerivePlaces();
            return _byAuthority;
        }
    }

    /// <summary>The most (mask × local authority) or (mask × age band) cells counted by mask: 2^8 masks × 512 authorities, 1 MB.</summary>
    public const int PlacesTableLimit = 1 << 17;

    private readonly long[] _byGroupAuthority;
    private readonly long[] _byGroupAgeBand;
    private readonly long[]? _byMaskAuthority; // [mask * Authorities + authority], or null: counted group by group
    private readonly long[]? _byMaskBandChild; // [(mask * bands + band) * 2 + under 16]
    private readonly long[] _childMembers;
    private bool _placesStale; // the group counts by place lag the counts by mask

    /// <summary>[group * Authorities + authority]: members of each group by local authority.</summary>
    public long[] ByGroupAuthority
    {
        get
        {
            DerivePlaces();
            return _byGroupAuthority;
        }
    }

    /// <summary>Persons by declared age band.</summary>
    public long[] ByAgeBand
    {
        get
        {
            DeriveDemography();
            return _byAgeBand;
        }
    }

    /// <summary>[group * AgeBands + band]: members of each group by age band.</summary>
    public long[] ByGroupAgeBand
    {
        get
        {
            DerivePlaces();
            return _byGroupAgeBand;
        }
    }

    /// <summary>Members of each group aged under 16 (by single year of age).</summary>
    public long[] ChildMembers
    {
        get
        {
            DerivePlaces();
            return _childMembers;
        }
    }

    /// <summary>Persons by age in whole years (0..120).</summary>
    public long[] ByAge
    {
        get
        {
            DeriveDemography();
            return _byAge;
        }
    }

    /// <summary>Persons by household size (0 when undeclared, 1..30).</summary>
    public long[] ByHouseholdSize
    {
        get
        {
            DeriveDemography();
            return _byHouseholdSize;
        }
    }

    public long Female
    {
        get
        {
            DeriveDemography();
            return _female;
        }
    }

    public int Areas { get; }

    public int Groups { get; }

    public long Persons { get; private set; }

    /// <summary>Persons in no peripheral group ("rest").</summary>
    public long Rest
    {
        get
        {
            Derive();
            return _rest;
        }
    }

    public long[] ByArea
    {
        get
        {
            Derive();
            return _byArea;
        }
    }

    public long[] ByGroup
    {
        get
        {
            Derive();
            return _byGroup;
        }
    }

    /// <summary>[group * Areas + area].</summary>
    public long[] ByGroupArea
    {
        get
        {
            Derive();
            return _byGroupArea;
        }
    }

    /// <summary>[g * Groups + h]: persons in both g and h (g ≠ h).</summary>
    public long[] ByGroupPair
    {
        get
        {
            Derive();
            return _byGroupPair;
        }
    }

    public long[] ByDecile
    {
        get
        {
            DeriveDemography();
            return _byDecile;
        }
    }

    /// <summary>Persons whose income is below each declared decile boundary.</summary>
    public long[] BelowBoundary
    {
        get
        {
            DeriveDemography();
            return _belowBoundary;
        }
    }

    /// <summary>Adds the persons of <paramref name="chunk"/>.</summary>
    public void Add(PersonChunk chunk, double[] boundaries)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(boundaries);
        if (boundaries.Length != _belowBoundary.Length)
            throw new ArgumentException($"{boundaries.Length} income boundaries where the tally counts {_belowBoundary.Length}", nameof(boundaries));
        int n = chunk.Count, groups = Groups, areas = Areas;
        ReadOnlySpan<uint> mask = chunk.GroupMask.AsSpan(0, n);
        ReadOnlySpan<byte> area = chunk.Area.AsSpan(0, n);
        ReadOnlySpan<byte> decile = chunk.IncomeDecile.AsSpan(0, n);
        ReadOnlySpan<float> income = chunk.Income.AsSpan(0, n);
        ReadOnlySpan<bool> female = chunk.Female.AsSpan(0, n);
        ReadOnlySpan<byte> household = chunk.HouseholdSize.AsSpan(0, n);
        long rest = 0;
        // Locals, so the loop reads no properties (STYLE: copy fields into locals before the loop).
        long[] byArea = _byArea, byIncomeAndHome = _byIncomeAndHome;
        long[] byGroup = _byGroup, byGroupArea = _byGroupArea, byPair = _byGroupPair;
        long[]? byMaskArea = _byMaskArea;
        int cells = Math.Max(1, areas), aboveCells = boundaries.Length + 1;
        ReadOnlySpan<double> bounds = boundaries;
        // Loops without a branch that stays the same for every person: by (mask, area) when the table is
        // kept, else each membership; then the income and household key, the same either way.
        if (byMaskArea is not null)
        {
            for (int i = 0; i < n; i++)
                byMaskArea[(int)mask[i] * cells + area[i]]++;
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                int a = area[i];
                uint m = mask[i];
                byArea[a]++;
                if (m == 0)
                    rest++;
                for (uint bits = m; bits != 0; bits &= bits - 1)
                {
                    int g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                    byGroup[g]++;
                    byGroupArea[g * areas + a]++;
                    for (uint others = m & ~(1u << g); others != 0; others &= others - 1)
                        byPair[g * groups + System.Numerics.BitOperations.TrailingZeroCount(others)]++;
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            // The index of the first boundary above this income, found from the person's decile and
            // checked against the actual income on both sides, so a misplaced income still shows.
            int d = decile[i];
            int k = Math.Min(d, bounds.Length);
            float x = income[i];
            while (k > 0 && x < bounds[k - 1])
                k--;
            while (k < bounds.Length && x >= bounds[k])
                k++;
            byIncomeAndHome[((d * aboveCells + k) * HouseholdSizes + household[i]) * 2 + (female[i] ? 1 : 0)]++;
        }

        Persons += n;
        _rest += rest;
        _stale |= byMaskArea is not null;
        _demographyStale = true;
        AddPlaces(chunk);
    }

    /// <summary>Counts by age and age band; by local authority and age band, and each group's members by both and under 16.</summary>
    private void AddPlaces(PersonChunk chunk)
    {
        int n = chunk.Count, authorities = Authorities, bands = AgeBands, bandCells = _bandCells;
        ReadOnlySpan<uint> mask = chunk.GroupMask.AsSpan(0, n);
        ReadOnlySpan<ushort> authority = authorities > 0 ? chunk.LocalAuthority.AsSpan(0, n) : default;
        ReadOnlySpan<byte> band = chunk.AgeBandStorage.AsSpan(0, n);
        ReadOnlySpan<byte> age = chunk.Age.AsSpan(0, n);
        long[] byAgeAndBand = _byAgeAndBand;
        if (authorities == 0 && bands == 0)
        {
            // No places declared: age alone (each group's members under 16 are counted with places only).
            for (int i = 0; i < n; i++)
                byAgeAndBand[age[i]]++;
            return;
        }

        if (_byMaskAuthority is { } byMaskAuthority && _byMaskBandChild is { } byMaskBandChild)
        {
            // One increment per person and table, whatever the person's groups (no loop over them to mispredict).
            int laCells = Math.Max(1, authorities);
            for (int i = 0; i < n; i++)
            {
                int m = (int)mask[i];
                int la = authorities > 0 ? authority[i] : 0;
                int b = bands > 0 ? band[i] : 0;
                int child = age[i] < Scenarios.Model.PopulationSpec.AdultAge ? 1 : 0;
                byAgeAndBand[age[i] * bandCells + b]++;
                byMaskAuthority[m * laCells + la]++;
                byMaskBandChild[(m * bandCells + b) * 2 + child]++;
            }

            _placesStale = true;
            return;
        }

        long[] byAuthority = _byAuthority, byGroupAuthority = _byGroupAuthority, byGroupBand = _byGroupAgeBand, children = ChildMembers;
        for (int i = 0; i < n; i++)
        {
            int la = authorities > 0 ? authority[i] : 0;
            int b = bands > 0 ? band[i] : 0;
            byAgeAndBand[age[i] * bandCells + b]++;
            if (authorities > 0)
                byAuthority[la]++;
            bool child = age[i] < Scenarios.Model.PopulationSpec.AdultAge;
            for (uint bits = mask[i]; bits != 0; bits &= bits - 1)
            {
                int g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                if (authorities > 0)
                    byGroupAuthority[g * authorities + la]++;
                if (bands > 0)
                    byGroupBand[g * bands + b]++;
                children[g] += child ? 1 : 0;
            }
        }
    }

    /// <summary>Adds another tally's counts (integer sums: the order does not matter).</summary>
    public void Merge(PopulationTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if ((_byMaskArea is null) != (other._byMaskArea is null) || other.Areas != Areas || other.Groups != Groups
            || other.Authorities != Authorities || other.AgeBands != AgeBands || other._belowBoundary.Length != _belowBoundary.Length)
            throw new ArgumentException("tallies of different shapes or counting methods", nameof(other));
        if (_byMaskAuthority is not null && other._byMaskAuthority is not null)
        {
            // Both count places by mask: the counts by place are formed again from the sums on next read.
            Add(_byMaskAuthority, other._byMaskAuthority);
            Add(_byMaskBandChild!, other._byMaskBandChild!);
            _placesStale = true;
        }
        else
        {
            Add(ByAuthority, other.ByAuthority);
            Add(ByGroupAuthority, other.ByGroupAuthority);
            Add(ByGroupAgeBand, other.ByGroupAgeBand);
            Add(ChildMembers, other.ChildMembers);
        }

        Persons += other.Persons;
        Add(_byAgeAndBand, other._byAgeAndBand);
        Add(_byIncomeAndHome, other._byIncomeAndHome);
        _demographyStale = true;
        if (_byMaskArea is not null && other._byMaskArea is not null)
        {
            // Both count by mask: the derived counts are formed again from the sum on next read.
            Add(_byMaskArea, other._byMaskArea);
            _stale = true;
        }
        else
        {
            Derive();
            _rest += other.Rest;
            Add(_byArea, other.ByArea);
            Add(_byGroup, other.ByGroup);
            Add(_byGroupArea, other.ByGroupArea);
            Add(_byGroupPair, other.ByGroupPair);
        }
    }

    /// <summary>Forms the counts by area, group, group and area, pair and rest from the counts by mask and area.</summary>
    private void Derive()
    {
        if (!_stale || _byMaskArea is not { } byMaskArea)
            return;
        _stale = false;
        int areas = Math.Max(1, Areas), groups = Groups;
        Array.Clear(_byArea);
        Array.Clear(_byGroup);
        Array.Clear(_byGroupArea);
        Array.Clear(_byGroupPair);
        _rest = 0;
        for (int cell = 0; cell < byMaskArea.Length; cell++)
        {
            long count = byMaskArea[cell];
            if (count == 0)
                continue;
            uint m = (uint)(cell / areas);
            int a = cell % areas;
            if (Areas > 0)
                _byArea[a] += count;
            if (m == 0)
                _rest += count;
            for (uint bits = m; bits != 0; bits &= bits - 1)
            {
                int g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                _byGroup[g] += count;
                _byGroupArea[g * Areas + a] += count;
                for (uint others = m & ~(1u << g); others != 0; others &= others - 1)
                    _byGroupPair[g * groups + System.Numerics.BitOperations.TrailingZeroCount(others)] += count;
            }
        }
    }

    /// <summary>
    /// Forms the persons by local authority, and each group's members by local authority, by age band
    /// and under 16, from the counts by mask.
    /// </summary>
    private void DerivePlaces()
    {
        if (!_placesStale || _byMaskAuthority is not { } byMaskAuthority || _byMaskBandChild is not { } byMaskBandChild)
            return;
        _placesStale = false;
        int authorities = Authorities, bands = AgeBands, laCells = Math.Max(1, authorities), bandCells = _bandCells;
        long[] children = _childMembers;
        Array.Clear(_byAuthority);
        Array.Clear(_byGroupAuthority);
        Array.Clear(_byGroupAgeBand);
        Array.Clear(children);
        for (int m = 0; m < byMaskAuthority.Length / laCells; m++)
        {
            for (int la = 0; la < authorities; la++)
                _byAuthority[la] += byMaskAuthority[m * laCells + la];
            for (uint bits = (uint)m; bits != 0; bits &= bits - 1)
            {
                int g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                for (int la = 0; la < authorities; la++)
                    _byGroupAuthority[g * authorities + la] += byMaskAuthority[m * laCells + la];
                for (int b = 0; b < bandCells; b++)
                {
                    long adults = byMaskBandChild[(m * bandCells + b) * 2], minors = byMaskBandChild[(m * bandCells + b) * 2 + 1];
                    if (bands > 0)
                        _byGroupAgeBand[g * bands + b] += adults + minors;
                    children[g] += minors;
                }
            }
        }
    }

    /// <summary>
    /// Forms the persons by age, age band, household size, income decile, boundary and sex from the
    /// counts by (age, band) and by (decile, first boundary above, household size, sex).
    /// </summary>
    private void DeriveDemography()
    {
        if (!_demographyStale)
            return;
        _demographyStale = false;
        int bandCells = _bandCells, boundaries = _belowBoundary.Length, aboveCells = boundaries + 1;
        Array.Clear(_byAge);
        Array.Clear(_byAgeBand);
        for (int age = 0; age < _byAge.Length; age++)
        {
            for (int b = 0; b < bandCells; b++)
            {
                long count = _byAgeAndBand[age * bandCells + b];
                _byAge[age] += count;
                if (_byAgeBand.Length > 0)
                    _byAgeBand[b] += count;
            }
        }

        Array.Clear(_byHouseholdSize);
        Array.Clear(_byDecile);
        Array.Clear(_belowBoundary);
        _female = 0;
        Span<long> firstAbove = stackalloc long[aboveCells];
        for (int cell = 0; cell < _byIncomeAndHome.Length; cell++)
        {
            long count = _byIncomeAndHome[cell];
            if (count == 0)
                continue;
            int female = cell % 2, size = cell / 2 % HouseholdSizes, k = cell / 2 / HouseholdSizes % aboveCells, decile = cell / 2 / HouseholdSizes / aboveCells;
            _female += female * count;
            _byHouseholdSize[size] += count;
            _byDecile[decile] += count;
            firstAbove[k] += count;
        }

        // Income is below boundary b exactly when the first boundary above it is b or earlier.
        long cumulative = 0;
        for (int b = 0; b < boundaries; b++)
        {
            cumulative += firstAbove[b];
            _belowBoundary[b] = cumulative;
        }
    }

    private static void Add(long[] into, long[] from)
    {
        for (int i = 0; i < into.Length; i++)
            into[i] += from[i];
    }
}
