namespace ImpactModel.Tests.Cli;

public class CommandLineTests
{
    [Fact]
    public void A_bad_option_gives_one_line_naming_it_and_exit_2()
    {
        CliRun run = CliRun.Of("validate", "--bogus", "x.yaml");
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains("--bogus", line, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void An_unknown_verb_gives_one_line_naming_it_and_exit_2()
    {
        CliRun run = CliRun.Of("frobnicate");
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains("frobnicate", line, StringComparison.Ordinal);
    }

    [Fact]
    public void No_verb_gives_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of();
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
    }

    [Fact]
    public void Validate_without_files_gives_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of("validate");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
    }

    [Fact]
    public void Help_on_a_verb_exits_0_and_describes_it()
    {
        CliRun run = CliRun.Of("validate", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("file:line:column", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_setting_is_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of("validate", "--set", "nonsense", "x.yaml");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--set", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }
}
