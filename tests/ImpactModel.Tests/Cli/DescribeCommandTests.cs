using System.Text.Json;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Tests.Cli;

public class DescribeCommandTests
{
    private static readonly string Fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");

    [Fact]
    public void Json_is_one_object_and_a_pure_function_of_the_inputs_whatever_the_thread_count()
    {
        CliRun a = CliRun.Of("describe", Fraud, "--population", "200000", "--seed", "5", "--json", "--threads", "1");
        CliRun b = CliRun.Of("describe", Fraud, "--population", "200000", "--seed", "5", "--json", "--threads", "2");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(a.Out, b.Out);
        using JsonDocument doc = JsonDocument.Parse(a.Out);
        JsonElement root = doc.RootElement;
        Assert.Equal(200_000, root.GetProperty("simulated_population").GetInt64());
        Assert.Equal(67_596_281, root.GetProperty("declared_population").GetInt64());
        JsonElement group = root.GetProperty("groups")[0];
        foreach (string field in new[] { "name", "declared_prevalence", "realised_prevalence", "standard_error" })
            Assert.True(group.TryGetProperty(field, out _), field);
        Assert.Equal(8, root.GetProperty("groups").GetArrayLength());
        Assert.Equal(12, root.GetProperty("areas").GetArrayLength());
        Assert.Equal(3, root.GetProperty("overlaps").GetArrayLength());
        // The NINo linkage and the weaker one without it.
        Assert.Equal(["claims-to-earnings", "claims-to-earnings-without-nino"],
            root.GetProperty("linkage").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
    }

    /// <summary>
    /// The linkages are simulated beside the population: a cancelled describe stops both, reports the
    /// cancellation (not an aggregate of the two) and prints nothing.
    /// </summary>
    [Fact]
    public void A_cancelled_describe_stops_the_population_and_the_linkages_and_prints_nothing()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var output = new StringWriter();
        var console = new CliConsole(output, new StringWriter(), IsTerminal: false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DescribeCommand.Run(Fraud, 5_000_000, 1, 0, json: true, console, cancel.Token));
        Assert.Equal("", output.ToString());
    }

    [Fact, Trait("Category", "Statistical")]
    public void The_linkage_section_agrees_with_the_calculator_within_4_standard_errors()
    {
        // Binomial standard errors of the simulated rates; 4 sigma: ~1 false alarm in 16,000 per check.
        CliRun run = CliRun.Of("describe", Fraud, "--population", "400000", "--seed", "9", "--json");
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement section = doc.RootElement.GetProperty("linkage")[0];
        Assert.Equal(400_000, section.GetProperty("simulated_persons").GetInt64());
        int checkedRates = 0;
        foreach (JsonElement row in section.GetProperty("groups").EnumerateArray())
        {
            foreach (string metric in new[] { "link_recall", "link_review_rate" })
            {
                JsonElement rate = row.GetProperty(metric);
                if (rate.GetProperty("denominator").GetInt64() < 5000 || rate.GetProperty("simulated").ValueKind == JsonValueKind.Null)
                    continue;
                double simulated = rate.GetProperty("simulated").GetDouble(), expected = rate.GetProperty("expected").GetDouble();
                double n = rate.GetProperty("denominator").GetInt64();
                double se = Math.Sqrt(expected * (1 - expected) / n);
                Assert.True(Math.Abs(simulated - expected) <= 4 * se + 1e-12,
                    $"{row.GetProperty("name")} {metric}: simulated {simulated}, expected {expected}, se {se}");
                checkedRates++;
            }
        }

        Assert.True(checkedRates >= 10, $"only {checkedRates} rates had enough persons");
    }

    [Fact]
    public void A_population_file_is_described_without_a_linkage_section()
    {
        CliRun run = CliRun.Of("describe", ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml"), "--population", "10000", "--json");
        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        Assert.Equal(0, doc.RootElement.GetProperty("linkage").GetArrayLength());
        Assert.Equal(6, doc.RootElement.GetProperty("age_bands").GetArrayLength());
    }

    [Fact]
    public void Describe_reports_local_authorities_the_ICC_between_them_and_adults_only_groups()
    {
        string population = ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml");
        CliRun json = CliRun.Of("describe", population, "--population", "200000", "--json");
        Assert.Equal(0, json.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.Equal(361, doc.RootElement.GetProperty("local_authorities").GetArrayLength());
        JsonElement clustering = doc.RootElement.GetProperty("clustering");
        Assert.Equal(8, clustering.GetArrayLength());
        foreach (JsonElement group in clustering.EnumerateArray())
        {
            Assert.True(group.GetProperty("icc_model").GetDouble() > 0);
            Assert.True(group.GetProperty("lowest").GetDouble() <= group.GetProperty("highest").GetDouble());
        }

        Assert.All(doc.RootElement.GetProperty("adult_only").EnumerateArray(), a => Assert.Equal(0, a.GetProperty("under_sixteen").GetInt64()));

        CliRun lines = CliRun.Of("describe", population, "--population", "200000");
        Assert.Equal(0, lines.ExitCode);
        Assert.Contains("local authorities: 361 local authorities: realised shares within", lines.Out, StringComparison.Ordinal);
        Assert.Contains("between local authorities: disabled: sd ", lines.Out, StringComparison.Ordinal);
        Assert.Contains("ICC: model ", lines.Out, StringComparison.Ordinal);
        Assert.Contains("adults only: care-leaver: 0 of ", lines.Out, StringComparison.Ordinal);
        Assert.Contains("groups by age: digitally-excluded/0-15: declared 0.000000", lines.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_population_beyond_the_limit_is_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of("describe", Fraud, "--population", "100000001");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--population: '100000001' is not a whole number from 1 to 100,000,000", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_that_is_not_an_unsigned_64_bit_number_is_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of("describe", Fraud, "--seed", "-3");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
    }

    [Fact]
    public void An_invalid_scenario_gets_positioned_messages_and_exit_2()
    {
        string dir = Directory.CreateTempSubdirectory("impact-describe-").FullName;
        try
        {
            string path = Path.Combine(dir, "bad.yaml");
            File.WriteAllText(path, "population:\n  size: 10\n  areas: [{ id: a, share: 2 }]\n  groups: []\n");
            CliRun run = CliRun.Of("describe", path);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains(run.ErrorLines, l => l.EndsWith("bad.yaml:3:27: population.areas.a.share: must be in [0, 1], got 2", StringComparison.Ordinal));
            Assert.Empty(run.Out);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
