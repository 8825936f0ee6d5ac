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
    /// <summary>The replicate's value of <paramref name="parameter"/>; a fixed value is returned as is.</summary>
    public static double Draw(Parameter parameter, ulong seed, int replicate)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter.Value is FixedValue f)
            return f.Value;
        RngKey key = RngKey.From(seed, replicate, RngStream.Parameters);
        return ToSampler(parameter.Value).Sample(key, PathIndex(parameter.Path));
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
