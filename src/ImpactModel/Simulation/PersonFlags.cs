using ImpactModel.Population;

namespace ImpactModel.Simulation;

/// <summary>
/// What a strand's outcome was for one person in one variant (bits; a person may have several). What
/// each strand marks, and what a bit means there: <see cref="IStrandModel.Marks"/>.
/// </summary>
[Flags]
public enum PersonOutcome : byte
{
    None = 0,

    /// <summary>The person bore at least one of the strand's harms (e.g. a wrongful adverse action).</summary>
    Harmed = 1,

    /// <summary>The person benefited (e.g. reached by a service they would not have applied for).</summary>
    Benefited = 2,

    /// <summary>
    /// The variant used the person's data in a way the person or an outsider meets: their claim was
    /// flagged by matching, they were contacted or acted on from an inference, their record was put in
    /// an extract shared for research.
    /// </summary>
    Exposed = 4,

    /// <summary>
    /// A safeguard of the variant withheld the person: excluded as a member of a listed sensitive
    /// category, opted out, or not consenting. A package counts the persons one scenario protects and
    /// another exposes (a contradiction between strands).
    /// </summary>
    Protected = 8,
}

/// <summary>
/// Per person and variant, what each strand's outcome was, for one chunk: a few bits in a buffer
/// the runner hands to every evaluator and clears before each chunk, so that a view across
/// strands (the same persons flagged by fraud matching, contacted on an inference, exposed in an
/// extract) can count persons without any strand knowing the others. Strands only set bits.
/// </summary>
public sealed class PersonFlags
{
    private readonly PersonOutcome[] _flags;

    /// <summary>Flags for <paramref name="variants"/> × <paramref name="capacity"/> persons.</summary>
    /// <param name="variants">Variants.</param>
    /// <param name="capacity">Persons per chunk.</param>
    /// <param name="kept">
    /// False when nothing reads the flags (a run without an observer): <see cref="Mark"/> then does
    /// nothing, and the per-person loops skip a random-access write per mark (issue 26).
    /// </param>
    public PersonFlags(int variants, int capacity, bool kept = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(variants, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Variants = variants;
        Capacity = capacity;
        Kept = kept;
        _flags = kept ? new PersonOutcome[variants * capacity] : [];
    }

    public int Variants { get; }

    /// <summary>Persons per chunk.</summary>
    public int Capacity { get; }

    /// <summary>Whether the marks are kept (something reads them); when false, <see cref="Mark"/> does nothing.</summary>
    public bool Kept { get; }

    /// <summary>Marks person <paramref name="index"/> of the chunk (its id minus the chunk's first) in <paramref name="variant"/>.</summary>
    public void Mark(int variant, int index, PersonOutcome outcome)
    {
        if ((uint)index >= (uint)Capacity)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"a chunk holds at most {Capacity} persons");
        if (!Kept)
            return;
        _flags[variant * Capacity + index] |= outcome;
    }

    /// <summary>The outcomes of the chunk's first <paramref name="count"/> persons in <paramref name="variant"/>.</summary>
    /// <exception cref="InvalidOperationException">The marks are not kept.</exception>
    public ReadOnlySpan<PersonOutcome> Of(int variant, int count) => Kept
        ? _flags.AsSpan(variant * Capacity, count)
        : throw new InvalidOperationException("these flags are not kept: nothing was to read them");

    /// <summary>Clears every person's outcome in every variant.</summary>
    public void Clear() => Array.Clear(_flags);
}

/// <summary>
/// Sees every chunk after all strands evaluated it, with the persons' outcomes: e.g. counts the
/// persons harmed in any strand. One per thread; it must add integers only and not allocate.
/// </summary>
public interface IChunkObserver
{
    void Observe(PersonChunk persons, PersonFlags flags);
}
