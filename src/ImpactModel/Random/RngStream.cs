namespace ImpactModel.Random;

/// <summary>
/// The kind of a named random stream: the top 8 bits of <see cref="RngStream.Id"/>.
/// Every consumer of randomness in the engine draws from its own kind (and index), so that
/// drawing more in one place never shifts the draws anywhere else.
/// </summary>
public enum RngStreamKind
{
    /// <summary>Not a stream; <see cref="RngKey.From"/> rejects it so a forgotten stream is caught.</summary>
    None = 0,

    /// <summary>Person attributes: age, income, benefit receipt, employment pattern. Index: attribute.</summary>
    PopulationAttributes = 1,

    /// <summary>Peripheral group memberships. Index: group.</summary>
    GroupMembership = 2,

    /// <summary>Area-level random effects. Index: area-level effect.</summary>
    AreaEffects = 3,

    /// <summary>Whether a data source holds a record on a person (coverage). Index: data source.</summary>
    Coverage = 4,

    /// <summary>Identifier field errors and missingness. Index: data source × 256 + field.</summary>
    FieldErrors = 5,

    /// <summary>Record staleness. Index: data source.</summary>
    Staleness = 6,

    /// <summary>Candidate non-matches, tie-breaks and review in record linkage. Index: the linkage (its position in the scenario).</summary>
    LinkageCandidates = 7,

    /// <summary>Strand outcomes (true state, amounts, actions, appeals). Index: outcome.</summary>
    StrandOutcomes = 8,

    /// <summary>Safeguard mechanisms (review catches, opt-outs, noise). Index: safeguard.</summary>
    Safeguards = 9,

    /// <summary>Uncertain scenario parameters, drawn once per replicate. Index: free (usually 0).</summary>
    Parameters = 10,

    /// <summary>Simulated pilots (randomisation of areas or persons). Index: pilot design.</summary>
    Pilot = 11,
}

/// <summary>
/// A named random stream: 32 bits, the <see cref="RngStreamKind"/> in the top 8 bits and an
/// index in the low 24 bits. The id becomes counter word 2 of every Philox block drawn in the
/// stream, so two different streams can never produce the same block (see <see cref="RngKey"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A random stream, not a System.IO.Stream; the name is the one STYLE.md uses.")]
public readonly record struct RngStream
{
    /// <summary>Largest index plus one: indices lie in [0, 2^24).</summary>
    public const int IndexLimit = 1 << 24;

    /// <summary>Largest data-source number plus one for <see cref="FieldError"/>.</summary>
    public const int DataSourceLimit = 1 << 16;

    /// <summary>Largest field number plus one for <see cref="FieldError"/>.</summary>
    public const int FieldLimit = 1 << 8;

    private RngStream(uint id) => Id = id;

    /// <summary>The 32-bit stream id: kind × 2^24 + index.</summary>
    public uint Id { get; }

    /// <summary>The kind (top 8 bits of <see cref="Id"/>).</summary>
    public RngStreamKind Kind => (RngStreamKind)(Id >> 24);

    /// <summary>The index within the kind (low 24 bits of <see cref="Id"/>), in [0, 2^24).</summary>
    public int Index => (int)(Id & (IndexLimit - 1));

    /// <summary>Population attributes (age, income, ...), index 0.</summary>
    public static RngStream PopulationAttributes => Of(RngStreamKind.PopulationAttributes);

    /// <summary>Peripheral group memberships, index 0.</summary>
    public static RngStream GroupMembership => Of(RngStreamKind.GroupMembership);

    /// <summary>Area-level random effects, index 0.</summary>
    public static RngStream AreaEffects => Of(RngStreamKind.AreaEffects);

    /// <summary>Local-authority random effects (the area kind, index 1).</summary>
    public static RngStream LocalAuthorityEffects => Of(RngStreamKind.AreaEffects, 1);

    /// <summary>Linkage candidates, index 0.</summary>
    public static RngStream LinkageCandidates => Of(RngStreamKind.LinkageCandidates);

    /// <summary>Strand outcomes, index 0.</summary>
    public static RngStream StrandOutcomes => Of(RngStreamKind.StrandOutcomes);

    /// <summary>Parameter draws (once per replicate), index 0.</summary>
    public static RngStream Parameters => Of(RngStreamKind.Parameters);

    /// <summary>The stream of a kind and index.</summary>
    /// <param name="kind">Any kind but <see cref="RngStreamKind.None"/>.</param>
    /// <param name="index">In [0, 2^24).</param>
    public static RngStream Of(RngStreamKind kind, int index = 0)
    {
        if (kind <= RngStreamKind.None || (int)kind > 255)
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "a stream kind is a named kind in [1, 255]");
        if ((uint)index >= IndexLimit)
            throw new ArgumentOutOfRangeException(nameof(index), index, "a stream index lies in [0, 2^24)");
        return new RngStream(((uint)kind << 24) | (uint)index);
    }

    /// <summary>The field-error stream of one identifier field of one data source.</summary>
    /// <param name="dataSource">Data source number in [0, 65536).</param>
    /// <param name="field">Field number within the source in [0, 256).</param>
    public static RngStream FieldError(int dataSource, int field)
    {
        if ((uint)dataSource >= DataSourceLimit)
            throw new ArgumentOutOfRangeException(nameof(dataSource), dataSource, "a data source number lies in [0, 65536)");
        if ((uint)field >= FieldLimit)
            throw new ArgumentOutOfRangeException(nameof(field), field, "a field number lies in [0, 256)");
        return Of(RngStreamKind.FieldErrors, (dataSource << 8) | field);
    }

    /// <summary>The coverage stream of one data source.</summary>
    public static RngStream Coverage(int dataSource) => Of(RngStreamKind.Coverage, dataSource);

    /// <summary>Kind and index, e.g. <c>FieldErrors/258</c>.</summary>
    public override string ToString() => $"{Kind}/{Index}";
}
