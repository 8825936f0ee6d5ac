using System.Diagnostics;
using System.Text.Json;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Tests.Support;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Tests.Simulation;

/// <summary>The <c>run</c> verb, in-process and as a real process.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-run-tests-" + Guid.NewGuid().ToString("N"));

    public RunCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Fraud => ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");

    private static readonly string[] Groups =
        ["no-fixed-address", "frequent-mover", "irregular-income", "disabled", "care-leaver", "digitally-excluded", "domestic-abuse-survivor", "misrecorded-name"];

    private static readonly string[] LinkMetrics = ["link_recall", "link_precision", "link_false_match_rate", "link_review_rate"];

    private static string Research => ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml");

    private static string[] ManifestWarnings(string dir)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        return [.. manifest.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)];
    }

    [Fact]
    public void A_scenario_whose_strand_has_no_model_runs_and_says_so_on_stderr_and_in_the_manifest()
    {
        // Every shipped strand has a model: the run verb is given a registry without the research one.
        string dir = Path.Combine(_root, "research");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var options = new RunCommand.RunOptions([Research], dir, Replicates: 2, Seed: 1, Persons: 5000, Threads: 0, Json: false, SeamTests.WithoutResearch);
        Assert.Equal(0, RunCommand.Run(options, new CliConsole(output, error, IsTerminal: false), CancellationToken.None));
        var run = new CliRun(0, output.ToString(), error.ToString());
        string[] lines = [.. run.ErrorLines.Where(l => l.StartsWith("impact: warning: research-statistics: ", StringComparison.Ordinal))];
        Assert.StartsWith("impact: warning: research-statistics: strand 'research-statistics' has no model yet", lines[0], StringComparison.Ordinal);
        // Then the shipped variant's override, which nothing reads without the model, at its position.
        Assert.Equal(2, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains("research-statistics.yaml:", l, StringComparison.Ordinal));
        Assert.DoesNotContain(run.OutLines, l => l.Contains("no model yet", StringComparison.Ordinal));
        Assert.Equal(lines, ManifestWarnings(dir).Select(w => "impact: warning: research-statistics: " + w));
    }

    [Fact]
    public void The_research_scenario_run_below_the_declared_population_writes_its_metrics_and_says_class_sizes_are_estimated()
    {
        string dir = Path.Combine(_root, "research-small");
        CliRun run = CliRun.Of("run", Research, "--population", "100000", "--replicates", "2", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain(run.ErrorLines, l => l.Contains("no model yet", StringComparison.Ordinal));

        var rows = File.ReadLines(Path.Combine(dir, "results.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        foreach (string metric in (string[])["prosecutor_risk", "sample_uniques", "estimate_error.benefit-by-group", "estimate_error.disability-by-group"])
            Assert.Contains(rows, r => r[3] == "all" && r[4] == metric && r[8] == "2");
        Assert.Contains(rows, r => r[3] == "no-fixed-address" && r[4] == "prosecutor_risk_ratio_vs_rest");

        string[] estimated = [.. run.ErrorLines.Where(l => l.StartsWith("impact: warning: research-statistics: research: 100,000 persons were simulated, fewer than the declared",
            StringComparison.Ordinal))];
        Assert.Contains("class sizes", Assert.Single(estimated), StringComparison.Ordinal);
        Assert.Contains("are estimated for the declared population", estimated[0], StringComparison.Ordinal);
        Assert.Contains(ManifestWarnings(dir), w => "impact: warning: research-statistics: " + w == estimated[0]);
    }

    [Fact]
    public void A_research_scenario_run_without_population_simulates_its_declared_population_and_estimates_nothing()
    {
        // A small declared population (20,000), so that the default is quick: the shipped scenario's is 67.6 million.
        string scenario = Path.Combine(_root, "research.yaml");
        File.WriteAllText(scenario, StrandSectionTests.Research);
        File.WriteAllText(Path.Combine(_root, "research-pop.yaml"), StrandSectionTests.ResearchPopulation.Replace("size: 1000000", "size: 20000", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_root, "las.csv"), StrandSectionTests.ResearchAuthorities);
        string dir = Path.Combine(_root, "research-declared");
        CliRun run = CliRun.Of("run", scenario, "--replicates", "2", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.Equal(20000, manifest.RootElement.GetProperty("declared_population").GetInt64());
        Assert.Equal(20000, manifest.RootElement.GetProperty("population").GetInt64());
        Assert.DoesNotContain(ManifestWarnings(dir), w => w.Contains("estimated", StringComparison.Ordinal));
        Assert.DoesNotContain(run.ErrorLines, l => l.Contains("estimated", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fraud_scenario_run_writes_the_run_folder_with_all_rest_every_group_and_link_metrics_for_every_linking_variant()
    {
        string dir = Path.Combine(_root, "fraud");
        CliRun run = CliRun.Of("run", Fraud, "--population", "200000", "--replicates", "8", "--out", dir, "--verbose"); // the full listing too
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(["evidence.csv", "manifest.json", "parameters.csv", "principles.csv", "replicates.csv", "report.html", "results.csv", "safeguards.csv", "sensitivity.csv"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["charts", "inputs"], Directory.GetDirectories(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetDirectories(_root, "fraud.partial-*"));

        string[] lines = File.ReadAllLines(Path.Combine(dir, "results.csv"));
        Assert.Equal("scenario,strand,variant,group,metric,mean,ci_low,ci_high,replicates,mc_se,events", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(11, r.Length));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        var variants = manifest.RootElement.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(16, variants.Count);
        foreach (var v in variants)
        {
            string id = v.GetProperty("id").GetString()!;
            bool links = v.GetProperty("links_data").GetBoolean();
            Assert.Equal(id != "status-quo", links);
            foreach (string g in (string[])["all", .. Groups, "rest"])
            {
                Assert.Contains(rows, r => r[2] == id && r[3] == g && r[4] == "persons" && r[8] == "8");
                foreach (string m in LinkMetrics)
                    Assert.Equal(links, rows.Any(r => r[2] == id && r[3] == g && r[4] == m));
            }
        }

        foreach (string field in (string[])["scenario", "strand", "scenario_sha256", "seed", "replicates", "population", "declared_population",
                     "engine_version", "threads", "interval", "started_utc", "elapsed_seconds", "variants", "warnings"])
            Assert.True(manifest.RootElement.TryGetProperty(field, out _), field);
        Assert.Equal(200000, manifest.RootElement.GetProperty("population").GetInt64());
        Assert.Equal("replicate,parameter,value,source,grade", File.ReadLines(Path.Combine(dir, "parameters.csv")).First());
        Assert.Equal("scenario,variant,group,metric,replicate,value", File.ReadLines(Path.Combine(dir, "replicates.csv")).First());
        Assert.Contains(run.OutLines, l => l.StartsWith("proposal all link_recall:", StringComparison.Ordinal) && l.Contains("95% interval", StringComparison.Ordinal));
    }

    [Fact]
    public void An_existing_run_folder_is_refused_with_one_line_and_exit_2()
    {
        string dir = Path.Combine(_root, "exists");
        Directory.CreateDirectory(dir);
        CliRun run = CliRun.Of("run", Fraud, "--population", "1000", "--replicates", "1", "--out", dir);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("already exists", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void With_json_stdout_is_one_object_and_several_scenarios_get_one_folder_each()
    {
        string other = Path.Combine(_root, "copy.yaml");
        File.WriteAllText(other, File.ReadAllText(Fraud).Replace("name: fraud-error-debt", "name: fraud-copy", StringComparison.Ordinal)
            .Replace("population: uk-population.yaml", "population: " + ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml"), StringComparison.Ordinal));
        string dir = Path.Combine(_root, "both");
        CliRun run = CliRun.Of("run", Fraud, other, "--population", "3000", "--replicates", "2", "--seed", "9", "--json", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(2, json.RootElement.GetProperty("runs").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(dir, "fraud-error-debt", "results.csv")));
        Assert.True(File.Exists(Path.Combine(dir, "fraud-copy", "results.csv")));
    }

    [Fact]
    public async Task A_cancelled_run_leaves_no_folder_and_exits_130()
    {
        string dir = Path.Combine(_root, "cancelled");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await ImpactModel.Worker.Cli.ImpactCli.RunAsync(["run", Fraud, "--population", "5000000", "--replicates", "50", "--out", dir],
            new ImpactModel.Worker.Cli.CliConsole(output, error, IsTerminal: false), cts.Token);
        Assert.Equal(130, code);
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetDirectories(_root));
    }

    /// <summary>
    /// Starts a real <c>impact run</c> and waits until its first replicate is done. It is long
    /// enough to be interrupted (200 replicates of 50,000 persons: tens of seconds) and bounded, so
    /// a child that outlived its test would end by itself within a minute or so on a quiet machine,
    /// not grow for an hour. The caller owns it: <c>using</c> kills it on every path.
    /// </summary>
    private static ImpactProcess StartLongRun(string dir)
    {
        var process = ImpactProcess.Start(ValidateCommandTests.RepositoryFile(),
            "run", Fraud, "--population", "50000", "--replicates", "200", "--out", dir);
        try
        {
            Assert.True(process.WaitForErrorLine(l => l.Contains("replicate 1/", StringComparison.Ordinal), ImpactProcess.Patience),
                $"the run did not report its first replicate within {ImpactProcess.Patience.TotalSeconds} s; stderr:\n{process.Error}");
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    [Fact]
    public void A_real_run_killed_with_SIGKILL_mid_run_leaves_no_run_folder()
    {
        string dir = Path.Combine(_root, "killed");
        using ImpactProcess process = StartLongRun(dir);
        process.Kill(); // SIGKILL on Linux
        Assert.True(process.WaitForExit(ImpactProcess.Patience));
        Assert.False(Directory.Exists(dir));
        Assert.False(process.ExitCode == 0);
    }

    /// <summary>
    /// Stopping promptly is the point here, so the time is asserted: the command line's termination
    /// timeout is 2 s; 10 s leaves a margin for a loaded machine.
    /// </summary>
    [Fact]
    public void A_real_run_interrupted_with_SIGINT_exits_130_within_seconds_and_leaves_nothing()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return;
        string dir = Path.Combine(_root, "interrupted");
        using ImpactProcess process = StartLongRun(dir);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            Assert.True(kill.WaitForExit(ImpactProcess.Patience));
        var clock = Stopwatch.StartNew();
        Assert.True(process.WaitForExit(ImpactProcess.Patience), "impact did not stop after SIGINT");
        TimeSpan stopped = clock.Elapsed;
        Assert.Equal(130, process.ExitCode);
        Assert.True(stopped < TimeSpan.FromSeconds(10), $"stopped after {stopped.TotalSeconds:F1} s");
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetDirectories(_root));
    }
}
