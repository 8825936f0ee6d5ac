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
/// than <see cref="MaskTableLimit"/> cells) each membership is counted directly instead. Like its
/// additions, reading a tally is for one thread at a time (a read may form those counts).
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

    public PopulationTally(int areas, int groups, int incomeBoundaries)
        : this(areas, groups, incomeBoundaries, byMask: true)
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
        : this(areas, groups, incomeBoundaries, byMask)
    {
        Authorities = authorities;
        AgeBands = ageBands;
        ByAuthority = new long[authorities];
        _byGroupAuthority = new long[groups * authorities];
        ByAgeBand = new long[ageBands];
        _byGroupAgeBand = new long[groups * ageBands];
        _childMembers = new long[groups];
        // Places by mask too, when the tables are small enough: one increment per person and table.
        if (_byMaskArea is not null && (1L << groups) * Math.Max(1, authorities) <= PlacesTableLimit
            && (1L << groups) * Math.Max(1, ageBands) <= PlacesTableLimit)
        {
            _byMaskAuthority = new long[(1 << groups) * Math.Max(1, authorities)];
            _byMaskAgeBand = new long[(1 << groups) * Math.Max(1, ageBands)];
            _childrenByMask = new long[1 << groups];
        }
    }

    /// <param name="areas">Areas.</param>
    /// <param name="groups">Peripheral groups.</param>
    /// <param name="incomeBoundaries">Declared decile boundaries (9, or 0 without income).</param>
    /// <param name="byMask">False counts each membership directly, as with too many groups (for tests).</param>
    internal PopulationTally(int areas, int groups, int incomeBoundaries, bool byMask)
    {
        Areas = areas;
        Groups = groups;
        ByArea = new long[areas];
        _byGroup = new long[groups];
        _byGroupArea = new long[groups * areas];
        _byGroupPair = new long[groups * groups];
        ByDecile = new long[10];
        BelowBoundary = new long[incomeBoundaries];
        if (byMask && groups < 31 && (1L << groups) * Math.Max(1, areas) <= MaskTableLimit)
            _byMaskArea = new long[(1 << groups) * Math.Max(1, areas)];
    }

    /// <summary>Local authorities counted (0: none).</summary>
    public int Authorities { get; }

    /// <summary>Age bands counted (0: none).</summary>
    public int AgeBands { get; }

    /// <summary>Persons by local authority.</summary>
    public long[] ByAuthority { get; } = [];

    /// <summary>The most (mask × local authority) or (mask × age band) cells counted by mask: 2^8 masks × 512 authorities, 1 MB.</summary>
    public const int PlacesTableLimit = 1 << 17;

    private readonly long[] _byGroupAuthority = [];
    private readonly long[] _byGroupAgeBand = [];
    private readonly long[]? _byMaskAuthority; // [mask * Authorities + authority], or null: counted group by group
    private readonly long[]? _byMaskAgeBand;   // [mask * AgeBands + band]
    private readonly long[]? _childrenByMask;  // [mask]: persons under 16
    private long[]? _childMembers;
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
    public long[] ByAgeBand { get; } = [];

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
            return _childMembers ??= new long[Groups];
        }
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
    public long Rest
    {
        get
        {
            Derive();
            return _rest;
        }
    }

    public long[] ByArea { get; }

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
        long[] byGroup = _byGroup, byGroupArea = _byGroupArea, byPair = _byGroupPair, below = BelowBoundary;
        long[]? byMaskArea = _byMaskArea;
        int cells = Math.Max(1, areas);
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
            if (byMaskArea is not null)
            {
                byMaskArea[(int)m * cells + a]++;
            }
            else if (m == 0)
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
        _rest += rest;
        Female += women;
        _stale |= byMaskArea is not null;
        if (Authorities > 0 || AgeBands > 0)
            AddPlaces(chunk);
    }

    /// <summary>Counts by local authority and age band, and each group's members by both and under 16.</summary>
    private void AddPlaces(PersonChunk chunk)
    {
        int n = chunk.Count, authorities = Authorities, bands = AgeBands;
        ReadOnlySpan<uint> mask = chunk.GroupMask.AsSpan(0, n);
        ReadOnlySpan<ushort> authority = authorities > 0 ? chunk.LocalAuthority.AsSpan(0, n) : default;
        ReadOnlySpan<byte> band = chunk.AgeBandStorage.AsSpan(0, n);
        ReadOnlySpan<byte> age = chunk.Age.AsSpan(0, n);
        if (_byMaskAuthority is { } byMaskAuthority && _byMaskAgeBand is { } byMaskBand && _childrenByMask is { } childrenByMask)
        {
            // One increment per person and table, whatever the person's groups (no loop over them to mispredict).
            long[] byAuthorityOnly = ByAuthority, byBandOnly = ByAgeBand;
            int laCells = Math.Max(1, authorities), bandCells = Math.Max(1, bands);
            for (int i = 0; i < n; i++)
            {
                int m = (int)mask[i];
                int la = authorities > 0 ? authority[i] : 0;
                int b = bands > 0 ? band[i] : 0;
                if (authorities > 0)
                    byAuthorityOnly[la]++;
                if (bands > 0)
                    byBandOnly[b]++;
                byMaskAuthority[m * laCells + la]++;
                byMaskBand[m * bandCells + b]++;
                childrenByMask[m] += age[i] < Scenarios.Model.PopulationSpec.AdultAge ? 1 : 0;
            }

            _placesStale = true;
            return;
        }

        long[] byAuthority = ByAuthority, byGroupAuthority = _byGroupAuthority, byBand = ByAgeBand, byGroupBand = _byGroupAgeBand, children = ChildMembers;
        for (int i = 0; i < n; i++)
        {
            int la = authorities > 0 ? authority[i] : 0;
            int b = bands > 0 ? band[i] : 0;
            if (authorities > 0)
                byAuthority[la]++;
            if (bands > 0)
                byBand[b]++;
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
            || other.Authorities != Authorities || other.AgeBands != AgeBands)
            throw new ArgumentException("tallies of different shapes or counting methods", nameof(other));
        Add(ByAuthority, other.ByAuthority);
        Add(ByAgeBand, other.ByAgeBand);
        if (_byMaskAuthority is not null && other._byMaskAuthority is not null)
        {
            // Both count places by mask: the group counts are formed again from the sums on next read.
            Add(_byMaskAuthority, other._byMaskAuthority);
            Add(_byMaskAgeBand!, other._byMaskAgeBand!);
            Add(_childrenByMask!, other._childrenByMask!);
            _placesStale = true;
        }
        else
        {
            Add(ByGroupAuthority, other.ByGroupAuthority);
            Add(ByGroupAgeBand, other.ByGroupAgeBand);
            Add(ChildMembers, other.ChildMembers);
        }

        Persons += other.Persons;
        Female += other.Female;
        Add(ByAge, other.ByAge);
        Add(ByHouseholdSize, other.ByHouseholdSize);
        Add(ByArea, other.ByArea);
        Add(ByDecile, other.ByDecile);
        Add(BelowBoundary, other.BelowBoundary);
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
            Add(_byGroup, other.ByGroup);
            Add(_byGroupArea, other.ByGroupArea);
            Add(_byGroupPair, other.ByGroupPair);
        }
    }

    /// <summary>Forms the counts by group, group and area, pair and rest from the counts by mask and area.</summary>
    private void Derive()
    {
        if (!_stale || _byMaskArea is not { } byMaskArea)
            return;
        _stale = false;
        int areas = Math.Max(1, Areas), groups = Groups;
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

    /// <summary>Forms each group's members by local authority, by age band and under 16 from the counts by mask.</summary>
    private void DerivePlaces()
    {
        if (!_placesStale || _byMaskAuthority is not { } byMaskAuthority || _byMaskAgeBand is not { } byMaskBand || _childrenByMask is not { } childrenByMask)
            return;
        _placesStale = false;
        int authorities = Authorities, bands = AgeBands, laCells = Math.Max(1, authorities), bandCells = Math.Max(1, bands);
        long[] children = _childMembers ??= new long[Groups];
        Array.Clear(_byGroupAuthority);
        Array.Clear(_byGroupAgeBand);
        Array.Clear(children);
        for (int m = 1; m < childrenByMask.Length; m++)
        {
            for (uint bits = (uint)m; bits != 0; bits &= bits - 1)
            {
                int g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                children[g] += childrenByMask[m];
                for (int la = 0; la < authorities; la++)
                    _byGroupAuthority[g * authorities + la] += byMaskAuthority[m * laCells + la];
                for (int b = 0; b < bands; b++)
                    _byGroupAgeBand[g * bands + b] += byMaskBand[m * bandCells + b];
            }
        }
    }

    private static void Add(long[] into, long[] from)
    {
        for (int i = 0; i < into.Length; i++)
            into[i] += from[i];
    }
}
