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

    /// <summary>Adds <paramref name="count"/> persons with group mask <paramref name="mask"/> harmed by exactly the scenarios of <paramref name="pattern"/>.</summary>
    public void AddHarmed(uint mask, int pattern, long count) => AddRows(_harmed, Patterns, mask, pattern, count);

    /// <summary>Adds <paramref name="count"/> persons with group mask <paramref name="mask"/> benefited by exactly the scenarios of <paramref name="pattern"/>.</summary>
    public void AddBenefited(uint mask, int pattern, long count) => AddRows(_benefited, Patterns, mask, pattern, count);

    /// <summary>Adds <paramref name="count"/> persons with group mask <paramref name="mask"/> to contradiction <paramref name="contradiction"/>.</summary>
    public void AddContradicted(uint mask, int contradiction, long count) => AddRows(_contradicted, Contradictions, mask, contradiction, count);

    /// <summary>Adds to column <paramref name="column"/> in every row a person with <paramref name="mask"/> belongs to: all, each of their groups, or rest.</summary>
    private void AddRows(long[] counts, int stride, uint mask, int column, long count)
    {
        counts[column] += count;
        if (mask == 0)
        {
            counts[(Rows - 1) * stride + column] += count;
            return;
        }

        for (uint g = mask; g != 0; g &= g - 1)
            counts[(BitOperations.TrailingZeroCount(g) + 1) * stride + column] += count;
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
/// (one per thread; adds integers only, allocates nothing per chunk). Persons are counted by group
/// mask (dense, when the population has at most <see cref="DenseGroups"/> groups) and spread into the
/// result rows once, at <see cref="Finish"/>: a person costs a few increments, not one per row.
/// </summary>
internal sealed class BurdenCounter
{
    /// <summary>Most groups for which persons are counted by mask (2^10 masks).</summary>
    public const int DenseGroups = 10;

    private readonly int[] _variants;
    private readonly ContradictionKey[] _contradictions;
    private readonly (int Protecting, int Exposing)[] _pairs;
    private readonly int _patterns;
    private readonly bool _dense;
    private readonly long[] _harmed, _benefited, _paired;
    private readonly int[] _harmPattern, _benefitPattern;
    private readonly ulong[] _pairBits;

    public BurdenCounter(int[] variants, int groups, ContradictionKey[] contradictions, int chunkCapacity)
    {
        _variants = variants;
        _contradictions = contradictions;
        _pairs = [.. contradictions.Select(c => (c.Protecting, c.Exposing)).Distinct()];
        if (_pairs.Length > 64)
            throw new ArgumentException("at most 64 pairs of a protecting and an exposing scenario are counted (8 scenarios make 56)", nameof(contradictions));
        _patterns = 1 << variants.Length;
        _dense = groups <= DenseGroups;
        int masks = _dense ? 1 << groups : 0;
        _harmed = new long[masks * _patterns];
        _benefited = new long[masks * _patterns];
        _paired = new long[masks * _pairs.Length];
        _harmPattern = new int[chunkCapacity];
        _benefitPattern = new int[chunkCapacity];
        _pairBits = new ulong[chunkCapacity];
        Tally = new BurdenTally(variants.Length, groups, contradictions.Length);
    }

    /// <summary>The counts, complete after <see cref="Finish"/>.</summary>
    public BurdenTally Tally { get; }

    /// <summary>Counts the chunk's persons; <paramref name="flags"/>[s] holds scenario s's outcomes of this chunk.</summary>
    public void Observe(PersonChunk persons, ReadOnlySpan<PersonFlags> flags)
    {
        ReadOnlySpan<uint> masks = persons.Groups;
        int n = masks.Length;
        Span<int> harmed = _harmPattern.AsSpan(0, n), benefited = _benefitPattern.AsSpan(0, n);
        Span<ulong> paired = _pairBits.AsSpan(0, n);
        harmed.Clear();
        benefited.Clear();
        paired.Clear();
        for (int s = 0; s < _variants.Length; s++)
        {
            ReadOnlySpan<PersonOutcome> outcomes = flags[s].Of(_variants[s], n);
            int bit = 1 << s;
            for (int i = 0; i < n; i++)
            {
                PersonOutcome o = outcomes[i];
                harmed[i] |= (o & PersonOutcome.Harmed) != 0 ? bit : 0;
                benefited[i] |= (o & PersonOutcome.Benefited) != 0 ? bit : 0;
            }
        }

        for (int p = 0; p < _pairs.Length; p++)
        {
            ReadOnlySpan<PersonOutcome> protecting = flags[_pairs[p].Protecting].Of(_variants[_pairs[p].Protecting], n);
            ReadOnlySpan<PersonOutcome> exposing = flags[_pairs[p].Exposing].Of(_variants[_pairs[p].Exposing], n);
            ulong bit = 1UL << p;
            for (int i = 0; i < n; i++)
                paired[i] |= (protecting[i] & PersonOutcome.Protected) != 0 && (exposing[i] & PersonOutcome.Exposed) != 0 ? bit : 0;
        }

        for (int i = 0; i < n; i++)
        {
            uint mask = masks[i];
            if (_dense)
            {
                _harmed[(int)mask * _patterns + harmed[i]]++;
                _benefited[(int)mask * _patterns + benefited[i]]++;
                for (ulong bits = paired[i]; bits != 0; bits &= bits - 1)
                    _paired[(int)mask * _pairs.Length + BitOperations.TrailingZeroCount(bits)]++;
            }
            else
            {
                Tally.AddHarmed(mask, harmed[i], 1);
                Tally.AddBenefited(mask, benefited[i], 1);
                for (ulong bits = paired[i]; bits != 0; bits &= bits - 1)
                    Tally.AddContradicted(mask, Attributed(BitOperations.TrailingZeroCount(bits), mask), 1);
            }
        }
    }

    /// <summary>Spreads the counts by mask into the result rows (once, after the last chunk).</summary>
    public void Finish()
    {
        if (!_dense)
            return;
        int masks = _harmed.Length / _patterns;
        for (int m = 0; m < masks; m++)
        {
            for (int p = 0; p < _patterns; p++)
            {
                if (_harmed[m * _patterns + p] is var h and not 0)
                    Tally.AddHarmed((uint)m, p, h);
                if (_benefited[m * _patterns + p] is var b and not 0)
                    Tally.AddBenefited((uint)m, p, b);
            }

            for (int p = 0; p < _pairs.Length; p++)
            {
                if (_paired[m * _pairs.Length + p] is var c and not 0)
                    Tally.AddContradicted((uint)m, Attributed(p, (uint)m), c);
            }
        }
    }

    /// <summary>
    /// The contradiction of pair <paramref name="pair"/> a withheld and exposed person with group mask
    /// <paramref name="mask"/> counts in: the first exclusion of the protecting scenario (in its order)
    /// listing one of their groups; else its first safeguard of persons (opt-out, consent); else its
    /// first exclusion. So each person is counted under one safeguard of the pair.
    /// </summary>
    private int Attributed(int pair, uint mask)
    {
        (int protecting, int exposing) = _pairs[pair];
        int chosen = -1, persons = -1, first = -1;
        for (int j = 0; j < _contradictions.Length; j++)
        {
            ContradictionKey o = _contradictions[j];
            if (o.Protecting != protecting || o.Exposing != exposing)
                continue;
            if (first < 0)
                first = j;
            if (o.Groups != 0 && (o.Groups & mask) != 0 && chosen < 0)
                chosen = j;
            if (o.Groups == 0 && persons < 0)
                persons = j;
        }

        return chosen >= 0 ? chosen : persons >= 0 ? persons : first;
    }
}
