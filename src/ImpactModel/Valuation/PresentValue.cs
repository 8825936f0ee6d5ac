using ImpactModel.Random;

namespace ImpactModel.Valuation;

/// <summary>
/// Present values of annual flows in the scenario's price year, as HM Treasury's Green Book
/// discounts them: a horizon of H years is years 0 … H − 1, year 0 is undiscounted and year t is
/// multiplied by 1 / (1 + r)^t (The Green Book 2022, section A6 "Discounting").
/// </summary>
public static class PresentValue
{
    /// <summary>1 / (1 + r)^t: the discount factor of year <paramref name="year"/> (0: undiscounted), as (1 + r)^−t by <see cref="DeterministicMath.Pow"/>.</summary>
    public static double Factor(int year, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(year);
        CheckRate(rate);
        return DeterministicMath.Pow(1 + rate, -year);
    }

    /// <summary>Sum over t = 0 … H − 1 of 1 / (1 + r)^t: the present value of 1 a year over the horizon.</summary>
    public static double AnnuityFactor(int horizonYears, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizonYears);
        CheckRate(rate);
        double sum = 0, factor = 1;
        for (int t = 0; t < horizonYears; t++)
        {
            sum += factor;
            factor /= 1 + rate;
        }

        return sum;
    }

    /// <summary>The present value of the same <paramref name="annualFlow"/> (GBP a year) in each of <paramref name="horizonYears"/> years.</summary>
    public static double OfConstant(double annualFlow, int horizonYears, double rate) => annualFlow * AnnuityFactor(horizonYears, rate);

    /// <summary>The present value of <paramref name="flows"/>: flows[t] is the flow of year t (year 0 first, undiscounted).</summary>
    public static double Of(ReadOnlySpan<double> flows, double rate)
    {
        CheckRate(rate);
        double sum = 0, factor = 1;
        foreach (double flow in flows)
        {
            sum += flow * factor;
            factor /= 1 + rate;
        }

        return sum;
    }

    /// <summary>
    /// The present value of 1 raised in each year of the horizon and received over the following
    /// years as <paramref name="timing"/> says (timing[k]: the share received k years after the year it
    /// is raised in; the shares add to 1): Σ over y = 0 … H − 1 and k with y + k &lt; H of timing[k] / (1 + r)^(y + k).
    /// What would arrive after the horizon is not counted. With timing [1] it is <see cref="AnnuityFactor"/>.
    /// </summary>
    public static double OfStaggered(int horizonYears, double rate, ReadOnlySpan<double> timing)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizonYears);
        CheckRate(rate);
        double sum = 0;
        for (int y = 0; y < horizonYears; y++)
        {
            for (int k = 0; k < timing.Length && y + k < horizonYears; k++)
                sum += timing[k] * DeterministicMath.Pow(1 + rate, -(y + k));
        }

        return sum;
    }

    /// <summary>A one-off cost in year 0 plus an annual cost in every year of the horizon (e.g. a safeguard's setup and running costs).</summary>
    public static double OfSetupAndAnnual(double setup, double annual, int horizonYears, double rate) =>
        setup + OfConstant(annual, horizonYears, rate);

    private static void CheckRate(double rate)
    {
        if (!(rate >= 0 && rate <= 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "a discount rate lies in [0, 1]");
    }
}
