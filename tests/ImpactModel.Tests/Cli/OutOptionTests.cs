namespace ImpactModel.Tests.Cli;

/// <summary>
/// <c>run --out DIR</c> where no run folder can be made: exit 2 with one line naming DIR and the
/// reason, before anything runs, and nothing left behind (issue 15, item 5). Each case fails as
/// root too: a file cannot be a folder's parent, and /proc and /sys refuse new folders to everyone.
/// </summary>
public sealed class OutOptionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("impact-out-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Fraud => ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");

    /// <summary>One replicate of a few persons: were the run to start, its progress line would be a second line on stderr.</summary>
    private static CliRun Run(string dir) => CliRun.Of("run", Fraud, "--population", "1000", "--replicates", "1", "--out", dir);

    private static string AssertRefused(CliRun run, string dir)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Error}");
        Assert.Empty(run.Out);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"impact: --out '{dir}': ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        return line;
    }

    [Fact]
    public void An_out_whose_parent_is_a_file_is_refused_with_the_path_and_the_reason_and_exit_2()
    {
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "not a folder");
        string dir = Path.Combine(file, "run");
        string line = AssertRefused(Run(dir), dir);
        Assert.EndsWith($"'{file}' is a file, not a folder", line, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(file));
        Assert.Equal([file], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void An_out_below_a_file_several_levels_up_names_that_file()
    {
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "");
        string dir = Path.Combine(file, "deeper", "still", "run");
        string line = AssertRefused(Run(dir), dir);
        Assert.EndsWith($"'{file}' is a file, not a folder", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_out_is_refused_with_exit_2()
    {
        string line = AssertRefused(Run(""), "");
        Assert.Contains("empty", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_out_where_the_system_refuses_a_folder_even_to_root_is_exit_2_before_the_run()
    {
        // /sys refuses new folders to every user, root included (EPERM): the read-only parent of
        // the issue, in a form a test running as root cannot write through.
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/sys/kernel"))
            return;
        string dir = "/sys/impact-test-run-" + Guid.NewGuid().ToString("N");
        string line = AssertRefused(Run(dir), dir);
        Assert.Contains("cannot create the run folder", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories("/sys", "impact-test-run-*"));
    }

    [Fact]
    public void An_out_under_proc_is_exit_2_with_the_path()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self"))
            return;
        string dir = "/proc/impact-test-" + Guid.NewGuid().ToString("N") + "/run";
        AssertRefused(Run(dir), dir);
    }

    [Fact]
    public void Missing_parent_folders_of_out_are_created()
    {
        string dir = Path.Combine(_root, "new", "parents", "run");
        CliRun run = Run(dir);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.Exists(Path.Combine(dir, "results.csv")));
        Assert.Equal(["run"], Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Run_help_says_that_missing_parents_of_out_are_created()
    {
        CliRun run = CliRun.Of("run", "--help");
        Assert.Equal(0, run.ExitCode);
        string help = string.Join(' ', run.OutLines);
        Assert.Contains("Missing parent folders are created", help, StringComparison.Ordinal);
    }
}
