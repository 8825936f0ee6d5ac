using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>
/// A variant's fixed costs: the setup and annual costs of its enabled safeguards, in pence. They
/// belong to no person, so they enter only the <c>all</c> row, and they are not per simulated
/// person, so they are divided by the runner's scale factor before it multiplies every count and
/// sum of money by it (<see cref="Unscale"/>): the total stays whole for the declared population.
/// </summary>
/// <param name="AnnualPence">Annual running costs, pence a year.</param>
/// <param name="SetupPence">One-off setup costs in year 0, pence.</param>
public readonly record struct FixedCosts(double AnnualPence, double SetupPence)
{
    /// <summary>The costs of the safeguards enabled in <paramref name="variant"/>.</summary>
    public static FixedCosts Of(SimulationVariant variant, ReplicateDraws draws)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(draws);
        double annual = 0, setup = 0;
        foreach (var g in variant.EnabledSafeguards)
        {
            annual += 100 * draws.Draw(g.AnnualCost);
            setup += 100 * draws.Draw(g.SetupCost);
        }

        return new FixedCosts(annual, setup);
    }

    /// <summary>Simulated / declared persons: the factor that undoes the runner's scaling to the declared population (1 when either is 0).</summary>
    public static double Unscale(long simulated, long declared) => simulated > 0 && declared > 0 ? (double)simulated / declared : 1;

    /// <summary>The annual costs as a counter of the <c>all</c> row of a run that simulates <paramref name="unscale"/> of the declared persons.</summary>
    public long AnnualCounter(double unscale) => (long)Math.Round(AnnualPence * unscale);

    /// <summary>
    /// Present value in pence of an annual net flow over the horizon, less the setup cost where the
    /// row carries fixed costs: round(annuity × annual − setup × unscale).
    /// </summary>
    /// <param name="annuityFactor">Sum of the discount factors over the horizon (<see cref="Valuation.PresentValue.AnnuityFactor"/>).</param>
    /// <param name="annualNetPence">The row's annual net flow, pence.</param>
    /// <param name="withFixed">True for the <c>all</c> row, which carries the fixed costs.</param>
    /// <param name="unscale">See <see cref="Unscale"/>.</param>
    public long NetPresentValue(double annuityFactor, long annualNetPence, bool withFixed, double unscale) =>
        NetPresentValue(annuityFactor, annualNetPence, annuityFactor, 0, withFixed, unscale); // − annuity × 0 changes no bit

    /// <summary>
    /// Present value in pence of an annual benefit and an annual cost discounted by their own factors
    /// (a benefit received later than it arises, e.g. a debt recovered over years), less the setup
    /// cost where the row carries fixed costs: round(benefitFactor × benefit − annuity × cost − setup × unscale).
    /// </summary>
    public long NetPresentValue(double benefitFactor, long annualBenefitPence, double annuityFactor, long annualCostPence, bool withFixed, double unscale)
    {
        double setup = withFixed ? SetupPence * unscale : 0;
        return (long)Math.Round(benefitFactor * annualBenefitPence - annuityFactor * annualCostPence - setup);
    }
}
