using ImpactModel.Reporting;
using ImpactModel.Reporting.Html;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Reporting;

[CollectionDefinition(Name)]
public sealed class ReportRunsDefinition : ICollectionFixture<ReportFixture>
{
    public const string Name = "Reports";
}

/// <summary>
/// Small run folders made in-process once for the report tests (a few thousand persons, 3
/// replicates) through <c>impact run</c> itself, so each folder holds the <c>charts/</c> and
/// <c>report.html</c> the command writes: each shipped scenario, and a hostile one whose names,
/// labels and descriptions hold markup, quotes, ampersands, right-to-left and non-Latin text.
/// Comparisons are made through <c>impact compare</c> from those folders. Hand-made charts (two
/// small SVGs carrying what the inliner must strip) are kept only for the tests that need a hostile
/// or a missing SVG.
/// </summary>
public sealed class ReportFixture : IDisposable
{
    /// <summary>The text every hostile field carries: markup, both quotes, an ampersand, Arabic (right to left) and Chinese.</summary>
    public const string Hostile = "<script>alert(1)</script> \"quoted\" & 'single' مرحبا 中文";

    public const string SourceUrl = "https://example.org/frs?year=2022&table=4";

    private readonly Dictionary<string, Lazy<RunData>> _runs;

    private readonly Dictionary<string, Lazy<string>> _compares = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();

    private RunData? _reviewed;

    public ReportFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "impact-report-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        _runs = new Dictionary<string, Lazy<RunData>>(StringComparer.Ordinal)
        {
            ["fraud"] = new(() => Run("fraud", ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"))),
            ["tailored"] = new(() => Run("tailored", ValidateCommandTests.RepositoryFile("scenarios", "tailored-services.yaml"))),
            ["research"] = new(() => Run("research", ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml"))),
            ["hostile"] = new(() => Run("hostile", WriteHostileScenario())),
        };
        ChartsFolder = Path.Combine(Root, "charts");
        Directory.CreateDirectory(ChartsFolder);
        foreach (RenderedChart chart in Charts)
            File.WriteAllText(Path.Combine(ChartsFolder, chart.SvgFile), ChartSvg);
    }

    public string Root { get; }

    public string ChartsFolder { get; }

    public static IReadOnlyList<string> Shipped { get; } = ["fraud", "tailored", "research"];

    /// <summary>Two charts sharing one hand-written SVG (so both carry the same clip-path id).</summary>
    public static IReadOnlyList<RenderedChart> Charts { get; } =
    [
        Chart("benefit-harm", "Net benefit and harm by variant."),
        Chart("harm-by-group", $"Harm by group, including {Hostile}."),
    ];

    /// <summary>A chart SVG as Skia writes one (clip path numbered from 1), plus a script, a handler and an external image the inliner must drop.</summary>
    public const string ChartSvg = """
        <?xml version="1.0" encoding="utf-8" ?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="600" height="400" onload="alert(2)">
        <clipPath id="clip_1"><rect x="0" y="0" width="600" height="400"/></clipPath>
        <script>alert(3)</script>
        <rect x="0" y="0" width="600" height="400" fill="#ffffff"/>
        <g clip-path="url(#clip_1)">
        <rect x="60" y="60" width="200" height="300" fill="#0072B2"/>
        <rect x="320" y="160" width="200" height="200" fill="#E69F00"/>
        <text x="60" y="40" font-size="16" fill="#1a1a1a">Group &lt;script&gt;alert(1)&lt;/script&gt; مرحبا</text>
        </g>
        <image xlink:href="https://example.org/tracker.png" width="10" height="10"/>
        <a href="javascript:alert(4)"><text x="10" y="390">link</text></a>
        </svg>
        """;

    /// <summary>The run folder of <paramref name="name"/> (made on first use).</summary>
    public RunData Data(string name) => _runs[name].Value;

    /// <summary>The <c>report.html</c> that <c>impact run</c> wrote into the run folder of <paramref name="name"/>.</summary>
    public string Report(string name)
    {
        string path = Path.Combine(Data(name).Folder, ReportWriter.ReportFile);
        Assert.True(File.Exists(path), $"impact run wrote no {ReportWriter.ReportFile} into {Data(name).Folder}");
        return path;
    }

    /// <summary>The hostile run copied with the review view's four files (swings too) and its charts and report written again (made on first use).</summary>
    public RunData Reviewed()
    {
        lock (_lock)
            return _reviewed ??= ReviewFiles.Copy(Data("hostile").Folder, Path.Combine(Root, "hostile-reviewed"), swings: true);
    }

    /// <summary>The <c>report.html</c> of the hostile run written again with the hand-made <see cref="Charts"/> (for the inliner's tests).</summary>
    public string HandMadeReport()
    {
        string path = Path.Combine(Root, "hand-made-charts-report.html");
        lock (_lock)
        {
            if (!File.Exists(path))
                HtmlReport.Write(Data("hostile"), Charts, ChartsFolder, path);
        }

        return path;
    }

    /// <summary>The folder <c>impact compare</c> wrote for the runs <paramref name="a"/> and <paramref name="b"/> (made on first use).</summary>
    public string Compare(string a, string b)
    {
        Lazy<string> compare;
        lock (_lock)
        {
            string key = a + "+" + b;
            if (!_compares.TryGetValue(key, out compare!))
                _compares[key] = compare = new(() => CompareRuns(key, a, b));
        }

        return compare.Value;
    }

    private string CompareRuns(string key, string a, string b)
    {
        string dir = Path.Combine(Root, "compare-" + key);
        CliRun run = CliRun.Of("compare", Data(a).Folder, Data(b).Folder, "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        return dir;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private RunData Run(string name, string scenario)
    {
        string dir = Path.Combine(Root, name);
        CliRun run = CliRun.Of("run", scenario, "--population", "4000", "--replicates", "3", "--seed", "7", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        return RunFolderReader.Read(dir, DiskScenarioFiles.Instance);
    }

    private string WriteHostileScenario()
    {
        string folder = Path.Combine(Root, "hostile-inputs");
        Directory.CreateDirectory(folder);
        string quoted = Yaml(Hostile);
        string population = ScenarioFixture.Replace(ScenarioFixture.PopulationText, "    - id: no-fixed-address\n",
            $"    - id: no-fixed-address\n      name: {Yaml("Group " + Hostile)}\n      description: {quoted}\n");
        string scenario = ScenarioFixture.Replace(ScenarioFixture.Scenario, "name: small-fraud\n", $"name: hostile-fraud\ndescription: {Yaml("Description " + Hostile)}\n");
        scenario = ScenarioFixture.Replace(scenario, "    cost_per_case: 35\n",
            $"    cost_per_case: {{ value: 35, source: {Yaml($"Survey {Hostile} ({SourceUrl}).")}, grade: survey-estimate }}\n    description: {Yaml("Safeguard " + Hostile)}\n");
        scenario = ScenarioFixture.Replace(scenario, "  - id: strict\n", $"  - id: strict\n    description: {Yaml("Variant " + Hostile)}\n");
        File.WriteAllText(Path.Combine(folder, "pop.yaml"), population);
        string path = Path.Combine(folder, "hostile.yaml");
        File.WriteAllText(path, scenario);
        return path;
    }

    // A YAML double-quoted scalar.
    private static string Yaml(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static RenderedChart Chart(string name, string title) => new(name, title,
        "Read each bar against the others; whiskers are 95% intervals.",
        $"Two bars for the {name} chart: {Hostile}.",
        new ChartTable(["Variant", "Value (people)", "95% interval"],
            [["status-quo", "100", "90 to 110"], ["proposal " + Hostile, "200", "180 to 220"]]),
        Series: 1);
}
