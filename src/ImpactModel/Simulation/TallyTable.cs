using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ImpactModel.Simulation;

/// <summary>
/// Integer tallies of one work item (or of a whole replicate once merged): counters (counts, money
/// in whole pence) per variant × result row × counter. Rows are <c>all</c> (0), each peripheral
/// group g (g + 1), and <c>rest</c> (groups + 1) for persons in no group. Integers, so tables
/// merged in any order hold identical sums (the runner keeps one per thread and sums them at the end).
/// </summary>
public sealed class TallyTable
{
    private readonly long[] _counts;

    public TallyTable(int variants, int groups, int counters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(variants, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(groups);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups, 31);
        ArgumentOutOfRangeException.ThrowIfNegative(counters);
        Variants = variants;
        Groups = groups;
        Rows = groups + 2;
        Counters = counters;
        _counts = new long[variants * Rows * counters];
    }

    public int Variants { get; }

    public int Groups { get; }

    /// <summary>Result rows: all, the groups, rest.</summary>
    public int Rows { get; }

    public int Counters { get; }

    /// <summary>Every counter, variant by variant, row by row (to persist or send a shard's tallies).</summary>
    public Span<long> Values => _counts;

    /// <summary>The row of <c>rest</c>.</summary>
    public int RestRow => Rows - 1;

    /// <summary>The counter of (variant, row).</summary>
    public long this[int variant, int row, int counter]
    {
        get => _counts[Index(variant, row, counter)];
        set => _counts[Index(variant, row, counter)] = value;
    }

    /// <summary>
    /// Adds <paramref name="amount"/> to a counter in every row a person with <paramref name="groupMask"/>
    /// belongs to: all, each of their groups (a person in several groups counts in each), or rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per counter
    public void Add(int variant, uint groupMask, int counter, long amount)
    {
        if (EngineChecks.Enabled)
            Check(variant, counter, groupMask);
        int stride = Counters, bas = (variant * Rows) * stride + counter;
        long[] counts = _counts;
        counts[bas] += amount;
        if (groupMask == 0)
        {
            counts[bas + (Rows - 1) * stride] += amount;
            return;
        }

        for (uint bits = groupMask; bits != 0; bits &= bits - 1)
            counts[bas + (BitOperations.TrailingZeroCount(bits) + 1) * stride] += amount;
    }

    /// <summary>
    /// Counts each person once in a counter: the same as <see cref="Add"/> of 1 for each mask, with
    /// the rows counted locally and added once.
    /// </summary>
    public void AddPersons(int variant, ReadOnlySpan<uint> groupMasks, int counter)
    {
        if (EngineChecks.Enabled)
            Check(variant, counter, 0);
        Span<long> byGroup = stackalloc long[32];
        long none = CountByGroup(groupMasks, Groups, byGroup);
        int stride = Counters, bas = (variant * Rows) * stride + counter;
        _counts[bas] += groupMasks.Length;
        _counts[bas + (Rows - 1) * stride] += none;
        for (int g = 0; g < Groups; g++)
            _counts[bas + (g + 1) * stride] += byGroup[g];
    }

    /// <summary>
    /// The persons of <paramref name="groupMasks"/> in each group g &lt; <paramref name="groups"/> (into
    /// <paramref name="byGroup"/>[g]) and, returned, the persons in none. Group by group over whole
    /// vectors of masks (each lane adds its mask's bit g), so a person costs no branch on its groups;
    /// the same integers as counting the bits one by one.
    /// </summary>
    internal static long CountByGroup(ReadOnlySpan<uint> groupMasks, int groups, Span<long> byGroup)
    {
        byGroup.Clear();
        int n = groupMasks.Length, vectors = Vector.IsHardwareAccelerated ? n / Vector<uint>.Count : 0;
        ReadOnlySpan<Vector<uint>> lanes = MemoryMarshal.Cast<uint, Vector<uint>>(groupMasks)[..vectors];
        long none = 0;
        if (vectors > 0)
        {
            // A lane's count is at most n / lanes: no overflow for any span.
            Vector<uint> empty = Vector<uint>.Zero;
            foreach (Vector<uint> v in lanes)
                empty -= Vector.Equals(v, Vector<uint>.Zero); // all ones (−1) where the mask is 0
            none = Vector.Sum(empty);
            for (int g = 0; g < groups; g++)
            {
                Vector<uint> count = Vector<uint>.Zero;
                foreach (Vector<uint> v in lanes)
                    count += Vector.ShiftRightLogical(v, g) & Vector<uint>.One;
                byGroup[g] = Vector.Sum(count);
            }
        }

        foreach (uint mask in groupMasks[(vectors * Vector<uint>.Count)..])
        {
            none += mask == 0 ? 1 : 0;
            for (uint bits = mask; bits != 0; bits &= bits - 1)
                byGroup[BitOperations.TrailingZeroCount(bits)]++;
        }

        return none;
    }

    /// <summary>Adds every counter of <paramref name="other"/> (a table of the same shape).</summary>
    public void Merge(TallyTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._counts.Length != _counts.Length)
            throw new ArgumentException("tables of different shapes", nameof(other));
        for (int i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
    }

    /// <summary>Copies counters [first, first + count) of every row from one variant to another (variants that share an outcome).</summary>
    public void CopyCounters(int fromVariant, int toVariant, int first, int count)
    {
        for (int row = 0; row < Rows; row++)
        {
            Array.Copy(_counts, Index(fromVariant, row, first), _counts, Index(toVariant, row, first), count);
        }
    }

    /// <summary>Sets every counter to 0.</summary>
    public void Clear() => Array.Clear(_counts);

    private void Check(int variant, int counter, uint groupMask)
    {
        if ((uint)variant >= (uint)Variants || (uint)counter >= (uint)Counters || (Groups < 32 && groupMask >> Groups != 0))
            EngineChecks.Fail($"tally add to variant {variant}, counter {counter}, groups 0x{groupMask:x} outside {Variants} variants × {Counters} counters × {Groups} groups");
    }

    private int Index(int variant, int row, int counter)
    {
        if ((uint)variant >= (uint)Variants || (uint)row >= (uint)Rows || (uint)counter >= (uint)Counters)
            throw new ArgumentOutOfRangeException(nameof(variant), $"({variant}, {row}, {counter}) is outside {Variants} × {Rows} × {Counters}");
        return (variant * Rows + row) * Counters + counter;
    }
}
