using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Support;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;
using ImpactModel.Worker.Hosting;

// Not ImpactModel.Tests.Pilot.Cli, as the folder would have it: a namespace Pilot.Cli would hide
// ImpactModel.Tests.Cli from the Pilot namespaces, where code names it as `Cli.` (Pilot/Simulation/ShippedPilotTests.cs).
namespace ImpactModel.Tests.Pilot.CliTests;

/// <summary>
/// The <c>pilot</c> verb end to end, in-process and as a real process: the folder it writes, what
/// reaches each stream, the exit codes of PRODUCT.md, determinism, and an interrupt. Every pilot is
/// small so the class stays quick: 100 simulations (the least the verb takes), a 0.2% (or 0.1%)
/// share of each local authority's persons and 2 or 4 local authorities per arm. What is checked
/// here is the verb's contract, not the statistics (Pilot/Simulation/ checks those).
/// </summary>
[Collection(ImpactModel.Tests.Pilot.Simulation.PilotSerial.Name)]
public sealed class PilotCommandTests : IDisposable
{
    private const string Simulations = "100";
    private const string Fraction = "0.002";
    private const string Sizes = "2,4";
    private static readonly int[] SizeList = [2, 4];

    private static readonly string[] Header =
        ["scenario", "design", "outcome", "group", "months", "areas_per_arm", "persons", "power", "power_se", "bias", "bias_se", "coverage", "mde", "icc", "analytic_power"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-pilot-tests-" + Guid.NewGuid().ToString("N"));

    public PilotCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Shipped(string name) => ValidateCommandTests.RepositoryFile("scenarios", name);

    private static string Fraud => Shipped("fraud-error-debt.yaml");

    private static Scenario Load(string path) => ScenarioLoader.LoadScenario(path, DiskScenarioFiles.Instance);

    /// <summary>A small fraud pilot into <paramref name="dir"/>, with extra options.</summary>
    private static CliRun Pilot(string scenario, string dir, params string[] extra) =>
        CliRun.Of(["pilot", scenario, "--out", dir, "--simulations", Simulations, "--areas-per-arm", Sizes, "--fraction", Fraction, .. extra]);

    /// <summary>
    /// The shipped fraud scenario written into the test's folder, its population referenced by an
    /// absolute path, after <paramref name="edit"/> (which must change it).
    /// </summary>
    private string FraudCopy(string name, Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(Fraud);
        string population = text.Replace("population: uk-population.yaml", "population: " + Shipped("uk-population.yaml"), StringComparison.Ordinal);
        Assert.NotEqual(text, population);
        string edited = edit is null ? population : edit(population);
        if (edit is not null)
            Assert.NotEqual(population, edited);
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, edited);
        return path;
    }

    /// <summary>Everything in the test's folder but the scenarios it wrote: what a refused pilot must not leave.</summary>
    private string[] Written() =>
        [.. Directory.GetFileSystemEntries(_root).Where(p => !p.EndsWith(".yaml", StringComparison.Ordinal)).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    private static bool HasStackTrace(string text) =>
        text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal);

    /// <summary>pilot.csv split into rows of cells, its header checked.</summary>
    private static List<string[]> Rows(string dir)
    {
        string[] lines = File.ReadAllLines(Path.Combine(dir, PilotCommand.PilotFile));
        Assert.Equal(string.Join(',', Header), lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(Header.Length, r.Length));
        return rows;
    }

    [Fact]
    public void A_pilot_of_the_fraud_scenario_writes_its_folder_and_prints_the_summary()
    {
        string dir = Path.Combine(_root, "fraud");
        CliRun run = Pilot(Fraud, dir);
        Assert.True(run.ExitCode == 0, run.Error);

        Assert.Equal(["manifest.json", "pilot.csv", "summary.txt"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["charts"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        // Two durations (6 and 12 months): the longer one's curves, and the 6 months' beside them.
        Assert.Equal(["power-curves-6-months.png", "power-curves-6-months.svg", "power-curves.png", "power-curves.svg"],
            Directory.GetFiles(Path.Combine(dir, "charts")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(Path.Combine(dir, "charts")), f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Equal(["fraud"], Written()); // renamed: no .partial- folder left

        // One row per design × duration × size × outcome, each once.
        PilotSpec spec = Load(Fraud).Pilot!;
        Assert.Equal((2, 2, 3), (spec.Designs.Length, spec.DurationsMonths.Length, spec.Outcomes.Length));
        List<string[]> rows = Rows(dir);
        var expected = (from d in spec.Designs
                        from m in spec.DurationsMonths
                        from k in SizeList
                        from o in spec.Outcomes
                        select (d, m.ToString(CultureInfo.InvariantCulture), k.ToString(CultureInfo.InvariantCulture), o.Id)).ToList();
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.Order(), rows.Select(r => (r[1], r[4], r[5], r[2])).Order());
        Assert.All(rows, r => Assert.Equal("fraud-error-debt", r[0]));

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        foreach (string field in (string[])["scenario", "strand", "scenario_sha256", "engine_version", "threads", "started_utc", "elapsed_seconds", "seed",
                     "simulations", "fraction", "rows", "summary", "warnings"])
            Assert.True(manifest.RootElement.TryGetProperty(field, out _), field);
        Assert.Equal(100, manifest.RootElement.GetProperty("simulations").GetInt32());

        // Stdout: the heading and the summary, one sentence per harm outcome; the same sentences in summary.txt.
        int harms = spec.Outcomes.Count(o => o.Kind == PilotOutcomeKind.HarmTolerance);
        Assert.StartsWith("pilot of fraud-error-debt: 100 simulated pilots per point", run.OutLines[0], StringComparison.Ordinal);
        Assert.Equal(harms, run.OutLines.Count(l => l.Contains("can detect", StringComparison.Ordinal)));
        string[] summary = File.ReadAllLines(Path.Combine(dir, PilotCommand.SummaryFile));
        Assert.Equal(run.OutLines[0], summary[0]);
        Assert.Equal(harms, summary.Count(l => l.Contains("can detect", StringComparison.Ordinal)));
        Assert.False(HasStackTrace(run.Out + run.Error), run.Error);
    }

    /// <summary>
    /// PRODUCT.md, "Output streams": warnings go to stderr, as every other verb writes them
    /// (<c>impact: warning: …</c>); they stay in summary.txt and the JSON. Two warnings are certain
    /// here: 2 local authorities per arm, and a share of each authority's persons.
    /// </summary>
    [Fact]
    public void Warnings_go_to_stderr_and_into_the_summary_file_not_to_stdout()
    {
        string dir = Path.Combine(_root, "warned");
        CliRun run = Pilot(Fraud, dir);
        Assert.True(run.ExitCode == 0, run.Error);
        string[] warnings = [.. run.ErrorLines.Where(l => l.StartsWith("impact: warning: fraud-error-debt: ", StringComparison.Ordinal))];
        Assert.Equal(2, warnings.Length);
        Assert.Contains(warnings, w => w.Contains("fewer than 4 local authorities per arm", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("(--fraction)", StringComparison.Ordinal));
        Assert.DoesNotContain(run.OutLines, l => l.Contains("warning", StringComparison.Ordinal));
        string[] summary = File.ReadAllLines(Path.Combine(dir, PilotCommand.SummaryFile));
        Assert.Equal(warnings.Select(w => "warning: " + w["impact: warning: fraud-error-debt: ".Length..]), summary.Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void With_json_stdout_is_exactly_one_object_with_the_rows_summary_and_folder()
    {
        string dir = Path.Combine(_root, "json");
        CliRun run = Pilot(Fraud, dir, "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument doc = JsonDocument.Parse(run.Out); // throws unless stdout is exactly one JSON value
        JsonElement j = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, j.ValueKind);
        foreach (string field in (string[])["rows", "summary", "folder", "fraction", "simulations"])
            Assert.True(j.TryGetProperty(field, out _), field);
        Assert.Equal(dir, j.GetProperty("folder").GetString());
        Assert.Equal(0.002, j.GetProperty("fraction").GetDouble());
        Assert.Equal(100, j.GetProperty("simulations").GetInt32());
        Assert.Equal(Rows(dir).Count, j.GetProperty("rows").GetArrayLength());
        Assert.Contains(j.GetProperty("summary").EnumerateArray(), s => s.GetString()!.Contains("can detect", StringComparison.Ordinal));
        Assert.DoesNotContain("NaN", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", run.Out, StringComparison.Ordinal);
        // The warnings are in the object and on stderr; nothing else reaches stderr.
        Assert.Equal(j.GetProperty("warnings").EnumerateArray().Select(w => "impact: warning: fraud-error-debt: " + w.GetString()), run.ErrorLines);
        Assert.Equal(["json"], Written());
    }

    [Fact]
    public void The_same_seed_gives_the_same_pilot_csv_whatever_the_threads_and_another_seed_another()
    {
        string one = Path.Combine(_root, "one-thread"), two = Path.Combine(_root, "two-threads"), other = Path.Combine(_root, "other-seed");
        foreach ((string dir, string seed, string threads) in new[] { (one, "7", "1"), (two, "7", "2"), (other, "8", "2") })
        {
            CliRun run = Pilot(Fraud, dir, "--seed", seed, "--threads", threads);
            Assert.True(run.ExitCode == 0, run.Error);
        }

        byte[] csv = File.ReadAllBytes(Path.Combine(one, PilotCommand.PilotFile));
        Assert.Equal(csv, File.ReadAllBytes(Path.Combine(two, PilotCommand.PilotFile)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, PilotCommand.SummaryFile)), File.ReadAllBytes(Path.Combine(two, PilotCommand.SummaryFile)));
        Assert.NotEqual(csv, File.ReadAllBytes(Path.Combine(other, PilotCommand.PilotFile)));
    }

    /// <summary>The one line of a refused pilot, after checking the exit, the streams and that nothing was written.</summary>
    private string Refused(CliRun run)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Error}");
        Assert.Empty(run.Out);
        Assert.False(HasStackTrace(run.Error), run.Error);
        Assert.Empty(Written());
        return Assert.Single(run.ErrorLines);
    }

    private static (int Line, int Column) Find(string path, string text)
    {
        string[] lines = File.ReadAllLines(path);
        int line = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(line >= 0, text);
        return (line + 1, lines[line].IndexOf(text, StringComparison.Ordinal) + 1);
    }

    [Fact]
    public void A_scenario_without_a_pilot_section_is_one_positioned_line_and_exit_2()
    {
        string path = FraudCopy("no-pilot.yaml", text => Regex.Replace(text, @"^pilot:.*?^(?=variants:)", "", RegexOptions.Multiline | RegexOptions.Singleline));
        string line = Refused(Pilot(path, Path.Combine(_root, "out")));
        Assert.StartsWith($"{path}:1:1: pilot: the scenario has no pilot section", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_outcome_whose_metric_the_strand_does_not_produce_is_refused_at_the_outcome()
    {
        string path = FraudCopy("bad-metric.yaml", text => text.Replace("metric: true_positives, minimum_effect: 0.002", "metric: no_such_metric, minimum_effect: 0.002", StringComparison.Ordinal));
        string line = Refused(Pilot(path, Path.Combine(_root, "out")));
        (int row, int column) = Find(path, "{ id: overpayments-found,");
        Assert.StartsWith($"{path}:{row}:{column}: pilot.outcomes.overpayments-found.metric: ", line, StringComparison.Ordinal);
        Assert.Contains("'no_such_metric'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_harm_outcome_for_a_group_the_population_does_not_have_is_refused_at_the_group()
    {
        string path = FraudCopy("bad-group.yaml", text => text.Replace("group: no-fixed-address, tolerance: 0.01", "group: no-such-group, tolerance: 0.01", StringComparison.Ordinal));
        string line = Refused(Pilot(path, Path.Combine(_root, "out")));
        (int row, int column) = Find(path, "no-such-group");
        Assert.StartsWith($"{path}:{row}:{column}: pilot.outcomes.wrongful-suspension-nfa.group: ", line, StringComparison.Ordinal);
        Assert.Contains("'no-such-group'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void More_areas_per_arm_than_the_candidates_hold_is_refused_at_the_pilot_section()
    {
        // The fraud pilot's candidates, North East and London, hold 45 local authorities: 30 a side need 60.
        string path = FraudCopy("fraud.yaml");
        string line = Refused(CliRun.Of("pilot", path, "--out", Path.Combine(_root, "out"), "--simulations", Simulations, "--areas-per-arm", "2,30", "--fraction", Fraction));
        int row = Array.IndexOf(File.ReadAllLines(path), "pilot:") + 1;
        Assert.True(row > 0);
        Assert.StartsWith($"{path}:{row + 1}:", line, StringComparison.Ordinal); // the section's mapping, on the line after its key
        Assert.Contains(": pilot.areas: 30 local authorities per arm need 60; ", line, StringComparison.Ordinal);
        Assert.Contains("hold 45", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--simulations", "--simulations", "50")]
    [InlineData("--fraction", "--fraction", "0")]
    [InlineData("--fraction", "--fraction", "1.5")]
    [InlineData("--fraction", "--fraction", "-0.1")]
    [InlineData("--areas-per-arm", "--areas-per-arm", "1")]
    [InlineData("--areas-per-arm", "--areas-per-arm", "x")]
    [InlineData("--areas-per-arm", "--areas-per-arm", "2,x")]
    [InlineData("--seed", "--seed", "-1")]
    [InlineData("--threads", "--threads", "abc")]
    public void A_bad_option_is_one_line_naming_it_and_exit_2(string option, params string[] args)
    {
        string path = FraudCopy("fraud.yaml");
        // The small pilot's options, but the one under test.
        string[] small = ["--simulations", Simulations, "--areas-per-arm", Sizes, "--fraction", Fraction];
        string[] others = [.. small.Chunk(2).Where(pair => pair[0] != option).SelectMany(pair => pair)];
        string line = Refused(CliRun.Of(["pilot", path, "--out", Path.Combine(_root, "out"), .. others, .. args]));
        Assert.StartsWith($"impact: {option}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_out_folder_is_refused_with_one_line_and_left_as_it_was()
    {
        string dir = Path.Combine(_root, "exists");
        Directory.CreateDirectory(dir);
        CliRun run = Pilot(Fraud, dir);
        Assert.True(run.ExitCode == 2, run.Error);
        Assert.Empty(run.Out);
        Assert.StartsWith($"impact: --out '{dir}' already exists", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        Assert.Equal(["exists"], Written());
    }

    [Fact]
    public void A_population_file_is_refused_as_not_a_scenario()
    {
        string population = Shipped("uk-population.yaml");
        string line = Refused(Pilot(population, Path.Combine(_root, "out")));
        Assert.Equal($"impact: '{population}' is a population file, not a scenario (it has no 'strand:')", line);
    }

    [Fact]
    public async Task A_pilot_cancelled_while_simulating_exits_130_and_leaves_no_folder()
    {
        string dir = Path.Combine(_root, "cancelled");
        using var cts = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        // 3,000 simulations: a minute or more, so it is still simulating when the partial folder appears.
        // On a thread of its own: the verb's action runs synchronously inside RunAsync.
        Task<int> pilot = Task.Run(() => ImpactCli.RunAsync(["pilot", Fraud, "--out", dir, "--simulations", "3000", "--areas-per-arm", Sizes, "--fraction", Fraction],
            new CliConsole(output, error, IsTerminal: false), cts.Token));
        Assert.True(WaitFor(() => Directory.GetDirectories(_root, "cancelled.partial-*").Length > 0 || pilot.IsCompleted, ImpactProcess.Patience),
            "no partial folder appeared");
        await cts.CancelAsync();
        int code = await pilot.WaitAsync(ImpactProcess.Patience);
        Assert.True(code == 130, $"exit {code}: {error}");
        Assert.Empty(output.ToString());
        Assert.Empty(Written());
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                return false;
            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>
    /// Stopping promptly is the point, so the time is asserted: the command line's termination
    /// timeout is 2 s; 10 s leaves a margin for a loaded machine. The child is bounded (3,000
    /// simulations: a minute or two) so that one which ignored the signal would end by itself, and
    /// it is killed on every path.
    /// </summary>
    [Fact]
    public void A_real_pilot_interrupted_with_SIGINT_while_simulating_exits_130_within_seconds_and_leaves_nothing()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string dir = Path.Combine(_root, "interrupted");
        using ImpactProcess process = ImpactProcess.Start(ValidateCommandTests.RepositoryFile(),
            "pilot", Fraud, "--out", dir, "--simulations", "3000", "--areas-per-arm", Sizes, "--fraction", Fraction);
        Assert.True(WaitFor(() => Directory.GetDirectories(_root, "interrupted.partial-*").Length > 0, ImpactProcess.Patience),
            $"no partial folder within {ImpactProcess.Patience.TotalSeconds} s; stderr:\n{process.Error}");
        Thread.Sleep(500); // the verb takes the signal from just after it makes the folder: past that instant, and still simulating
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            Assert.True(kill.WaitForExit(ImpactProcess.Patience));
        var clock = Stopwatch.StartNew();
        Assert.True(process.WaitForExit(ImpactProcess.Patience), "impact did not stop after SIGINT");
        TimeSpan stopped = clock.Elapsed;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {process.Error}");
        Assert.True(stopped < TimeSpan.FromSeconds(10), $"stopped after {stopped.TotalSeconds:F1} s");
        Assert.False(HasStackTrace(process.Error), process.Error);
        Assert.Empty(Written());
    }

    /// <summary>
    /// Each shipped scenario with a pilot section, sized small, says for each harm outcome whether a
    /// pilot can detect it, naming the group as the population names it. The research scenario takes
    /// about a second per simulated pilot whatever the share of persons (its release is counted whole),
    /// so this is the slowest test of the class.
    /// </summary>
    [Theory]
    [InlineData("fraud-error-debt.yaml")]
    [InlineData("tailored-services.yaml")]
    [InlineData("research-statistics.yaml")]
    public void A_shipped_scenario_s_pilot_says_whether_each_harm_can_be_detected_for_its_group(string file)
    {
        string path = Shipped(file);
        Scenario scenario = Load(path);
        PilotOutcomeSpec[] harms = [.. scenario.Pilot!.Outcomes.Where(o => o.Kind == PilotOutcomeKind.HarmTolerance)];
        Assert.NotEmpty(harms);
        string dir = Path.Combine(_root, scenario.Name);
        CliRun run = CliRun.Of("pilot", path, "--out", dir, "--simulations", Simulations, "--areas-per-arm", Sizes, "--fraction", "0.001");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(HasStackTrace(run.Error), run.Error);

        string[] summary = File.ReadAllLines(Path.Combine(dir, PilotCommand.SummaryFile));
        string[] detect = [.. summary.Where(l => l.Contains("can detect", StringComparison.Ordinal))];
        Assert.Equal(harms.Length, detect.Length);
        foreach (PilotOutcomeSpec harm in harms)
        {
            string name = scenario.Population.Groups.Single(g => g.Id == harm.Group).Name ?? harm.Group!;
            Assert.Single(detect, l => l.Contains($"'{name}'", StringComparison.Ordinal));
            Assert.Single(run.OutLines, l => l.Contains("can detect", StringComparison.Ordinal) && l.Contains($"'{name}'", StringComparison.Ordinal));
        }

        foreach (PilotOutcomeSpec benefit in scenario.Pilot.Outcomes.Where(o => o.Kind == PilotOutcomeKind.Benefit))
        {
            string line = Assert.Single(summary, l => l.StartsWith(benefit.Id + " ", StringComparison.Ordinal));
            Assert.Matches(@": (the smallest pilot that reaches power \d\.\d\d is|no pilot within \d+ local authorities per arm reaches power)", line);
        }

        if (file == "fraud-error-debt.yaml")
            Assert.Contains(summary, l => l.StartsWith("overpayments-found ", StringComparison.Ordinal));
    }
}
