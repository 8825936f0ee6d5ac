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
            expected["linkage-weights"] = s.Linkages.Sum(l => l.Method == ImpactModel.Scenarios.Model.LinkageMethod.Exact ? 1 : 2); // an exact linkage has no candidate pairs
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
        string folder = Folder(scenario);
        IReadOnlyList<RenderedChart> charts = ChartWriter.Write(run, folder);
        Dictionary<string, int> expected = ExpectedSeries(run);
        string[] order = ["benefit-harm", "harm-by-group", "safeguards", "frontier", "linkage-weights"];
        Assert.Equal(order.Where(expected.ContainsKey), charts.Select(c => c.Name));
        foreach (RenderedChart chart in charts)
        {
            int drawn = SeriesInSvg(run, chart.Name, Texts(Path.Combine(folder, chart.SvgFile)));
            Assert.True(expected[chart.Name] == drawn, $"{chart.Name}: expected {expected[chart.Name]} series, the SVG names {drawn}");
        }
    }

    /// <summary>
    /// The series a chart's SVG shows, counted from its text: each series must be named exactly once
    /// (by its legend entry, its category label or its panel title), so a series missing or drawn twice fails.
    /// </summary>
    private static int SeriesInSvg(RunData run, string chart, string[] texts)
    {
        int Once(Func<string, bool> names, string what)
        {
            int n = texts.Count(names);
            Assert.True(n <= 1, $"{chart}: {what} is named {n} times");
            return n;
        }

        switch (chart)
        {
            case "benefit-harm":
                // A harm's legend entry is its words, with its unit in brackets when the harms' units differ.
                int harms = run.View.HarmCounts.Where(run.Has).Sum(h =>
                {
                    string w = ChartUnits.Words(h);
                    return Once(t => t == w || t.StartsWith(w + " (", StringComparison.Ordinal), w);
                });
                // The benefit panel has no legend: its axis label names the one series.
                string? benefit = run.View.Benefits.FirstOrDefault(run.Has);
                bool money = benefit is not null && run.Metric(benefit)!.Unit.StartsWith("GBP", StringComparison.Ordinal);
                string axis = money ? "Net benefit (" : benefit is null ? "" : ChartUnits.Words(benefit) + " (";
                return harms + (benefit is not null && texts.Any(t => t.StartsWith(axis, StringComparison.Ordinal)) ? 1 : 0);
            case "harm-by-group":
                return ((string[])[.. run.Manifest.Groups, "rest"]).Sum(g => Once(t => t == run.GroupLabel(g), g));
            case "safeguards":
                return texts.Count(t => t.StartsWith("Change in ", StringComparison.Ordinal) && t.EndsWith('.'));
            case "frontier":
                return Once(t => t == "Not dominated (the frontier)", "the frontier")
                    + Once(t => t.StartsWith("Dominated: ", StringComparison.Ordinal), "the dominated");
            case "linkage-weights":
                return texts.Count(t => t == "True matches (own record)") + texts.Count(t => t == "Non-matches (candidates)");
            default:
                throw new InvalidOperationException("no series count for " + chart);
        }
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
                    // Paired effects (what each safeguard adds) when the run folder has safeguards.csv, else what removing each changes.
                    Assert.Contains(facts.SafeguardEffects().Any(e => e.Paired) ? "Safeguard" : "Safeguard removed", texts);
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
    public void Charts_whose_pngs_are_encoded_on_other_threads_are_the_same_files_as_charts_written_in_turn()
    {
        string inTurn = Folder("fraud"), batched = Folder("fraud");
        var charts = ChartWriter.Write(runs["fraud"], inTurn);
        var again = ChartKit.Batch(() => ChartWriter.Write(runs["fraud"], batched));
        Assert.Equal(charts.Select(c => c.Name), again.Select(c => c.Name));
        // Every file is on disk when the batch returns, byte for byte what the chart alone writes.
        Assert.Equal(Directory.GetFiles(inTurn).Select(Path.GetFileName).Order(), Directory.GetFiles(batched).Select(Path.GetFileName).Order());
        foreach (RenderedChart chart in charts)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(inTurn, chart.PngFile)), File.ReadAllBytes(Path.Combine(batched, chart.PngFile)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(inTurn, chart.SvgFile)), File.ReadAllBytes(Path.Combine(batched, chart.SvgFile)));
        }
    }

    [Fact]
    public void A_png_that_cannot_be_written_fails_its_batch_once_every_other_png_is_written()
    {
        string folder = Folder("fraud");
        Directory.CreateDirectory(Path.Combine(folder, "benefit-harm.png")); // a folder where the first chart's PNG goes
        // (Linux: UnauthorizedAccessException, thrown as it is, not wrapped in an AggregateException)
        Exception failure = Assert.ThrowsAny<SystemException>(() => ChartKit.Batch(() => ChartWriter.Write(runs["fraud"], folder)));
        Assert.IsNotType<AggregateException>(failure);
        Assert.Contains("benefit-harm.png", failure.Message, StringComparison.Ordinal);
        string[] others = [.. Directory.GetFiles(folder, "*.png").Select(Path.GetFileName).Order()!];
        Assert.Contains("harm-by-group.png", others);
        Assert.All(others, name => Assert.True(new FileInfo(Path.Combine(folder, name)).Length > 1000, name));
    }

    [Fact]
    public void Unreliable_figures_are_noted_in_the_data_table()
    {
        // 5,000 persons of the one-group scenario: about 250 in the group, so its harms in the proposal
        // rest on fewer than 30 events. Each plotted figure's row is checked against the run's own
        // results file: the note is there exactly when the result rests on too few events.
        RunData run = runs["small"];
        var charts = ChartWriter.Write(run, Folder("small")).ToDictionary(c => c.Name);
        var checkedRows = new List<(bool Unreliable, string Note)>();

        string rate = ChartUnits.Words(run.View.HarmRate);
        var groupRows = charts["harm-by-group"].Data.Rows.Where(r => r[1] == rate).ToList();
        foreach (string g in (string[])[.. run.Manifest.Groups, "rest"])
        {
            ResultLine line = run.Find(VariantBuilder.Proposal, g, run.View.HarmRate)!;
            checkedRows.Add((line.Unreliable, groupRows.Single(r => r[0] == run.GroupLabel(g))[^1]));
        }

        var harmRows = charts["benefit-harm"].Data.Rows;
        foreach (string h in run.View.HarmCounts.Where(run.Has))
        {
            foreach (ManifestVariant v in run.Manifest.Variants)
            {
                if (run.Find(v.Id, "all", h) is { Mean: not null } line)
                    checkedRows.Add((line.Unreliable, harmRows.Single(r => r[0] == v.Id && r[1] == ChartUnits.Words(h))[^1]));
            }
        }

        Assert.Contains(checkedRows, r => r.Unreliable);
        Assert.All(checkedRows, r => Assert.Equal(r.Unreliable ? ChartUnits.UnreliableNote : "", r.Note));
    }

    [Fact]
    public void Clip_ids_are_renumbered_only_where_they_are_ids_or_references()
    {
        const string Input = """<svg><clipPath id="cl_7"><rect/></clipPath><clipPath id="cl_2b"/><g clip-path="url(#cl_7)"><use xlink:href="#cl_2b"/><use href="#cl_7"/><text>cl_1a cl_7 id="cl_7"</text></g></svg>""";
        Assert.Equal(
            """<svg><clipPath id="clip0"><rect/></clipPath><clipPath id="clip1"/><g clip-path="url(#clip0)"><use xlink:href="#clip1"/><use href="#clip0"/><text>cl_1a cl_7 id="cl_7"</text></g></svg>""",
            ChartKit.RenumberClips(Input));
    }

    [Fact]
    public void A_label_that_reads_like_a_clip_id_survives_verbatim_in_the_svg()
    {
        const string Label = "Group cl_1a.";
        var plot = ChartKit.NewPlot(Label, "cl_2 (x)", "y");
        ChartKit.Categories(plot, ["cl_1a"]);
        XDocument doc = XDocument.Parse(ChartKit.Svg(ChartKit.Whole(plot)));
        string[] texts = [.. doc.Descendants(Svg + "text").Select(t => t.Value.Trim())];
        Assert.Contains(Label, texts);
        Assert.Contains("cl_1a", texts);
        Assert.Contains("cl_2 (x)", texts);
        // The clip paths were renumbered, and every reference still points at one of them.
        string[] ids = [.. doc.Descendants(Svg + "clipPath").Select(c => (string)c.Attribute("id")!)];
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.StartsWith("clip", id, StringComparison.Ordinal));
        foreach (XAttribute use in doc.Descendants().Attributes("clip-path"))
            Assert.Contains(use.Value["url(#".Length..^1], ids);
    }

    [Fact]
    public void Each_linkage_threshold_is_named_on_the_plot_not_by_colour_alone()
    {
        // The SVG draws every line solid, so the two thresholds must differ by text beside them.
        RunData run = runs["small"];
        string folder = Folder("small");
        RenderedChart chart = ChartWriter.Write(run, folder).Single(c => c.Name == "linkage-weights");
        string[] texts = Texts(Path.Combine(folder, chart.SvgFile));
        Assert.Equal(run.Scenario!.Linkages.Length, texts.Count(t => t == LinkageWeightChart.UpperLabel));
        // The one-group scenario's linkage has an upper threshold of 15 and a lower of 8 bits.
        Assert.Single(texts, t => t is "review above" or "no link below");
        Assert.DoesNotContain("dashed", chart.Caption, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void No_caption_or_title_relies_on_a_dash_the_svg_does_not_draw(string scenario)
    {
        foreach (RenderedChart chart in ChartWriter.Write(runs[scenario], Folder(scenario)))
        {
            Assert.DoesNotContain("dash", chart.Caption, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("dash", chart.Title, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_safeguards_alt_text_words_each_change_by_its_sign(string scenario)
    {
        RunData run = runs[scenario];
        if (ChartWriter.Write(run, Folder(scenario)).SingleOrDefault(c => c.Name == "safeguards") is not { } chart)
            return;
        Assert.DoesNotContain("upwards", chart.AltText, StringComparison.Ordinal);
        Assert.DoesNotContain("downwards", chart.AltText, StringComparison.Ordinal);
        foreach (string sentence in chart.AltText.Split(". ", StringSplitOptions.RemoveEmptyEntries))
        {
            int at = sentence.IndexOf("a change of ", StringComparison.Ordinal);
            Assert.True(at > 0, sentence);
            char sign = sentence[at + "a change of ".Length];
            if (sentence.Contains(" raises ", StringComparison.Ordinal))
                Assert.Equal('+', sign);
            else if (sentence.Contains(" lowers ", StringComparison.Ordinal))
                Assert.Equal('−', sign);
        }
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
