using System.Globalization;

namespace ImpactModel.Random;

/// <summary>
/// The distribution of an uncertain scenario parameter, drawn once per replicate (PRODUCT.md:
/// <c>uniform(a, b)</c>, <c>triangular(min, mode, max)</c>, <c>beta(a, b)</c>, <c>normal(m, sd)</c>,
/// <c>lognormal(mean, sd)</c>, or a fixed value). Independent of the scenario model: the caller maps
/// its parsed values to these records.
/// </summary>
/// <remarks>
/// Draw a replicate's value with the key of the <see cref="RngStream.Parameters"/> stream of that
/// replicate and a distinct index per parameter, e.g.
/// <c>dist.Sample(RngKey.From(seed, replicate, RngStream.Parameters), parameterIndex)</c>; adding a
/// parameter then never shifts the others. Constructors check the arguments and throw
/// <see cref="ArgumentOutOfRangeException"/>: validate user input before, with file positions.
/// </remarks>
public abstract record ParameterDistribution
{
    /// <summary>E[X].</summary>
    public abstract double Expectation { get; }

    /// <summary>Var[X].</summary>
    public abstract double Variance { get; }

    /// <summary>The value for one (key, index, draw): a pure function of them.</summary>
    /// <param name="key">Usually the <see cref="RngStream.Parameters"/> stream of the replicate.</param>
    /// <param name="index">The parameter's number, in [0, 2^32).</param>
    /// <param name="draw">Draw index (0 unless a parameter needs several independent values).</param>
    public abstract double Sample(in RngKey key, long index, uint draw = 0);

    private protected static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private protected static void Finite(double x, string name)
    {
        if (!double.IsFinite(x))
            throw new ArgumentOutOfRangeException(name, x, "a distribution parameter is a finite number");
    }
}

/// <summary>A parameter known exactly.</summary>
public sealed record FixedDistribution : ParameterDistribution
{
    /// <summary>The value, finite.</summary>
    public FixedDistribution(double value)
    {
        Finite(value, nameof(value));
        Value = value;
    }

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <inheritdoc/>
    public override double Expectation => Value;

    /// <inheritdoc/>
    public override double Variance => 0;

    /// <inheritdoc/>
    public override double Sample(in RngKey key, long index, uint draw = 0) => Value;

    /// <summary>The value, invariant culture, round-trip.</summary>
    public override string ToString() => F(Value);
}

/// <summary><c>uniform(min, max)</c>: min + (max − min) u, u uniform in (0, 1).</summary>
public sealed record UniformDistribution : ParameterDistribution
{
    /// <summary>The uniform on (min, max), min &lt; max.</summary>
    public UniformDistribution(double min, double max)
    {
        Finite(min, nameof(min));
        Finite(max, nameof(max));
        if (!(min < max))
            throw new ArgumentOutOfRangeException(nameof(max), max, "uniform(a, b) needs a < b");
        Min = min;
        Max = max;
    }

    /// <summary>Lower end.</summary>
    public double Min { get; }

    /// <summary>Upper end.</summary>
    public double Max { get; }

    /// <inheritdoc/>
    public override double Expectation => 0.5 * (Min + Max);

    /// <inheritdoc/>
    public override double Variance => (Max - Min) * (Max - Min) / 12;

    /// <inheritdoc/>
    public override double Sample(in RngKey key, long index, uint draw = 0)
        => Min + (Max - Min) * Philox.Uniform01(key, index, draw);

    /// <summary><c>uniform(a, b)</c>.</summary>
    public override string ToString() => $"uniform({F(Min)}, {F(Max)})";
}

/// <summary>
/// <c>triangular(min, mode, max)</c> by inverting its CDF (e.g. Kotz and van Dorp 2004, Beyond Beta,
/// ch. 1): with F_c = (c − a)/(b − a), x = a + √(u (b − a)(c − a)) for u &lt; F_c, else
/// b − √((1 − u)(b − a)(b − c)).
/// </summary>
public sealed record TriangularDistribution : ParameterDistribution
{
    /// <summary>The triangular distribution; min ≤ mode ≤ max and min &lt; max.</summary>
    public TriangularDistribution(double min, double mode, double max)
    {
        Finite(min, nameof(min));
        Finite(mode, nameof(mode));
        Finite(max, nameof(max));
        if (!(min <= mode && mode <= max && min < max))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "triangular(min, mode, max) needs min <= mode <= max and min < max");
        Min = min;
        Mode = mode;
        Max = max;
    }

    /// <summary>Lower end a.</summary>
    public double Min { get; }

    /// <summary>Mode c.</summary>
    public double Mode { get; }

    /// <summary>Upper end b.</summary>
    public double Max { get; }

    /// <inheritdoc/>
    public override double Expectation => (Min + Mode + Max) / 3;

    /// <inheritdoc/>
    public override double Variance
        => (Min * Min + Mode * Mode + Max * Max - Min * Mode - Min * Max - Mode * Max) / 18;

    /// <inheritdoc/>
    public override double Sample(in RngKey key, long index, uint draw = 0)
    {
        double u = Philox.Uniform01(key, index, draw);
        double width = Max - Min;
        double fc = (Mode - Min) / width;
        return u < fc
            ? Min + Math.Sqrt(u * width * (Mode - Min))
            : Max - Math.Sqrt((1 - u) * width * (Max - Mode));
    }

    /// <summary><c>triangular(min, mode, max)</c>.</summary>
    public override string ToString() => $"triangular({F(Min)}, {F(Mode)}, {F(Max)})";
}

/// <summary><c>beta(a, b)</c> on (0, 1), via two gamma variates (<see cref="Philox.Beta"/>).</summary>
public sealed record BetaDistribution : ParameterDistribution
{
    /// <summary>The beta distribution with shapes a, b &gt; 0.</summary>
    public BetaDistribution(double alpha, double beta)
    {
        if (!(alpha > 0) || !double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "beta(a, b) needs a > 0");
        if (!(beta > 0) || !double.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta(a, b) needs b > 0");
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>First shape a.</summary>
    public double Alpha { get; }

    /// <summary>Second shape b.</summary>
    public double Beta { get; }

    /// <inheritdoc/>
    public override double Expectation => Alpha / (Alpha + Beta);

    /// <inheritdoc/>
    public override double Variance
        => Alpha * Beta / ((Alpha + Beta) * (Alpha + Beta) * (Alpha + Beta + 1));

    /// <inheritdoc/>
    public override double Sample(in RngKey key, long index, uint draw = 0)
        => Philox.Beta(key, index, draw, Alpha, Beta);

    /// <summary><c>beta(a, b)</c>.</summary>
    public override string ToString() => $"beta({F(Alpha)}, {F(Beta)})";
}

/// <summary><c>normal(m, sd)</c> by Box–Muller (<see cref="Philox.ToNormal"/>).</summary>
public sealed record NormalDistribution : ParameterDistribution
{
    /// <summary>The normal distribution with mean m and standard deviation sd ≥ 0.</summary>
    public NormalDistribution(double mean, double standardDeviation)
    {
        Finite(mean, nameof(mean));
        Finite(standardDeviation, nameof(standardDeviation));
        if (standardDeviation < 0)
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "normal(m, sd) needs sd >= 0");
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    /// <summary>Mean m.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation sd.</summary>
    public double StandardDeviation { get; }

    /// <inheritdoc/>
    public override double Expectation => Mean;

    /// <inheritdoc/>
    public override double Variance => StandardDeviation * StandardDeviation;

    /// <inheritdoc/>
    public override double Sample(in RngKey key, long index, uint draw = 0)
        => Philox.Normal(key, index, draw, Mean, StandardDeviation);

    /// <summary><c>normal(m, sd)</c>.</summary>
    public override string ToString() => $"normal({F(Mean)}, {F(StandardDeviation)})";
}

/// <summary>
/// <c>lognormal(mean, sd)</c>: mean and standard deviation of the variable itself, on its natural
/// scale (PRODUCT.md), converted once by <see cref="LogNormalShape.FromMeanSd"/>.
/// </summary>
public sealed record LogNormalDistribution : ParameterDistribution
{
    /// <summary>The lognormal with mean &gt; 0 and standard deviation ≥ 0 of the variable.</summary>
    public LogNormalDistribution(double mean, double standardDeviation)
    {
        Shape = LogNormalShape.FromMeanSd(mean, standardDeviation);
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    /// <summary>Mean of the variable.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation of the variable.</summary>
    public double StandardDeviation { get; }

    /// <summary>(μ, σ) of its logarithm.</summary>
    public LogNormalShape Shape { get; }

    /// <inheritdoc/>
    public override double Expectation => Mean;

    /// <inheritdoc/>
    public override double Variance => StandardDeviation * StandardDeviation;

    /// <inheritdoc/>
    public override double Sample(in RngKey key, long index, uint draw = 0)
        => Philox.LogNormal(key, index, draw, Shape);

    /// <summary><c>lognormal(mean, sd)</c>.</summary>
    public override string ToString() => $"lognormal({F(Mean)}, {F(StandardDeviation)})";
}
