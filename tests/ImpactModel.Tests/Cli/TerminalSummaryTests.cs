using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Output;
using Spectre.Console;

namespace ImpactModel.Tests.Cli;

/// <summary>
/// What <c>impact run</c> prints at the end (issue 20): at most 30 lines for the shipped fraud scenario,
/// in a real process (plain lines, no terminal) and on an 80-column terminal (Spectre tables, rendered
/// by Spectre's own console into a buffer of that width).
/// </summary>
public class TerminalSummaryTests
{
    private const int MaxLines = 30;

    [Fact]
    public void The_shipped_fraud_scenario_in_a_real_process_prints_at_most_30_lines_with_the_headline_groups_and_paths()
    {
        string dir = Path.Combine(Path.GetTempPath(), "impact-summary-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = ProcessTests.Impact("run", "scenarios/fraud-error-debt.yaml", "--out", dir);
            Assert.True(code == 0, stderr);
            string[] lines = stdout.TrimEnd('\n').Split('\n');
            Assert.True(lines.Length <= MaxLines, $"{lines.Length} lines:\n{stdout}");
            Assert.StartsWith("fraud-error-debt (fraud-error-debt): 16 variants, 40 replicates of 200,000 persons", lines[0], StringComparison.Ordinal);
            // The money case with its unit in words and interval; the harms of both variants.
            Assert.Contains(lines, l => l.StartsWith("    net benefit vs status quo: £", StringComparison.Ordinal)
                                        && l.Contains("present value over 5 years (2014 prices), 95% interval £", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("    wrongful adverse actions: ", StringComparison.Ordinal) && l.Contains("(status quo: ", StringComparison.Ordinal));
            // Three groups by their ratio against rest, named in words, highest first.
            int title = Array.FindIndex(lines, l => l == "  highest wrongful adverse action rate against rest (proposal):");
            Assert.True(title > 0, stdout);
            string[] groups = lines[(title + 1)..(title + 4)];
            Assert.All(groups, g => Assert.Matches(@"^    [A-Z][^:]+: (\d[\d.]* times rest, 95% interval [\d.]+ to [\d.]+|unreliable .*)$", g));
            double[] ratios = [.. groups.Where(g => g.Contains("times rest", StringComparison.Ordinal))
                .Select(g => double.Parse(g.Split(": ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(ratios.OrderDescending(), ratios);
            Assert.Equal($"  report: {Path.Combine(dir, "report.html")}", lines[^3]);
            Assert.Equal($"run folder: {dir}", lines[^1]);
            // The full listing is behind --verbose: no line per variant and group.
            Assert.DoesNotContain(lines, l => l.StartsWith("  proposal no-fixed-address ", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(dir, "report.html")), "the report the summary names exists");
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void On_an_80_column_terminal_the_tables_fit_in_30_lines_and_say_the_same_figures()
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load(ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"), DiskScenarioFiles.Instance);
        RunResult result = SimulationRunner.Run(loaded.Scenario!, new RunSettings(1, 8, 20_000), BuiltInStrands.Registry);
        var money = MoneyBasis.Of(loaded.Scenario!);
        var labels = loaded.Scenario!.Population.Groups.ToDictionary(g => g.Id, g => g.Name ?? g.Id);
        TerminalSummary.Part part = TerminalSummary.Of(result, money, "runs/fraud-error-debt-20261202-000000", labels);

        var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(buffer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 80;
        TerminalSummary.WriteTables(console, [part]);
        string[] lines = buffer.ToString().TrimEnd('\n').Split('\n');
        Assert.True(lines.Length <= MaxLines, $"{lines.Length} lines:\n{buffer}");
        Assert.All(lines, l => Assert.True(l.TrimEnd('\r').Length <= 80, $"wider than the terminal: '{l}'"));
        // Each headline metric and each ranked group is in the table, with the compact figure the plain form quotes in full.
        Assert.Equal(6, part.Compact.Count);
        Assert.Equal(3, part.CompactGroups.Count);
        string text = buffer.ToString();
        foreach ((string group, string _) in part.CompactGroups)
            Assert.Contains(group, text, StringComparison.Ordinal);
        Assert.Contains("money recovered", text, StringComparison.Ordinal);
        Assert.Contains("(£ a year)", text.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("run folder: runs/fraud-error-debt-20261202-000000", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(668_010_953.2, "£668m")]
    [InlineData(1_234_567_890, "£1.23bn")]
    [InlineData(21_326_630, "£21.3m")]
    [InlineData(-45_600, "-£45.6k")]
    [InlineData(950, "£950")]
    public void Money_in_a_table_is_three_significant_digits_with_a_suffix(double value, string expected)
    {
        var metric = new ReportedMetric("money_recovered", new MetricDefinition("money_recovered", MetricUnit.Money, 0), null, null);
        var row = new ResultRow("proposal", "all", "money_recovered", new ReplicateSummary(value, null, null, 1, null), 1000);
        Assert.Equal(expected, TerminalSummary.CompactFigure(row, metric, 1, interval: false));
    }

    [Fact]
    public void A_figure_on_fewer_than_30_events_is_never_quoted_in_a_table()
    {
        var metric = new ReportedMetric("hardship", new MetricDefinition("hardship", MetricUnit.Persons, 0), null, null);
        var row = new ResultRow("proposal", "all", "hardship", new ReplicateSummary(761.4, 700.2, 819.6, 40, 3.1), 12);
        Assert.Equal("unreliable (12 events over 40 replicates)", TerminalSummary.CompactFigure(row, metric, 40, interval: true));
    }
}
