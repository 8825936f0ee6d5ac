using ImpactModel.MonteCarlo;
using ImpactModel.Pilot;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Review;

/// <summary>
/// The percentiles of a parameter's replicate draw (<see cref="ParameterSampler.Draw"/>): of its declared
/// distribution, or, for a single number spread by its evidence grade, of that spread (the spread is
/// monotone in its standard normal, so its p-quantile is the spread at the normal's p-quantile).
/// </summary>
public static class ParameterQuantiles
{
    /// <summary>The <paramref name="p"/>-quantile (0 &lt; p &lt; 1) of <paramref name="parameter"/>'s replicate draw.</summary>
    public static double Of(Parameter parameter, double p)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!(p > 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "a quantile's probability lies strictly between 0 and 1");
        return parameter.Value switch
        {
            FixedValue f when parameter.Spread > 0 && parameter.Kind is { } kind => ParameterSampler.Spread(f.Value, parameter.Spread, kind, Normal.Quantile(p)),
            FixedValue f => f.Value,
            Scenarios.Model.UniformDistribution u => u.Min + p * (u.Max - u.Min),
            Scenarios.Model.TriangularDistribution t => Triangular(t.Min, t.Mode, t.Max, p),
            Scenarios.Model.BetaDistribution b => Beta(b.Alpha, b.Beta, p),
            Scenarios.Model.NormalDistribution n => n.MeanValue + n.StandardDeviation * Normal.Quantile(p),
            Scenarios.Model.LogNormalDistribution l => LogNormal(l.MeanValue, l.StandardDeviation, p),
            _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter.Value, "unknown distribution"),
        };
    }

    /// <summary>The inverse of the triangular distribution's CDF: the same transform its sampler applies to a uniform.</summary>
    private static double Triangular(double min, double mode, double max, double p)
    {
        double width = max - min, fc = (mode - min) / width;
        return p < fc ? min + Math.Sqrt(p * width * (mode - min)) : max - Math.Sqrt((1 - p) * width * (max - mode));
    }

    /// <summary>The Beta(a, b) quantile: I_x(a, b) = p solved by bisection on [0, 1] to the last bit.</summary>
    private static double Beta(double a, double b, double p)
    {
        double lo = 0, hi = 1;
        for (int i = 0; i < 200 && hi - lo > 0; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
                break;
            if (Binomial.RegularizedBeta(mid, a, b) < p)
                lo = mid;
            else
                hi = mid;
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>A lognormal given by its own mean and standard deviation: exp(μ + σ z_p) with μ, σ from <see cref="LogNormalShape"/>.</summary>
    private static double LogNormal(double mean, double sd, double p)
    {
        LogNormalShape shape = LogNormalShape.FromMeanSd(mean, sd);
        return DeterministicMath.Exp(shape.Mu + shape.Sigma * Normal.Quantile(p));
    }
}
