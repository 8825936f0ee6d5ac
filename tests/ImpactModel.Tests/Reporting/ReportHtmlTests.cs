using System.Net;
using System.Text.RegularExpressions;
using ImpactModel.Reporting;
using ImpactModel.Reporting.Html;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// <c>report.html</c> read as text: self-contained, escaped, its headings and sections in order,
/// every parameter listed with the weakest evidence first. (Its rendering is the browser test's.)
/// </summary>
[Collection(ReportRunsDefinition.Name)]
public sealed partial class ReportHtmlTests(ReportFixture fixture)
{
    public static TheoryData<string> Reports => ["fraud", "tailored", "research", "hostile"];

    private string Html(string name) => File.ReadAllText(fixture.Report(name));

    [Theory, MemberData(nameof(Reports))]
    public void The_report_is_one_html_document_in_english_with_a_title_and_one_style_element(string name)
    {
        string html = Html(name);
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", html, StringComparison.Ordinal);
        Assert.Matches("<title>Impact report: [^<]+</title>", html);
        Assert.Single(Regex.Matches(html, "<style[ >]"));
        Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
        Assert.Contains("@page { size: A4; margin: 15mm; }", html, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Reports))]
    public void The_report_has_no_script_and_fetches_nothing(string name)
    {
        string html = Html(name);
        Assert.DoesNotMatch(new Regex("<script", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"<(link|img|iframe|object|embed|foreignObject)\b", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\ssrc\s*=|@import|url\((?!#)", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        // Every reference is a fragment of the page, or an http(s) link to a cited source in an <a>.
        foreach (Match m in HrefAttribute().Matches(html))
        {
            string target = m.Groups["target"].Value;
            if (target.StartsWith('#'))
                continue;
            Assert.Matches("^https?://", target);
            Assert.Equal("<a ", html[m.Groups["tag"].Index..(m.Groups["tag"].Index + 3)]);
        }
    }

    [Theory, MemberData(nameof(Reports))]
    public void Headings_run_from_one_h1_down_without_skipping_a_level(string name)
    {
        int[] levels = [.. Regex.Matches(Html(name), "<h([1-6])[ >]").Select(m => m.Groups[1].Value[0] - '0')];
        Assert.Equal(1, levels[0]);
        Assert.Single(levels, l => l == 1);
        for (int i = 1; i < levels.Length; i++)
            Assert.True(levels[i] <= levels[i - 1] + 1, $"heading {i} is h{levels[i]} after h{levels[i - 1]}");
    }

    [Theory, MemberData(nameof(Reports))]
    public void Sections_come_in_the_required_order(string name)
    {
        string html = Html(name);
        string[] marks = ["<h1", "id=\"summary\"", "id=\"charts\"", "id=\"headline\"", "id=\"variants\"", "id=\"assumptions\"", "id=\"manifest\"", ">Warnings</h3>"];
        int[] at = [.. marks.Select(m => html.IndexOf(m, StringComparison.Ordinal))];
        Assert.All(at, i => Assert.True(i >= 0));
        Assert.Equal(at.Order(), at);
        RunData run = fixture.Data(name);
        if (run.Scenario?.Description is { Length: > 0 } description)
        {
            int d = html.IndexOf(WebUtility.HtmlEncode(description.Trim()), StringComparison.Ordinal);
            Assert.InRange(d, at[0], at[1]);
        }
    }

    [Theory, MemberData(nameof(Reports))]
    public void The_summary_has_five_to_ten_sentences_with_intervals(string name)
    {
        IReadOnlyList<SummarySentence> sentences = PlainSummary.Of(new RunFacts(fixture.Data(name)));
        Assert.InRange(sentences.Count, 5, 10);
        Assert.Contains(sentences, s => s.Text.Contains("95% interval", StringComparison.Ordinal));
        Assert.Contains(sentences, s => s.Text.Contains("replicates", StringComparison.Ordinal));
        string html = Html(name);
        string summary = html[html.IndexOf("id=\"summary\"", StringComparison.Ordinal)..html.IndexOf("id=\"charts\"", StringComparison.Ordinal)];
        Assert.Equal(sentences.Count, Regex.Count(summary, "<p>"));
    }

    [Fact]
    public void The_fraud_summary_names_the_group_with_the_highest_ratio_and_its_interval()
    {
        var facts = new RunFacts(fixture.Data("fraud"));
        GroupHarm top = facts.TopHarmRatios(1)[0];
        string sentence = Assert.Single(PlainSummary.Of(facts), s => s.Text.StartsWith("Under the proposal, the wrongful adverse action rate among", StringComparison.Ordinal)).Text;
        Assert.Contains(top.Label, sentence, StringComparison.Ordinal);
        Assert.Contains("times the rate for people in no peripheral group (95% interval ", sentence, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Reports))]
    public void Every_parameter_is_listed_with_the_weakest_evidence_first(string name)
    {
        RunData run = fixture.Data(name);
        string html = Html(name);
        string assumptions = html[html.IndexOf("id=\"assumptions\"", StringComparison.Ordinal)..html.IndexOf("id=\"manifest\"", StringComparison.Ordinal)];
        Assert.NotEmpty(run.Parameters);
        foreach (ParameterLine p in run.Parameters)
            Assert.Contains($">{WebUtility.HtmlEncode(p.Parameter)}</th>", assumptions, StringComparison.Ordinal);
        string[] grades = [.. Regex.Matches(assumptions, "<tr><th scope=\"row\".*?<td[^>]*>([^<]*)</td></tr>").Select(m => m.Groups[1].Value)];
        Assert.Equal(run.Parameters.Count + (run.Manifest.Uncertainty?.PerPerson.Length ?? 0), grades.Length);
        // Weakest first: the engine's grade list is best first.
        int[] strength = [.. grades.Select(g => Evidence.GradeIds.ToList().IndexOf(g))];
        Assert.DoesNotContain(-1, strength);
        Assert.Equal(strength.OrderDescending(), strength);
        Assert.Equal("assumption", grades[0]);
    }

    [Fact]
    public void Scenario_text_shows_escaped_with_its_direction_left_to_the_browser()
    {
        string html = Html("hostile");
        string encoded = WebUtility.HtmlEncode(ReportFixture.Hostile);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39; مرحبا 中文", encoded, StringComparison.Ordinal);
        foreach (string where in (string[])["Description ", "Group ", "Safeguard ", "Variant ", "Survey "])
            Assert.Contains(WebUtility.HtmlEncode(where) + encoded, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains($"<p dir=\"auto\">Description {encoded}</p>", html, StringComparison.Ordinal);
        Assert.Contains($"<bdi>Group {encoded}</bdi>", html, StringComparison.Ordinal); // the summary's group
        Assert.Contains($"<td dir=\"auto\">Variant {encoded}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<th scope=\"row\" dir=\"auto\">Group {encoded}</th>", html, StringComparison.Ordinal); // the by-group table
    }

    [Fact]
    public void A_cited_web_address_becomes_a_link_and_the_text_around_it_stays_text()
    {
        string html = Html("hostile");
        string url = WebUtility.HtmlEncode(ReportFixture.SourceUrl);
        Assert.Contains($"Survey {WebUtility.HtmlEncode(ReportFixture.Hostile)} (<a href=\"{url}\">{url}</a>).", html, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Reports))]
    public void Every_chart_impact_run_drew_is_inlined_once_as_an_described_svg_with_its_data_table(string name)
    {
        string html = Html(name);
        string charts = Path.Combine(fixture.Data(name).Folder, ReportWriter.ChartsFolder);
        string[] drawn = [.. Directory.GetFiles(charts, "*.png").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];
        Assert.NotEmpty(drawn);
        string[] figures = [.. FigureElement().Matches(html).Select(m => m.Groups["name"].Value).Order(StringComparer.Ordinal)];
        Assert.Equal(drawn, figures);
        foreach (Match figure in FigureElement().Matches(html))
        {
            Assert.Matches("<svg [^>]*role=\"img\"[^>]*aria-label=\"[^\"]+\"", figure.Value);
            Assert.Matches("viewBox=\"0 0 [0-9.]+ [0-9.]+\"", figure.Value);
            Assert.Contains("<caption dir=\"auto\">The figures plotted in: ", figure.Value, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(charts, figure.Groups["name"].Value + ".svg")), figure.Groups["name"].Value);
        }
    }

    [Theory, MemberData(nameof(Reports))]
    public void The_reports_own_text_never_says_a_line_is_dashed(string name)
    {
        // The SVGs Skia writes have no dash patterns: the report's own words (outside the charts' figures) must not promise one.
        string own = FigureElement().Replace(Html(name), "");
        Assert.DoesNotContain("dashed", own, StringComparison.OrdinalIgnoreCase);
        foreach (string source in Directory.GetFiles(ValidateCommandTests.RepositoryFile("src", "ImpactModel.Reporting", "Html"), "*.cs"))
            Assert.DoesNotContain("dashed", File.ReadAllText(source), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Charts_are_inlined_as_described_images_with_their_data_tables_and_without_what_could_run_or_fetch()
    {
        string html = File.ReadAllText(fixture.HandMadeReport());
        foreach (RenderedChart chart in ReportFixture.Charts)
        {
            string id = "chart-" + chart.Name;
            int start = html.IndexOf($"<figure id=\"{id}\"", StringComparison.Ordinal);
            Assert.True(start >= 0, chart.Name);
            string figure = html[start..html.IndexOf("</figure>", start, StringComparison.Ordinal)];
            Assert.Contains($"<strong dir=\"auto\">{WebUtility.HtmlEncode(chart.Title)}</strong>", figure, StringComparison.Ordinal);
            Assert.Matches($"<svg [^>]*role=\"img\"[^>]*aria-label=\"{Regex.Escape(WebUtility.HtmlEncode(chart.AltText).Replace("&#39;", "'", StringComparison.Ordinal))}\"", figure);
            Assert.Contains($"<title>{WebUtility.HtmlEncode(chart.AltText).Replace("&quot;", "\"", StringComparison.Ordinal).Replace("&#39;", "'", StringComparison.Ordinal)}</title>", figure, StringComparison.Ordinal);
            Assert.Contains("viewBox=\"0 0 600 400\"", figure, StringComparison.Ordinal);
            // Skia numbers clip paths from 1 in every file: each chart's ids are its own.
            Assert.Contains($"id=\"{id}-clip_1\"", figure, StringComparison.Ordinal);
            Assert.Contains($"clip-path=\"url(#{id}-clip_1)\"", figure, StringComparison.Ordinal);
            Assert.Contains("<caption dir=\"auto\">The figures plotted in: ", figure, StringComparison.Ordinal);
            Assert.Contains("<th scope=\"col\" dir=\"auto\">Value (people)</th>", figure, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("alert(2)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(3)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(4)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("tracker.png", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<image", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_chart_file_is_said_in_words_and_its_table_still_shows()
    {
        string path = Path.Combine(fixture.Root, "missing-chart.html");
        RenderedChart chart = ReportFixture.Charts[0] with { Name = "not-there" };
        HtmlReport.Write(fixture.Data("fraud"), [chart], fixture.ChartsFolder, path);
        string html = File.ReadAllText(path);
        Assert.Contains("The chart&#39;s file not-there.svg is missing", html, StringComparison.Ordinal);
        Assert.Contains("The figures plotted in: ", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_headline_table_gives_both_variants_with_intervals_and_units_in_words()
    {
        string html = Html("fraud");
        string headline = html[html.IndexOf("id=\"headline\"", StringComparison.Ordinal)..html.IndexOf("id=\"variants\"", StringComparison.Ordinal)];
        Assert.Contains("<th scope=\"col\" dir=\"auto\">Proposal: 95% interval</th>", headline, StringComparison.Ordinal);
        Assert.Contains(">net benefit against the status quo</th><td dir=\"auto\">present value over 5 years at 2014 prices, discounted at 3.5%</td>", headline, StringComparison.Ordinal);
        Assert.Contains(">wrongful adverse actions</th><td dir=\"auto\">people</td>", headline, StringComparison.Ordinal);
        Assert.Matches("<td class=\"num\" dir=\"auto\">&#163;[0-9.,]+( million| billion)? to &#163;", headline); // £, encoded
    }

    [Fact]
    public void A_figure_on_fewer_than_30_events_is_marked_unreliable_wherever_it_is_quoted()
    {
        var few = new Figure(0.0123, 0.01, 0.015, Unreliable: true);
        var rate = new ManifestMetric("x_rate", "rate", "claimants", Harm: true);
        Assert.Equal("1.23% of claimants (95% interval 1% to 1.5%; unreliable (fewer than 30 simulated events))", FigureText.Phrase(few, rate));
        Assert.Equal("1.23% (unreliable (fewer than 30 simulated events))", FigureText.Cell(few, rate));
        // In a tiny run some headline figures rest on few events: each such cell carries the mark.
        RunData run = fixture.Data("hostile");
        string html = Html("hostile");
        var unreliable = run.View.Summary.Where(run.Has)
            .Select(m => (Metric: m, Line: run.Find("proposal", "all", m)))
            .Where(x => x.Line is { Unreliable: true, Mean: not null }).ToList();
        foreach (var (metric, line) in unreliable)
            Assert.Contains(WebUtility.HtmlEncode(FigureText.Cell(Figure.Of(line)!.Value, run.Metric(metric))), html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(668010953.0008346, "GBP present value over 5 years at 2014 prices, discounted at 3.5%", "£668 million")]
    [InlineData(-1234567890.0, "GBP a year at 2014 prices", "\u2212£1.23 billion")]
    [InlineData(50621.16, "persons", "50,600")]
    [InlineData(999999.5, "persons", "1 million")] // rounded first, then scaled
    [InlineData(999499, "persons", "999,000")]
    [InlineData(999999.5, "GBP a year at 2014 prices", "£1 million")]
    [InlineData(999999999.5, "GBP a year at 2014 prices", "£1 billion")]
    [InlineData(0.000123, "rate", "0.0123%")]
    [InlineData(2.3149, "ratio", "2.31")]
    [InlineData(7, "claims", "7")]
    public void Figures_are_rounded_to_three_significant_figures_in_their_units_form(double value, string unit, string expected) =>
        Assert.Equal(expected, FigureText.Value(value, new ManifestMetric("m", unit, null, Harm: false)));

    [Fact]
    public void The_compare_report_shows_a_metric_only_for_the_strands_that_have_it()
    {
        string dir = fixture.Compare("fraud", "research");
        string html = File.ReadAllText(Path.Combine(dir, ReportWriter.ReportFile));
        Assert.DoesNotMatch(new Regex("<script", RegexOptions.IgnoreCase), html);
        string row = Regex.Match(html, "<tr><th scope=\"row\" dir=\"auto\">Harm: wrongful adverse actions</th>.*?</tr>").Value;
        Assert.Matches("<td dir=\"auto\">proposal [0-9,.]+ (thousand |million )?people \\(95% interval", row);
        Assert.Contains("<td dir=\"auto\">not measured by the research-statistics strand</td>", row, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\" dir=\"auto\">research-statistics</th>", html, StringComparison.Ordinal);
        Assert.Contains(">Group with the highest harm ratio against people in no peripheral group</th>", html, StringComparison.Ordinal);
        // Both compare charts, drawn by the command, are inlined.
        Assert.Contains("<figure id=\"chart-compare-benefit-harm\"", html, StringComparison.Ordinal);
        Assert.Contains("<figure id=\"chart-compare-frontier\"", html, StringComparison.Ordinal);
        int[] levels = [.. Regex.Matches(html, "<h([1-6])[ >]").Select(m => m.Groups[1].Value[0] - '0')];
        Assert.Equal(1, levels[0]);
        for (int i = 1; i < levels.Length; i++)
            Assert.True(levels[i] <= levels[i - 1] + 1, $"heading {i} is h{levels[i]} after h{levels[i - 1]}");
    }

    [Fact]
    public void The_compare_report_names_the_benefit_row_by_what_the_benefits_are()
    {
        // The research strand's benefit, when it has no money case, is records released: a count, not money.
        string mixed = File.ReadAllText(Path.Combine(fixture.Compare("fraud", "research"), ReportWriter.ReportFile));
        RunData run = fixture.Data("research");
        string benefit = Assert.IsType<string>(new RunFacts(run).Benefit);
        Assert.Equal("records_released", benefit);
        Assert.False(FigureText.IsMoney(run.Metric(benefit)));
        Assert.Contains("<tr><th scope=\"row\" dir=\"auto\">Benefit measure of the proposal</th>", mixed, StringComparison.Ordinal);
        Assert.DoesNotContain("Money case", mixed, StringComparison.Ordinal);
        Assert.Contains($"<td dir=\"auto\">{FigureText.MetricWords(benefit)}: ", mixed, StringComparison.Ordinal);
        string money = File.ReadAllText(Path.Combine(fixture.Compare("fraud", "hostile"), ReportWriter.ReportFile));
        Assert.Contains("<tr><th scope=\"row\" dir=\"auto\">Money case of the proposal</th>", money, StringComparison.Ordinal);
    }

    [Fact]
    public void The_compare_report_shows_the_callers_warnings_escaped()
    {
        string path = Path.Combine(fixture.Root, "compare-warnings.html");
        HtmlReport.WriteCompare([("fraud-error-debt", fixture.Data("fraud")), ("research-statistics", fixture.Data("research"))],
            [], fixture.ChartsFolder, path, ["runs differ in seed: 7 and 8 <b>"]);
        string html = File.ReadAllText(path);
        Assert.Contains("<li dir=\"auto\">runs differ in seed: 7 and 8 &lt;b&gt;</li>", html, StringComparison.Ordinal);
    }

    // A chart's figure, named by its chart (the figure's id is "chart-" and the chart's name).
    [GeneratedRegex("<figure id=\"chart-(?<name>[^\"]+)\".*?</figure>", RegexOptions.Singleline)]
    private static partial Regex FigureElement();

    [GeneratedRegex("(?<tag><[a-zA-Z]+)[^>]*?\\s(?:xlink:)?href\\s*=\\s*\"(?<target>[^\"]*)\"")]
    private static partial Regex HrefAttribute();
}
