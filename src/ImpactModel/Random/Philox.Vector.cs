using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ImpactModel.Random;

// Vectorised Philox4x32-10. Lanes run across persons (counter word 0); words 1-3 of the counter
// and the key are the same in every lane.
//
// Representation: each counter word of a vector of persons is kept in 64-bit lanes, value in the
// low 32 bits, with even persons in one vector and odd persons in another. The widening multiply
// (vpmuludq) reads only the low 32 bits of each 64-bit lane and returns the full 64-bit product,
// so a round needs no shuffles: hi = product >> 32, and lo is the product itself (its high half is
// junk that no later step reads). The junk is dropped when the words are packed for the store.
//
// Round 1 is partly constant: M1 * c2 does not depend on the person, so it is done once per call.
public static partial class Philox
{
    /// <summary>Counter word 0 (the person id) of the i-th block a fill writes.</summary>
    private interface IPersonCounters
    {
        uint At(int i);

        Vector256<uint> Load8(int first);

        Vector512<uint> Load16(int first);
    }

    /// <summary>Consecutive persons c0, c0 + 1, … (mod 2^32).</summary>
    private readonly struct ConsecutivePersons(uint c0) : IPersonCounters
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint At(int i) => c0 + (uint)i;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<uint> Load8(int first) => Vector256.Create(c0 + (uint)first) + Vector256<uint>.Indices;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<uint> Load16(int first) => Vector512.Create(c0 + (uint)first) + Vector512<uint>.Indices;
    }

    /// <summary>Persons listed one by one (a gathered subset, e.g. the claimants of a chunk).</summary>
    private readonly ref struct ListedPersons(ReadOnlySpan<uint> ids) : IPersonCounters
    {
        private readonly ReadOnlySpan<uint> _ids = ids;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint At(int i) => _ids[i];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<uint> Load8(int first) => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(_ids), (nuint)first);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<uint> Load16(int first) => Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(_ids), (nuint)first);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: fully optimised at once, never run unoptimised (docs/performance.md, issue 26)
    private static int FillAvx2<TPersons>(TPersons persons, uint c1, uint c2, uint c3, uint k0, uint k1, Span<uint> blocks)
        where TPersons : IPersonCounters, allows ref struct
    {
        int n = blocks.Length >> 2;
        ref ulong dst = ref Unsafe.As<uint, ulong>(ref MemoryMarshal.GetReference(blocks));

        ulong q = (ulong)M1 * c2;
        Vector256<ulong> r1c0 = Vector256.Create((ulong)((uint)(q >> 32) ^ c1 ^ k0));
        Vector256<ulong> r1c1 = Vector256.Create((ulong)(uint)q);
        Vector256<ulong> c3k1 = Vector256.Create((ulong)(c3 ^ k1));
        Vector256<uint> m0 = Vector256.Create((ulong)M0).AsUInt32();
        Vector256<uint> m1 = Vector256.Create((ulong)M1).AsUInt32();
        Vector256<ulong> w0 = Vector256.Create((ulong)W0);
        Vector256<ulong> w1 = Vector256.Create((ulong)W1);
        Vector256<ulong> key0 = Vector256.Create((ulong)k0);
        Vector256<ulong> key1 = Vector256.Create((ulong)k1);
        // Four independent chains of 4 persons each (16 persons per step) hide the multiply latency.
        // The 64-bit lanes of 8 loaded person ids hold the even persons in their low halves (the
        // multiply reads only those) and the odd persons in their high halves.
        int done = 0;
        for (; done + 16 <= n; done += 16)
        {
            Vector256<ulong> first8 = persons.Load8(done).AsUInt64(), next8 = persons.Load8(done + 8).AsUInt64();
            Vector256<ulong> pa = Avx2.Multiply(first8.AsUInt32(), m0);
            Vector256<ulong> pb = Avx2.Multiply((first8 >>> 32).AsUInt32(), m0);
            Vector256<ulong> pc = Avx2.Multiply(next8.AsUInt32(), m0);
            Vector256<ulong> pd = Avx2.Multiply((next8 >>> 32).AsUInt32(), m0);
            Vector256<ulong> a0 = r1c0, a1 = r1c1, a2 = (pa >>> 32) ^ c3k1, a3 = pa;
            Vector256<ulong> b0 = r1c0, b1 = r1c1, b2 = (pb >>> 32) ^ c3k1, b3 = pb;
            Vector256<ulong> d0 = r1c0, d1 = r1c1, d2 = (pd >>> 32) ^ c3k1, d3 = pd;
            Vector256<ulong> e0 = r1c0, e1 = r1c1, e2 = (pc >>> 32) ^ c3k1, e3 = pc;
            Vector256<ulong> kk0 = key0, kk1 = key1;
            for (int r = 1; r < 10; r++)
            {
                kk0 += w0; // low 32 bits wrap as in the scalar key schedule; the carry lands in ignored bits
                kk1 += w1;
                Vector256<ulong> x0 = Avx2.Multiply(a0.AsUInt32(), m0), x2 = Avx2.Multiply(a2.AsUInt32(), m1);
                Vector256<ulong> y0 = Avx2.Multiply(b0.AsUInt32(), m0), y2 = Avx2.Multiply(b2.AsUInt32(), m1);
                Vector256<ulong> z0 = Avx2.Multiply(e0.AsUInt32(), m0), z2 = Avx2.Multiply(e2.AsUInt32(), m1);
                Vector256<ulong> t0 = Avx2.Multiply(d0.AsUInt32(), m0), t2 = Avx2.Multiply(d2.AsUInt32(), m1);
                a0 = (x2 >>> 32) ^ a1 ^ kk0; a2 = (x0 >>> 32) ^ a3 ^ kk1; a1 = x2; a3 = x0;
                b0 = (y2 >>> 32) ^ b1 ^ kk0; b2 = (y0 >>> 32) ^ b3 ^ kk1; b1 = y2; b3 = y0;
                e0 = (z2 >>> 32) ^ e1 ^ kk0; e2 = (z0 >>> 32) ^ e3 ^ kk1; e1 = z2; e3 = z0;
                d0 = (t2 >>> 32) ^ d1 ^ kk0; d2 = (t0 >>> 32) ^ d3 ^ kk1; d1 = t2; d3 = t0;
            }
            Store8(a0, a1, a2, a3, b0, b1, b2, b3, ref dst, 2 * done);
            Store8(e0, e1, e2, e3, d0, d1, d2, d3, ref dst, 2 * (done + 8));
        }
        return done * 4;
    }

    /// <summary>Packs 4 even persons (e) and 4 odd persons (o) into 8 consecutive 4-word blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8(
        Vector256<ulong> e0, Vector256<ulong> e1, Vector256<ulong> e2, Vector256<ulong> e3,
        Vector256<ulong> o0, Vector256<ulong> o1, Vector256<ulong> o2, Vector256<ulong> o3,
        ref ulong dst, int offset)
    {
        // (w0, w1) and (w2, w3) pairs as 64-bit lanes: persons 0,2,4,6 in a/b, 1,3,5,7 in c/d.
        Vector256<ulong> a = Avx2.Blend(e0.AsUInt32(), (e1 << 32).AsUInt32(), 0b1010_1010).AsUInt64();
        Vector256<ulong> b = Avx2.Blend(e2.AsUInt32(), (e3 << 32).AsUInt32(), 0b1010_1010).AsUInt64();
        Vector256<ulong> c = Avx2.Blend(o0.AsUInt32(), (o1 << 32).AsUInt32(), 0b1010_1010).AsUInt64();
        Vector256<ulong> d = Avx2.Blend(o2.AsUInt32(), (o3 << 32).AsUInt32(), 0b1010_1010).AsUInt64();
        Vector256<ulong> lab = Avx2.UnpackLow(a, b);  // persons 0 | 4
        Vector256<ulong> hab = Avx2.UnpackHigh(a, b); // persons 2 | 6
        Vector256<ulong> lcd = Avx2.UnpackLow(c, d);  // persons 1 | 5
        Vector256<ulong> hcd = Avx2.UnpackHigh(c, d); // persons 3 | 7
        Avx2.Permute2x128(lab, lcd, 0x20).StoreUnsafe(ref dst, (nuint)offset);        // 0, 1
        Avx2.Permute2x128(hab, hcd, 0x20).StoreUnsafe(ref dst, (nuint)(offset + 4));  // 2, 3
        Avx2.Permute2x128(lab, lcd, 0x31).StoreUnsafe(ref dst, (nuint)(offset + 8));  // 4, 5
        Avx2.Permute2x128(hab, hcd, 0x31).StoreUnsafe(ref dst, (nuint)(offset + 12)); // 6, 7
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: fully optimised at once, never run unoptimised (docs/performance.md, issue 26)
    private static int FillAvx512<TPersons>(TPersons persons, uint c1, uint c2, uint c3, uint k0, uint k1, Span<uint> blocks)
        where TPersons : IPersonCounters, allows ref struct
    {
        int n = blocks.Length >> 2;
        ref ulong dst = ref Unsafe.As<uint, ulong>(ref MemoryMarshal.GetReference(blocks));

        ulong q = (ulong)M1 * c2;
        Vector512<ulong> r1c0 = Vector512.Create((ulong)((uint)(q >> 32) ^ c1 ^ k0));
        Vector512<ulong> r1c1 = Vector512.Create((ulong)(uint)q);
        Vector512<ulong> c3k1 = Vector512.Create((ulong)(c3 ^ k1));
        Vector512<uint> m0 = Vector512.Create((ulong)M0).AsUInt32();
        Vector512<uint> m1 = Vector512.Create((ulong)M1).AsUInt32();
        Vector512<ulong> w0 = Vector512.Create((ulong)W0);
        Vector512<ulong> w1 = Vector512.Create((ulong)W1);
        Vector512<ulong> key0 = Vector512.Create((ulong)k0);
        Vector512<ulong> key1 = Vector512.Create((ulong)k1);

        int done = 0;
        for (; done + 32 <= n; done += 32)
        {
            Vector512<ulong> first16 = persons.Load16(done).AsUInt64(), next16 = persons.Load16(done + 16).AsUInt64();
            Vector512<ulong> pa = Avx512F.Multiply(first16.AsUInt32(), m0);
            Vector512<ulong> pb = Avx512F.Multiply((first16 >>> 32).AsUInt32(), m0);
            Vector512<ulong> pc = Avx512F.Multiply(next16.AsUInt32(), m0);
            Vector512<ulong> pd = Avx512F.Multiply((next16 >>> 32).AsUInt32(), m0);
            Vector512<ulong> a0 = r1c0, a1 = r1c1, a2 = (pa >>> 32) ^ c3k1, a3 = pa;
            Vector512<ulong> b0 = r1c0, b1 = r1c1, b2 = (pb >>> 32) ^ c3k1, b3 = pb;
            Vector512<ulong> e0 = r1c0, e1 = r1c1, e2 = (pc >>> 32) ^ c3k1, e3 = pc;
            Vector512<ulong> d0 = r1c0, d1 = r1c1, d2 = (pd >>> 32) ^ c3k1, d3 = pd;
            Vector512<ulong> kk0 = key0, kk1 = key1;
            for (int r = 1; r < 10; r++)
            {
                kk0 += w0;
                kk1 += w1;
                Vector512<ulong> x0 = Avx512F.Multiply(a0.AsUInt32(), m0), x2 = Avx512F.Multiply(a2.AsUInt32(), m1);
                Vector512<ulong> y0 = Avx512F.Multiply(b0.AsUInt32(), m0), y2 = Avx512F.Multiply(b2.AsUInt32(), m1);
                Vector512<ulong> z0 = Avx512F.Multiply(e0.AsUInt32(), m0), z2 = Avx512F.Multiply(e2.AsUInt32(), m1);
                Vector512<ulong> t0 = Avx512F.Multiply(d0.AsUInt32(), m0), t2 = Avx512F.Multiply(d2.AsUInt32(), m1);
                // 0x96 is the truth table of a ^ b ^ c (one vpternlogq instead of two xors).
                a0 = Avx512F.TernaryLogic(x2 >>> 32, a1, kk0, 0x96); a2 = Avx512F.TernaryLogic(x0 >>> 32, a3, kk1, 0x96); a1 = x2; a3 = x0;
                b0 = Avx512F.TernaryLogic(y2 >>> 32, b1, kk0, 0x96); b2 = Avx512F.TernaryLogic(y0 >>> 32, b3, kk1, 0x96); b1 = y2; b3 = y0;
                e0 = Avx512F.TernaryLogic(z2 >>> 32, e1, kk0, 0x96); e2 = Avx512F.TernaryLogic(z0 >>> 32, e3, kk1, 0x96); e1 = z2; e3 = z0;
                d0 = Avx512F.TernaryLogic(t2 >>> 32, d1, kk0, 0x96); d2 = Avx512F.TernaryLogic(t0 >>> 32, d3, kk1, 0x96); d1 = t2; d3 = t0;
            }
            Store16(a0, a1, a2, a3, b0, b1, b2, b3, ref dst, 2 * done);
            Store16(e0, e1, e2, e3, d0, d1, d2, d3, ref dst, 2 * (done + 16));
        }
        return done * 4;
    }

    /// <summary>Packs 8 even persons (e) and 8 odd persons (o) into 16 consecutive 4-word blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store16(
        Vector512<ulong> e0, Vector512<ulong> e1, Vector512<ulong> e2, Vector512<ulong> e3,
        Vector512<ulong> o0, Vector512<ulong> o1, Vector512<ulong> o2, Vector512<ulong> o3,
        ref ulong dst, int offset)
    {
        Vector512<ulong> low = Vector512.Create(0xFFFF_FFFFUL);
        Vector512<ulong> a = Vector512.ConditionalSelect(low, e0, e1 << 32);
        Vector512<ulong> b = Vector512.ConditionalSelect(low, e2, e3 << 32);
        Vector512<ulong> c = Vector512.ConditionalSelect(low, o0, o1 << 32);
        Vector512<ulong> d = Vector512.ConditionalSelect(low, o2, o3 << 32);
        Vector512<ulong> lab = Avx512F.UnpackLow(a, b);  // persons 0 | 4 | 8 | 12
        Vector512<ulong> hab = Avx512F.UnpackHigh(a, b); // persons 2 | 6 | 10 | 14
        Vector512<ulong> lcd = Avx512F.UnpackLow(c, d);  // persons 1 | 5 | 9 | 13
        Vector512<ulong> hcd = Avx512F.UnpackHigh(c, d); // persons 3 | 7 | 11 | 15
        Vector512<ulong> s0 = Avx512F.Shuffle4x128(lab, lcd, 0b01_00_01_00); // 0 4 1 5
        Vector512<ulong> s1 = Avx512F.Shuffle4x128(hab, hcd, 0b01_00_01_00); // 2 6 3 7
        Vector512<ulong> s2 = Avx512F.Shuffle4x128(lab, lcd, 0b11_10_11_10); // 8 12 9 13
        Vector512<ulong> s3 = Avx512F.Shuffle4x128(hab, hcd, 0b11_10_11_10); // 10 14 11 15
        Avx512F.Shuffle4x128(s0, s1, 0b10_00_10_00).StoreUnsafe(ref dst, (nuint)offset);        // 0..3
        Avx512F.Shuffle4x128(s0, s1, 0b11_01_11_01).StoreUnsafe(ref dst, (nuint)(offset + 8));  // 4..7
        Avx512F.Shuffle4x128(s2, s3, 0b10_00_10_00).StoreUnsafe(ref dst, (nuint)(offset + 16)); // 8..11
        Avx512F.Shuffle4x128(s2, s3, 0b11_01_11_01).StoreUnsafe(ref dst, (nuint)(offset + 24)); // 12..15
    }
}
