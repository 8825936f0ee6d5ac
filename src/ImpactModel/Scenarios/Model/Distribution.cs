using System.Globalization;

namespace ImpactModel.Scenarios.Model;

/// <summary>
/// A parameter's value: a fixed number or a distribution drawn once per replicate, written in
/// scenarios as <c>0.02</c>, <c>uniform(a, b)</c>, <c>triangular(min, mode, max)</c>,
/// <c>beta(alpha, beta)</c>, <c>normal(mean, sd)</c> or <c>lognormal(mean, sd)</c> (the mean and
/// standard deviation of the variable itself, on its natural scale).
/// </summary>
public abstract record Distribution
{
    /// <summary>The expected value.</summary>
    public abstract double Mean { get; }

    /// <summary>The smallest value the distribution can take (may be -infinity).</summary>
    public abstract double SupportMin { get; }

    /// <summary>The largest value the distribution can take (may be +infinity).</summary>
    public abstract double SupportMax { get; }

    /// <summary>True when the value is not uncertain.</summary>
    public virtual bool IsFixed => false;

    protected static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A known value.</summary>
public sealed record FixedValue(double Value) : Distribution
{
    public override double Mean => Value;
    public override double SupportMin => Value;
    public override double SupportMax => Value;
    public override bool IsFixed => true;
    public override string ToString() => F(Value);
}

/// <summary>Uniform on [Min, Max].</summary>
public sealed record UniformDistribution(double Min, double Max) : Distribution
{
    public override double Mean => (Min + Max) / 2;
    public override double SupportMin => Min;
    public override double SupportMax => Max;
    public override string ToString() => $"uniform({F(Min)}, {F(Max)})";
}

/// <summary>Triangular on [Min, Max] with its peak at Mode.</summary>
public sealed record TriangularDistribution(double Min, double Mode, double Max) : Distribution
{
    public override double Mean => (Min + Mode + Max) / 3;
    public override double SupportMin => Min;
    public override double SupportMax => Max;
    public override string ToString() => $"triangular({F(Min)}, {F(Mode)}, {F(Max)})";
}

/// <summary>Beta(Alpha, Beta) on [0, 1]; mean Alpha / (Alpha + Beta).</summary>
public sealed record BetaDistribution(double Alpha, double Beta) : Distribution
{
    public override double Mean => Alpha / (Alpha + Beta);
    public override double SupportMin => 0;
    public override double SupportMax => 1;
    public override string ToString() => $"beta({F(Alpha)}, {F(Beta)})";
}

/// <summary>Normal with the given mean and standard deviation; unbounded.</summary>
public sealed record NormalDistribution(double MeanValue, double StandardDeviation) : Distribution
{
    public override double Mean => MeanValue;
    public override double SupportMin => double.NegativeInfinity;
    public override double SupportMax => double.PositiveInfinity;
    public override string ToString() => $"normal({F(MeanValue)}, {F(StandardDeviation)})";
}

/// <summary>
/// Lognormal given by the mean and standard deviation of the variable itself (natural scale),
/// not of its logarithm: <c>lognormal(400, 150)</c> has mean 400 and standard deviation 150.
/// </summary>
public sealed record LogNormalDistribution(double MeanValue, double StandardDeviation) : Distribution
{
    public override double Mean => MeanValue;
    public override double SupportMin => 0;
    public override double SupportMax => double.PositiveInfinity;

    public override string ToString() => $"lognormal({F(MeanValue)}, {F(StandardDeviation)})";
}
