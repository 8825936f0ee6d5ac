using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace ImpactModel.Random;

/// <summary>
/// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3" (SC'11), as in Random123's <c>philox.h</c>: a block of four 32-bit
/// words is a pure function of a 64-bit key and a 128-bit counter. No object holds state, so a
/// person's draws are the same whatever the chunking, thread count or shard.
/// </summary>
/// <remarks>
/// The key and counter come from an <see cref="RngKey"/>, a person id and a draw index; see
/// <see cref="RngKey"/> for the layout and why streams never collide. The scalar and vector
/// paths give the same bits (tested against Random123's <c>kat_vectors</c> and each other).
/// </remarks>
public static partial class Philox
{
    /// <summary>Person ids lie in [0, 2^32): a person id is counter word 0.</summary>
    public const long PersonLimit = 1L << 32;

    /// <summary>Sub-blocks per (person, draw) for variable-length samplers: the top 8 bits of counter word 3.</summary>
    internal const int SubBlocks = 256;

    // Multipliers and Weyl key increments from Random123 philox.h (PHILOX_M4x32_0/1, PHILOX_W32_0/1).
    internal const uint M0 = 0xD2511F53;
    internal const uint M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9; // golden ratio
    internal const uint W1 = 0xBB67AE85; // sqrt(3) - 1

    /// <summary>The fastest path this CPU supports, chosen once at start-up.</summary>
    public static PhiloxPath BestPath { get; } =
        Avx512F.IsSupported ? PhiloxPath.Avx512 : Avx2.IsSupported ? PhiloxPath.Avx2 : PhiloxPath.Scalar;

    /// <summary>Whether this CPU can run a path (the scalar path always can).</summary>
    public static bool IsSupported(PhiloxPath path) => path switch
    {
        PhiloxPath.Scalar => true,
        PhiloxPath.Avx2 => Avx2.IsSupported,
        PhiloxPath.Avx512 => Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>
    /// The raw Random123 function philox4x32_R(10, counter, key): what the published
    /// known-answer vectors test.
    /// </summary>
    public static PhiloxBlock Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        // Ten rounds; the key is bumped by the Weyl constants between rounds (Random123 philox.h).
        Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        for (int r = 1; r < 10; r++)
        {
            k0 += W0;
            k1 += W1;
            Round(ref c0, ref c1, ref c2, ref c3, k0, k1);
        }
        return new PhiloxBlock(c0, c1, c2, c3);
    }

    /// <summary>The block of one person's draw in a stream (sub-block 0).</summary>
    /// <param name="key">Seed, replicate and stream.</param>
    /// <param name="person">Person id in [0, 2^32).</param>
    /// <param name="draw">Draw index within the stream for that person; use each index for one variate.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per draw
    public static PhiloxBlock Block(in RngKey key, long person, uint draw)
    {
        CheckPerson(person);
        return Block((uint)person, draw, key.C2, key.C3, key.K0, key.K1);
    }

    /// <summary>Sub-block <paramref name="sub"/> of a (person, draw): for variable-length samplers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PhiloxBlock SubBlock(in RngKey key, uint person, uint draw, int sub)
        => Block(person, draw, key.C2, key.C3 | ((uint)sub << 24), key.K0, key.K1);

    /// <summary>
    /// Fills <paramref name="blocks"/> with the blocks of consecutive persons
    /// <paramref name="firstPerson"/>, <paramref name="firstPerson"/> + 1, ... for one draw index:
    /// words 4i..4i+3 are <see cref="Block(in RngKey, long, uint)"/> of person
    /// <paramref name="firstPerson"/> + i. Uses <see cref="BestPath"/>; allocates nothing.
    /// </summary>
    /// <param name="key">Seed, replicate and stream.</param>
    /// <param name="firstPerson">First person id; the last, firstPerson + blocks.Length / 4 − 1, must be below 2^32.</param>
    /// <param name="draw">Draw index.</param>
    /// <param name="blocks">Destination; its length must be a multiple of 4.</param>
    public static void Fill(in RngKey key, long firstPerson, uint draw, Span<uint> blocks)
        => Fill(key, firstPerson, draw, blocks, BestPath);

    /// <summary>As <see cref="Fill(in RngKey, long, uint, Span{uint})"/>, on a chosen path (for tests and benchmarks).</summary>
    /// <exception cref="PlatformNotSupportedException">The CPU lacks the path's instruction set.</exception>
    public static void Fill(in RngKey key, long firstPerson, uint draw, Span<uint> blocks, PhiloxPath path)
    {
        if (firstPerson < 0 || firstPerson + blocks.Length / 4 > PersonLimit)
            throw new ArgumentOutOfRangeException(nameof(firstPerson), firstPerson, "person ids lie in [0, 2^32)");
        FillCounters((uint)firstPerson, draw, key.C2, key.C3, key.K0, key.K1, blocks, path);
    }

    /// <summary>
    /// Raw bulk Philox4x32-10: block i (words 4i..4i+3) is
    /// <see cref="Block(uint, uint, uint, uint, uint, uint)"/> of counter (c0 + i mod 2^32, c1, c2, c3).
    /// </summary>
    /// <exception cref="ArgumentException">The length of <paramref name="blocks"/> is not a multiple of 4.</exception>
    /// <exception cref="PlatformNotSupportedException">The CPU lacks the path's instruction set.</exception>
    public static void FillCounters(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, Span<uint> blocks, PhiloxPath path)
        => FillFor(new ConsecutivePersons(c0), c1, c2, c3, k0, k1, blocks, path);

    /// <summary>
    /// Fills <paramref name="blocks"/> with the blocks of the listed persons for one draw index:
    /// words 4i..4i+3 are <see cref="Block(in RngKey, long, uint)"/> of person
    /// <paramref name="persons"/>[i]. For a gathered subset of a chunk (the claimants, say): the
    /// same bits as a block drawn one at a time, at the speed of the vectorised fill. Allocates nothing.
    /// </summary>
    /// <param name="key">Seed, replicate and stream.</param>
    /// <param name="persons">Person ids; <paramref name="blocks"/> holds 4 words for each.</param>
    /// <param name="draw">Draw index.</param>
    /// <param name="blocks">Destination, at least 4 × <paramref name="persons"/>.Length words; only that many are written.</param>
    public static void FillListed(in RngKey key, ReadOnlySpan<uint> persons, uint draw, Span<uint> blocks)
        => FillListed(key, persons, draw, blocks, BestPath);

    /// <summary>As <see cref="FillListed(in RngKey, ReadOnlySpan{uint}, uint, Span{uint})"/>, on a chosen path (for tests and benchmarks).</summary>
    /// <exception cref="PlatformNotSupportedException">The CPU lacks the path's instruction set.</exception>
    public static void FillListed(in RngKey key, ReadOnlySpan<uint> persons, uint draw, Span<uint> blocks, PhiloxPath path)
    {
        if (blocks.Length < 4 * persons.Length)
            throw new ArgumentException("blocks holds fewer than 4 words a person", nameof(blocks));
        FillFor(new ListedPersons(persons), draw, key.C2, key.C3, key.K0, key.K1, blocks[..(4 * persons.Length)], path);
    }

    /// <summary>
    /// Tails of at least this many blocks are filled as one padded vector step: 32 blocks on the
    /// AVX-512 path cost about as much as 4 blocks of the scalar code (docs/performance.md, issue 26).
    /// </summary>
    private const int PaddedTailMin = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: fully optimised at once, never run unoptimised (docs/performance.md, issue 26)
    private static void FillFor<TPersons>(TPersons persons, uint c1, uint c2, uint c3, uint k0, uint k1, Span<uint> blocks, PhiloxPath path)
        where TPersons : IPersonCounters, allows ref struct
    {
        if ((blocks.Length & 3) != 0)
            throw new ArgumentException("the length must be a multiple of 4 (one block is 4 words)", nameof(blocks));
        int done = path switch
        {
            PhiloxPath.Scalar => 0,
            PhiloxPath.Avx2 => Avx2.IsSupported
                ? FillAvx2(persons, c1, c2, c3, k0, k1, blocks)
                : throw new PlatformNotSupportedException("the AVX2 Philox path needs AVX2, which this CPU lacks"),
            PhiloxPath.Avx512 => Avx512F.IsSupported
                ? FillAvx512(persons, c1, c2, c3, k0, k1, blocks)
                : throw new PlatformNotSupportedException("the AVX-512 Philox path needs AVX-512F, which this CPU lacks"),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "unknown Philox path"),
        };
        int rest = (blocks.Length - done) >> 2;
        if (path != PhiloxPath.Scalar && rest >= PaddedTailMin)
        {
            // A short tail (a chunk's last few claimants, say) as one more vector step over padded
            // counters, of which only the first rest blocks are kept: the same bits as the reference
            // code, several times faster than it from a handful of blocks on.
            Span<uint> counters = stackalloc uint[32];
            Span<uint> padded = stackalloc uint[4 * 32];
            int first = done >> 2;
            for (int i = 0; i < rest; i++)
                counters[i] = persons.At(first + i);
            if (path == PhiloxPath.Avx512)
                FillAvx512(new ListedPersons(counters), c1, c2, c3, k0, k1, padded);
            else
                FillAvx2(new ListedPersons(counters[..16]), c1, c2, c3, k0, k1, padded[..(4 * 16)]);
            padded[..(4 * rest)].CopyTo(blocks[done..]);
            return;
        }

        // Tail (and the whole span on the scalar path): the reference code.
        for (int i = done; i < blocks.Length; i += 4)
        {
            PhiloxBlock b = Block(persons.At(i >> 2), c1, c2, c3, k0, k1);
            blocks[i] = b.W0;
            blocks[i + 1] = b.W1;
            blocks[i + 2] = b.W2;
            blocks[i + 3] = b.W3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref uint c0, ref uint c1, ref uint c2, ref uint c3, uint k0, uint k1)
    {
        // Random123 philox4x32round: (hi, lo) of the 64-bit products M0*c0 and M1*c2.
        ulong p0 = (ulong)M0 * c0;
        ulong p1 = (ulong)M1 * c2;
        uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
        uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint)p1;
        c3 = (uint)p0;
        c0 = n0;
        c2 = n2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckPerson(long person)
    {
        if ((ulong)person >= PersonLimit)
            ThrowPerson(person);
    }

    private static void ThrowPerson(long person)
        => throw new ArgumentOutOfRangeException(nameof(person), person, "person ids lie in [0, 2^32)");
}
