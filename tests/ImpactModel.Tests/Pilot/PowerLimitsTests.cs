using System.Globalization;
using System.Text.Json;
using ImpactModel.Pilot;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Pilot;

/// <summary>
/// Issue 15, item 6: <c>impact power</c> answers within seconds or refuses with one line (exit 2); sizes
/// beyond 2^53 and arithmetic that overflows are refused in every design; sizes below 2 warn; and the
/// printed numbers show the value used.
/// </summary>
public class PowerLimitsTests
{
    /// <summary>
    /// Deadline for a call that must finish or refuse fast. The work is bounded at a few seconds on a
    /// loaded 2-core machine; 20 s leaves a wide margin for load, while the unbounded search it guards
    /// against ran for minutes (or never ended).
    /// </summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CliRun WithinDeadline(params string[] args)
    {
        // A run past the deadline fails the test; its thread cannot be stopped and ends with the test host.
        Task<CliRun> run = Task.Run(() => CliRun.Of(args));
        Assert.True(run.Wait(Deadline), $"impact {string.Join(' ', args)} ran longer than {Deadline.TotalSeconds} s");
        return run.Result;
    }

    private static string Refusal(CliRun run)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Out);
        string line = Assert.Single(run.ErrorLines);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        return line;
    }

    [Theory]
    [InlineData("0.0200000001")]
    [InlineData("0.0199999")]
    [InlineData("0.02000001")]
    public void Exact_poisson_with_nearly_equal_rates_refuses_within_the_deadline(string rate2)
    {
        string line = Refusal(WithinDeadline("power", "poisson", "--rate1", "0.02", "--rate2", rate2, "--method", "exact"));
        Assert.Contains("--method normal", line, StringComparison.Ordinal);
        Assert.Contains("expected events", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_poisson_refuses_from_the_normal_size_before_any_search()
    {
        // The normal size for 1 vs 1.04 is about 20,400 expected events, beyond the limit: refused at once.
        var s = new PowerSettings();
        double events = 2.04 * PoissonRates.NormalPersonTime(1, 1.04, s);
        Assert.True(events > PoissonRates.MaxExactEvents);
        Assert.Throws<PowerInputException>(() => PoissonRates.Solve(PoissonMethod.Exact, 1, 1.04, null, s));
    }

    [Fact]
    public void Exact_poisson_detects_a_rise_when_the_search_stays_within_its_limit()
    {
        // Before, the upward search for the detectable rate gave up (null) whenever a millionfold rate
        // would exceed the event limit, even though a rate well within it is detected.
        PoissonResult r = PoissonRates.Solve(PoissonMethod.Exact, 0.02, 0.04, 2500, new PowerSettings());
        Assert.NotNull(r.Rate2Detectable);
        Assert.InRange(r.Rate2Detectable.Value, 0.02, 0.04);
        Assert.True(PoissonRates.ExactPower(0.02, r.Rate2Detectable.Value, 2500, new PowerSettings()) >= 0.8 - 1e-12);
    }

    [Theory]
    [InlineData("1e308", "1e-308")]
    [InlineData("1e-308", "1e308")]
    [InlineData("1.7e308", "1.7e308")]
    public void Rates_whose_arithmetic_overflows_are_refused(string rate1, string rate2)
    {
        string line = Refusal(WithinDeadline("power", "poisson", "--rate1", rate1, "--rate2", rate2));
        Assert.Contains("too extreme", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_person_time_whose_expected_events_overflow_is_refused()
        => Assert.Throws<PowerInputException>(() => PoissonRates.Solve(PoissonMethod.Normal, 1e300, 2e300, 1e15, new PowerSettings()));

    [Theory]
    [InlineData("proportions", "--p1", "0.2", "--p2", "0.2000000000000001")]
    [InlineData("proportions", "--p1", "0.2", "--p2", "0.2000000000000001", "--method", "arcsine")]
    [InlineData("tolerance", "--rate", "0.2000000000000001", "--tolerance", "0.2")]
    [InlineData("poisson", "--rate1", "0.2", "--rate2", "0.2000000000000001")]
    [InlineData("cluster", "--p1", "0.2", "--p2", "0.2000000000000001", "--persons-per-area", "50", "--icc", "0.05")]
    [InlineData("cluster", "--p1", "0.2", "--p2", "0.2000000000000001", "--persons-per-area", "50", "--cv", "0.25")]
    [InlineData("proportions", "--p1", "0.2", "--p2", "0.3", "--n", "1e300")]
    [InlineData("cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "1e300", "--icc", "0.05", "--areas-per-arm", "10")]
    public void A_size_beyond_2_to_the_53_is_refused_as_unreachable_in_every_design(string design, params string[] args)
    {
        string line = Refusal(WithinDeadline(["power", design, .. args, "--json"]));
        Assert.Contains("2^53", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_never_clamps_a_size_to_the_largest_long()
        => Assert.Throws<PowerInputException>(() => TwoProportions.Solve(ProportionsMethod.Pooled, 0.2, 0.2000000000000001, null, new PowerSettings()));

    [Theory]
    [InlineData("proportions", "--p1", "0.001", "--p2", "0.999", "--method", "arcsine")]
    [InlineData("proportions", "--p1", "0.001", "--p2", "0.999", "--method", "arcsine", "--sides", "1")]
    [InlineData("proportions", "--p1", "0.3", "--p2", "0.5", "--n", "1.5")]
    [InlineData("tolerance", "--rate", "0.99", "--tolerance", "0.01")]
    [InlineData("tolerance", "--rate", "0.5", "--tolerance", "0.01", "--n", "1")]
    public void A_size_below_2_carries_a_warning(string design, params string[] args)
    {
        CliRun run = WithinDeadline(["power", design, .. args, "--json"]);
        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement warnings = doc.RootElement.GetProperty("warnings");
        Assert.Contains(warnings.EnumerateArray(), w => w.GetString()!.Contains("below 2", StringComparison.Ordinal)
                                                      || w.GetString()!.Contains("fewer than 2", StringComparison.Ordinal));
        Assert.Contains(run.ErrorLines, l => l.StartsWith("impact: warning:", StringComparison.Ordinal));
        // A solved size is reported as at least 2; a given size stays what was given.
        if (doc.RootElement.GetProperty("solved_for").GetString() != "power")
            foreach (string key in new[] { "n_per_arm_ceil", "n_ceil" })
                if (doc.RootElement.TryGetProperty(key, out JsonElement ceil))
                    Assert.True(ceil.GetInt64() >= 2, $"{key} {ceil}");
    }

    [Theory]
    [InlineData("Intracluster correlation: 0.9999999", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.9999999")]
    [InlineData("Target power for the detectable difference: 0.9999999999", "proportions", "--p1", "0.01", "--p2", "0.99", "--n", "100", "--power", "0.9999999999")]
    [InlineData("Power (target): 0.9999999999", "proportions", "--p1", "0.2", "--p2", "0.5", "--power", "0.9999999999")]
    [InlineData("False-alarm rate (alpha): 0.0499999999", "proportions", "--p1", "0.2", "--p2", "0.5", "--alpha", "0.0499999999")]
    public void Printed_values_show_the_value_used_not_one_rounded_onto_a_bound(string expectedLine, params string[] args)
    {
        CliRun run = WithinDeadline(["power", .. args]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(expectedLine, run.OutLines);
    }

    [Fact]
    public void Plain_output_keeps_six_significant_digits_when_rounding_changes_no_comparison()
    {
        CliRun run = CliRun.Of("power", "proportions", "--p1", "0.1", "--p2", "0.15");
        Assert.Contains("People per arm (unrounded): 685.597", run.OutLines);
    }

    [Fact]
    public void Json_carries_the_round_trip_value_of_every_number()
    {
        CliRun run = CliRun.Of("power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.9999999", "--json");
        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        Assert.Equal(0.9999999, doc.RootElement.GetProperty("icc").GetDouble());
        double de = ClusterDesign.DesignEffect(50, 0.9999999, 0);
        Assert.Equal(de, doc.RootElement.GetProperty("design_effect").GetDouble());
        Assert.Contains(de.ToString("R", CultureInfo.InvariantCulture), run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000_000L, 0.5, 0.025)]
    [InlineData(200_000L, 0.05, 0.05)]
    [InlineData(40L, 0.5, 0.025)]
    [InlineData(5L, 0.5, 0.001)]
    public void Critical_count_from_zero_is_the_smallest_count_whose_tail_is_within_alpha(long n, double p0, double alpha)
    {
        long c = Binomial.CriticalCount(n, p0, alpha, 0, out double attained);
        Assert.True(attained <= alpha);
        Assert.Equal(c > n ? 0 : Binomial.UpperTail(c, n, p0), attained);
        Assert.True(c == 0 || Binomial.UpperTail(c - 1, n, p0) > alpha, $"c = {c} is not the smallest");

        // The incremental search from a lower bound agrees with the search from 0.
        Assert.Equal(c, Binomial.CriticalCount(n, p0, alpha, Math.Max(0, c - 3)));
    }

    [Fact]
    public void Exact_tolerance_refuses_beyond_its_scan_limit_before_scanning()
    {
        // 0.0505 against 0.05 needs about 1.2 million people by the normal method, far beyond the exact limit.
        CliRun run = WithinDeadline("power", "tolerance", "--rate", "0.0505", "--tolerance", "0.05", "--method", "exact");
        Assert.Contains("--method normal", Refusal(run), StringComparison.Ordinal);
    }
}
