using System.Globalization;
using System.Text.Json;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.Simulation;

/// <summary>
/// results.csv's <c>mc_se</c> and <c>events</c>, the manifest's <c>metrics</c> and the printed summary's
/// "unreliable", checked against the run folder's own files: one small fraud scenario run once
/// through <c>impact run</c> with 5 replicates, simulating exactly its declared population so that
/// counts are not scaled and events can be checked exactly.
/// </summary>
public sealed class McSeAndEventsTests : IClassFixture<McSeAndEventsTests.SmallRun>
{
    private const int Replicates = 5;

    private readonly SmallRun _run;

    public McSeAndEventsTests(SmallRun run) => _run = run;

    /// <summary>
    /// 20,000 persons, a fifth of them claimants; annual averaging on irregular earners gives false
    /// positives; hardship is rare (5% of wrongful actions), so some of its figures rest on few events.
    /// The hardship valuation has a source, so hardship_value (a present value) is reported.
    /// </summary>
    internal const string Scenario = """
        strand: fraud-error-debt
        name: small-honest
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        population:
          size: 20000
          area_variation: 0
          areas:
            - { id: north, share: 1 }
          groups:
            - { id: irregular-income, prevalence: 0.2 }
            - { id: disabled, prevalence: 0.05 }
        data_sources:
          - id: claims
            body: DWP
            fields:
              - { id: nino }
          - id: earnings
            body: HMRC
            fields:
              - { id: nino }
        linkage:
          - { id: link, from: claims, to: earnings, method: exact, fields: [{ field: nino }] }
        fraud:
          benefit: Housing Benefit
          claimants: { records: claims, share: 0.5, monthly_award: 400 }
          true_states:
            - { id: claimant-error, prevalence: 0.1, annual_overpayment: "lognormal(1820, 1400)" }
            - { id: fraud, prevalence: "beta(5, 195)", annual_overpayment: 2700 }
          status_quo: { checks: [] }
          matching:
            linkage: link
            comparison: annual-average
            flag_threshold: 50
            earners_share: 1
            monthly_earnings: 900
            earnings_variation: { base: 0, by_group: { irregular-income: 0.6 } }
            undeclared_share: 0.7
          actions: { letter_cost: 5, suspension_share: 0.3, suspension_cost: 40, debt_cost: 60, investigation_cost: 150 }
          responses: { respond_to_letter: 0.5, appeal: 0.1, appeal_success_when_wrong: 0.6, appeal_cost: 250 }
          hardship: { share_of_wrongful_actions: 0.05, valuation: { value: 500, source: "test valuation" } }
        safeguards: []
        """;

    /// <summary>The run, once for the class: its folder, stdout, and results.csv and replicates.csv parsed.</summary>
    public sealed class SmallRun : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-mcse-tests-" + Guid.NewGuid().ToString("N"));

        public SmallRun()
        {
            Directory.CreateDirectory(_root);
            File.WriteAllText(Path.Combine(_root, "small.yaml"), Scenario);
            Dir = Path.Combine(_root, "run");
            Cli = CliRun.Of("run", Path.Combine(_root, "small.yaml"), "--population", "20000", "--replicates", Replicates.ToString(CultureInfo.InvariantCulture),
                "--seed", "3", "--out", Dir, "--verbose");
            Assert.True(Cli.ExitCode == 0, Cli.Error);
            string[] results = File.ReadAllLines(Path.Combine(Dir, "results.csv"));
            Header = results[0];
            Rows = [.. results.Skip(1).Select(l => l.Split(','))];
            foreach (string line in File.ReadLines(Path.Combine(Dir, "replicates.csv")).Skip(1))
            {
                string[] c = line.Split(',');
                var key = (c[1], c[2], c[3]);
                if (!Values.TryGetValue(key, out List<double?>? list))
                    Values[key] = list = [];
                Assert.Equal(list.Count, int.Parse(c[4], CultureInfo.InvariantCulture)); // replicate order
                list.Add(c[5].Length == 0 ? null : double.Parse(c[5], CultureInfo.InvariantCulture));
            }

            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json")));
            ScaleFactor = manifest.RootElement.GetProperty("scale_factor").GetDouble();
            Metrics = [.. manifest.RootElement.GetProperty("metrics").EnumerateArray().Select(m => (
                m.GetProperty("name").GetString()!, m.GetProperty("unit").GetString()!,
                m.GetProperty("denominator").ValueKind == JsonValueKind.Null ? null : m.GetProperty("denominator").GetString(),
                m.GetProperty("harm").GetBoolean()))];
        }

        public string Dir { get; }

        public CliRun Cli { get; }

        public string Header { get; }

        /// <summary>results.csv rows, split into cells (no value needs quoting).</summary>
        public IReadOnlyList<string[]> Rows { get; }

        /// <summary>replicates.csv: (variant, group, metric) → the value of each replicate, in order; null where undefined.</summary>
        public Dictionary<(string Variant, string Group, string Metric), List<double?>> Values { get; } = [];

        public double ScaleFactor { get; }

        public IReadOnlyList<(string Name, string Unit, string? Denominator, bool Harm)> Metrics { get; }

        /// <summary>The events cell of a row of results.csv.</summary>
        public long? Events(string variant, string group, string metric)
        {
            string cell = Rows.Single(r => r[2] == variant && r[3] == group && r[4] == metric)[10];
            return cell.Length == 0 ? null : long.Parse(cell, CultureInfo.InvariantCulture);
        }

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }

    private static double Parse(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    [Fact]
    public void Results_end_with_mc_se_and_events()
    {
        Assert.Equal("scenario,strand,variant,group,metric,mean,ci_low,ci_high,replicates,mc_se,events", _run.Header);
        Assert.All(_run.Rows, r => Assert.Equal(11, r.Length));
    }

    [Fact]
    public void Mc_se_is_the_sample_standard_deviation_over_root_n_of_the_replicate_values()
    {
        int checkedRows = 0;
        foreach (string[] row in _run.Rows)
        {
            double[] defined = [.. _run.Values[(row[2], row[3], row[4])].Where(v => v is not null).Select(v => v!.Value)];
            Assert.Equal(defined.Length, int.Parse(row[8], CultureInfo.InvariantCulture));
            if (defined.Length < 2)
            {
                Assert.Equal("", row[9]);
                continue;
            }

            // Textbook formula, computed independently: s² = Σ (x − x̄)² / (n − 1), standard error s / √n.
            double mean = defined.Average();
            double s2 = defined.Sum(x => (x - mean) * (x - mean)) / (defined.Length - 1);
            double expected = Math.Sqrt(s2 / defined.Length);
            double actual = Parse(row[9]);
            // A few ulps: the sums may round differently in their last bits (Average and Sum are not in a fixed order).
            Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Abs(expected) + 1e-300,
                $"{row[2]} {row[3]} {row[4]}: mc_se {actual:R}, sd/√n {expected:R}");
            checkedRows++;
        }

        Assert.True(checkedRows > _run.Rows.Count / 2, $"only {checkedRows} of {_run.Rows.Count} rows had 2 or more values");
    }

    [Fact]
    public void The_run_simulates_the_declared_population_so_counts_are_not_scaled()
        => Assert.Equal(1.0, _run.ScaleFactor);

    [Fact]
    public void Events_of_a_count_are_its_unscaled_values_summed_over_replicates()
    {
        string[] counts = ["persons", "claimants", "flagged", "false_positives", "wrongful_adverse_actions", "hardship", "wrongful_debts", "true_positives"];
        foreach (string[] row in _run.Rows.Where(r => counts.Contains(r[4])))
        {
            long expected = _run.Values[(row[2], row[3], row[4])].Sum(v => (long)Math.Round(v!.Value / _run.ScaleFactor));
            Assert.Equal(expected, long.Parse(row[10], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Events_of_a_rate_are_its_numerator_counts_and_a_ratio_has_the_fewer_of_its_groups_and_rests()
    {
        // numerator metric of each rate: the rate's events are the numerator's unscaled count.
        (string Rate, string Numerator)[] rates =
        [
            ("wrongful_adverse_action_rate", "wrongful_adverse_actions"), ("false_positive_rate", "false_positives"),
            ("hardship_rate", "hardship"), ("positive_predictive_value", "true_positives"), ("wrongful_debt_rate", "wrongful_debts"),
            ("overpayment_share", "overpaying_claims"),
        ];
        int rows = 0;
        foreach (string[] row in _run.Rows)
        {
            foreach ((string rate, string numerator) in rates)
            {
                if (row[4] == rate)
                {
                    Assert.Equal(_run.Events(row[2], row[3], numerator), long.Parse(row[10], CultureInfo.InvariantCulture));
                    rows++;
                }
                else if (row[4] == rate + "_ratio_vs_rest")
                {
                    long? fewer = Math.Min(_run.Events(row[2], row[3], numerator)!.Value, _run.Events(row[2], "rest", numerator)!.Value);
                    Assert.Equal(fewer, long.Parse(row[10], CultureInfo.InvariantCulture));
                    rows++;
                }
            }
        }

        Assert.True(rows > 100, $"{rows} rows");
    }

    [Fact]
    public void Money_has_events_only_where_it_names_a_counter()
    {
        foreach (string variant in (string[])["status-quo", "proposal"])
        {
            foreach (string group in (string[])["all", "irregular-income", "disabled", "rest"])
            {
                Assert.Equal(_run.Events(variant, group, "true_positives"), _run.Events(variant, group, "money_recovered"));
                Assert.Equal(_run.Events(variant, group, "wrongful_debts"), _run.Events(variant, group, "money_wrongly_recovered"));
                Assert.Equal(_run.Events(variant, group, "flagged"), _run.Events(variant, group, "net_benefit"));
                Assert.Equal(_run.Events(variant, group, "hardship"), _run.Events(variant, group, "hardship_value"));
                Assert.Equal(_run.Events(variant, group, "overpaying_claims"), _run.Events(variant, group, "overpayments"));
            }
        }
    }

    [Fact]
    public void The_manifest_lists_every_metric_of_the_results_once_with_its_unit()
    {
        string[] inResults = [.. _run.Rows.Select(r => r[4]).Distinct()];
        Assert.Equal(inResults.Order(StringComparer.Ordinal), _run.Metrics.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(_run.Metrics.Count, _run.Metrics.Select(m => m.Name).Distinct().Count());
        Assert.All(_run.Metrics, m => Assert.False(string.IsNullOrWhiteSpace(m.Unit), m.Name));

        var byName = _run.Metrics.ToDictionary(m => m.Name);
        Assert.Equal(("persons", (string?)null, false), (byName["persons"].Unit, byName["persons"].Denominator, byName["persons"].Harm));
        Assert.Equal("claims", byName["claimants"].Unit);
        Assert.Equal("person-days", byName["wrongful_action_days"].Unit);
        Assert.Equal("GBP a year at 2014 prices", byName["money_recovered"].Unit);
        Assert.Equal("GBP present value over 5 years at 2014 prices, discounted at 3.5%", byName["net_benefit"].Unit);
        Assert.Equal("GBP present value over 5 years at 2014 prices, discounted at 3.5%", byName["hardship_value"].Unit);
        Assert.Equal(("rate", "claimants", true), (byName["hardship_rate"].Unit, byName["hardship_rate"].Denominator, byName["hardship_rate"].Harm));
        Assert.Equal("correct claims", byName["false_positive_rate"].Denominator);
        Assert.Equal(("ratio", "the same metric for rest"), (byName["hardship_rate_ratio_vs_rest"].Unit, byName["hardship_rate_ratio_vs_rest"].Denominator));
        // Every rate and ratio says what it is per; nothing else does.
        Assert.All(_run.Metrics, m => Assert.Equal(m.Unit is "rate" or "ratio", m.Denominator is not null));
    }

    [Fact]
    public void The_summary_says_unreliable_for_a_figure_on_fewer_than_30_events_and_never_quotes_it()
    {
        int unreliable = 0, quoted = 0;
        foreach (string line in _run.Cli.OutLines.Where(l => l.StartsWith("status-quo ", StringComparison.Ordinal) || l.StartsWith("proposal ", StringComparison.Ordinal)))
        {
            string[] head = line[..line.IndexOf(':', StringComparison.Ordinal)].Split(' ');
            long? events = _run.Events(head[0], head[1], head[2]);
            string[] row = _run.Rows.Single(r => r[2] == head[0] && r[3] == head[1] && r[4] == head[2]);
            if (events < 30 && row[5].Length > 0)
            {
                // Exactly this and nothing more: no figure, no interval.
                Assert.Equal(events == 0
                    ? $"{head[0]} {head[1]} {head[2]}: none simulated over {Replicates} replicates (too rare to quote a figure)"
                    : $"{head[0]} {head[1]} {head[2]}: unreliable (rests on {events} simulated event{(events == 1 ? "" : "s")} over {Replicates} replicates)", line);
                unreliable++;
            }
            else if (row[5].Length > 0)
            {
                Assert.DoesNotContain("unreliable", line, StringComparison.Ordinal);
                Assert.Contains("95% interval", line, StringComparison.Ordinal);
                quoted++;
            }
        }

        Assert.True(unreliable > 0, "the scenario has figures on few events (hardship in small groups)");
        Assert.True(quoted > 0, "and figures on many");
        Assert.Single(_run.Cli.OutLines, l => l.StartsWith("95% interval: ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_summary_quotes_figures_with_their_units()
    {
        string Line(string metric) => _run.Cli.OutLines.Single(l => l.StartsWith($"proposal all {metric}: ", StringComparison.Ordinal));
        Assert.Matches(@"^proposal all claimants: [0-9,]+ claims, 95% interval [0-9,]+ to [0-9,]+$", Line("claimants"));
        Assert.Matches(@"^proposal all wrongful_adverse_action_rate: [0-9.]+% of claimants, 95% interval [0-9.]+% to [0-9.]+%$", Line("wrongful_adverse_action_rate"));
        Assert.Matches(@"^proposal all money_recovered: £[0-9,]+ a year \(2014 prices\), 95% interval £[0-9,]+ to £[0-9,]+$", Line("money_recovered"));
        Assert.Matches(@"^proposal all net_benefit: -?£[0-9,]+ present value over 5 years \(2014 prices\), 95% interval -?£[0-9,]+ to -?£[0-9,]+$", Line("net_benefit"));
    }

    [Fact]
    public void Events_and_mc_se_are_the_same_for_one_thread_and_every_core_and_any_chunk_size()
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load("s/small.yaml", new MemoryFiles().With("s/small.yaml", Scenario));
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        RunResult Run(int threads, int chunk) =>
            SimulationRunner.Run(loaded.Scenario!, new RunSettings(3, 3, 20_000, threads, chunk), BuiltInStrands.Registry);
        RunResult one = Run(1, 4096), every = Run(0, 1000), odd = Run(2, 777);
        long?[] events = [.. one.Rows.Select(r => r.Events)];
        Assert.Contains(events, e => e > 0);
        Assert.Equal(events, every.Rows.Select(r => r.Events));
        Assert.Equal(events, odd.Rows.Select(r => r.Events));
        Assert.Equal(one.Rows.Select(r => r.Summary.McSe), every.Rows.Select(r => r.Summary.McSe));
        Assert.Equal(one.Rows.Select(r => r.Summary.McSe), odd.Rows.Select(r => r.Summary.McSe));
    }

    [Fact]
    public void Mc_se_of_known_values_is_their_standard_deviation_over_root_n_and_ignores_undefined_replicates()
    {
        // 1, 2, 3, 4: mean 2.5, squared deviations 5, s² = 5/3, s / √4 = √(5/3) / 2.
        ReplicateSummary s = ReplicateStatistics.Summarise([1, double.NaN, 2, 3, 4]);
        Assert.Equal(4, s.Replicates);
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, s.McSe!.Value, 15);
        Assert.Equal(0.0, ReplicateStatistics.Summarise([7, 7, 7]).McSe);
        Assert.Null(ReplicateStatistics.Summarise([7, double.NaN]).McSe);
        // Large values with a small spread: the two-pass sum keeps the spread (a one-pass Σx² − n x̄² would lose it).
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, ReplicateStatistics.Summarise([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]).McSe!.Value, 9);
    }

    [Fact]
    public void Events_are_unscaled_when_fewer_persons_are_simulated_than_declared()
    {
        // Half the declared persons: every count is scaled by 2, its events are not.
        string root = Path.Combine(Path.GetTempPath(), "impact-events-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "small.yaml"), Scenario);
            string dir = Path.Combine(root, "run");
            CliRun run = CliRun.Of("run", Path.Combine(root, "small.yaml"), "--population", "10000", "--replicates", "3", "--seed", "3", "--out", dir);
            Assert.True(run.ExitCode == 0, run.Error);
            var values = new Dictionary<(string, string, string), double>();
            foreach (string line in File.ReadLines(Path.Combine(dir, "replicates.csv")).Skip(1))
            {
                string[] c = line.Split(',');
                values[(c[1], c[2], c[3])] = values.GetValueOrDefault((c[1], c[2], c[3])) + (c[5].Length == 0 ? 0 : Parse(c[5]));
            }

            int checkedRows = 0;
            foreach (string[] row in File.ReadLines(Path.Combine(dir, "results.csv")).Skip(1).Select(l => l.Split(',')))
            {
                if (row[4] is not ("claimants" or "flagged" or "false_positives" or "wrongful_adverse_actions" or "persons"))
                    continue;
                // A count's value is its events × 2 in each replicate, so the sum over replicates is too.
                Assert.Equal(values[(row[2], row[3], row[4])] / 2, long.Parse(row[10], CultureInfo.InvariantCulture), 6);
                checkedRows++;
            }

            Assert.True(checkedRows > 20, $"{checkedRows} rows");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
