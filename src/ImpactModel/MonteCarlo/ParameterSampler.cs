using ImpactModel.Random;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.MonteCarlo;

/// <summary>
/// Draws a scenario parameter's value for one replicate: the same value for every variant of
/// that replicate, and a pure function of (seed, replicate, parameter path). The path, not the
/// order of declaration, picks the counter, so adding a parameter to a scenario never shifts the
/// draws of the others.
/// </summary>
public static class ParameterSampler
{
    /// <summary>
    /// The replicate's value of <paramref name="parameter"/>: a declared distribution drawn; a single
    /// number spread by its grade (<see cref="Parameter.Spread"/>) drawn around it; any other fixed value as is.
    /// </summary>
    public static double Draw(Parameter parameter, ulong seed, int replicate)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter.Value is FixedValue f && !(parameter.Spread > 0 && parameter.Kind is not null))
            return f.Value;
        RngKey key = RngKey.From(seed, replicate, RngStream.Parameters);
        if (parameter.Value is FixedValue single)
            return Spread(single.Value, parameter.Spread, parameter.Kind!.Value, StandardNormal.Sample(key, PathIndex(parameter.DrawPath)));
        return ToSampler(parameter.Value).Sample(key, PathIndex(parameter.Path));
    }

    private static readonly Random.NormalDistribution StandardNormal = new(0, 1);

    /// <summary>
    /// The variance across replicates of <paramref name="parameter"/>'s value: its distribution's, or
    /// for a single number spread by grade that of <see cref="Spread"/> — exact for amounts (x²(e^σ² − 1))
    /// and real numbers ((σx)²), by the delta method for a probability ((p(1 − p)σ)², the logit-normal
    /// having no closed form); 0 for a value held as written.
    /// </summary>
    public static double Variance(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter.Value is not FixedValue f)
            return ToSampler(parameter.Value).Variance;
        if (!(parameter.Spread > 0) || parameter.Kind is not { } kind)
            return 0;
        double x = f.Value, s = parameter.Spread;
        return kind switch
        {
            ParameterKind.Probability => x * (1 - x) * s * x * (1 - x) * s,
            ParameterKind.Real => s * x * s * x,
            _ => x * x * (DeterministicMath.Exp(s * s) - 1),
        };
    }

    /// <summary>
    /// A single number <paramref name="x"/> of <paramref name="kind"/> moved by a standard normal
    /// <paramref name="z"/> with spread <paramref name="sigma"/> (docs/scenario-format.md, "Uncertainty
    /// by grade"): a probability on the log-odds scale, logit p + σz (its median kept; 0 and 1 stay);
    /// an amount, count mean or ratio by the lognormal factor exp(σz − σ²/2) (its mean kept, coefficient
    /// of variation √(e^σ² − 1); 0 stays); a real number by x + σ|x|z.
    /// </summary>
    public static double Spread(double x, double sigma, ParameterKind kind, double z)
    {
        switch (kind)
        {
            case ParameterKind.Probability:
                if (!(x > 0 && x < 1))
                    return x;
                return DeterministicMath.Expit(DeterministicMath.Log(x / (1 - x)) + sigma * z);
            case ParameterKind.Real:
                return x + sigma * Math.Abs(x) * z;
            default:
                double moved = x * DeterministicMath.Exp(sigma * z - 0.5 * sigma * sigma);
                return kind == ParameterKind.PoissonMean ? Math.Min(moved, Philox.PoissonMeanLimit) : moved;
        }
    }

    /// <summary>The random-stream form of a scenario distribution.</summary>
    public static ParameterDistribution ToSampler(Distribution distribution) => distribution switch
    {
        FixedValue f => new FixedDistribution(f.Value),
        Scenarios.Model.UniformDistribution u => new Random.UniformDistribution(u.Min, u.Max),
        Scenarios.Model.TriangularDistribution t => new Random.TriangularDistribution(t.Min, t.Mode, t.Max),
        Scenarios.Model.BetaDistribution b => new Random.BetaDistribution(b.Alpha, b.Beta),
        Scenarios.Model.NormalDistribution n => new Random.NormalDistribution(n.MeanValue, n.StandardDeviation),
        Scenarios.Model.LogNormalDistribution l => new Random.LogNormalDistribution(l.MeanValue, l.StandardDeviation),
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "unknown distribution"),
    };

    /// <summary>
    /// A stable 32-bit index for a parameter path (FNV-1a over its UTF-16 code units), so the
    /// counter depends on the name alone. Two paths sharing an index would share a draw; at a few
    /// hundred parameters the chance is about 1e-5, and <see cref="PathIndex"/>'s callers that
    /// hold a whole scenario can check with <see cref="Collisions"/>.
    /// </summary>
    public static long PathIndex(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        uint hash = 2166136261;
        foreach (char c in path)
        {
            hash ^= c;
            hash *= 16777619;
        }

        return hash;
    }

    /// <summary>Pairs of paths in <paramref name="paths"/> whose indices coincide.</summary>
    public static IEnumerable<(string, string)> Collisions(IEnumerable<string> paths)
    {
        var seen = new Dictionary<long, string>();
        foreach (string p in paths)
        {
            long index = PathIndex(p);
            if (seen.TryGetValue(index, out var other) && other != p)
                yield return (other, p);
            else
                seen[index] = p;
        }
    }
}
