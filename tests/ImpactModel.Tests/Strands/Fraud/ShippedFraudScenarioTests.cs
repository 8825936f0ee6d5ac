using System.Text.Json;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Cli;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Tests.Strands.Fraud;

/// <summary>
/// The shipped fraud scenario held to the sources it cites (issue 17): its status-quo claims against
/// DWP's 2014 Housing Benefit caseload, its overpayment share against the NAO's range, enough of its
/// parameters uncertain, weaker matching that does make false matches, and a default run of at least
/// 40 replicates. One run of 100 replicates of 50,000 persons serves the statistical checks.
/// </summary>
public sealed class ShippedFraudScenarioTests : IClassFixture<ShippedFraudScenarioTests.ShippedRun>
{
    /// <summary>DWP Housing Benefit caseload statistics: claims in Great Britain, August 2014 (release of 12 November 2014).</summary>
    private const double Caseload = 4_930_162;

    /// <summary>NAO, Housing Benefit fraud and error (HC 720, 17 October 2014), Key facts: overpayments 5.8% of spend, range 4.7% to 7.0%.</summary>
    private const double NaoLow = 0.047, NaoHigh = 0.070;

    private const int Replicates = 100;

    private readonly ShippedRun _run;

    public ShippedFraudScenarioTests(ShippedRun run) => _run = run;

    public sealed class ShippedRun
    {
        public ShippedRun()
        {
            Scenario = FraudStrandTests.ShippedScenario();
            Result = SimulationRunner.Run(Scenario, new RunSettings(2014, Replicates, 50_000), BuiltInStrands.Registry);
        }

        public Scenario Scenario { get; }

        public RunResult Result { get; }

        public double[] Values(string variant, string metric, string group = "all") =>
            [.. Result.Series.Single(x => x.Variant == variant && x.Group == group && x.Metric == metric).Values.Select(v => v ?? double.NaN)];

        public ResultRow Row(string variant, string metric, string group = "all") =>
            Result.Rows.Single(x => x.Variant == variant && x.Group == group && x.Metric == metric);
    }

    [Fact, Trait("Category", "Statistical")]
    public void Status_quo_claims_are_within_5_percent_of_the_2014_caseload_it_cites()
    {
        Assert.Contains("4,930,162", _run.Scenario.Fraud!.Claimants.Share.Base.Evidence.Source, StringComparison.Ordinal);
        ResultRow claims = _run.Row("status-quo", "claimants");
        double mean = claims.Summary.Mean!.Value, se = claims.Summary.McSe!.Value;
        // The check means something only if the Monte Carlo error is small against the 5% allowed.
        Assert.True(3 * se < 0.01 * Caseload, $"Monte Carlo error {se:N0} is too large to judge");
        Assert.InRange(mean, 0.95 * Caseload, 1.05 * Caseload);
    }

    [Fact, Trait("Category", "Statistical")]
    public void Status_quo_overpayment_share_lies_in_the_NAO_range_and_where_the_parameters_put_it()
    {
        // Expected share: Σ prevalence × mean overpayment / annual award (12 × GBP 403), with the
        // prevalences' means beta(100, 900) → 0.1, beta(7.5, 367.5) → 0.02, beta(17, 663) → 0.025.
        const double Award = 12 * 403.0;
        double expected = (0.1 * 1820 + 0.02 * 1440 + 0.025 * 2700) / Award;
        Assert.InRange(expected, NaoLow, NaoHigh);

        // Spread of one replicate's share: the prevalences' variances, and chance over N claims (the
        // per-claim sd of the overpayment, √(E[X²] − E[X]²) / award / √N, E[X²] = Σ p (mean² + sd²)).
        double parameter = Math.Sqrt(1820.0 * 1820 * (0.1 * 0.9 / 1001) + 1440.0 * 1440 * (0.02 * 0.98 / 376) + 2700.0 * 2700 * (0.025 * 0.975 / 681)) / Award;
        double ex2 = 0.1 * (1820.0 * 1820 + 1400.0 * 1400) + 0.02 * (1440.0 * 1440 + 1000.0 * 1000) + 0.025 * (2700.0 * 2700 + 2000.0 * 2000);
        double ex = 0.1 * 1820 + 0.02 * 1440 + 0.025 * 2700;
        double claims = _run.Values("status-quo", "claimants").Average() / _run.Result.ScaleFactor;
        double chance = Math.Sqrt(ex2 - ex * ex) / Award / Math.Sqrt(claims);
        double sigmaMean = Math.Sqrt((parameter * parameter + chance * chance) / Replicates);
        double mean = _run.Values("status-quo", "overpayment_share").Average();
        // 4σ of the mean over replicates.
        Assert.InRange(mean, expected - 4 * sigmaMean, expected + 4 * sigmaMean);
        Assert.InRange(mean, NaoLow, NaoHigh);
    }

    [Fact]
    public void At_least_15_parameters_vary_across_replicates()
    {
        int varying = _run.Result.Parameters.GroupBy(d => d.Parameter).Count(g => g.Select(d => d.Value).Distinct().Count() > 1);
        Assert.True(varying >= 15, $"only {varying} parameters vary");
        Assert.Equal(_run.Result.Uncertainty!.Uncertain, varying);
    }

    [Fact]
    public void Matching_without_the_NINo_makes_false_matches_that_flag_people_on_someone_elses_earnings()
    {
        ResultRow weaker = _run.Row("weaker-matching", "false_match_flags");
        Assert.True(weaker.Events >= 30, $"{weaker.Events} false-match flags simulated");
        Assert.True(_run.Row("weaker-matching", "link_false_match_rate").Summary.Mean > 0);
        Assert.True(_run.Row("weaker-matching", "wrongful_adverse_actions").Summary.Mean > _run.Row("proposal", "wrongful_adverse_actions").Summary.Mean);
    }

    [Fact]
    public void A_default_run_has_at_least_40_replicates()
    {
        Assert.True(RunCommand.DefaultReplicates >= 40);
        string dir = Path.Combine(Path.GetTempPath(), "impact-default-" + Guid.NewGuid().ToString("N"));
        try
        {
            string scenario = Path.Combine(FraudStrandTests.RepositoryRoot(), "scenarios", "fraud-error-debt.yaml");
            CliRun run = CliRun.Of("run", scenario, "--population", "2000", "--out", dir);
            Assert.True(run.ExitCode == 0, run.Error);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
            Assert.Equal(RunCommand.DefaultReplicates, manifest.RootElement.GetProperty("replicates").GetInt32());
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }
}
