using ImpactModel.Tests.Support;

namespace ImpactModel.Tests.Cli;

/// <summary>The real <c>impact</c> executable as a user runs it: exit codes and what reaches each stream.</summary>
public class ProcessTests
{
    internal static (int Code, string Out, string Err) Impact(params string[] args)
    {
        using var process = ImpactProcess.Start(ValidateCommandTests.RepositoryFile(), args); // killed on every path
        Assert.True(process.WaitForExit(ImpactProcess.Patience), $"impact did not finish within {ImpactProcess.Patience.TotalSeconds} s");
        return (process.ExitCode, process.Out, process.Error);
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
