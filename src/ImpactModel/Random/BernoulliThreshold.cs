using System.Runtime.CompilerServices;

namespace ImpactModel.Random;

/// <summary>
/// A probability turned once into an integer threshold on a 32-bit random word, so the hot loop
/// decides an event with one integer compare and no conversion to double.
/// </summary>
/// <remarks>
/// The event is <c>word &lt; Threshold</c> with Threshold = round(p · 2^32) in [0, 2^32]; its exact
/// probability is Threshold / 2^32, within 2^-33 ≈ 1.2e-10 of p. p = 0 never fires and p = 1 always
/// fires (the threshold is a 64-bit value so that 2^32 is representable).
/// </remarks>
public readonly record struct BernoulliThreshold
{
    private const double TwoTo32 = 4294967296.0;

    private BernoulliThreshold(ulong threshold) => Threshold = threshold;

    /// <summary>Number of 32-bit words, out of 2^32, that count as the event.</summary>
    public ulong Threshold { get; }

    /// <summary>The exact probability of the event: Threshold / 2^32.</summary>
    public double Probability => Threshold / TwoTo32;

    /// <summary>The threshold of probability <paramref name="p"/>, which must lie in [0, 1].</summary>
    public static BernoulliThreshold FromProbability(double p)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability lies in [0, 1]");
        return new BernoulliThreshold((ulong)Math.Round(p * TwoTo32));
    }

    /// <summary>The threshold of <paramref name="p"/> clamped to [0, 1]: the event is <c>word &lt; Cut(p)</c>.</summary>
    public static ulong Cut(double p) => FromProbability(Math.Clamp(p, 0, 1)).Threshold;

    /// <summary>Whether a uniformly random 32-bit word falls in the event.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per draw
    public bool Test(uint word) => word < Threshold;
}
