using ImpactModel.Reporting;
using ImpactModel.Tests.Cli;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// Small runs of the three shipped scenarios and of a one-group, one-safeguard scenario whose group
/// label holds markup, quotes and right-to-left text, made once per test class (5,000 persons, 3
/// replicates: enough for every chart to have intervals, quick enough for the suite).
/// </summary>
public sealed class ChartTestRuns : IDisposable
{
    /// <summary>The group label the charts must show as text, never as markup.</summary>
    public const string HostileLabel = "<script>alert(\"x\")</script> & 'quoted' مرحبا";

    public static readonly string[] Names = ["fraud", "tailored", "research", "small"];

    private readonly Dictionary<string, RunData> _runs = [];

    public ChartTestRuns()
    {
        Root = Path.Combine(Path.GetTempPath(), "impact-chart-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        string small = Path.Combine(Root, "small-scenario");
        Directory.CreateDirectory(small);
        File.WriteAllText(Path.Combine(small, "one-group.yaml"), OneGroupScenario);
        File.WriteAllText(Path.Combine(small, "pop.yaml"), OneGroupPopulation);
        (string Name, string File)[] scenarios =
        [
            ("fraud", ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml")),
            ("tailored", ValidateCommandTests.RepositoryFile("scenarios", "tailored-services.yaml")),
            ("research", ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml")),
            ("small", Path.Combine(small, "one-group.yaml")),
        ];
        foreach ((string name, string file) in scenarios)
        {
            string dir = Path.Combine(Root, "run-" + name);
            CliRun run = CliRun.Of("run", file, "--population", "5000", "--replicates", "3", "--seed", "20", "--out", dir);
            Assert.True(run.ExitCode == 0, run.Error);
            _runs[name] = RunFolderReader.Read(dir, DiskScenarioFiles.Instance);
        }
    }

    public string Root { get; }

    public RunData this[string name] => _runs[name];

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public const string OneGroupPopulation = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: north, share: 1 }
          groups:
            - id: no-fixed-address
              name: "<script>alert(\"x\")</script> & 'quoted' مرحبا"
              prevalence: 0.05
        """;

    public const string OneGroupScenario = """
        strand: fraud-error-debt
        name: one-group
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population: pop.yaml
        data_sources:
          - id: claims
            body: DWP
            fields:
              - id: nino
                error_rate: 0.01
              - id: postcode
                error_rate: { base: 0.05, by_group: { no-fixed-address: 0.3 } }
          - id: earnings
            body: HMRC
            coverage: { base: 0.95, by_group: { no-fixed-address: 0.7 } }
            fields:
              - id: nino
              - id: postcode
        linkage:
          - id: link
            from: claims
            to: earnings
            method: probabilistic
            fields:
              - { field: nino, m: 0.98, u: 0.0001 }
              - { field: postcode, m: 0.8, u: 0.001 }
            upper_threshold: 15
            lower_threshold: 8
            candidates_per_block: 2
        fraud:
          benefit: Housing Benefit
          claimants:
            records: claims
            share: { base: 0.3, by_group: { no-fixed-address: 0.5 } }
            monthly_award: 400
          true_states:
            - { id: claimant-error, prevalence: 0.1, annual_overpayment: 1800 }
            - { id: fraud, prevalence: 0.025, annual_overpayment: 2700 }
          status_quo:
            checks:
              - { id: existing, detection_rate: 0.25, cost_per_case: 60 }
          matching:
            linkage: link
            comparison: annual-average
            flag_threshold: 50
            earners_share: 0.35
            monthly_earnings: "lognormal(900, 500)"
            earnings_variation: { base: 0.3, by_group: { no-fixed-address: 0.6 } }
            undeclared_share: 0.7
          actions:
            letter_cost: 5
            suspension_share: 0.3
            suspension_cost: 40
            debt_cost: 60
            investigation_cost: 150
          responses:
            respond_to_letter: { base: 0.8, by_group: { no-fixed-address: 0.35 } }
            appeal: 0.1
            appeal_success_when_wrong: 0.6
            appeal_cost: 250
          hardship:
            share_of_wrongful_actions: 0.2
        safeguards:
          - id: human-review
            type: human-review
            catch_rate: 0.7
            cost_per_case: 35
        """;
}
