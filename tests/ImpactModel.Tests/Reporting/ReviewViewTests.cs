using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ImpactModel.Reporting;
using ImpactModel.Reporting.Charts;
using ImpactModel.Reporting.Html;
using ImpactModel.Simulation;
using ImpactModel.Worker.Output;

namespace ImpactModel.Tests.Reporting;

/// <summary>The review view drawn from a fraud run's review files: its charts, its report sections, its summary lines, and what a folder without the files still shows.</summary>
[Collection(ReviewRunsDefinition.Name)]
public sealed class ReviewViewTests(ReviewRuns runs)
{
    private static string Html(RunData run) => File.ReadAllText(Path.Combine(run.Folder, ReportWriter.ReportFile));

    private static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    private static IReadOnlyList<RenderedChart> Charts(RunData run, string name)
    {
        string folder = Path.Combine(run.Folder, "charts-" + name);
        return ChartWriter.Write(run, folder);
    }

    [Fact]
    public void The_safeguards_chart_plots_the_paired_marginal_effects_and_says_so()
    {
        RunData run = runs.Swings;
        RenderedChart chart = Assert.Single(Charts(run, "paired"), c => c.Name == "safeguards");
        Assert.Contains("paired differences over replicates on common random numbers", chart.Caption, StringComparison.Ordinal);
        Assert.Contains("adds to the proposal", chart.Title, StringComparison.Ordinal);
        // The data table's figures are safeguards.csv's marginal rows for everyone, not a difference of results.csv's.
        var facts = new RunFacts(run);
        string harm = facts.Harm!;
        foreach (var row in chart.Data.Rows.Where(r => r[1] == "Change in " + ChartUnits.Words(harm).ToLowerInvariant()))
        {
            SafeguardLine line = run.Review.Safeguards!.Single(l => l.Safeguard == row[0] && l.Effect == "marginal" && l.Group == "all" && l.Metric == harm);
            Assert.Equal(ChartUnits.Number(line.Mean, run.Metric(harm)), row[3]);
            Assert.Equal(ChartUnits.Number(line.Low, run.Metric(harm)), row[4]);
            Assert.Equal(ChartUnits.Number(line.High, run.Metric(harm)), row[5]);
        }

        Assert.Equal(run.Manifest.Variants.Count(v => v.Id.StartsWith(VariantBuilder.WithoutPrefix, StringComparison.Ordinal)) * 2, chart.Data.Rows.Length);
    }

    [Fact]
    public void A_folder_without_review_files_keeps_the_unpaired_removal_chart_and_no_sensitivity_chart()
    {
        IReadOnlyList<RenderedChart> charts = Charts(runs.Plain, "plain");
        RenderedChart chart = Assert.Single(charts, c => c.Name == "safeguards");
        Assert.Contains("taken as independent", chart.Caption, StringComparison.Ordinal);
        Assert.DoesNotContain(charts, c => c.Name.StartsWith(SensitivityChart.Prefix, StringComparison.Ordinal));
        string html = Html(runs.Plain);
        foreach (string id in new[] { "safeguard-effects", "principles", "sensitivity", "evidence" })
            Assert.DoesNotContain($"<section id=\"{id}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_headline_metric_with_swings_gets_a_tornado_of_its_ten_largest_swings_as_png_and_svg()
    {
        RunData run = runs.Swings;
        string folder = Path.Combine(run.Folder, "charts-tornado");
        var tornadoes = ChartWriter.Write(run, folder).Where(c => c.Name.StartsWith(SensitivityChart.Prefix, StringComparison.Ordinal)).ToList();
        var facts = new RunFacts(run);
        Assert.Equal(facts.SensitivityMetrics.Select(m => SensitivityChart.Prefix + m), tornadoes.Select(c => c.Name));
        Assert.Contains(tornadoes, c => c.Name == "sensitivity-net_benefit_vs_status_quo");
        foreach (RenderedChart chart in tornadoes)
        {
            Assert.True(new FileInfo(Path.Combine(folder, chart.PngFile)).Length > 0);
            Assert.True(new FileInfo(Path.Combine(folder, chart.SvgFile)).Length > 0);
            string metric = chart.Name[SensitivityChart.Prefix.Length..];
            var expected = run.Review.Sensitivity!.Where(l => l.Metric == metric).OrderByDescending(l => Math.Abs(l.Swing!.Value)).Take(10).ToList();
            Assert.Equal(expected.Select(l => l.Parameter), chart.Data.Rows.Select(r => r[0]));
            Assert.Equal(expected.Select(l => ChartUnits.Number(l.Swing, facts.MetricOf(metric))), chart.Data.Rows.Select(r => r[5]));
            Assert.Contains("10th percentile", chart.Caption, StringComparison.Ordinal);
            Assert.Contains("vertical line is the proposal minus the status quo", chart.Caption, StringComparison.Ordinal);
            // The parameter paths label the bars, as text in the SVG.
            string svg = File.ReadAllText(Path.Combine(folder, chart.SvgFile));
            Assert.Contains(WebUtility.HtmlEncode(expected[0].Parameter), svg, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Without_swings_the_sensitivity_chart_ranks_rank_correlations_and_says_so()
    {
        RunData run = runs.Correlations;
        var charts = Charts(run, "spearman").Where(c => c.Name.StartsWith(SensitivityChart.Prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(charts);
        foreach (RenderedChart chart in charts)
        {
            Assert.StartsWith("Rank correlations only", chart.Caption, StringComparison.Ordinal);
            string metric = chart.Name[SensitivityChart.Prefix.Length..];
            var expected = run.Review.Sensitivity!.Where(l => l.Metric == metric && l.Spearman is not null)
                .OrderByDescending(l => Math.Abs(l.Spearman!.Value)).Take(10).Select(l => l.Spearman!.Value.ToString("0.00", CultureInfo.InvariantCulture).Replace("-", "\u2212", StringComparison.Ordinal));
            Assert.Equal(expected, chart.Data.Rows.Select(r => r[6]));
            Assert.All(chart.Data.Rows, r => Assert.Equal("", r[5])); // no swing
        }
    }

    [Fact]
    public void The_report_has_the_four_review_sections_in_order_between_the_headline_and_the_variants()
    {
        string html = Html(runs.Swings);
        string[] marks = ["id=\"headline\"", "id=\"safeguard-effects\"", "id=\"principles\"", "id=\"sensitivity\"", "id=\"evidence\"", "id=\"variants\""];
        int[] at = [.. marks.Select(m => html.IndexOf(m, StringComparison.Ordinal))];
        Assert.All(at, i => Assert.True(i >= 0));
        Assert.Equal(at.Order(), at);
        Assert.Contains(">What each safeguard buys</h2>", html, StringComparison.Ordinal);
        Assert.Contains(">Data-protection principles</h2>", html, StringComparison.Ordinal);
        Assert.Contains(">Which assumptions drive the answer</h2>", html, StringComparison.Ordinal);
        Assert.Contains(">Evidence</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_safeguard_has_a_table_of_paired_effects_and_its_no_detectable_effect_sentences()
    {
        RunData run = runs.Swings;
        var facts = new RunFacts(run);
        string section = Section(Html(run), "safeguard-effects");
        foreach (string safeguard in facts.ReviewedSafeguards)
            Assert.Contains($"<caption dir=\"auto\">What {safeguard} buys: paired differences for everyone, with 95% intervals</caption>", section, StringComparison.Ordinal);
        // The wrongful adverse actions row of human-review: its marginal mean, signed, in the headline unit.
        SafeguardLine line = run.Review.Safeguards!.Single(l => l is { Safeguard: "human-review", Effect: "marginal", Group: "all", Metric: "wrongful_adverse_actions" });
        Assert.Contains($">{WebUtility.HtmlEncode(ReviewSections.Signed(line.Mean!.Value, run.Metric(line.Metric)))}</td>", section, StringComparison.Ordinal);
        Assert.Contains(">cost per wrongful adverse actions avoided</th>", section, StringComparison.Ordinal);
        IReadOnlyList<NoDetectableEffect> none = facts.NoDetectableEffects();
        Assert.NotEmpty(none); // 12 replicates of 3,000 persons: some headline effects cannot be told from zero
        Assert.Equal(none.Count, Regex.Count(section, "<p dir=\"auto\">No detectable effect on "));
    }

    [Fact]
    public void The_principles_matrix_lists_the_uncovered_principles_first_marked_as_not_served()
    {
        RunData run = runs.Swings;
        string section = Section(Html(run), "principles");
        IReadOnlyList<string> uncovered = ReviewFacts.UncoveredPrinciples(run.Review)!;
        Assert.NotEmpty(uncovered); // the shipped fraud scenario serves neither minimisation nor storage limitation
        string[] status = [.. Regex.Matches(section, "<tr><th scope=\"row\" dir=\"auto\">[^<]*</th><td dir=\"auto\">([^<]*)</td>").Select(m => m.Groups[1].Value)];
        Assert.Equal(7, status.Length);
        Assert.All(status.Take(uncovered.Count), s => Assert.Equal(ReviewSections.NotServed, s));
        Assert.All(status.Skip(uncovered.Count), s => Assert.NotEqual(ReviewSections.NotServed, s));
        foreach (string safeguard in ReviewFacts.PrincipleSafeguards(run.Review))
            Assert.Contains($"<th scope=\"col\" dir=\"auto\">{safeguard}</th>", section, StringComparison.Ordinal);
    }

    [Fact]
    public void The_drivers_section_holds_the_tornadoes_the_top_ranks_and_the_switching_values_in_words()
    {
        RunData run = runs.Swings;
        string section = Section(Html(run), "sensitivity");
        var facts = new RunFacts(run);
        foreach (string metric in facts.SensitivityMetrics)
            Assert.Contains($"id=\"chart-sensitivity-{metric.Replace('_', '-')}\"", section, StringComparison.Ordinal);
        Assert.Contains("The parameters that move each headline figure most", section, StringComparison.Ordinal);
        var switching = run.Review.Sensitivity!.Where(l => l.Metric == "net_benefit_vs_status_quo" && l.SwitchingValue is not null).ToList();
        Assert.Equal(switching.Count, Regex.Count(section, "<li dir=\"auto\">The proposal&#39;s net benefit against the status quo changes sign"));
        if (switching.Count == 0)
            Assert.Contains("No parameter on its own changes the sign", section, StringComparison.Ordinal);
        // The other charts stay where they were; the tornadoes are not repeated there.
        string charts = Section(Html(run), "charts");
        Assert.DoesNotContain("chart-sensitivity-", charts, StringComparison.Ordinal);
    }

    [Fact]
    public void The_evidence_section_lists_the_weakest_evidence_first_and_the_whole_register_in_a_collapsible_block()
    {
        RunData run = runs.Swings;
        string section = Section(Html(run), "evidence");
        int details = section.IndexOf("<details>", StringComparison.Ordinal);
        Assert.True(details > 0);
        Assert.Contains("<summary>The full evidence register: ", section, StringComparison.Ordinal);
        Assert.Equal(run.Review.Evidence!.Count + ReviewFacts.WeakestEvidence(run.Review).Count, Regex.Count(section, "<tr><th scope=\"row\""));
        foreach (EvidenceLine weak in ReviewFacts.WeakestEvidence(run.Review))
            Assert.InRange(section.IndexOf($">{weak.Parameter}</th>", StringComparison.Ordinal), 0, details);
        // A value written as a distribution reads as written: "normal(…, …)" came quoted in the file.
        Assert.Matches(">normal\\([^<,]+, [^<]+\\)</td>", section);
    }

    [Fact]
    public void The_summary_and_the_terminal_say_which_effects_cannot_be_told_from_zero_and_the_top_weak_evidence()
    {
        RunData run = runs.Swings;
        var facts = new RunFacts(run);
        IReadOnlyList<SummarySentence> sentences = PlainSummary.Of(facts);
        Assert.InRange(sentences.Count, 5, 10);
        Assert.Single(sentences, s => s.Text.Contains("No detectable effect (a paired 95% interval that includes zero): ", StringComparison.Ordinal));
        Assert.Single(sentences, s => s.Text.Contains("these are paired differences, the proposal minus the proposal without it", StringComparison.Ordinal));
        IReadOnlyList<string> lines = TerminalSummary.ReviewLines(run.Review, facts.Headline);
        Assert.StartsWith("no detectable effect (paired 95% interval includes 0): ", lines[0], StringComparison.Ordinal);
        if (ReviewFacts.WeakestEvidence(run.Review) is [var top, ..])
        {
            Assert.Contains(sentences, s => s.Text.Contains($"the weakest-evidenced parameter that moves the decision most is {top.Parameter}", StringComparison.Ordinal));
            Assert.Equal($"weakest evidence moving the decision most: {top.Parameter} ({top.Grade}, sensitivity rank {top.SensitivityRank})", lines[1]);
        }

        var output = new StringWriter();
        var part = new TerminalSummary.Part("fraud (fraud-error-debt): 16 variants", ["basis: x"], [("net benefit", "£1", null)], null, [], run.Folder) { Review = lines };
        TerminalSummary.WritePlain(output, [part]);
        string[] printed = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("  " + lines[0], printed);
        Assert.True(printed.Length <= 30);
        Assert.Empty(TerminalSummary.ReviewLines(runs.Plain.Review, facts.Headline));
    }

    [Fact]
    public void Scenario_text_in_the_review_files_is_escaped_in_the_report()
    {
        const string Hostile = ReportFixture.Hostile;
        string folder = Path.Combine(runs.Root, "hostile-review");
        RunData run = ReviewFiles.Copy(runs.Plain.Folder, folder, swings: true, edit: f =>
        {
            string path = Path.Combine(f, RunFolderReader.EvidenceFile);
            string[] lines = File.ReadAllLines(path);
            // The first parameter: a hostile value and source, graded an assumption and ranked first, so it is quoted twice.
            string[] first = [.. RunFolderReader.Records(new StringReader(lines[1]), path).Single().Fields];
            lines[1] = ReviewFiles.Csv([first[0], first[1], "beta(2, 50) " + Hostile, "Source, " + Hostile, "assumption", "1"]);
            File.WriteAllLines(path, lines);
        });
        string html = Html(run);
        Assert.DoesNotContain(Hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        string evidence = Section(html, "evidence");
        Assert.Equal(2, Regex.Count(evidence, Regex.Escape(WebUtility.HtmlEncode("Source, " + Hostile))));
        Assert.Equal(2, Regex.Count(evidence, Regex.Escape(WebUtility.HtmlEncode("beta(2, 50) " + Hostile))));
    }
}
