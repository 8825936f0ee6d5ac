using System.Globalization;

namespace ImpactModel.Pilot;

/// <summary>
/// The error rates every design shares: <see cref="Alpha"/>, the chance of declaring an effect that
/// is not there, in (0, 1); <see cref="Sides"/>, 1 or 2 (a two-sided test splits alpha between the
/// tails); and <see cref="Power"/>, the target chance of detecting the effect, in (alpha, 1).
/// </summary>
public sealed record PowerSettings(double Alpha = 0.05, int Sides = 2, double Power = 0.8)
{
    /// <summary>Throws <see cref="PowerInputException"/> naming the first bad setting.</summary>
    public PowerSettings Validated()
    {
        Check.Probability("alpha", Alpha);
        if (Sides is not (1 or 2))
            throw new PowerInputException("sides", $"--sides must be 1 or 2 (got {Sides.ToString(CultureInfo.InvariantCulture)})");
        Check.Probability("power", Power);
        if (!(Power > Alpha))
            throw new PowerInputException("power",
                $"--power ({Check.Show(Power)}) must be above --alpha ({Check.Show(Alpha)}): a test detects nothing with power at or below its false-alarm rate");
        return this;
    }

    /// <summary>z with P(Z &gt; z) = alpha / sides: the critical value of the test.</summary>
    public double ZAlpha => Normal.UpperQuantile(Alpha / Sides);

    /// <summary>z with P(Z ≤ z) = power.</summary>
    public double ZBeta => Normal.Quantile(Power);
}

/// <summary>Range checks that name the option at fault.</summary>
internal static class Check
{
    public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A value strictly inside (0, 1).</summary>
    public static void Probability(string option, double value)
    {
        if (!(value > 0 && value < 1))
            throw new PowerInputException(option, $"--{option} must be strictly between 0 and 1 (got {Show(value)})");
    }

    public static void Positive(string option, double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new PowerInputException(option, $"--{option} must be a positive finite number (got {Show(value)})");
    }

    public static void AtLeast(string option, double value, double minimum)
    {
        if (!(value >= minimum) || double.IsInfinity(value))
            throw new PowerInputException(option, $"--{option} must be at least {Show(minimum)} (got {Show(value)})");
    }

    public static void Finite(string name, double value)
    {
        if (!double.IsFinite(value))
            throw new PowerInputException(name, $"the {name} cannot be computed from these inputs (it is not finite)");
    }

    /// <summary>
    /// The largest size (people, areas or person-time per arm) any design reports: 2^53, above which
    /// not every whole number is a double, so a size and its rounded-up count could disagree (and JSON
    /// readers that hold numbers as doubles, such as JavaScript, would misread the count). It is about
    /// a million times the world's population, so a size beyond it is unreachable in practice.
    /// </summary>
    public const double MaxSize = 9_007_199_254_740_992;

    /// <summary>
    /// The one rule for sizes, in every design: a solved or given size that is not finite or is above
    /// <see cref="MaxSize"/> is refused (exit 2 with this line) rather than clamped or printed as null.
    /// <paramref name="what"/> names the quantity ("people per arm"); <paramref name="why"/> says which
    /// input makes it so large.
    /// </summary>
    public static void Size(string option, string what, double size, string why)
    {
        if (!(size <= MaxSize)) // also catches NaN and +infinity
            throw new PowerInputException(option,
                $"unreachable: the pilot would need {(double.IsNaN(size) ? "an incalculable number of" : Show(size))} {what}, more than 2^53 " +
                $"(about 9.0E+15, the largest size reported); {why}");
    }

    /// <summary>2^−1022, the smallest positive double with full precision (IEEE 754 binary64); below it, subnormals.</summary>
    private const double SmallestNormal = 2.2250738585072014E-308;

    /// <summary>
    /// A computed quantity that must be a positive, finite, normal double; otherwise the inputs are
    /// too extreme for double-precision arithmetic (an overflow to infinity, or an underflow to 0 or to
    /// a subnormal that keeps only a few digits) and the answer would be wrong, so it is refused.
    /// </summary>
    public static void Representable(string option, string what, double value, string inputs)
    {
        if (!(value >= SmallestNormal) || double.IsInfinity(value)) // NaN fails the first test
            throw new PowerInputException(option,
                $"{inputs} are too extreme for double-precision arithmetic: the {what} would be {Show(value)}; check them, or state them in a unit nearer 1");
    }
}
