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
}
