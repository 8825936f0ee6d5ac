using System.Runtime.CompilerServices;
using ImpactModel.MonteCarlo;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.StrandKit;

/// <summary>
/// A per-person quantity (an overpayment, monthly earnings, days to resolution) read from a
/// scenario parameter. A <c>lognormal</c>, <c>triangular</c> or <c>uniform</c> value is the spread
/// across persons: each person draws from it. A fixed value, or any other form (whose value is then
/// drawn once per replicate, like every parameter), is the same for every person.
/// </summary>
public readonly struct PersonDistribution
{
    private readonly int _kind; // 0 constant, 1 lognormal, 2 triangular, 3 uniform
    private readonly double _a, _b, _c;

    private PersonDistribution(int kind, double a, double b, double c)
    {
        _kind = kind;
        _a = a;
        _b = b;
        _c = c;
    }

    /// <summary>True when each person draws their own value; false for one value for everyone (drawn per replicate).</summary>
    public bool VariesByPerson => _kind != 0;

    /// <summary>The mean over persons, GBP or days.</summary>
    public double Mean => _kind switch
    {
        1 => DeterministicMath.Exp(_a + 0.5 * _b * _b),
        2 => (_a + _b + _c) / 3,
        3 => (_a + _b) / 2,
        _ => _a,
    };

    public static PersonDistribution Of(Parameter parameter, ulong seed, int replicate) => parameter.Value switch
    {
        Scenarios.Model.LogNormalDistribution l when l.StandardDeviation > 0 => FromLogNormal(l),
        Scenarios.Model.TriangularDistribution t when t.Max > t.Min => new PersonDistribution(2, t.Min, t.Mode, t.Max),
        Scenarios.Model.UniformDistribution u when u.Max > u.Min => new PersonDistribution(3, u.Min, u.Max, 0),
        _ => new PersonDistribution(0, Math.Max(0, ParameterSampler.Draw(parameter, seed, replicate)), 0, 0),
    };

    private static PersonDistribution FromLogNormal(Scenarios.Model.LogNormalDistribution l)
    {
        LogNormalShape s = LogNormalShape.FromMeanSd(l.MeanValue, l.StandardDeviation);
        return new PersonDistribution(1, s.Mu, s.Sigma, 0);
    }

    /// <summary>The person's value from one Philox block (the whole block: Box–Muller for the lognormal, words 0–1 otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per claimant per quantity
    public double Sample(PhiloxBlock block)
    {
        switch (_kind)
        {
            case 1:
                return DeterministicMath.Exp(_a + _b * Philox.ToNormal(block));
            case 2:
            {
                // Inverse CDF of the triangular distribution (min a, mode b, max c).
                double u = Philox.ToUniform01(block.W0, block.W1), a = _a, m = _b, c = _c;
                double split = (m - a) / (c - a);
                return u < split ? a + Math.Sqrt(u * (c - a) * (m - a)) : c - Math.Sqrt((1 - u) * (c - a) * (c - m));
            }

            case 3:
                return _a + (_b - _a) * Philox.ToUniform01(block.W0, block.W1);
            default:
                return _a;
        }
    }
}
