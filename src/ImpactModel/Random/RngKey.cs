namespace ImpactModel.Random;

/// <summary>
/// Everything that names a random stream except the person and the draw: (seed, replicate, stream).
/// </summary>
/// <remarks>
/// <para>Layout of a Philox4x32-10 call (Salmon et al., SC'11; Random123 <c>philox.h</c>):
/// key = (seed low 32 bits, seed high 32 bits); counter = (person, draw, stream id,
/// replicate + 2^24 × sub-block). Every field goes in whole, nothing is hashed, so the map
/// (seed, replicate, stream, person, draw, sub-block) → (key, counter) is injective. For a fixed
/// key Philox is a bijection of the 128-bit counter, so two different tuples never yield the
/// same block: streams, replicates and persons cannot collide, whatever their number.
/// (A hashed key, e.g. SplitMix64 of the tuple, would collide with probability about
/// m²/2^65 over m keys.) Random123's README recommends exactly this use: application ids in the
/// key and counter, no state.</para>
/// <para>The sub-block (top 8 bits of counter word 3) is used only by samplers that need a
/// variable number of blocks for one variate (gamma, beta); it keeps them a pure function of
/// (key, person, draw).</para>
/// </remarks>
public readonly record struct RngKey
{
    /// <summary>Replicates lie in [0, 2^24); the top 8 bits of counter word 3 hold the sub-block.</summary>
    public const int ReplicateLimit = 1 << 24;

    private RngKey(ulong seed, int replicate, RngStream stream)
    {
        Seed = seed;
        Replicate = replicate;
        Stream = stream;
    }

    /// <summary>The run seed (any unsigned 64-bit value).</summary>
    public ulong Seed { get; }

    /// <summary>The replicate, in [0, 2^24).</summary>
    public int Replicate { get; }

    /// <summary>The named stream.</summary>
    public RngStream Stream { get; }

    /// <summary>Philox key word 0: seed bits 0–31.</summary>
    internal uint K0 => (uint)Seed;

    /// <summary>Philox key word 1: seed bits 32–63.</summary>
    internal uint K1 => (uint)(Seed >> 32);

    /// <summary>Counter word 2: the stream id.</summary>
    internal uint C2 => Stream.Id;

    /// <summary>Counter word 3 for sub-block 0: the replicate.</summary>
    internal uint C3 => (uint)Replicate;

    /// <summary>The key of a stream in a replicate of a run.</summary>
    /// <param name="seed">Run seed, any value.</param>
    /// <param name="replicate">Replicate number in [0, 2^24).</param>
    /// <param name="stream">A named stream (not <c>default</c>).</param>
    public static RngKey From(ulong seed, int replicate, RngStream stream)
    {
        if ((uint)replicate >= ReplicateLimit)
            throw new ArgumentOutOfRangeException(nameof(replicate), replicate, "a replicate lies in [0, 2^24)");
        if (stream.Kind == RngStreamKind.None)
            throw new ArgumentException("default(RngStream) is not a stream; name one, e.g. RngStream.GroupMembership", nameof(stream));
        return new RngKey(seed, replicate, stream);
    }

    /// <summary>The same seed and replicate in another stream.</summary>
    public RngKey WithStream(RngStream stream) => From(Seed, Replicate, stream);
}
