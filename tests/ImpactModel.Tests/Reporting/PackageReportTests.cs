using System.Buffers.Binary;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ImpactModel.Reporting;
using ImpactModel.Reporting.Charts;
using ImpactModel.Reporting.Html;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// A package's chart and report (<see cref="ReportWriter.WritePackage"/>) from a hand-written package
/// folder (<see cref="PackageFiles"/>): the files, what the chart names, the report's sections, links,
/// escaping and intervals, and that a report made again from the folder is the same.
/// </summary>
public sealed class PackageReportTests(PackageRoot root) : IClassFixture<PackageRoot>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly ManifestMetric Rate = PackageMetrics.Unit(PackageMetrics.AnyRate(PackageMetrics.Harmed));

    private (string Folder, string Html) Written(string? description = null, bool contradictions = true)
    {
        string folder = description is null ? PackageFiles.Write(root.Root, contradictions: contradictions) : PackageFiles.Write(root.Root, description, contradictions);
        ReportWriter.WritePackage(folder);
        return (folder, File.ReadAllText(Path.Combine(folder, ReportWriter.ReportFile)));
    }

    [Fact]
    public void Writing_a_package_writes_its_chart_as_png_and_svg_and_its_report_and_says_so()
    {
        string folder = PackageFiles.Write(root.Root);
        IReadOnlyList<string> written = ReportWriter.WritePackage(folder);
        Assert.Equal(["charts/package-burden.png", "charts/package-burden.svg", "report.html"], written);
        Assert.All(written, f => Assert.True(File.Exists(Path.Combine(folder, f)), f));
    }

    [Fact]
    public void The_package_burden_chart_is_a_1200_by_800_png_and_an_svg_that_parses()
    {
        (string folder, _) = Written();
        byte[] png = File.ReadAllBytes(Path.Combine(folder, "charts", "package-burden.png"));
        // PNG signature, then the IHDR chunk: length 13, type, width and height big-endian (PNG spec, 5.2 and 11.2.2).
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        XElement svg = XDocument.Load(Path.Combine(folder, "charts", "package-burden.svg")).Root!;
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal("1200", (string?)svg.Attribute("width"));
        Assert.Equal("800", (string?)svg.Attribute("height"));
    }

    [Fact]
    public void The_chart_names_every_group_once_every_series_once_and_says_the_population_and_replicates()
    {
        (string folder, _) = Written();
        string[] texts = [.. XDocument.Load(Path.Combine(folder, "charts", "package-burden.svg")).Descendants(Svg + "text").Select(t => t.Value.Trim())];
        PackageData package = PackageData.Read(folder);
        // Each group labels its row once (the right panel shares the left's rows); each series is named once, in the shared legend.
        foreach (string g in PackageFiles.GroupIds)
            Assert.Single(texts, t => t == package.GroupLabel(g));
        for (int n = 1; n <= 3; n++)
            Assert.Single(texts, t => t == PackageBurdenChart.SeriesName(n, 3));
        Assert.Equal(["By exactly 1 scenario", "By exactly 2 scenarios", "By all 3 scenarios"], Enumerable.Range(1, 3).Select(n => PackageBurdenChart.SeriesName(n, 3)));
        Assert.Contains(texts, t => t.StartsWith("Share harmed and benefited by exactly n of 3 scenarios, by group", StringComparison.Ordinal)
            && t.Contains("67.6 million people", StringComparison.Ordinal) && t.Contains("40 replicates", StringComparison.Ordinal));
        // Both panels state their unit on the axis.
        Assert.Contains("Share harmed (% of the group's people)", texts);
        Assert.Contains("Share benefited (% of the group's people)", texts);
    }

    [Fact]
    public void The_undefined_value_is_left_out_of_the_chart_and_its_table_says_so_never_zero()
    {
        string folder = PackageFiles.Write(root.Root);
        PackageData package = PackageData.Read(folder);
        string charts = Directory.CreateDirectory(Path.Combine(folder, "charts")).FullName;
        RenderedChart chart = PackageBurdenChart.Write(package, charts);
        Assert.Equal(3, chart.Series);
        // One row per group, panel and number of scenarios.
        Assert.Equal(PackageFiles.GroupIds.Length * 2 * 3, chart.Data.Rows.Length);
        var undefined = chart.Data.Rows.Single(r => r[0] == package.GroupLabel(PackageFiles.Undefined.Group) && r[1] == "Share benefited by all 3 scenarios");
        Assert.Equal("", undefined[3]);
        Assert.Equal("not defined in this run", undefined[6]);
        Assert.All(chart.Data.Rows.Where(r => r != undefined), r => Assert.NotEqual("", r[3]));
    }

    [Fact]
    public void The_report_is_self_contained_with_its_sections_in_order_and_the_chart_inlined()
    {
        (_, string html) = Written();
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>Package report: uk-data-sharing</title>", html, StringComparison.Ordinal);
        string[] marks = ["<h1", "id=\"reading\"", "id=\"scenarios\"", "id=\"burden\"", "id=\"chart\"", "id=\"by-scenario\"", "id=\"pairs\"",
            "id=\"contradictions\"", "id=\"warnings\"", "id=\"manifest\""];
        int[] at = [.. marks.Select(m => html.IndexOf(m, StringComparison.Ordinal))];
        Assert.All(at, i => Assert.True(i >= 0));
        Assert.Equal(at.Order(), at);
        Assert.Single(Regex.Matches(html, "<svg[ >]"));
        Assert.Contains("id=\"chart-package-burden\"", html, StringComparison.Ordinal);
        Assert.Matches("<svg[^>]* role=\"img\"", html);
        Assert.DoesNotMatch(new Regex(@"<script|\son[a-z]+\s*=|\ssrc\s*=|@import|url\((?!#)|javascript:", RegexOptions.IgnoreCase), html);
        Assert.Contains("a person counted by two scenarios bears both harms", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("different kinds of harm", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_links_to_each_scenarios_own_report_and_to_nothing_else()
    {
        (string folder, string html) = Written();
        string[] hrefs = [.. Regex.Matches(html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value)];
        Assert.Equal(PackageFiles.Scenarios.Select(s => $"{s}/report.html"), hrefs);
        Assert.All(hrefs, h => Assert.True(File.Exists(Path.Combine(folder, h)), h));
        foreach ((string harm, string strand) in new[] { ("wrongful adverse action", "fraud-error-debt"), ("intrusive contact on a sensitive inference", "tailored-services") })
        {
            Assert.Contains(harm, html, StringComparison.Ordinal);
            Assert.Contains(strand, html, StringComparison.Ordinal);
        }

        Assert.Contains("no benefit counted", html, StringComparison.Ordinal); // research-statistics counts none
    }

    [Fact]
    public void A_hostile_description_and_group_names_are_escaped()
    {
        (_, string html) = Written(ReportFixture.Hostile);
        Assert.Contains(WebUtility.HtmlEncode(ReportFixture.Hostile), html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Survivors needing address confidentiality &amp; safety", html, StringComparison.Ordinal);
        Assert.DoesNotContain("confidentiality & safety", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_burden_table_shows_each_rate_with_its_95_percent_interval_and_ratio_as_the_run_report_formats_them()
    {
        (_, string html) = Written();
        foreach (string g in PackageFiles.Groups.Select(g => g.Id))
        {
            foreach (string rate in new[] { PackageMetrics.AnyRate(PackageMetrics.Harmed), PackageMetrics.TwoOrMoreRate(PackageMetrics.Harmed), PackageMetrics.AnyRate(PackageMetrics.Benefited) })
            {
                if ((g, rate) == PackageFiles.Partial)
                    continue;
                double mean = PackageFiles.Mean(g, rate);
                string cell = $"{FigureText.Value(mean, Rate)} ({FigureText.Value(mean * 0.8, Rate)} to {FigureText.Value(mean * 1.25, Rate)})";
                Assert.Contains($">{cell}</td>", html, StringComparison.Ordinal);
            }

            double ratio = PackageFiles.Mean(g, PackageMetrics.RatioOf(PackageMetrics.AnyRate(PackageMetrics.Harmed)));
            ManifestMetric r = PackageMetrics.Unit(PackageMetrics.RatioOf(PackageMetrics.AnyRate(PackageMetrics.Harmed)));
            Assert.Contains($">{FigureText.Value(ratio, r)} ({FigureText.Value(ratio * 0.8, r)} to {FigureText.Value(ratio * 1.25, r)})</td>", html, StringComparison.Ordinal);
        }

        // Care leavers: 11% × (0.8 + 0.15 + 0.02) = 10.67%, from 8.536% to 13.34%: three significant figures, as a run report formats a rate.
        Assert.Contains(">10.7% (8.54% to 13.3%)</td>", html, StringComparison.Ordinal);
        Assert.Contains($"defined in {PackageFiles.PartReplicates} of {PackageFiles.Replicates} replicates", html, StringComparison.Ordinal);
        Assert.Contains(">1 (the reference)</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_undefined_value_is_said_to_be_undefined_in_the_report()
    {
        (_, string html) = Written();
        // The undefined value is plotted nowhere: the chart's data table, printed under it, says so.
        string label = PackageFiles.Groups.Single(g => g.Id == PackageFiles.Undefined.Group).Name;
        Assert.Matches($">{Regex.Escape(label)}</th><td[^>]*>Share benefited by all 3 scenarios</td><td[^>]*>% of the group&#39;s people</td>(<td[^>]*></td>){{3}}<td[^>]*>not defined in this run</td>", html);
    }

    [Fact]
    public void The_pairs_and_the_contradiction_are_shown_with_intervals()
    {
        (_, string html) = Written();
        Assert.Contains(">fraud-error-debt and tailored-services</th>", html, StringComparison.Ordinal);
        Assert.Contains(">tailored-services and research-statistics</th>", html, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(PackageFiles.ContradictionSentence), html, StringComparison.Ordinal);
        // The sentence carries its figure and interval (the host writes them into it); the report does not repeat them.
        Assert.Contains("135,000 people (95% interval 108,000 to 169,000)", PackageFiles.ContradictionSentence, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, Regex.Escape("95% interval 108,000 to 169,000")));
        Assert.Contains("research-statistics: the extract&#39;s noise is fixed at 0", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_package_with_no_contradiction_says_none_was_found()
    {
        (_, string html) = Written(contradictions: false);
        Assert.Contains("None was found", html, StringComparison.Ordinal);
        Assert.DoesNotContain(WebUtility.HtmlEncode(PackageFiles.ContradictionSentence), html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_made_again_from_the_folder_is_byte_for_byte_the_same()
    {
        string folder = PackageFiles.Write(root.Root);
        IReadOnlyList<string> written = ReportWriter.WritePackage(folder);
        var first = written.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f)));
        ReportWriter.WritePackage(folder);
        Assert.All(written, f => Assert.Equal(first[f], File.ReadAllBytes(Path.Combine(folder, f))));
    }

    [Fact]
    public void A_package_being_written_gets_its_report_before_it_is_renamed_and_only_then()
    {
        string folder = PackageFiles.Write(root.Root);
        string partial = folder + ".partial-1234";
        Directory.Move(folder, partial);
        Assert.Throws<RunFolderException>(() => ReportWriter.WritePackage(partial));
        Assert.Equal(3, ReportWriter.WritePackage(partial, beingWritten: true).Count);
        Assert.True(File.Exists(Path.Combine(partial, ReportWriter.ReportFile)));
    }

    [Fact]
    public void A_malformed_package_writes_nothing()
    {
        string folder = PackageFiles.Write(root.Root);
        File.WriteAllText(Path.Combine(folder, PackageData.CsvFile), "package,group,metric\n");
        Assert.Throws<RunFolderException>(() => ReportWriter.WritePackage(folder));
        Assert.False(Directory.Exists(Path.Combine(folder, "charts")));
        Assert.False(File.Exists(Path.Combine(folder, ReportWriter.ReportFile)));
    }
}
