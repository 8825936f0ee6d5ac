using System.Runtime.CompilerServices;

namespace ImpactModel.Simulation;

/// <summary>
/// One strand's slice of a <see cref="TallyTable"/>: its counters 0 … <see cref="Count"/> − 1, wherever
/// the runner placed them among every model's counters. Strands index their own counters only; with
/// <see cref="EngineChecks"/> on, an index outside the slice fails instead of writing into the next
/// strand's counters.
/// </summary>
public readonly struct StrandTally
{
    private readonly TallyTable _table;
    private readonly int _offset;

    /// <summary>Counters [offset, offset + count) of <paramref name="table"/>.</summary>
    public StrandTally(TallyTable table, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (offset < 0 || count < 0 || offset + count > table.Counters)
            throw new ArgumentOutOfRangeException(nameof(count), $"counters [{offset}, {offset + count}) outside the table's {table.Counters}");
        _table = table;
        _offset = offset;
        Count = count;
    }

    /// <summary>Counters in the slice.</summary>
    public int Count { get; }

    public int Variants => _table.Variants;

    /// <summary>Result rows: all, the groups, rest.</summary>
    public int Rows => _table.Rows;

    /// <summary>The counter of (variant, row).</summary>
    public long this[int variant, int row, int counter]
    {
        get => _table[variant, row, At(counter)];
        set => _table[variant, row, At(counter)] = value;
    }

    /// <summary>Adds to a counter in every row a person with <paramref name="groupMask"/> belongs to (<see cref="TallyTable.Add"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per counter
    public void Add(int variant, uint groupMask, int counter, long amount) => _table.Add(variant, groupMask, At(counter), amount);

    /// <summary>Counts each person of <paramref name="groupMasks"/> once in a counter (<see cref="TallyTable.AddPersons"/>).</summary>
    public void AddPersons(int variant, ReadOnlySpan<uint> groupMasks, int counter) => _table.AddPersons(variant, groupMasks, At(counter));

    /// <summary>Copies counters [first, first + count) of every row from one variant to another.</summary>
    public void CopyCounters(int fromVariant, int toVariant, int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"counters [{first}, {first + count}) outside the slice's {Count}");
        _table.CopyCounters(fromVariant, toVariant, _offset + first, count);
    }

    /// <summary>Counters [first, first + count) of this slice as a slice of their own (a shared block such as the link counters).</summary>
    public StrandTally Slice(int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"counters [{first}, {first + count}) outside the slice's {Count}");
        return new StrandTally(_table, _offset + first, count);
    }

    /// <summary>This slice indexed by the strand's counter enum.</summary>
    public StrandTally<TCounter> As<TCounter>()
        where TCounter : struct, Enum => new(this);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int At(int counter)
    {
        if (EngineChecks.Enabled && (uint)counter >= (uint)Count)
            EngineChecks.Fail($"counter {counter} outside the strand's {Count} counters");
        return _offset + counter;
    }
}

/// <summary>A strand's slice of the tally indexed by its counter enum (<see cref="CounterSet.Of{TCounter}"/>): no offset arithmetic at any use.</summary>
/// <typeparam name="TCounter">The strand's counters, an <see langword="int"/> enum numbered 0, 1, 2 ….</typeparam>
public readonly struct StrandTally<TCounter>
    where TCounter : struct, Enum
{
    private readonly StrandTally _slice;

    internal StrandTally(StrandTally slice) => _slice = slice;

    public int Variants => _slice.Variants;

    /// <summary>Result rows: all, the groups, rest.</summary>
    public int Rows => _slice.Rows;

    public long this[int variant, int row, TCounter counter]
    {
        get => _slice[variant, row, Index(counter)];
        set => _slice[variant, row, Index(counter)] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per counter
    public void Add(int variant, uint groupMask, TCounter counter, long amount) => _slice.Add(variant, groupMask, Index(counter), amount);

    /// <summary>Copies counters <paramref name="first"/> … <paramref name="last"/> (inclusive) of every row from one variant to another.</summary>
    public void CopyCounters(int fromVariant, int toVariant, TCounter first, TCounter last) =>
        _slice.CopyCounters(fromVariant, toVariant, Index(first), Index(last) - Index(first) + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Index(TCounter counter) => CounterSet.IndexOf(counter);
}
