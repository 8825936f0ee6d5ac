namespace ImpactModel.Simulation;

/// <summary>
/// An accumulator a strand declares besides its per-person counters: <paramref name="Length"/>
/// integers per variant, indexed as the strand chooses (e.g. persons per cell of the released
/// quasi-identifiers, for equivalence-class sizes).
/// </summary>
/// <param name="Name">What it holds (for messages and shard files).</param>
/// <param name="Length">Integers per variant.</param>
/// <param name="Pass">The model's own pass that fills it (0 for the first); it exists in that pass only.</param>
/// <param name="Shared">
/// True for one set of integers for the whole run rather than one per variant (read with
/// <see cref="Accumulators.Of(int)"/>): for counts every variant that uses them shares, such as the
/// class sizes of a release layout several variants publish, so memory does not grow with the variants.
/// </param>
public sealed record AccumulatorDefinition(string Name, int Length, int Pass = 0, bool Shared = false);

/// <summary>
/// A strand's accumulators of one thread (or, once merged, of a whole pass): integers per
/// accumulator × variant × index. Merged by addition, so the merged values are the same for any
/// thread count, chunk size or split of the persons into shards.
/// </summary>
public sealed class Accumulators
{
    private readonly long[] _values;
    private readonly int[] _start;
    private readonly int[] _length;

    /// <param name="definitions">The model's accumulators.</param>
    /// <param name="variants">Variants in the run.</param>
    /// <param name="pass">The model's own pass: only the accumulators of this pass get storage.</param>
    public Accumulators(IReadOnlyList<AccumulatorDefinition> definitions, int variants, int pass = 0)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(variants, 1);
        Definitions = definitions;
        Variants = variants;
        Pass = pass;
        _start = new int[definitions.Count];
        _length = new int[definitions.Count];
        long total = 0;
        for (int a = 0; a < definitions.Count; a++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(definitions[a].Length);
            _start[a] = (int)total;
            _length[a] = definitions[a].Pass == pass ? definitions[a].Length : -1;
            total += definitions[a].Pass == pass ? (long)definitions[a].Length * (definitions[a].Shared ? 1 : variants) : 0;
            if (total > Array.MaxLength)
                throw new ArgumentException($"accumulators of {total:N0} integers are too large", nameof(definitions));
        }

        _values = new long[total];
    }

    /// <summary>The accumulators' definitions, in the strand's order.</summary>
    public IReadOnlyList<AccumulatorDefinition> Definitions { get; }

    public int Variants { get; }

    /// <summary>The model's pass these accumulators belong to.</summary>
    public int Pass { get; }

    /// <summary>Every value, accumulator by accumulator, variant by variant (to persist or send a shard's accumulators).</summary>
    public Span<long> Values => _values;

    /// <summary>Accumulator <paramref name="accumulator"/> of <paramref name="variant"/>.</summary>
    public Span<long> Of(int accumulator, int variant)
    {
        if ((uint)variant >= (uint)Variants)
            throw new ArgumentOutOfRangeException(nameof(variant), variant, $"variants are 0 … {Variants - 1}");
        if (Definitions[accumulator].Shared)
            throw new InvalidOperationException($"accumulator '{Definitions[accumulator].Name}' is shared by every variant: read it with Of(accumulator)");
        int length = LengthOf(accumulator);
        return _values.AsSpan(_start[accumulator] + variant * length, length);
    }

    /// <summary>Accumulator <paramref name="accumulator"/>, one set shared by every variant (<see cref="AccumulatorDefinition.Shared"/>).</summary>
    public Span<long> Of(int accumulator)
    {
        if (!Definitions[accumulator].Shared)
            throw new InvalidOperationException($"accumulator '{Definitions[accumulator].Name}' has one set per variant: read it with Of(accumulator, variant)");
        return _values.AsSpan(_start[accumulator], LengthOf(accumulator));
    }

    /// <summary>The array behind accumulator <paramref name="accumulator"/> (shared by every variant) and where it starts in it: for a hint to the processor's cache, never to write outside it.</summary>
    internal long[] Backing(int accumulator, out int offset)
    {
        _ = Of(accumulator);
        offset = _start[accumulator];
        return _values;
    }

    private int LengthOf(int accumulator)
    {
        int length = _length[accumulator];
        if (length < 0)
            throw new InvalidOperationException($"accumulator '{Definitions[accumulator].Name}' belongs to pass {Definitions[accumulator].Pass}, not {Pass}");
        return length;
    }

    /// <summary>Adds every value of <paramref name="other"/> (accumulators of the same definitions).</summary>
    public void Merge(Accumulators other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._values.Length != _values.Length || other.Variants != Variants || other.Pass != Pass)
            throw new ArgumentException("accumulators of different shapes", nameof(other));
        for (int i = 0; i < _values.Length; i++)
            _values[i] += other._values[i];
    }
}
