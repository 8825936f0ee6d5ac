using System.Buffers.Binary;
using System.Xml.Linq;
using ImpactModel.Reporting;
using ImpactModel.Reporting.Charts;
using ImpactModel.Simulation;

namespace ImpactModel.Tests.Reporting;

/// <summary>The charts of a run: valid PNG and SVG files of the stated size, the series the run's figures call for, labelled axes, scenario strings as text.</summary>
public sealed class ChartTests(ChartTestRuns runs) : IClassFixture<ChartTestRuns>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static TheoryData<string> Scenarios => [.. ChartTestRuns.Names];

    private string Folder(string name) => Path.Combine(runs.Root, "charts-" + name + "-" + Guid.NewGuid().ToString("N"));

    private static string[] Texts(string svgFile) =>
        [.. XDocument.Load(svgFile).Descendants(Svg + "text").Select(t => t.Value.Trim())];

    /// <summary>The charts a run calls for, derived from its manifest and scenario (not from the chart code).</summary>
    private static Dictionary<string, int> ExpectedSeries(RunData run)
    {
        var facts = new RunFacts(run);
        var expected = new Dictionary<string, int>();
        int harms = run.View.HarmCounts.Count(run.Has);
        bool benefit = run.View.Benefits.Any(run.Has);
        expected["benefit-harm"] = (benefit ? 1 : 0) + harms;
        if (run.Has(run.View.HarmRate))
            expected["harm-by-group"] = run.Manifest.Groups.Count + 1;
        if (run.Manifest.Variants.Any(v => v.Id.StartsWith(VariantBuilder.WithoutPrefix, StringComparison.Ordinal)))
            expected["safeguards"] = (harms > 0 ? 1 : 0) + (benefit ? 1 : 0);
        if (harms > 0 && benefit)
            expected["frontier"] = facts.Frontier().Select(p => p.Dominated).Distinct().Count();
        if (run.Scenario is { Linkages.Length: > 0 } s)
            expected["linkage-weights"] = 2 * s.Linkages.Length;
        return expected;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_chart_is_a_1200_by_800_png_and_an_svg_that_parses(string scenario)
    {
        string folder = Folder(scenario);
        IReadOnlyList<RenderedChart> charts = ChartWriter.Write(runs[scenario], folder);
        Assert.NotEmpty(charts);
        foreach (RenderedChart chart in charts)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(folder, chart.PngFile));
            // PNG signature, then the IHDR chunk: length 13, type, width and height big-endian (PNG spec, 5.2 and 11.2.2).
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

            XElement root = XDocument.Load(Path.Combine(folder, chart.SvgFile)).Root!;
            Assert.Equal(Svg + "svg", root.Name);
            Assert.Equal("1200", (string?)root.Attribute("width"));
            Assert.Equal("800", (string?)root.Attribute("height"));
            Assert.NotEmpty(chart.Title);
            Assert.EndsWith(".", chart.Title, StringComparison.Ordinal);
            Assert.NotEmpty(chart.Caption);
            Assert.NotEmpty(chart.AltText);
            Assert.NotEmpty(chart.Data.Rows);
            Assert.All(chart.Data.Rows, r => Assert.Equal(chart.Data.Columns.Length, r.Length));
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Each_run_gets_the_charts_and_series_its_figures_call_for(string scenario)
    {
        RunData run = runs[scenario];
        IReadOnlyList<RenderedChart> charts = ChartWriter.Write(run, Folder(scenario));
        Dictionary<string, int> expected = ExpectedSeries(run);
        string[] order = ["benefit-harm", "harm-by-group", "safeguards", "frontier", "linkage-weights"];
        Assert.Equal(order.Where(expected.ContainsKey), charts.Select(c => c.Name));
        foreach (RenderedChart chart in charts)
            Assert.True(expected[chart.Name] == chart.Series, $"{chart.Name}: expected {expected[chart.Name]} series, drew {chart.Series}");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Axes_titles_and_legends_are_in_the_svg_as_text_with_their_units(string scenario)
    {
        RunData run = runs[scenario];
        string folder = Folder(scenario);
        var facts = new RunFacts(run);
        foreach (RenderedChart chart in ChartWriter.Write(run, folder))
        {
            string[] texts = Texts(Path.Combine(folder, chart.SvgFile));
            Assert.Contains(chart.Title, texts);
            switch (chart.Name)
            {
                case "benefit-harm":
                    string benefit = facts.Benefit!;
                    if (run.Metric(benefit)!.Unit.StartsWith("GBP", StringComparison.Ordinal))
                        Assert.Contains(texts, t => t.StartsWith("Net benefit (£", StringComparison.Ordinal) && t.Contains("present value over", StringComparison.Ordinal));
                    else
                        Assert.Contains(texts, t => t.StartsWith(ChartUnits.Words(benefit) + " (", StringComparison.Ordinal));
                    Assert.Contains(texts, t => t.StartsWith("Headline harms (", StringComparison.Ordinal));
                    foreach (string harm in facts.HarmCounts)
                        Assert.Contains(texts, t => t.StartsWith(ChartUnits.Words(harm), StringComparison.Ordinal));
                    foreach (string variant in facts.Variants)
                        Assert.Contains(variant, texts);
                    break;
                case "harm-by-group":
                    Assert.Contains(texts, t => t.StartsWith("Rate in the proposal (% of ", StringComparison.Ordinal));
                    Assert.Contains(texts, t => t.StartsWith("Ratio to people in no group (ratio", StringComparison.Ordinal));
                    foreach (string group in run.Manifest.Groups)
                        Assert.Contains(run.GroupLabel(group), texts);
                    break;
                case "safeguards":
                    Assert.Contains("Change in " + ChartUnits.Words(facts.Harm!).ToLowerInvariant() + ".", texts);
                    Assert.Contains(texts, t => t.StartsWith("Change (", StringComparison.Ordinal));
                    Assert.Contains("Safeguard removed", texts);
                    break;
                case "frontier":
                    Assert.Contains(texts, t => t.StartsWith(ChartUnits.Words(facts.Harm!) + " (", StringComparison.Ordinal));
                    Assert.Contains(texts, t => t.StartsWith(ChartUnits.Words(facts.Benefit!) + " (", StringComparison.Ordinal));
                    break;
                case "linkage-weights":
                    Assert.Contains("Pairs (log scale)", texts);
                    Assert.Contains(texts, t => t.StartsWith("Match weight (bits", StringComparison.Ordinal));
                    Assert.Contains("True matches (own record)", texts);
                    break;
            }
        }
    }

    [Fact]
    public void A_group_label_with_markup_quotes_and_right_to_left_text_is_escaped_text_in_the_svg()
    {
        string folder = Folder("small");
        RunData run = runs["small"];
        Assert.Equal(ChartTestRuns.HostileLabel, run.GroupLabel("no-fixed-address"));
        ChartWriter.Write(run, folder);
        string svg = File.ReadAllText(Path.Combine(folder, "harm-by-group.svg"));
        Assert.Contains(ChartTestRuns.HostileLabel, Texts(Path.Combine(folder, "harm-by-group.svg")));
        Assert.DoesNotContain("<script", svg, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_a_money_case_labels_its_benefit_panel_for_what_it_shows()
    {
        RunData run = runs["research"];
        string? benefit = new RunFacts(run).Benefit;
        Assert.Equal("records_released", benefit); // the research scenario values nothing
        string folder = Folder("research");
        RenderedChart chart = ChartWriter.Write(run, folder).Single(c => c.Name == "benefit-harm");
        string[] texts = Texts(Path.Combine(folder, chart.SvgFile));
        Assert.Contains(texts, t => t.StartsWith("Records released (", StringComparison.Ordinal) && t.Contains("records", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains('£', StringComparison.Ordinal));
    }

    [Fact]
    public void The_safeguards_chart_is_left_out_when_no_variant_removes_a_safeguard()
    {
        RunData run = runs["small"];
        var without = run.Manifest with
        {
            Variants = [.. run.Manifest.Variants.Where(v => !v.Id.StartsWith(VariantBuilder.WithoutPrefix, StringComparison.Ordinal))],
        };
        var trimmed = new RunData(run.Folder, without, run.Results, run.Parameters, run.Scenario);
        Assert.DoesNotContain(ChartWriter.Write(trimmed, Folder("trimmed")), c => c.Name == "safeguards");
    }

    [Fact]
    public void The_same_run_gives_the_same_chart_files()
    {
        string a = Folder("fraud"), b = Folder("fraud");
        var charts = ChartWriter.Write(runs["fraud"], a);
        ChartWriter.Write(runs["fraud"], b);
        foreach (RenderedChart chart in charts)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, chart.SvgFile)), File.ReadAllBytes(Path.Combine(b, chart.SvgFile)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, chart.PngFile)), File.ReadAllBytes(Path.Combine(b, chart.PngFile)));
        }
    }

    [Fact]
    public void Unreliable_figures_are_noted_in_the_data_table()
    {
        // 5,000 persons of the one-group scenario: the group's rare harms rest on few events.
        string folder = Folder("small");
        var rows = ChartWriter.Write(runs["small"], folder).SelectMany(c => c.Data.Rows).ToList();
        var unreliable = runs["small"].Results.Where(r => r.Unreliable).ToList();
        if (unreliable.Count > 0)
            Assert.Contains(rows, r => r[^1] == ChartUnits.UnreliableNote);
    }

    [Fact]
    public void Compared_runs_of_different_strands_get_one_series_each_and_no_zero_for_a_missing_money_case()
    {
        (string, RunData)[] compared = [("fraud", runs["fraud"]), ("tailored", runs["tailored"]), ("research", runs["research"])];
        string folder = Folder("compare");
        IReadOnlyList<RenderedChart> charts = ChartWriter.WriteCompare(compared, folder);
        Assert.Equal(["compare-benefit-harm", "compare-frontier"], charts.Select(c => c.Name));
        foreach (RenderedChart chart in charts)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(folder, chart.PngFile));
            Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            string[] texts = Texts(Path.Combine(folder, chart.SvgFile));
            Assert.Contains(chart.Title, texts);
            Assert.Contains(texts, t => t.StartsWith("Net benefit", StringComparison.Ordinal) && t.Contains("(£", StringComparison.Ordinal));
        }

        // Every run is a series of the first chart; the research run values nothing in pounds, so it has
        // no point on a money axis: its row in the table says so instead of a zero.
        Assert.Equal(3, charts[0].Series);
        Assert.Equal(2, charts[1].Series);
        Assert.Contains(charts[0].Data.Rows, r => r[0] == "research" && r[3] == "" && r[^1] == "not defined in this run");
        Assert.DoesNotContain(charts[1].Data.Rows, r => r[0].StartsWith("research:", StringComparison.Ordinal));
        string[] legend = Texts(Path.Combine(folder, charts[0].SvgFile));
        foreach (string run in (string[])["fraud", "tailored", "research"])
            Assert.Contains(legend, t => t.StartsWith(run + ": ", StringComparison.Ordinal));
    }
}
