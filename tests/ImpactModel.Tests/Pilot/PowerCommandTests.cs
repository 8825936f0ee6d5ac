using System.Text.Json;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Pilot;

public class PowerCommandTests
{
    private static JsonElement Json(CliRun run)
    {
        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Out); // throws unless stdout is exactly one JSON value
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.DoesNotContain("NaN", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", run.Out, StringComparison.Ordinal);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Proportions_json_has_the_issue_fields_and_R_s_n()
    {
        JsonElement j = Json(CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15", "--json"));
        foreach (string field in new[] { "design", "method", "alpha", "sides", "p1", "p2", "n_per_arm", "n_per_arm_ceil", "power", "warnings" })
            Assert.True(j.TryGetProperty(field, out _), field);
        Assert.Equal("proportions", j.GetProperty("design").GetString());
        Assert.Equal("pooled", j.GetProperty("method").GetString());
        Assert.Equal(686, j.GetProperty("n_per_arm_ceil").GetInt64());
        Assert.True(Math.Abs(j.GetProperty("n_per_arm").GetDouble() - 685.59685832536127) / 685.6 < 1e-6);
        Assert.False(j.TryGetProperty("mde", out _));
    }

    [Fact]
    public void Proportions_with_n_reports_power_and_mde()
    {
        JsonElement j = Json(CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15", "--n", "100", "--method", "arcsine", "--json"));
        Assert.True(j.GetProperty("mde").GetDouble() > 0.05);
        Assert.InRange(j.GetProperty("power").GetDouble(), 0.05, 0.5);
    }

    [Theory]
    [InlineData("proportions", "--p1", "0.2", "--p2", "0.3")]
    [InlineData("tolerance", "--rate", "0.1", "--tolerance", "0.05", "--method", "exact")]
    [InlineData("poisson", "--rate1", "0.02", "--rate2", "0.01", "--method", "exact")]
    [InlineData("cluster", "--p1", "0.02", "--p2", "0.01", "--persons-per-area", "500", "--cv", "0.25")]
    [InlineData("cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "3")]
    public void Json_is_one_object_and_identical_run_to_run(params string[] args)
    {
        string[] full = ["power", .. args, "--json"];
        CliRun first = CliRun.Of(full), second = CliRun.Of(full);
        Json(first);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void Few_areas_warn_on_stderr_and_in_the_json()
    {
        CliRun run = CliRun.Of("power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "3", "--json");
        JsonElement j = Json(run);
        Assert.Contains("fewer than 4", j.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(run.ErrorLines, l => l.StartsWith("impact: warning:", StringComparison.Ordinal) && l.Contains("fewer than 4", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--p1", "power", "proportions", "--p1", "1.2", "--p2", "0.1")]
    [InlineData("--p2", "power", "proportions", "--p1", "0.1", "--p2", "0")]
    [InlineData("--p2", "power", "proportions", "--p1", "0.1", "--p2", "0.1")]
    [InlineData("--power", "power", "proportions", "--p1", "0.1", "--p2", "0.2", "--power", "0.05")]
    [InlineData("--power", "power", "proportions", "--p1", "0.1", "--p2", "0.2", "--power", "1")]
    [InlineData("--sides", "power", "proportions", "--p1", "0.1", "--p2", "0.2", "--sides", "3")]
    [InlineData("--method", "power", "proportions", "--p1", "0.1", "--p2", "0.2", "--method", "exact")]
    [InlineData("--rate", "power", "tolerance", "--rate", "0.01", "--tolerance", "0.05")]
    [InlineData("--method", "power", "tolerance", "--rate", "0.0501", "--tolerance", "0.05", "--method", "exact")]
    [InlineData("--rate2", "power", "poisson", "--rate1", "0.1", "--rate2", "0.1")]
    [InlineData("--rate1", "power", "poisson", "--rate1", "-1", "--rate2", "0.1")]
    [InlineData("--areas-per-arm", "power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "1")]
    [InlineData("--icc", "power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50")]
    [InlineData("--icc", "power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--cv", "0.2")]
    [InlineData("--p1", "power", "cluster", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02")]
    public void Invalid_input_is_one_line_naming_the_option_and_exit_2(string option, params string[] args)
    {
        CliRun run = CliRun.Of(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(option, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Theory]
    [InlineData("proportions", "--p1", "--p2", "--n", "--method", "--alpha", "--power", "--sides", "--json")]
    [InlineData("tolerance", "--rate", "--tolerance", "--n", "--method", "--alpha", "--power", "--json")]
    [InlineData("poisson", "--rate1", "--rate2", "--person-time", "--method", "--alpha", "--power", "--sides", "--json")]
    [InlineData("cluster", "--p1", "--p2", "--persons-per-area", "--icc", "--size-cv", "--cv", "--areas-per-arm", "--alpha", "--power", "--sides", "--json")]
    public void Help_on_each_design_explains_every_option(string design, params string[] options)
    {
        CliRun run = CliRun.Of("power", design, "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string option in options)
        {
            string? line = run.OutLines.FirstOrDefault(l => l.StartsWith(option + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"{option} missing from help");
            Assert.True(line.Length > option.Length + 30, $"{option} has no explanation: {line}");
        }
    }

    [Fact]
    public void Plain_output_when_not_a_terminal_is_label_value_lines()
    {
        CliRun run = CliRun.Of("power", "tolerance", "--rate", "0.04", "--tolerance", "0.02");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.OutLines, l => l.StartsWith("People (rounded up): ", StringComparison.Ordinal));
    }

    [Fact]
    public void Unreachable_detectable_effect_is_null_with_a_warning_not_NaN()
    {
        CliRun run = CliRun.Of("power", "tolerance", "--rate", "0.5", "--tolerance", "0.4", "--n", "1", "--method", "exact", "--json");
        JsonElement j = Json(run);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("mde").ValueKind);
        Assert.NotEmpty(run.ErrorLines);
    }
}

public class PowerTableTests
{
    [Fact]
    public async Task On_a_terminal_the_answer_is_a_table()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await ImpactModel.Worker.Cli.ImpactCli.RunAsync(["power", "proportions", "--p1", "0.2", "--p2", "0.25"],
            new ImpactModel.Worker.Cli.CliConsole(output, error, IsTerminal: true));
        Assert.Equal(0, code);
        Assert.Contains("People per arm (rounded up)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1094", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Power_without_a_design_is_one_line_and_exit_2()
    {
        CliRun run = CliRun.Of("power");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
    }
}
