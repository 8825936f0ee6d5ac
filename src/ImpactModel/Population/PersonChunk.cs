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
        Income = new float[capacity];
        Cell = new ushort[capacity];
        Age = new byte[capacity];
        Female = new bool[capacity];
        HouseholdSize = new byte[capacity];
        Words = new uint[capacity * 4];
        Words2 = new uint[capacity * 4];
        GroupWords = new uint[capacity * 4 * (GroupValueTable.MaxGroups / 4)];
        Scratch = new int[capacity];
    }

    public int Capacity { get; }

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
    public float[] Income { get; }

    /// <summary>Age in whole years; 0 when the population declares no age bands.</summary>
    public byte[] Age { get; }

    /// <summary>True when the person is female; false also when the population declares no sex ratio.</summary>
    public bool[] Female { get; }

    /// <summary>Persons in the person's household (the largest declared size means "or more"); 0 when not declared.</summary>
    public byte[] HouseholdSize { get; }

    /// <summary>The person's cell: area × 10 + income decile.</summary>
    internal ushort[] Cell { get; }

    /// <summary>Scratch: 4 random words per person, for generators that fill a chunk at once.</summary>
    internal uint[] Words { get; }

    /// <summary>Scratch: the group-membership blocks, one slice of 4 words per person for each 4 groups.</summary>
    internal uint[] GroupWords { get; }

    /// <summary>Scratch: one index per person (a gathered subset of the chunk).</summary>
    internal int[] Scratch { get; }

    /// <summary>Scratch: a second block of 4 words per person.</summary>
    internal uint[] Words2 { get; }

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

    /// <summary>Every attribute.</summary>
    All = Income | Age | Sex | HouseholdSize,
}
