using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ImpactModel.Random;

/// <summary>
/// A categorical draw by cumulative integer cuts: category k holds the words w with
/// cut[k − 1] ≤ w &lt; cut[k] (cut[−1] = 0, the last cut 2^32). <see cref="Of"/> counts the cuts at or
/// below a word without a branch, four at a time with AVX2 compares: the category is random for
/// every person, so a searching loop would mispredict. Integer compares only, so every path gives
/// the same category.
/// </summary>
internal sealed class CategoryCuts
{
    // The cuts that bound categories from below (all but the last), as longs, padded to a multiple of
    // four with long.MaxValue, which no word reaches.
    private readonly long[] _cuts;

    /// <param name="cumulative">Cumulative cuts on the 2^32 scale, non-decreasing, the last 2^32.</param>
    public CategoryCuts(ulong[] cumulative)
    {
        ArgumentNullException.ThrowIfNull(cumulative);
        Categories = cumulative.Length;
        int inner = Math.Max(0, cumulative.Length - 1);
        _cuts = new long[(inner + 3) & ~3];
        for (int j = 0; j < _cuts.Length; j++)
            _cuts[j] = j < inner ? (long)Math.Min(cumulative[j], 1UL << 32) : long.MaxValue;
    }

    /// <summary>The number of categories.</summary>
    public int Categories { get; }

    /// <summary>The category of <paramref name="word"/>: how many cuts lie at or below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per attribute
    public int Of(uint word)
    {
        long[] cuts = _cuts;
        ref long c = ref MemoryMarshal.GetArrayDataReference(cuts);
        int above = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<long> w = Vector256.Create((long)word);
            for (int j = 0; j < cuts.Length; j += 4)
                above += BitOperations.PopCount(Vector256.GreaterThan(Vector256.LoadUnsafe(ref c, (nuint)j), w).ExtractMostSignificantBits());
        }
        else
        {
            for (int j = 0; j < cuts.Length; j++)
                above += Unsafe.Add(ref c, j) > word ? 1 : 0;
        }

        return cuts.Length - above;
    }
}
