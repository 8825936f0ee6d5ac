using System.Numerics;
using ImpactModel.Population;

namespace ImpactModel.Simulation.Packages;

/// <summary>
/// A contradiction a package looks for: a safeguard of one scenario's chosen variant withholds
/// persons (a sensitive-category exclusion, an opt-out, consent) whom another scenario's chosen
/// variant may expose (flag, contact, release).
/// </summary>
/// <param name="Protecting">The index of the protecting scenario in the package.</param>
/// <param name="Safeguard">The protecting safeguard's id.</param>
/// <param name="SafeguardType">Its type (<c>sensitive-category-exclusion</c>, <c>opt-out</c>, <c>consent</c>).</param>
/// <param name="Groups">The groups it lists (an exclusion), as a group mask; 0 for a safeguard of persons (opt-out, consent).</param>
/// <param name="Exposing">The index of the exposing scenario.</param>
public sealed record ContradictionKey(int Protecting, string Safeguard, string SafeguardType, uint Groups, int Exposing);

/// <summary>
/// Integer counts of one share of a package's persons (a thread's, or a replicate's once merged), by
/// result row (all, each group, rest): for every subset of the package's scenarios, the persons
/// harmed by exactly that subset (bit s for scenario s), the same for benefits, and the persons of
/// each <see cref="ContradictionKey"/>. Integers, so shares merge in any order to the same sums.
/// </summary>
public sealed class BurdenTally
{
    private readonly long[] _harmed;
    private readonly long[] _benefited;
    private readonly long[] _contradicted;

    public BurdenTally(int scenarios, int groups, int contradictions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scenarios, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scenarios, 16);
        ArgumentOutOfRangeException.ThrowIfNegative(groups);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups, 31);
        ArgumentOutOfRangeException.ThrowIfNegative(contradictions);
        Scenarios = scenarios;
        Rows = groups + 2;
        Patterns = 1 << scenarios;
        Contradictions = contradictions;
        _harmed = new long[Rows * Patterns];
        _benefited = new long[Rows * Patterns];
        _contradicted = new long[Rows * contradictions];
    }

    public int Scenarios { get; }

    /// <summary>Result rows: all (0), each group g (g + 1), rest (last).</summary>
    public int Rows { get; }

    /// <summary>Subsets of the scenarios: 2^<see cref="Scenarios"/>.</summary>
    public int Patterns { get; }

    public int Contradictions { get; }

    /// <summary>Persons of <paramref name="row"/> harmed by exactly the scenarios of <paramref name="pattern"/>.</summary>
    public long Harmed(int row, int pattern) => _harmed[row * Patterns + pattern];

    /// <summary>Persons of <paramref name="row"/> benefited by exactly the scenarios of <paramref name="pattern"/>.</summary>
    public long Benefited(int row, int pattern) => _benefited[row * Patterns + pattern];

    /// <summary>Persons of <paramref name="row"/> in contradiction <paramref name="contradiction"/>.</summary>
    public long Contradicted(int row, int contradiction) => _contradicted[row * Contradictions + contradiction];

    /// <summary>Persons of <paramref name="row"/> (every person is in exactly one harm pattern).</summary>
    public long Persons(int row)
    {
        long sum = 0;
        for (int p = 0; p < Patterns; p++)
            sum += _harmed[row * Patterns + p];
        return sum;
    }

    /// <summary>Counts one person with group mask <paramref name="mask"/>: their harm and benefit patterns, and the contradictions they are in (a bit each).</summary>
    public void Add(uint mask, int harmed, int benefited, ulong contradictions)
    {
        AddRows(_harmed, mask, harmed);
        AddRows(_benefited, mask, benefited);
        for (ulong bits = contradictions; bits != 0; bits &= bits - 1)
        {
            int c = BitOperations.TrailingZeroCount(bits);
            _contradicted[c]++;
            if (mask == 0)
                _contradicted[(Rows - 1) * Contradictions + c]++;
            for (uint g = mask; g != 0; g &= g - 1)
                _contradicted[(BitOperations.TrailingZeroCount(g) + 1) * Contradictions + c]++;
        }
    }

    private void AddRows(long[] counts, uint mask, int pattern)
    {
        counts[pattern]++;
        if (mask == 0)
        {
            counts[(Rows - 1) * Patterns + pattern]++;
            return;
        }

        for (uint g = mask; g != 0; g &= g - 1)
            counts[(BitOperations.TrailingZeroCount(g) + 1) * Patterns + pattern]++;
    }

    /// <summary>Adds another share's counts.</summary>
    public void Merge(BurdenTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Scenarios != Scenarios || other.Rows != Rows || other.Contradictions != Contradictions)
            throw new ArgumentException("the tallies differ in shape", nameof(other));
        for (int i = 0; i < _harmed.Length; i++)
        {
            _harmed[i] += other._harmed[i];
            _benefited[i] += other._benefited[i];
        }

        for (int i = 0; i < _contradicted.Length; i++)
            _contradicted[i] += other._contradicted[i];
    }
}

/// <summary>
/// Counts a package's persons chunk by chunk from every scenario's flags in its chosen variant
/// (one per thread; adds integers only, allocates nothing per chunk).
/// </summary>
internal sealed class BurdenCounter
{
    private readonly int[] _variants;
    private readonly ContradictionKey[] _contradictions;

    public BurdenCounter(int[] variants, int groups, ContradictionKey[] contradictions)
    {
        _variants = variants;
        _contradictions = contradictions;
        Tally = new BurdenTally(variants.Length, groups, contradictions.Length);
    }

    public BurdenTally Tally { get; }

    /// <summary>Counts the chunk's persons; <paramref name="flags"/>[s] holds scenario s's outcomes of this chunk.</summary>
    public void Observe(PersonChunk persons, ReadOnlySpan<PersonFlags> flags)
    {
        ReadOnlySpan<uint> masks = persons.Groups;
        for (int i = 0; i < masks.Length; i++)
        {
            int harmed = 0, benefited = 0;
            for (int s = 0; s < _variants.Length; s++)
            {
                PersonOutcome o = flags[s].Of(_variants[s], masks.Length)[i];
                harmed |= (o & PersonOutcome.Harmed) != 0 ? 1 << s : 0;
                benefited |= (o & PersonOutcome.Benefited) != 0 ? 1 << s : 0;
            }

            ulong contradicted = 0;
            for (int c = 0; c < _contradictions.Length; c++)
            {
                ContradictionKey k = _contradictions[c];
                PersonOutcome protecting = flags[k.Protecting].Of(_variants[k.Protecting], masks.Length)[i];
                PersonOutcome exposing = flags[k.Exposing].Of(_variants[k.Exposing], masks.Length)[i];
                if ((protecting & PersonOutcome.Protected) != 0 && (exposing & PersonOutcome.Exposed) != 0 && Attributed(c, masks[i]))
                    contradicted |= 1UL << c;
            }

            Tally.Add(masks[i], harmed, benefited, contradicted);
        }
    }

    /// <summary>
    /// Whether a person the protecting scenario withheld was withheld by contradiction <paramref name="c"/>'s
    /// safeguard: an exclusion's members by the first exclusion (in the scenario's order) listing one of
    /// their groups; anyone else by the first safeguard of persons (opt-out, consent), else by the first
    /// exclusion. So each withheld person is counted under one safeguard of the pair.
    /// </summary>
    private bool Attributed(int c, uint mask)
    {
        ContradictionKey k = _contradictions[c];
        int chosen = -1, persons = -1, first = -1;
        for (int j = 0; j < _contradictions.Length; j++)
        {
            ContradictionKey o = _contradictions[j];
            if (o.Protecting != k.Protecting || o.Exposing != k.Exposing)
                continue;
            if (first < 0)
                first = j;
            if (o.Groups != 0 && (o.Groups & mask) != 0 && chosen < 0)
                chosen = j;
            if (o.Groups == 0 && persons < 0)
                persons = j;
        }

        return (chosen >= 0 ? chosen : persons >= 0 ? persons : first) == c;
    }
}
