using ImpactModel.Pilot.Simulation;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Strands;
using Xunit.Abstractions;

namespace ImpactModel.Tests.Pilot.Simulation;

/// <summary>One study of the shipped fraud scenario's pilot, shared by the tests that read it.</summary>
public sealed class FraudPilotFixture
{
    public const int Simulations = 2000;

    public FraudPilotFixture()
    {
        Scenario = ScenarioLoader.LoadScenario(Cli.ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"),
            ImpactModel.Worker.Hosting.DiskScenarioFiles.Instance);
        Study = PilotStudy.Run(Scenario, BuiltInStrands.Registry.For(Scenario).Models, new PilotRequest(1, Simulations, null, 0.005));
    }

    public Scenario Scenario { get; }

    public PilotStudyResult Study { get; }
}

/// <summary>
/// The shipped fraud scenario's pilot, simulated 2,000 times per point with each local authority's
/// persons at a 0.5% share (so the suite stays fast: the share changes the persons per area, not what
/// is checked). Tolerances are Monte Carlo standard errors.
/// </summary>
[Collection(PilotSerial.Name)]
public sealed class ShippedPilotTests(FraudPilotFixture fixture, ITestOutputHelper output) : IClassFixture<FraudPilotFixture>
{
    private readonly PilotStudyResult _study = fixture.Study;

    private static double Se(PilotRow r) => r.PowerSe;

    [Fact]
    public void Power_rises_with_areas_per_arm_and_with_duration()
    {
        foreach (var line in _study.Rows.GroupBy(r => (r.Design, r.Outcome, r.Months)))
        {
            PilotRow[] rows = [.. line.OrderBy(r => r.AreasPerArm)];
            for (int i = 1; i < rows.Length; i++)
            {
                double allowed = 4 * Math.Sqrt(Se(rows[i]) * Se(rows[i]) + Se(rows[i - 1]) * Se(rows[i - 1]));
                Assert.True(rows[i].Power >= rows[i - 1].Power - allowed,
                    $"{line.Key}: power {rows[i].Power} at {rows[i].AreasPerArm} per arm below {rows[i - 1].Power} at {rows[i - 1].AreasPerArm} by more than {allowed}");
            }
        }

        foreach (var point in _study.Rows.GroupBy(r => (r.Design, r.Outcome, r.AreasPerArm)))
        {
            PilotRow shorter = point.Single(r => r.Months == 6), longer = point.Single(r => r.Months == 12);
            double allowed = 4 * Math.Sqrt(Se(shorter) * Se(shorter) + Se(longer) * Se(longer));
            Assert.True(longer.Power >= shorter.Power - allowed, $"{point.Key}: 12 months {longer.Power} below 6 months {shorter.Power}");
        }

        // And it does rise: the benefit goes from hard to detect to detected.
        var benefit = _study.Rows.Where(r => r.Outcome == "overpayments-found" && r.Design == PilotSimulator.Cluster && r.Months == 12).OrderBy(r => r.AreasPerArm).ToList();
        Assert.True(benefit[^1].Power - benefit[0].Power > 0.5, $"power {benefit[0].Power} to {benefit[^1].Power}");
    }

    [Fact]
    public void The_benefit_estimate_is_unbiased_within_four_monte_carlo_errors()
    {
        var rows = _study.Rows.Where(r => r.Outcome == "overpayments-found").ToList();
        Assert.Equal(2 * 2 * 19, rows.Count);
        foreach (PilotRow r in rows)
        {
            Assert.True(r.Estimates == FraudPilotFixture.Simulations, $"{r.Design} {r.AreasPerArm}: {r.Estimates} estimates");
            Assert.True(Math.Abs(r.Bias!.Value) <= 4 * r.BiasSe!.Value, $"{r.Design}, {r.Months} months, {r.AreasPerArm} per arm: bias {r.Bias} ± {r.BiasSe}");
        }
    }

    /// <summary>
    /// The 95% interval covers within 4 Monte Carlo errors of 0.95 wherever its approximations hold:
    /// from 4 local authorities per arm (Welch's test on fewer areas is conservative with skewed area
    /// rates) while the pilot takes at most half the candidates (beyond, the pilot has measured most of
    /// the population it estimates, so the interval is wider than it needs to be). Everywhere it never
    /// covers less than it says.
    /// </summary>
    [Fact]
    public void The_benefit_interval_covers_as_it_says()
    {
        double se = Math.Sqrt(0.95 * 0.05 / FraudPilotFixture.Simulations);
        int candidates = _study.Setup.Units.Length;
        int checkedRows = 0;
        foreach (PilotRow r in _study.Rows.Where(r => r.Outcome == "overpayments-found"))
        {
            Assert.True(r.Coverage >= 0.95 - 4 * se, $"{r.Design}, {r.Months} months, {r.AreasPerArm} per arm: coverage {r.Coverage}");
            if (r.AreasPerArm < 4 || 2 * r.AreasPerArm > candidates / 2)
                continue;
            checkedRows++;
            Assert.True(Math.Abs(r.Coverage!.Value - 0.95) <= 4 * se, $"{r.Design}, {r.Months} months, {r.AreasPerArm} per arm: coverage {r.Coverage}");
        }

        Assert.True(checkedRows >= 20, $"{checkedRows} rows checked");
    }

    [Fact]
    public void The_summary_says_which_pilot_the_planner_needs_and_whether_each_harm_can_be_detected()
    {
        IReadOnlyList<string> lines = PilotSummary.Of(_study);
        output.WriteLine(string.Join("\n", lines));
        Assert.Contains(lines, l => l.StartsWith("overpayments-found", StringComparison.Ordinal) && l.Contains("the smallest pilot that reaches power 0.80 is", StringComparison.Ordinal));
        string harm = Assert.Single(lines, l => l.Contains("wrongful suspensions above 1%", StringComparison.Ordinal));
        Assert.Contains("no fixed address", harm, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"^(no pilot within 20 local authorities per arm can detect|a pilot can detect)", harm);
        Assert.Matches(@"power \d\.\d\d", harm);
    }
}
