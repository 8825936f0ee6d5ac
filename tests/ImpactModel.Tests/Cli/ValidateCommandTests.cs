using ImpactModel.Tests.Scenarios;
using ImpactModel.Tests.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Tests.Cli;

/// <summary><c>impact validate</c> on real files: the shipped scenarios, and files a user can get wrong on disk.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("impact-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string RepositoryFile(params string[] parts)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "ImpactModel.sln")))
            dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        return Path.Combine([dir, .. parts]);
    }

    [Fact]
    public void The_shipped_scenarios_are_valid()
    {
        string[] files = Directory.GetFiles(RepositoryFile("scenarios"), "*.yaml");
        Assert.Contains(files, f => f.EndsWith("fraud-error-debt.yaml", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("uk-population.yaml", StringComparison.Ordinal));
        CliRun run = CliRun.Of(["validate", .. files]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(files.Length, run.OutLines.Length);
        // Valid, and with no warning: every shipped strand has its model, and every variant's override acts.
        Assert.Empty(run.ErrorLines);
    }

    [Fact]
    public void A_strand_without_a_model_is_valid_with_a_warning_and_its_variant_overrides_warned_at_their_position()
    {
        // Every shipped strand has a model: validate is given a registry without the research one.
        string file = RepositoryFile("scenarios", "research-statistics.yaml");
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = ValidateCommand.Run([file], new CliConsole(output, error, IsTerminal: false), SeamTests.WithoutResearch);
        var run = new CliRun(code, output.ToString(), error.ToString());
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Single(run.OutLines);
        Assert.All(run.ErrorLines, l => Assert.StartsWith("impact: warning: research-statistics: ", l, StringComparison.Ordinal));
        Assert.Contains(run.ErrorLines, l => l.Contains("strand 'research-statistics' has no model yet", StringComparison.Ordinal));
        string text = File.ReadAllText(file);
        const string Override = "research.release.form: public-tables";
        string at = ScenarioFixture.At(file, text, Override, offset: Override.IndexOf("public-tables", StringComparison.Ordinal));
        Assert.Contains(run.ErrorLines, l => l.Contains($"{at}: variant 'public-tables': override 'research.release.form' has no effect", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_is_one_line_and_exit_2()
    {
        string path = Path.Combine(_dir, "nowhere.yaml");
        CliRun run = CliRun.Of("validate", path);
        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith("nowhere.yaml: no such file", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of("validate", _dir);
        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith(": is a directory, not a scenario file", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_one_line_and_exit_2()
    {
        string path = Path.Combine(_dir, "empty.yaml");
        File.WriteAllText(path, "");
        CliRun run = CliRun.Of("validate", path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("empty.yaml:1:1: the file is empty", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_file_is_one_line_and_exit_2()
    {
        string path = Path.Combine(_dir, "image.yaml");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]);
        CliRun run = CliRun.Of("validate", path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("image.yaml: is not a text file", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_and_invalid_files_together_report_each_and_exit_2()
    {
        string good = RepositoryFile("scenarios", "uk-population.yaml");
        string bad = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(bad, "strand: fraud-error-debt\nname: Bad Name\n");
        CliRun run = CliRun.Of("validate", good, bad);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.OutLines);
        Assert.Contains(run.ErrorLines, l => l.Contains("bad.yaml:2:7: name: scenario name 'Bad Name' must match", StringComparison.Ordinal));
        Assert.Equal("impact: 1 of 2 files invalid", run.ErrorLines[^1]);
    }

    [Fact]
    public void A_population_file_error_shared_by_two_scenarios_is_printed_once()
    {
        File.WriteAllText(Path.Combine(_dir, "pop.yaml"), "population:\n  size: 0\n  areas: []\n  groups: []\n");
        string a = Path.Combine(_dir, "a.yaml"), b = Path.Combine(_dir, "b.yaml");
        File.WriteAllText(a, "strand: fraud-error-debt\nname: a\nprice_year: 2014\nhorizon_years: 1\npopulation: pop.yaml\n");
        File.WriteAllText(b, "strand: fraud-error-debt\nname: b\nprice_year: 2014\nhorizon_years: 1\npopulation: pop.yaml\n");
        CliRun run = CliRun.Of("validate", a, b);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines, l => l.Contains("pop.yaml:2:9: population.size", StringComparison.Ordinal));
    }
}
