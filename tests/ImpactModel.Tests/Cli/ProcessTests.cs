using System.Diagnostics;

namespace ImpactModel.Tests.Cli;

/// <summary>The real <c>impact</c> executable as a user runs it: exit codes and what reaches each stream.</summary>
public class ProcessTests
{
    internal static (int Code, string Out, string Err) Impact(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ValidateCommandTests.RepositoryFile(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "impact.dll"));
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "impact did not finish within a minute");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void A_bad_option_in_a_real_process_is_one_line_on_stderr_and_exit_2()
    {
        var (code, stdout, stderr) = Impact("validate", "--bogus");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal("impact: Unrecognized option '--bogus'. (see 'impact --help')", stderr.TrimEnd('\n'));
    }

    [Fact]
    public void An_unknown_verb_in_a_real_process_is_one_line_on_stderr_and_exit_2()
    {
        var (code, stdout, stderr) = Impact("frobnicate");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal("impact: Unrecognized command or argument 'frobnicate'. (see 'impact --help')", stderr.TrimEnd('\n'));
    }

    [Fact]
    public void Validating_the_shipped_scenarios_in_a_real_process_exits_0()
    {
        var (code, stdout, stderr) = Impact("validate", "scenarios/fraud-error-debt.yaml", "scenarios/uk-population.yaml");
        Assert.True(code == 0, stderr);
        Assert.Equal(2, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
