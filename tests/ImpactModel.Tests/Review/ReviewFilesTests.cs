using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Review;

/// <summary>The review files of a run folder, through the <c>run</c> verb: their columns, what <c>--sensitivity</c> adds, determinism, every shipped scenario.</summary>
public sealed class ReviewFilesTests : IDisposable
{
    private static readonly string[] Files = ["safeguards.csv", "principles.csv", "sensitivity.csv", "evidence.csv"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-review-tests-" + Guid.NewGuid().ToString("N"));

    public ReviewFilesTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Scenario(string name) => ValidateCommandTests.RepositoryFile("scenarios", name + ".yaml");

    private string Run(string scenario, params string[] options)
    {
        string dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        CliRun run = CliRun.Of(["run", Scenario(scenario), "--out", dir, .. options]);
        Assert.True(run.ExitCode == 0, run.Error);
        return dir;
    }

    private static List<string[]> Rows(string dir, string file) => [.. File.ReadLines(Path.Combine(dir, file)).Skip(1).Select(l => l.Split(','))];

    [Theory]
    [InlineData("fraud-error-debt")]
    [InlineData("tailored-services")]
    [InlineData("research-statistics")]
    public void Every_shipped_scenario_writes_the_four_review_files_with_their_columns(string scenario)
    {
        string dir = Run(scenario, "--population", "20000", "--replicates", "2");
        Assert.Equal("scenario,strand,safeguard,effect,group,metric,mean,ci_low,ci_high,replicates", File.ReadLines(Path.Combine(dir, "safeguards.csv")).First());
        Assert.Equal("scenario,principle,safeguard", File.ReadLines(Path.Combine(dir, "principles.csv")).First());
        Assert.Equal("scenario,strand,parameter,metric,low,high,swing,rank,spearman,switching_value", File.ReadLines(Path.Combine(dir, "sensitivity.csv")).First());
        Assert.Equal("scenario,parameter,value,source,grade,sensitivity_rank", File.ReadLines(Path.Combine(dir, "evidence.csv")).First());
        var safeguards = Rows(dir, "safeguards.csv");
        Assert.NotEmpty(safeguards);
        Assert.All(safeguards, r => Assert.Equal(10, r.Length));
        Assert.All(safeguards, r => Assert.Contains(r[3], (string[])["marginal", "solo"]));
        // Every principle appears, served or not.
        Assert.Equal(["lawfulness", "purpose-limitation", "minimisation", "accuracy", "storage-limitation", "security", "accountability"],
            Rows(dir, "principles.csv").Select(r => r[1]).Distinct());
        // Two replicates: no rank correlation, and without --sensitivity no swing.
        Assert.All(Rows(dir, "sensitivity.csv"), r => Assert.True(r[4..].All(c => c.Length == 0), string.Join(',', r)));
        Assert.NotEmpty(Rows(dir, "evidence.csv"));
    }

    [Fact]
    public void With_sensitivity_the_swings_are_filled_ranked_and_identical_for_one_and_two_threads()
    {
        string one = Run("fraud-error-debt", "--population", "20000", "--replicates", "10", "--sensitivity", "--threads", "1");
        string two = Run("fraud-error-debt", "--population", "20000", "--replicates", "10", "--sensitivity", "--threads", "2");
        foreach (string file in Files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, file)), File.ReadAllBytes(Path.Combine(two, file)));
        var rows = Rows(one, "sensitivity.csv");
        // Every row ranked; the swings quoted for a metric resting on enough simulated events, all or none of a metric's.
        Assert.All(rows, r => Assert.True(r[7].Length > 0, string.Join(',', r)));
        foreach (var metric in rows.GroupBy(r => r[3]))
            Assert.True(metric.All(r => r[4].Length > 0 && r[5].Length > 0 && r[6].Length > 0) || metric.All(r => r[4..7].All(c => c.Length == 0)), metric.Key);
        Assert.Contains(rows, r => r[3] == "net_benefit_vs_status_quo" && r[6].Length > 0);
        Assert.Contains(rows, r => r[8].Length > 0); // ten replicates: rank correlations too
        Assert.All(rows.Where(r => r[3] != "net_benefit_vs_status_quo"), r => Assert.Empty(r[9]));
        foreach (var metric in rows.GroupBy(r => r[3]))
        {
            int[] ranks = [.. metric.Select(r => int.Parse(r[7], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(ranks.Order(), ranks); // ordered by rank
            Assert.True(ranks[0] == 1 || ranks.All(r => r == ranks.Length), metric.Key); // 1 first, unless no parameter moves the metric at all
        }
        // The evidence register ranks the analysed parameters.
        Assert.Contains(Rows(one, "evidence.csv"), r => r[^1] == "1");
    }

    [Fact]
    public void Without_sensitivity_the_rank_correlations_alone_are_written_and_ranked()
    {
        string dir = Run("fraud-error-debt", "--population", "20000", "--replicates", "10");
        var rows = Rows(dir, "sensitivity.csv");
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.True(r[4].Length == 0 && r[5].Length == 0 && r[6].Length == 0 && r[9].Length == 0, string.Join(',', r)));
        Assert.Contains(rows, r => r[7] == "1" && r[8].Length > 0);
    }
}
