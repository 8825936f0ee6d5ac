using System.Text.Json;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Pilot;

/// <summary>Issue 22 on the command line: the new options, their refusals, and what is unchanged without them.</summary>
public class PowerUnequalCommandTests
{
    private static JsonElement Json(CliRun run)
    {
        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        Assert.DoesNotContain("NaN", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", run.Out, StringComparison.Ordinal);
        return doc.RootElement.Clone();
    }

    [Theory]
    // an allocation ratio of 0, or negative
    [InlineData("--ratio", "proportions", "--p1", "0.1", "--p2", "0.2", "--ratio", "0")]
    [InlineData("--ratio", "proportions", "--p1", "0.1", "--p2", "0.2", "--ratio", "-2")]
    [InlineData("--ratio", "proportions", "--p1", "0.1", "--p2", "0.2", "--ratio", "0", "--method", "arcsine")]
    [InlineData("--ratio", "poisson", "--rate1", "0.02", "--rate2", "0.01", "--ratio", "0")]
    [InlineData("--ratio", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--ratio", "-1")]
    // solving for two quantities at once
    [InlineData("--solve", "proportions", "--p1", "0.1", "--p2", "0.2", "--solve", "alpha")]
    [InlineData("--solve", "proportions", "--p1", "0.1", "--solve", "effect")]
    [InlineData("--alpha", "proportions", "--p1", "0.1", "--p2", "0.2", "--n", "500", "--solve", "alpha", "--alpha", "0.05")]
    [InlineData("--p2", "proportions", "--p1", "0.1", "--p2", "0.2", "--n", "500", "--solve", "effect")]
    [InlineData("--solve", "proportions", "--p1", "0.1", "--p2", "0.2", "--n", "500", "--solve", "size")]
    [InlineData("--solve", "proportions", "--p1", "0.1", "--p2", "0.2", "--solve", "everything")]
    // alpha at or above 1 - power (the arms are too small for the target power at any sensible alpha)
    [InlineData("1 - power", "proportions", "--p1", "0.1", "--p2", "0.15", "--n", "100", "--solve", "alpha")]
    [InlineData("1 - power", "proportions", "--p1", "0.1", "--p2", "0.15", "--n1", "100", "--n2", "300", "--solve", "alpha", "--method", "arcsine")]
    [InlineData("any alpha will do", "proportions", "--p1", "0.5", "--p2", "0.9", "--n", "1e15", "--solve", "alpha")]
    [InlineData("--person-time1", "poisson", "--rate1", "0.02", "--rate2", "0.01", "--person-time1", "1e-320", "--person-time2", "5")]
    // one arm without the other, or sizes twice
    [InlineData("--n1", "proportions", "--p1", "0.1", "--p2", "0.2", "--n1", "100")]
    [InlineData("--n2", "proportions", "--p1", "0.1", "--p2", "0.2", "--n2", "100")]
    [InlineData("--n1", "proportions", "--p1", "0.1", "--p2", "0.2", "--n", "100", "--n1", "100", "--n2", "50")]
    [InlineData("--ratio", "proportions", "--p1", "0.1", "--p2", "0.2", "--n1", "100", "--n2", "50", "--ratio", "2")]
    [InlineData("--person-time1", "poisson", "--rate1", "0.02", "--rate2", "0.01", "--person-time1", "100")]
    [InlineData("--areas1", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas1", "6")]
    [InlineData("--areas2", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas1", "6", "--areas2", "1")]
    // options for another method
    [InlineData("--strict", "proportions", "--p1", "0.1", "--p2", "0.2", "--strict", "--method", "arcsine")]
    [InlineData("--continuity-correction", "proportions", "--p1", "0.1", "--p2", "0.2", "--continuity-correction", "--method", "arcsine")]
    [InlineData("--direction", "proportions", "--p1", "0.1", "--p2", "0.2", "--direction", "up")]
    [InlineData("--direction", "proportions", "--p1", "0.1", "--n", "100", "--solve", "effect", "--direction", "sideways")]
    [InlineData("--method", "poisson", "--rate1", "0.02", "--rate2", "0.01", "--ratio", "2", "--method", "exact")]
    [InlineData("--icc", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--cv", "0.2", "--areas1", "6", "--areas2", "2")]
    public void Invalid_combinations_are_one_line_and_exit_2(string named, params string[] args)
    {
        CliRun run = CliRun.Of(["power", .. args]);
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", line, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void Ratio_reports_both_arms_each_rounded_up()
    {
        JsonElement j = Json(CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15", "--ratio", "3", "--json"));
        double n1 = j.GetProperty("n1").GetDouble(), n2 = j.GetProperty("n2").GetDouble();
        Assert.Equal(3 * n1, n2);
        Assert.Equal((long)Math.Ceiling(n1), j.GetProperty("n1_ceil").GetInt64());
        Assert.Equal((long)Math.Ceiling(n2), j.GetProperty("n2_ceil").GetInt64());
        Assert.Equal("n1_n2", j.GetProperty("solved_for").GetString());
    }

    [Fact]
    public void Ratio_1_gives_the_equal_arm_answer()
    {
        JsonElement equal = Json(CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15", "--json"));
        JsonElement ratio = Json(CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15", "--ratio", "1", "--json"));
        Assert.Equal(equal.GetProperty("n_per_arm").GetDouble(), ratio.GetProperty("n1").GetDouble());
        Assert.Equal(equal.GetProperty("n_per_arm_ceil").GetInt64(), ratio.GetProperty("n2_ceil").GetInt64());
    }

    [Fact]
    public void Solve_effect_reports_both_sides_and_h_for_arcsine()
    {
        JsonElement j = Json(CliRun.Of("power", "proportions", "--p1", "0.3", "--n1", "400", "--n2", "200", "--solve", "effect", "--method", "arcsine", "--json"));
        Assert.True(j.GetProperty("h_detectable").GetDouble() > 0);
        Assert.True(j.GetProperty("p2_detectable_up").GetDouble() > 0.3);
        Assert.True(j.GetProperty("p2_detectable_down").GetDouble() < 0.3);
        JsonElement up = Json(CliRun.Of("power", "proportions", "--p1", "0.3", "--n", "400", "--solve", "effect", "--direction", "up", "--json"));
        Assert.False(up.TryGetProperty("p2_detectable_down", out _));
    }

    [Fact]
    public void Solve_alpha_gives_an_alpha_below_the_miss_rate()
    {
        JsonElement j = Json(CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15", "--n", "700", "--solve", "alpha", "--json"));
        Assert.InRange(j.GetProperty("alpha").GetDouble(), 0.01, 0.2);
        Assert.Equal("alpha", j.GetProperty("solved_for").GetString());
    }

    [Fact]
    public void Strict_needs_no_more_people_and_continuity_correction_more()
    {
        double plain = Json(CliRun.Of("power", "proportions", "--p1", "0.3", "--p2", "0.36", "--ratio", "1", "--json")).GetProperty("n1").GetDouble();
        double strict = Json(CliRun.Of("power", "proportions", "--p1", "0.3", "--p2", "0.36", "--strict", "--json")).GetProperty("n1").GetDouble();
        double cc = Json(CliRun.Of("power", "proportions", "--p1", "0.3", "--p2", "0.36", "--continuity-correction", "--json")).GetProperty("n1").GetDouble();
        Assert.True(strict <= plain);
        Assert.True(cc > plain);
    }

    [Fact]
    public void Two_treated_areas_against_six_controls_is_the_documented_example()
    {
        CliRun run = CliRun.Of("power", "cluster", "--p1", "0.20", "--p2", "0.30", "--persons-per-area", "200", "--icc", "0.02",
            "--areas1", "6", "--areas2", "2", "--json");
        JsonElement j = Json(run);
        Assert.Equal(4.98, j.GetProperty("design_effect1").GetDouble(), 12);
        Assert.InRange(j.GetProperty("power").GetDouble(), 0.46, 0.47);
        Assert.Contains(run.ErrorLines, l => l.Contains("2 areas in arm 2 is fewer than 4", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("proportions", "--n1", "--n2", "--ratio", "--solve", "--direction", "--strict", "--continuity-correction")]
    [InlineData("poisson", "--person-time1", "--person-time2", "--ratio")]
    [InlineData("cluster", "--areas1", "--areas2", "--ratio", "--persons-per-area2")]
    public void Help_explains_the_new_options(string design, params string[] options)
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
}
