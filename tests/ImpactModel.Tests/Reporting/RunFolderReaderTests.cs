using ImpactModel.Reporting;
using ImpactModel.Tests.Cli;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// The run folder as the reports read it: a damaged folder is one line naming the fault (never a
/// crash), and a scenario whose population sits in a parent folder is kept so that it runs again.
/// </summary>
public sealed class RunFolderReaderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-reader-" + Guid.NewGuid().ToString("N"));

    public RunFolderReaderTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private string Run(string scenario, string name)
    {
        string dir = Path.Combine(_root, name);
        CliRun run = CliRun.Of("run", scenario, "--population", "3000", "--replicates", "2", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        return dir;
    }

    private string Damaged(string good, string name, Action<string> damage)
    {
        string copy = Path.Combine(_root, name);
        foreach (string file in Directory.GetFiles(good, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(good, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        damage(copy);
        return copy;
    }

    [Fact]
    public void Damaged_folders_are_one_line_naming_the_fault()
    {
        string good = Run(ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"), "good");
        Assert.Equal("fraud-error-debt", RunFolderReader.Read(good, DiskScenarioFiles.Instance).Name);
        string results(string dir) => Path.Combine(dir, "results.csv");
        string manifest(string dir) => Path.Combine(dir, "manifest.json");
        int next = File.ReadLines(results(good)).Count() + 1; // the line of a row appended
        (string Folder, string Expected)[] cases =
        [
            (Damaged(good, "short-parameter-row", d => File.AppendAllText(Path.Combine(d, "parameters.csv"), "0,x,1,published\n")),
                "parameters.csv:"),
            (Damaged(good, "second-row", d => File.AppendAllText(results(d), File.ReadLines(results(d)).Skip(1).First() + "\n")),
                "a second row for variant 'status-quo', group 'all', metric 'persons'"),
            // The results' rows are read as ranges of each line: each field's fault is named with the row's line.
            (Damaged(good, "short-row", d => File.AppendAllText(results(d), "fraud-error-debt,fraud,status-quo,all\n")),
                $"results.csv:{next}: expected 11 fields, found 4"),
            (Damaged(good, "long-row", d => File.AppendAllText(results(d), "fraud-error-debt,fraud,x,all,persons,1,0,2,3,0.1,4,5,6\n")),
                $"results.csv:{next}: expected 11 fields, found 13"),
            (Damaged(good, "other-scenario", d => File.AppendAllText(results(d), "tailored,fraud,x,all,persons,1,0,2,3,0.1,4\n")),
                $"results.csv:{next}: scenario 'tailored' is not the manifest's 'fraud-error-debt'"),
            (Damaged(good, "not-a-number", d => File.AppendAllText(results(d), "fraud-error-debt,fraud,x,all,persons,1,0,2x,3,0.1,4\n")),
                $"results.csv:{next}: '2x' is not a number"),
            (Damaged(good, "replicates", d => File.AppendAllText(results(d), "fraud-error-debt,fraud,x,all,persons,1,0,2,-3,0.1,4\n")),
                $"results.csv:{next}: replicates '-3' is out of range"),
            (Damaged(good, "no-basis", d => File.WriteAllText(manifest(d), File.ReadAllText(manifest(d)).Replace("\"basis\"", "\"basis_gone\"", StringComparison.Ordinal))),
                "not a run manifest: it lacks"),
            (Damaged(good, "not-json", d => File.WriteAllText(manifest(d), "{ \"scenario\": ")), "not a run manifest:"),
            (Damaged(good, "wrong-header", d => File.WriteAllLines(results(d), ["scenario,strand,variant"])), "results.csv:1: expected the header"),
            (Damaged(good, "no-results", d => File.Delete(results(d))), "results.csv': cannot be read"),
            // The review is read beside the results (on another thread): its fault is reported as it is, and after the results' own.
            (Damaged(good, "review", d => File.WriteAllText(Path.Combine(d, "safeguards.csv"), "nonsense\n")), "safeguards.csv"),
            (Damaged(good, "results-and-review", d =>
            {
                File.Delete(results(d));
                File.WriteAllText(Path.Combine(d, "safeguards.csv"), "nonsense\n");
            }), "results.csv': cannot be read"),
        ];
        foreach ((string folder, string expected) in cases)
        {
            var e = Assert.Throws<RunFolderException>(() => RunFolderReader.Read(folder, DiskScenarioFiles.Instance));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void A_population_in_a_parent_folder_is_kept_beside_the_scenario_and_the_copy_runs_again_byte_for_byte()
    {
        string shipped = ValidateCommandTests.RepositoryFile("scenarios");
        string scenarios = Path.Combine(_root, "work", "proposals"), shared = Path.Combine(_root, "work", "shared");
        Directory.CreateDirectory(scenarios);
        Directory.CreateDirectory(Path.Combine(shared, "data"));
        File.WriteAllText(Path.Combine(scenarios, "fraud.yaml"), File.ReadAllText(Path.Combine(shipped, "fraud-error-debt.yaml"))
            .Replace("population: uk-population.yaml", "population: ../shared/uk-population.yaml", StringComparison.Ordinal));
        File.Copy(Path.Combine(shipped, "uk-population.yaml"), Path.Combine(shared, "uk-population.yaml"));
        foreach (string csv in Directory.GetFiles(Path.Combine(shipped, "data"), "uk-*.csv"))
            File.Copy(csv, Path.Combine(shared, "data", Path.GetFileName(csv)));

        string first = Run(Path.Combine(scenarios, "fraud.yaml"), "first");
        Assert.True(File.Exists(Path.Combine(first, "inputs", "proposals", "fraud.yaml")));
        Assert.True(File.Exists(Path.Combine(first, "inputs", "shared", "uk-population.yaml")));
        Assert.True(File.Exists(Path.Combine(first, "inputs", "shared", "data", "uk-age-mid-2022.csv")));
        RunData data = RunFolderReader.Read(first, DiskScenarioFiles.Instance);
        Assert.Equal("inputs/proposals/fraud.yaml", data.Manifest.InputsScenario);
        Assert.NotNull(data.Scenario); // the kept copy loads: group names and descriptions come from it
        Assert.Equal("No fixed address", data.GroupLabel("no-fixed-address"));

        string again = Run(Path.Combine(first, "inputs", "proposals", "fraud.yaml"), "again");
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "results.csv")), File.ReadAllBytes(Path.Combine(again, "results.csv")));
    }

    [Fact]
    public void A_runs_own_report_from_the_scenario_it_loaded_is_the_report_its_kept_copy_gives()
    {
        // impact run hands the report the scenario it loaded, and the linkage-weight tally it started for it beside the run;
        // impact report, compare and the tests load the kept copy and simulate the tally in the chart.
        string run = Run(ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"), "own");
        string again = Damaged(run, "again", d =>
        {
            File.Delete(Path.Combine(d, ReportWriter.ReportFile));
            Directory.Delete(Path.Combine(d, ReportWriter.ChartsFolder), recursive: true);
        });
        RunData data = ReportWriter.WriteRun(again, DiskScenarioFiles.Instance);
        Assert.NotNull(data.Scenario);
        Assert.NotEmpty(data.Scenario.Linkages); // the linkage chart is drawn from the scenario
        Assert.Equal(File.ReadAllText(Path.Combine(run, ReportWriter.ReportFile)), File.ReadAllText(Path.Combine(again, ReportWriter.ReportFile)));
        string[] charts = [.. Directory.GetFiles(Path.Combine(run, ReportWriter.ChartsFolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(charts, Directory.GetFiles(Path.Combine(again, ReportWriter.ChartsFolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("linkage-weights.png", charts);
        foreach (string chart in charts)
            Assert.Equal(File.ReadAllBytes(Path.Combine(run, ReportWriter.ChartsFolder, chart)), File.ReadAllBytes(Path.Combine(again, ReportWriter.ChartsFolder, chart)));
    }

    [Fact]
    public void What_a_run_keeps_and_hashes_is_what_it_loaded_even_if_the_file_changes_on_disk_meanwhile()
    {
        string path = Path.Combine(_root, "a.yaml");
        File.WriteAllText(path, "first");
        var files = new RememberingScenarioFiles(DiskScenarioFiles.Instance);
        byte[] loaded = files.Read(path).Bytes!;
        File.WriteAllText(path, "second, edited during the run");
        Assert.Equal(loaded, files.Read(path).Bytes);
        Assert.Equal("first"u8.ToArray(), files.Read(path).Bytes);
        Assert.Equal(DiskScenarioFiles.Instance.Resolve(path, "b.yaml"), files.Resolve(path, "b.yaml"));
    }
}
