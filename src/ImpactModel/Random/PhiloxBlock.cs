namespace ImpactModel.Random;

/// <summary>One Philox4x32-10 output: four independent, uniformly distributed 32-bit words.</summary>
public readonly record struct PhiloxBlock(uint W0, uint W1, uint W2, uint W3);

/// <summary>Which implementation of Philox4x32-10 fills a span. All give the same bits.</summary>
public enum PhiloxPath
{
    /// <summary>Portable scalar code (the reference).</summary>
    Scalar = 0,

    /// <summary>256-bit System.Runtime.Intrinsics.X86.Avx2: 8 blocks per vector, 16 per step.</summary>
    Avx2 = 1,

    /// <summary>512-bit System.Runtime.Intrinsics.X86.Avx512F: 16 blocks per vector, 32 per step.</summary>
    Avx512 = 2,
}
