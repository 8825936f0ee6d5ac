using ImpactModel.Scenarios.Model;

namespace ImpactModel.MonteCarlo;

/// <summary>
/// Values that replace parameters' draws, by path: a parameter pinned here is drawn as the fixed
/// value, whatever its distribution or spread by grade. The sensitivity analysis evaluates a
/// scenario with every uncertain parameter at its median and one at a percentile
/// (<c>Review.SensitivityAnalysis</c>); nothing else pins. Applied wherever a replicate's
/// parameters are drawn (the population, the linkages, the strands' draws), after a variant's
/// override, so the pinned value holds in every variant.
/// </summary>
public sealed class ParameterPins
{
    /// <summary>No parameter pinned: every draw as the run makes it.</summary>
    public static readonly ParameterPins None = new(new Dictionary<string, double>(StringComparer.Ordinal));

    private readonly Dictionary<string, double> _values;

    /// <param name="values">The pinned value of each parameter path.</param>
    public ParameterPins(IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, double>(values, StringComparer.Ordinal);
    }

    /// <summary>Parameters pinned.</summary>
    public int Count => _values.Count;

    /// <summary><paramref name="parameter"/> itself, or a copy held at its pinned value.</summary>
    public Parameter Apply(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return _values.Count != 0 && _values.TryGetValue(parameter.Path, out double value)
            ? parameter with { Value = new FixedValue(value), Spread = 0 }
            : parameter;
    }

    /// <summary>The replicate's value of <paramref name="parameter"/>: its pinned value, or its draw.</summary>
    public double Draw(Parameter parameter, ulong seed, int replicate) => ParameterSampler.Draw(Apply(parameter), seed, replicate);
}
