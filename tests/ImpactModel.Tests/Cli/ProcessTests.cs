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

    [Theory]
    [InlineData("--population", "abc", "run", "scenarios/fraud-error-debt.yaml", "--population", "abc")]
    [InlineData("--population", "1e12", "run", "scenarios/fraud-error-debt.yaml", "--population", "1e12")]
    [InlineData("--threads", "abc", "describe", "scenarios/fraud-error-debt.yaml", "--threads", "abc")]
    [InlineData("--seed", "-1", "run", "scenarios/fraud-error-debt.yaml", "--seed", "-1")]
    [InlineData("--replicates", "abc", "serve", "--replicates", "abc")]
    [InlineData("--areas-per-arm", "1e15", "power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "1e15")]
    public void A_bad_number_in_a_real_process_is_one_line_naming_the_option_and_exit_2_not_a_crash(string option, string value, params string[] args)
    {
        var (code, stdout, stderr) = Impact(args);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Empty(stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"impact: {option}: '{value}' is not a ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unusable_out_in_a_real_process_is_one_line_with_the_path_and_exit_2()
    {
        string dir = Path.Combine(ValidateCommandTests.RepositoryFile("README.md"), "run");
        var (code, stdout, stderr) = Impact("run", "scenarios/fraud-error-debt.yaml", "--population", "1000", "--replicates", "1", "--out", dir);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Empty(stdout);
        Assert.StartsWith($"impact: --out '{dir}': ", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validating_the_shipped_scenarios_in_a_real_process_exits_0()
    {
        var (code, stdout, stderr) = Impact("validate", "scenarios/fraud-error-debt.yaml", "scenarios/uk-population.yaml");
        Assert.True(code == 0, stderr);
        Assert.Equal(2, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
