using System.Text.Json;

namespace ImpactModel.Tests.Cli;

/// <summary>
/// <c>impact run PACKAGE</c> and <c>impact validate PACKAGE</c>: each scenario's run folder with the
/// results of its own run, package.csv and manifest.json as PRODUCT.md says, and a package whose
/// scenarios do not share one population refused with one positioned line per problem, exit 2,
/// nothing written.
/// </summary>
public sealed class PackageCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "package-cli-" + Guid.NewGuid().ToString("N"));

    public PackageCommandTests()
    {
        Directory.CreateDirectory(_root);
        // A copy of the shipped scenarios, so that the tests can add files beside them.
        string scenarios = ValidateCommandTests.RepositoryFile("scenarios");
        foreach (string file in Directory.EnumerateFiles(scenarios, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(_root, Path.GetRelativePath(scenarios, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string At(string name) => Path.Combine(_root, name);

    private string Package(string body)
    {
        string file = At("test-package.yaml");
        File.WriteAllText(file, body);
        return file;
    }

    [Fact]
    public void A_package_run_writes_each_scenario_as_its_own_run_and_the_package_files()
    {
        string output = At("out");
        CliRun run = CliRun.Of("run", At("uk-data-sharing-package.yaml"), "--population", "20000", "--replicates", "3", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);

        string[] names = ["fraud-error-debt", "tailored-services", "research-statistics"];
        foreach (string name in names)
        {
            string alone = At("alone-" + name);
            CliRun own = CliRun.Of("run", At(name + ".yaml"), "--population", "20000", "--replicates", "3", "--out", alone);
            Assert.True(own.ExitCode == 0, own.Error);
            Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "results.csv")), File.ReadAllBytes(Path.Combine(output, name, "results.csv")));
            Assert.True(File.Exists(Path.Combine(output, name, "report.html")), $"{name} has its own report");
        }

        string[] lines = File.ReadAllLines(Path.Combine(output, "package.csv"));
        Assert.Equal("package,group,metric,mean,ci_low,ci_high,replicates", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal("uk-data-sharing", r[0]));
        Assert.Equal("all", rows[0][1]);
        Assert.Equal("rest", rows[^1][1]);
        Assert.All(rows, r => Assert.Matches(@"^[a-z][a-z0-9_]*(\.[a-z0-9-]+)?$", r[2]));
        string[] metrics = [.. rows.Where(r => r[1] == "all").Select(r => r[2])];
        foreach (string name in names)
        {
            Assert.Contains("harmed_by." + name, metrics);
            Assert.Contains("harmed_by_rate_ratio_vs_rest." + name, metrics);
            Assert.Contains("benefited_by_rate." + name, metrics);
        }

        Assert.Contains("harmed_by_pair.fraud-error-debt--tailored-services", metrics);
        Assert.Contains("harmed_by_pair_rate.tailored-services--research-statistics", metrics);
        foreach (string metric in new[] { "harmed_by_any", "harmed_by_two_or_more", "harmed_by_all", "harmed_by_any_rate", "harmed_by_all_rate_ratio_vs_rest" })
            Assert.Contains(metric, metrics);

        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "manifest.json")));
        JsonElement m = manifest.RootElement;
        Assert.Equal("uk-data-sharing", m.GetProperty("package").GetString());
        Assert.Equal(names, m.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.All(m.GetProperty("scenarios").EnumerateArray(), s => Assert.Equal("proposal", s.GetProperty("variant").GetString()));
        Assert.Equal(20000, m.GetProperty("persons").GetInt64());
        Assert.Equal(64, m.GetProperty("population").GetProperty("sha256").GetString()!.Length);
        Assert.Contains("package uk-data-sharing", run.Out, StringComparison.Ordinal);
        Assert.False(Directory.EnumerateDirectories(_root, "out.partial-*").Any(), "no partial folder is left");
    }

    [Fact]
    public void A_scenario_over_another_population_is_refused_at_its_entry_and_nothing_is_written()
    {
        // Another population: one prevalence changed. The tailored scenario is pointed at it.
        File.WriteAllText(At("other-population.yaml"), File.ReadAllText(At("uk-population.yaml")).Replace("value: beta(60, 940)", "value: beta(61, 939)", StringComparison.Ordinal));
        Assert.NotEqual(File.ReadAllText(At("uk-population.yaml")), File.ReadAllText(At("other-population.yaml")));
        File.WriteAllText(At("tailored-other.yaml"), File.ReadAllText(At("tailored-services.yaml"))
            .Replace("population: uk-population.yaml", "population: other-population.yaml", StringComparison.Ordinal));
        string package = Package("package: mixed\nscenarios:\n  - fraud-error-debt.yaml\n  - tailored-other.yaml\n");
        string output = At("out");
        CliRun run = CliRun.Of("run", package, "--population", "1000", "--replicates", "1", "--out", output);
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"{package}:4:5: scenarios[1]: scenario 'tailored-services' references population file 'other-population.yaml'", line, StringComparison.Ordinal);
        Assert.Contains("not the package's 'uk-population.yaml'", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.EnumerateDirectories(_root, "out*"));

        CliRun validate = CliRun.Of("validate", package);
        Assert.Equal(2, validate.ExitCode);
        Assert.Equal(line, Assert.Single(validate.ErrorLines));
    }

    [Fact]
    public void An_identical_population_under_another_name_is_the_same_population()
    {
        File.Copy(At("uk-population.yaml"), At("same-population.yaml"));
        File.WriteAllText(At("tailored-same.yaml"), File.ReadAllText(At("tailored-services.yaml"))
            .Replace("population: uk-population.yaml", "population: same-population.yaml", StringComparison.Ordinal));
        string package = Package("package: same\nscenarios:\n  - fraud-error-debt.yaml\n  - path: tailored-same.yaml\n    variant: proactive-contact\n");
        CliRun validate = CliRun.Of("validate", package);
        Assert.True(validate.ExitCode == 0, validate.Error);
        Assert.Contains("tailored-services proactive-contact", validate.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("package: p\nscenarios:\n  - fraud-error-debt.yaml\n", "3:3: scenarios: a package names 2 to 8 scenarios, not 1")]
    [InlineData("package: p\nscenarios:\n  - fraud-error-debt.yaml\n  - fraud-error-debt.yaml\n", "4:5: scenarios[1]: scenario 'fraud-error-debt' is named twice")]
    [InlineData("package: p\nscenarios:\n  - fraud-error-debt.yaml\n  - path: tailored-services.yaml\n    variant: proposl\n", "5:14: scenarios[1].variant: scenario 'tailored-services' has no variant 'proposl'; did you mean 'proposal'?")]
    [InlineData("package: p\nscenarios:\n  - fraud-error-debt.yaml\n  - missing.yaml\n", "4:5: scenarios[1]: scenario file 'missing.yaml'")]
    [InlineData("package: p\nscenarios:\n  - fraud-error-debt.yaml\n  - uk-population.yaml\n", "4:5: scenarios[1]: 'uk-population.yaml' is a population file, not a scenario")]
    [InlineData("package: P!\nscenarios:\n  - fraud-error-debt.yaml\n  - tailored-services.yaml\n", "1:10: package: package id 'P!' must match")]
    [InlineData("package: p\nscenario:\n  - fraud-error-debt.yaml\n", "2:1: scenario: unknown key 'scenario'; did you mean 'scenarios'?")]
    public void A_bad_package_is_one_positioned_line_exit_2(string body, string expected)
    {
        string package = Package(body);
        CliRun run = CliRun.Of("run", package, "--population", "1000", "--replicates", "1", "--out", At("out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.ErrorLines, l => l.StartsWith($"{package}:{expected}", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(At("out")));
    }

    [Fact]
    public void A_scenario_with_an_inline_population_is_refused()
    {
        // The shared file's population written into the scenario: the same persons, but not by reference.
        string population = string.Join('\n', File.ReadAllLines(At("uk-population.yaml")).SkipWhile(l => !l.StartsWith("population:", StringComparison.Ordinal)));
        File.WriteAllText(At("inline.yaml"), File.ReadAllText(At("tailored-services.yaml"))
            .Replace("population: uk-population.yaml", population, StringComparison.Ordinal));
        Assert.True(CliRun.Of("validate", At("inline.yaml")).ExitCode == 0, "the inline scenario is valid on its own");
        string package = Package("package: p\nscenarios:\n  - fraud-error-debt.yaml\n  - inline.yaml\n");
        CliRun run = CliRun.Of("validate", package);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"{package}:4:5: scenarios[1]: scenario 'tailored-services' declares its population inline; a package's scenarios share one population file (population: FILE)",
            Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void A_scenario_name_that_cannot_be_joined_by_double_hyphens_is_refused_at_its_entry()
    {
        File.WriteAllText(At("joined.yaml"), File.ReadAllText(At("fraud-error-debt.yaml")).Replace("name: fraud-error-debt", "name: fraud--debt", StringComparison.Ordinal));
        string package = Package("package: p\nscenarios:\n  - joined.yaml\n  - tailored-services.yaml\n");
        CliRun run = CliRun.Of("run", package, "--population", "1000", "--replicates", "1", "--out", At("out"));
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"{package}:3:5: scenarios[0]: scenario name 'fraud--debt' has '--' in it", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(At("out")));
    }

    [Fact]
    public void A_package_is_refused_where_a_scenario_is_expected_and_by_the_store()
    {
        CliRun describe = CliRun.Of("describe", At("uk-data-sharing-package.yaml"));
        Assert.Equal(2, describe.ExitCode);
        Assert.Contains("this is a package of scenarios (top-level 'package:')", describe.Error, StringComparison.Ordinal);
        CliRun stored = CliRun.Of("run", At("uk-data-sharing-package.yaml"), "--db", "Host=127.0.0.1;Port=1;Username=u;Password=secret", "--out", At("out"));
        Assert.Equal(2, stored.ExitCode);
        Assert.Contains("a package is written to files only", stored.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", stored.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_package_runs_alone()
    {
        CliRun run = CliRun.Of("run", At("uk-data-sharing-package.yaml"), At("fraud-error-debt.yaml"), "--out", At("out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("a package runs alone", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void With_json_the_summary_is_one_object()
    {
        CliRun run = CliRun.Of("run", At("uk-data-sharing-package.yaml"), "--population", "5000", "--replicates", "2", "--out", At("out"), "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        Assert.Equal("uk-data-sharing", json.RootElement.GetProperty("package").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("scenarios").GetArrayLength());
    }
}
