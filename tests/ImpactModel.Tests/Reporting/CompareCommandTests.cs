using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// <c>impact compare</c> (issue 20): from scenarios and from run folders made earlier, byte-identical
/// compare.csv either way; the same scenario twice told apart by its run column; bad input refused
/// with one line, exit 2 and nothing written. Also: a run folder keeps what repeats it byte for byte.
/// </summary>
public sealed class CompareCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-compare-" + Guid.NewGuid().ToString("N"));

    public CompareCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private static string Shipped(string name) => ValidateCommandTests.RepositoryFile("scenarios", name);

    private static readonly string[] Small = ["--population", "4000", "--replicates", "3"];

    private string Run(string scenario, string name, params string[] extra)
    {
        string dir = Path.Combine(_root, name);
        CliRun run = CliRun.Of(["run", Shipped(scenario), .. Small, .. extra, "--out", dir]);
        Assert.True(run.ExitCode == 0, run.Error);
        return dir;
    }

    [Fact]
    public void Two_shipped_scenarios_compare_alike_from_scenarios_and_from_run_folders()
    {
        string fromScenarios = Path.Combine(_root, "a");
        CliRun compare = CliRun.Of(["compare", Shipped("fraud-error-debt.yaml"), Shipped("tailored-services.yaml"), .. Small, "--out", fromScenarios]);
        Assert.True(compare.ExitCode == 0, compare.Error);
        string fraud = Run("fraud-error-debt.yaml", "fraud"), tailored = Run("tailored-services.yaml", "tailored");
        string fromFolders = Path.Combine(_root, "b");
        compare = CliRun.Of("compare", fraud, tailored, "--out", fromFolders);
        Assert.True(compare.ExitCode == 0, compare.Error);

        byte[] a = File.ReadAllBytes(Path.Combine(fromScenarios, "compare.csv"));
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(fromFolders, "compare.csv")));
        string[] lines = File.ReadAllLines(Path.Combine(fromFolders, "compare.csv"));
        Assert.Equal("run,scenario,strand,variant,group,metric,mean,ci_low,ci_high,replicates,mc_se,events", lines[0]);
        // Every status quo and proposal row of each run, as its results.csv has it, and nothing else.
        foreach ((string run, string folder) in new[] { ("fraud-error-debt", fraud), ("tailored-services", tailored) })
        {
            string[] expected = [.. File.ReadAllLines(Path.Combine(folder, "results.csv")).Skip(1)
                .Where(l => l.Split(',')[2] is "status-quo" or "proposal").Select(l => run + "," + l)];
            Assert.Equal(expected, lines.Where(l => l.StartsWith(run + ",", StringComparison.Ordinal)));
        }

        Assert.Equal(lines.Length - 1, lines.Count(l => l.StartsWith("fraud-error-debt,", StringComparison.Ordinal) || l.StartsWith("tailored-services,", StringComparison.Ordinal)));
        // The scenarios run are kept under runs/, and the comparison has its report and charts.
        Assert.True(File.Exists(Path.Combine(fromScenarios, "runs", "fraud-error-debt", "results.csv")));
        Assert.True(File.Exists(Path.Combine(fromScenarios, "report.html")));
        Assert.True(Directory.Exists(Path.Combine(fromScenarios, "charts")));
        Assert.Empty(Directory.GetDirectories(_root, "*.partial-*"));
    }

    [Fact]
    public void The_same_scenario_with_two_seeds_is_told_apart_by_the_run_column_and_warned_about()
    {
        string one = Run("fraud-error-debt.yaml", "seed1", "--seed", "1"), two = Run("fraud-error-debt.yaml", "seed2", "--seed", "2");
        string dir = Path.Combine(_root, "c");
        CliRun compare = CliRun.Of("compare", one, two, "--out", dir);
        Assert.True(compare.ExitCode == 0, compare.Error);
        string[] lines = File.ReadAllLines(Path.Combine(dir, "compare.csv"));
        int first = lines.Count(l => l.StartsWith("fraud-error-debt,", StringComparison.Ordinal));
        int second = lines.Count(l => l.StartsWith("fraud-error-debt-2,", StringComparison.Ordinal));
        Assert.True(first > 0 && first == second, $"{first} and {second} rows");
        Assert.NotEqual(lines.Where(l => l.StartsWith("fraud-error-debt,", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(',') + 1)..]),
            lines.Where(l => l.StartsWith("fraud-error-debt-2,", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(',') + 1)..]));
        Assert.Contains(compare.ErrorLines, l => l.StartsWith("impact: warning: compare: the runs differ in seed (fraud-error-debt: 1; fraud-error-debt-2: 2)", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_names_repeat_with_a_suffix_in_argument_order()
    {
        Assert.Equal(["a", "b", "a-2", "a-3"], Worker.Commands.CompareCommand.RunNames(["a", "b", "a", "a"]));
        Assert.Equal(["a-2", "a", "a-2-2"], Worker.Commands.CompareCommand.RunNames(["a-2", "a", "a"]));
    }

    [Fact]
    public void Bad_inputs_are_one_line_exit_2_and_nothing_written()
    {
        string good = Run("fraud-error-debt.yaml", "good");
        string partial = Path.Combine(_root, "x.partial-0011aabbccdd-1");
        Directory.CreateDirectory(partial);
        string noManifest = Path.Combine(_root, "empty");
        Directory.CreateDirectory(noManifest);
        string badCsv = Path.Combine(_root, "bad-csv");
        CopyFolder(good, badCsv);
        File.AppendAllText(Path.Combine(badCsv, "results.csv"), "fraud-error-debt,fraud-error-debt,proposal,all,x,abc,,,3,,\n");
        string existing = Path.Combine(_root, "exists");
        Directory.CreateDirectory(existing);

        (string[] Args, string Message)[] cases =
        [
            (["compare", good, "--out", Path.Combine(_root, "o1")], "impact: compare needs at least two scenarios or run folders, got 1"),
            (["compare", good, partial, "--out", Path.Combine(_root, "o2")], $"impact: '{partial}' is a run still being written (or left by one that failed), not a finished run folder"),
            (["compare", good, noManifest, "--out", Path.Combine(_root, "o3")], $"impact: '{noManifest}' is not a finished run folder: it has no manifest.json"),
            (["compare", good, badCsv, "--out", Path.Combine(_root, "o4")], $"impact: {Path.Combine(badCsv, "results.csv")}:"),
            (["compare", good, good, "--out", existing], $"impact: --out '{existing}' already exists; compare never overwrites a folder (choose another DIR)"),
        ];
        foreach ((string[] args, string message) in cases)
        {
            CliRun run = CliRun.Of(args);
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', args)}: exit {run.ExitCode}: {run.Error}");
            Assert.StartsWith(message, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
            Assert.Empty(run.Out);
        }

        Assert.False(Directory.Exists(Path.Combine(_root, "o1")) || Directory.Exists(Path.Combine(_root, "o2")) || Directory.Exists(Path.Combine(_root, "o3"))
                     || Directory.Exists(Path.Combine(_root, "o4")));
        Assert.Empty(Directory.GetFileSystemEntries(existing));
        Assert.Single(Directory.GetDirectories(_root, "*.partial-*")); // only the one the test made
    }

    [Fact]
    public void A_run_folder_keeps_its_inputs_and_running_them_with_the_manifest_seed_repeats_results_byte_for_byte()
    {
        string first = Run("fraud-error-debt.yaml", "first", "--seed", "7");
        string manifest = File.ReadAllText(Path.Combine(first, "manifest.json"));
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        string kept = json.RootElement.GetProperty("inputs_scenario").GetString()!;
        string seed = json.RootElement.GetProperty("seed").GetString()!;
        Assert.Equal("inputs/fraud-error-debt.yaml", kept);
        Assert.True(File.Exists(Path.Combine(first, "inputs", "uk-population.yaml")), "the population file it references is kept beside it");
        string[] commandLine = [.. json.RootElement.GetProperty("command_line").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal(["run", Shipped("fraud-error-debt.yaml"), .. Small, "--seed", "7", "--out", first], commandLine);

        string again = Path.Combine(_root, "again");
        CliRun rerun = CliRun.Of(["run", Path.Combine(first, kept), .. Small, "--seed", seed, "--out", again]);
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "results.csv")), File.ReadAllBytes(Path.Combine(again, "results.csv")));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
