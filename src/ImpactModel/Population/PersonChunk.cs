namespace ImpactModel.Population;

/// <summary>
/// A chunk of consecutive persons as struct-of-arrays, reused by one thread for chunk after chunk
/// so the per-person loop allocates nothing. Person <c>FirstPerson + i</c> is at index <c>i</c>.
/// Every attribute is a pure function of (seed, replicate, person id): a chunk generated on its
/// own equals the same persons generated as part of the whole.
/// </summary>
public sealed class PersonChunk
{
    /// <summary>Persons per chunk unless a caller asks otherwise: large enough to amortise, small enough for cache.</summary>
    public const int DefaultCapacity = 1024;

    public PersonChunk(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        GroupMask = new uint[capacity];
        Area = new byte[capacity];
        IncomeDecile = new byte[capacity];
        _income = new float[capacity];
        CellStart = new int[capacity];
        _localAuthority = new ushort[capacity];
        AgeBandStorage = new byte[capacity];
        AgeClassStorage = new byte[capacity];
        UnitStorage = new ushort[capacity];
        _age = new byte[capacity];
        _female = new bool[capacity];
        _householdSize = new byte[capacity];
        Words = new uint[capacity * 4];
        Words2 = new uint[capacity * 4];
        GroupWords = new uint[capacity * 4 * (GroupValueTable.MaxGroups / 4)];
        Scratch = new int[capacity];
        _categorical = new byte[Scenarios.Model.PopulationSpec.MaxAttributes][];
        for (int a = 0; a < _categorical.Length; a++)
            _categorical[a] = new byte[capacity];
    }

    private readonly float[] _income;
    private readonly byte[] _age;
    private readonly bool[] _female;
    private readonly byte[] _householdSize;
    private readonly ushort[] _localAuthority;
    private readonly byte[][] _categorical; // [attribute][person]

    public int Capacity { get; }

    /// <summary>
    /// The optional attributes a reader may read: those generated, narrowed by the runner to what
    /// the evaluating model declares (<c>IStrandModel.Reads</c>). With <see cref="EngineChecks"/> on,
    /// reading any other fails.
    /// </summary>
    public PersonAttributes Readable { get; internal set; } = PersonAttributes.All;

    /// <summary>Id of the person at index 0.</summary>
    public long FirstPerson { get; internal set; }

    /// <summary>Persons in use, at most <see cref="Capacity"/>.</summary>
    public int Count { get; internal set; }

    /// <summary>Bit g set when the person is in peripheral group g (the population's declaration order).</summary>
    public uint[] GroupMask { get; }

    /// <summary>Index of the person's area in the population's declaration order.</summary>
    public byte[] Area { get; }

    /// <summary>Income decile 0..9 (0: the lowest tenth).</summary>
    public byte[] IncomeDecile { get; }

    /// <summary>Income in GBP per year (the population's income measure); 0 when no deciles are declared.</summary>
    public float[] Income => Read(_income, PersonAttributes.Income);

    internal float[] IncomeStorage => _income;

    /// <summary>
    /// Age in whole years; with single years of age declared, 0 to 90 where 90 means 90 or over;
    /// 0 when the population declares no age bands.
    /// </summary>
    public byte[] Age => Read(_age, PersonAttributes.Age);

    internal byte[] AgeStorage => _age;

    /// <summary>True when the person is female; false also when the population declares no sex ratio.</summary>
    public bool[] Female => Read(_female, PersonAttributes.Sex);

    internal bool[] FemaleStorage => _female;

    /// <summary>Persons in the person's household (the largest declared size means "or more"); 0 when not declared.</summary>
    public byte[] HouseholdSize => Read(_householdSize, PersonAttributes.HouseholdSize);

    internal byte[] HouseholdSizeStorage => _householdSize;

    /// <summary>
    /// The local authority's index in the population's declaration order (its data table's rows);
    /// 0 when the population declares none.
    /// </summary>
    public ushort[] LocalAuthority => Read(_localAuthority, PersonAttributes.LocalAuthority);

    internal ushort[] LocalAuthorityStorage => _localAuthority;

    /// <summary>
    /// The person's category (its index in the attribute's declaration order) of categorical attribute
    /// <paramref name="attribute"/> (the population's declaration order); 0 when not generated.
    /// </summary>
    /// <param name="attribute">The attribute's index, below the population's <c>CategoricalAttributes</c>.</param>
    public byte[] Categorical(int attribute)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attribute);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(attribute, _categorical.Length);
        return Read(_categorical[attribute], PersonAttributes.Categorical);
    }

    internal byte[] CategoricalStorage(int attribute) => _categorical[attribute];

    /// <summary>The person's declared age band (its index), when age is read.</summary>
    internal byte[] AgeBandStorage { get; }

    /// <summary>The person's class of age bands for membership (bands no group tells apart share one).</summary>
    internal byte[] AgeClassStorage { get; }

    /// <summary>The unit of the person's membership cell: the local authority when membership depends on it, else the area.</summary>
    internal ushort[] UnitStorage { get; }

    /// <summary>
    /// The first of the person's membership cell's thresholds: ((unit × age classes + class) × 10 +
    /// decile) × stride, the stride being the groups rounded up to a multiple of 4 (at least 4).
    /// </summary>
    internal int[] CellStart { get; }

    /// <summary>Scratch: 4 random words per person, for generators that fill a chunk at once.</summary>
    internal uint[] Words { get; }

    /// <summary>Scratch: the group-membership blocks, one slice of 4 words per person for each 4 groups.</summary>
    internal uint[] GroupWords { get; }

    /// <summary>Scratch: one index per person (a gathered subset of the chunk).</summary>
    internal int[] Scratch { get; }

    /// <summary>Scratch: a second block of 4 words per person.</summary>
    internal uint[] Words2 { get; }

    private T[] Read<T>(T[] values, PersonAttributes attribute)
    {
        if (EngineChecks.Enabled && (Readable & attribute) == 0)
            EngineChecks.Fail($"{attribute} was read but not generated for this reader (declare it in the model's Reads)");
        return values;
    }

    public ReadOnlySpan<uint> Groups => GroupMask.AsSpan(0, Count);

    public ReadOnlySpan<byte> Areas => Area.AsSpan(0, Count);
}

/// <summary>
/// The optional attributes of a person, so that a caller generates only what it reads. Area,
/// income decile and group memberships are always generated (memberships depend on them).
/// </summary>
[Flags]
public enum PersonAttributes
{
    /// <summary>Area, income decile and group memberships only.</summary>
    None = 0,

    /// <summary>Income in GBP (the decile is always generated).</summary>
    Income = 1,

    /// <summary>Age in years.</summary>
    Age = 2,

    /// <summary>Sex.</summary>
    Sex = 4,

    /// <summary>Household size.</summary>
    HouseholdSize = 8,

    /// <summary>The local authority (when the population declares local authorities).</summary>
    LocalAuthority = 16,

    /// <summary>Every categorical attribute the population declares (its <c>attributes:</c>).</summary>
    Categorical = 32,

    /// <summary>Every attribute.</summary>
    All = Income | Age | Sex | HouseholdSize | LocalAuthority | Categorical,
}
