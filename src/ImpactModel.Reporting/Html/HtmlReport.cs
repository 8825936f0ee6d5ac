using System.Globalization;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Reporting.Html;

/// <summary>
/// A run's <c>report.html</c> and <c>impact compare</c>'s (PRODUCT.md, "Run folder"; issue 20,
/// points 4 and 5): one self-contained file — charts inline as SVG, styles inline, no script,
/// nothing fetched (links to cited sources are plain <c>a</c> elements) — in which every string
/// from a scenario or a run folder is HTML-escaped. It prints on A4 and is written for WCAG 2.2 AA:
/// headings in order, each chart with a text alternative and its data as a table, tables with
/// captions and header scopes, contrast, and <c>dir="auto"</c> on scenario text.
/// </summary>
public static class HtmlReport
{
    private static readonly HashSet<int> FigureColumns = [2, 3, 4, 5];

    /// <summary>
    /// Writes the report of <paramref name="run"/> to <paramref name="path"/>: the scenario's name and
    /// description, a plain-language summary (<see cref="PlainSummary"/>), <paramref name="charts"/>
    /// (their SVGs read from <paramref name="chartsFolder"/>), the headline table, the review sections
    /// when the folder has their files (<see cref="ReviewSections"/>: what each safeguard buys, the
    /// data-protection principles, which assumptions drive the answer with the sensitivity charts, the
    /// evidence register), the variants, the assumptions (weakest evidence first), and the manifest with its warnings.
    /// </summary>
    public static void Write(RunData run, IReadOnlyList<RenderedChart> charts, string chartsFolder, string path)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(charts);
        ArgumentNullException.ThrowIfNull(chartsFolder);
        ArgumentNullException.ThrowIfNull(path);
        var facts = new RunFacts(run);
        var page = new HtmlPage($"Impact report: {run.Name}").PrepareCharts(charts, chartsFolder);
        page.Raw("<header>\n").Element("h1", $"Impact report: {run.Name}", scenarioText: true);
        if (run.Scenario?.Description is { Length: > 0 } description)
            page.Element("p", description.Trim(), scenarioText: true);
        page.Element("p", $"Strand: {run.Manifest.Strand}. Run started {run.Manifest.StartedUtc} (UTC).").Raw("</header>\n");

        page.Section("summary", "Summary").Raw("<div class=\"summary\">\n");
        foreach (SummarySentence sentence in PlainSummary.Of(facts))
            Sentence(page, sentence);
        page.Raw("</div>\n").EndSection();

        Charts(page, [.. charts.Where(c => !ReviewSections.IsOwnChart(c))], chartsFolder);
        Headline(page, facts);
        ReviewSections.Write(page, facts, charts, chartsFolder);
        Variants(page, run);
        Assumptions(page, run);
        Manifest(page, run.Manifest);
        page.Save(path);
    }

    /// <summary>
    /// Writes <c>impact compare</c>'s report to <paramref name="path"/>: a side-by-side summary with
    /// one column per run in <paramref name="runs"/> (named by its <c>run</c> label), then
    /// <paramref name="charts"/>, then <paramref name="warnings"/> (the caller's: different seeds,
    /// populations or engine versions). A metric that only some runs' strands have is shown for
    /// those alone, and said to be absent for the others, never shown as zero.
    /// </summary>
    public static void WriteCompare(IReadOnlyList<(string Run, RunData Data)> runs, IReadOnlyList<RenderedChart> charts, string chartsFolder, string path,
        IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(charts);
        ArgumentNullException.ThrowIfNull(chartsFolder);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(warnings);
        string names = string.Join(", ", runs.Select(r => r.Run));
        var page = new HtmlPage($"Comparison of {runs.Count} runs: {names}").PrepareCharts(charts, chartsFolder);
        page.Raw("<header>\n").Element("h1", $"Comparison of {runs.Count} runs: {names}", scenarioText: true)
            .Element("p", "Each column is one run: its proposal against its own status quo. A figure a strand does not measure is marked as such, never shown as zero.")
            .Raw("</header>\n");
        page.Section("summary", "Side by side");
        var facts = runs.Select(r => (r.Run, Facts: new RunFacts(r.Data))).ToList();
        page.Table("The proposals side by side (figures for everyone, with 95% intervals and units)", ["", .. runs.Select(r => r.Run)], CompareRows(facts));
        page.EndSection();
        Charts(page, charts, chartsFolder);
        page.Section("warnings", "Warnings");
        if (warnings.Count == 0)
            page.Element("p", "The compared runs share their seed, population and engine version: there are no warnings.");
        else
        {
            page.Raw("<ul>\n");
            foreach (string w in warnings)
                page.Element("li", w, scenarioText: true);
            page.Raw("</ul>\n");
        }

        page.EndSection().Save(path);
    }

    private static void Sentence(HtmlPage page, SummarySentence sentence)
    {
        page.Raw("<p>");
        foreach (SummaryPart part in sentence.Parts)
        {
            if (part.FromScenario)
                page.Raw("<bdi>").Text(part.Text).Raw("</bdi>");
            else
                page.Text(part.Text);
        }

        page.Raw("</p>\n");
    }

    private static void Charts(HtmlPage page, IReadOnlyList<RenderedChart> charts, string chartsFolder)
    {
        page.Section("charts", "Charts");
        if (charts.Count == 0)
            page.Element("p", "This report has no charts.");
        foreach (RenderedChart chart in charts)
            page.Chart(chart, chartsFolder);
        page.EndSection();
    }

    private static void Headline(HtmlPage page, RunFacts facts)
    {
        RunData run = facts.Run;
        page.Section("headline", "Headline figures");
        page.Element("h3", "Everyone");
        string[] columns = ["Metric", "Unit", "Status quo", "Status quo: 95% interval", "Proposal", "Proposal: 95% interval"];
        var rows = run.View.Summary.Where(run.Has).Select(metric =>
        {
            ManifestMetric? m = run.Metric(metric);
            Figure? sq = facts.Of(VariantBuilder.StatusQuo, metric), proposal = facts.Of(VariantBuilder.Proposal, metric);
            return (IReadOnlyList<string>)[FigureText.MetricWords(metric), FigureText.UnitWords(m), .. Cells(sq, m), .. Cells(proposal, m)];
        }).ToList();
        if (rows.Count == 0)
            page.Element("p", $"The strand '{run.Manifest.Strand}' declares no headline figures.");
        else
            page.Table("Headline figures for everyone: the status quo and the proposal", columns, rows, FigureColumns);

        IReadOnlyList<GroupHarm> groups = facts.GroupHarms();
        if (groups.Count > 0)
        {
            page.Element("h3", "By group");
            ManifestMetric? rate = run.Metric(run.View.HarmRate), ratio = run.Metric(run.View.HarmRatio);
            page.Table($"The proposal's {FigureText.MetricWords(run.View.HarmRate)} in each group ({FigureText.UnitWords(rate)}) and its ratio against people in no peripheral group, highest ratio first",
                ["Group", "Rate", "Rate: 95% interval", "Ratio against people in no peripheral group", "Ratio: 95% interval"],
                groups.Select(g => (IReadOnlyList<string>)[g.Label, .. Cells(g.Rate, rate),
                    .. g.Group == "rest" ? ["1 (the reference)", "not applicable"] : Cells(g.Ratio, ratio)]), new HashSet<int> { 1, 2, 3, 4 });
        }

        page.EndSection();
    }

    private static string[] Cells(Figure? figure, ManifestMetric? metric) =>
        figure is { } f ? [FigureText.Cell(f, metric), FigureText.IntervalCell(f, metric)] : ["undefined (no denominator)", ""];

    private static void Variants(HtmlPage page, RunData run)
    {
        page.Section("variants", "Variants");
        page.Element("p", "Every variant sees the same random draws for the same person, so differences between variants are the effect of what changes, not noise.");
        page.Table("The variants run: what each one is and what it changes from the proposal",
            ["Variant", "Kind", "Description", "Shares and links data", "Safeguards on", "Changes"],
            run.Manifest.Variants.Select(v => (IReadOnlyList<string>)[v.Id, v.Kind, v.Description, v.LinksData ? "yes" : "no",
                v.SafeguardsOn.Count == 0 ? "none" : string.Join(", ", v.SafeguardsOn.Select(s => Safeguard(run, s))),
                v.Changes.Count == 0 ? "none" : string.Join("; ", v.Changes)]));
        page.EndSection();
    }

    private static string Safeguard(RunData run, string id) => run.SafeguardDescription(id) is { Length: > 0 } d ? $"{id} ({d.Trim()})" : id;

    private static void Assumptions(HtmlPage page, RunData run)
    {
        page.Section("assumptions", "Assumptions");
        string order = string.Join(", then ", Evidence.GradeIds.Reverse());
        page.Element("p", $"Every parameter the run drew, with its value, its source and the grade of its evidence, the weakest evidence first ({order}). " +
            $"A value is the mean of its draws over the {run.Manifest.Replicates} replicates, with the smallest and largest drawn; " +
            "\"fixed\" means the same in every replicate; a quantity each person draws from is given as its distribution.");
        var rows = run.Parameters.Select(p => (p.Grade, Row: (IReadOnlyList<string>)[p.Parameter, FigureText.Number(p.Mean),
                p.Varies ? $"{FigureText.Number(p.Low)} to {FigureText.Number(p.High)}" : "fixed", p.Source ?? "none given", p.Grade]))
            .Concat((run.Manifest.Uncertainty?.PerPerson ?? []).Select(p => (p.Grade, Row: (IReadOnlyList<string>)[p.Parameter, p.Distribution,
                "drawn for each person", p.Source ?? "none given", p.Grade])))
            .OrderBy(r => Weakness(r.Grade)) // stable: the run's order within a grade
            .Select(r => r.Row)
            .ToList();
        if (rows.Count == 0)
            page.Element("p", "The run folder lists no parameters (it has no parameters.csv).");
        else
            page.Table("Every parameter, weakest evidence first", ["Parameter", "Value", "Range over replicates", "Source", "Evidence grade"], rows,
                new HashSet<int> { 1 }, new HashSet<int> { 3 });
        page.EndSection();
    }

    // 0 for the weakest grade. Derived from the engine's grade list (best first); a grade it does not know counts as the weakest.
    private static int Weakness(string grade)
    {
        int best = Evidence.GradeIds.ToList().IndexOf(grade);
        return best < 0 ? 0 : Evidence.GradeIds.Count - best;
    }

    private static void Manifest(HtmlPage page, RunManifest m)
    {
        page.Section("manifest", "Manifest");
        page.Element("p", "What a reviewer needs to repeat the run: with the same scenario (kept in the run folder's inputs/) and seed, the engine reproduces results.csv byte for byte.");
        string persons = FigureText.Whole(m.Population);
        IReadOnlyList<string>[] rows =
        [
            ["Scenario", m.Scenario],
            ["Strand", m.Strand],
            ["Scenario SHA-256 (the scenario file and every file it references)", m.ScenarioSha256],
            ["Seed", m.Seed],
            ["Replicates", m.Replicates.ToString(CultureInfo.InvariantCulture)],
            ["Persons simulated in each replicate", persons],
            ["Declared population", FigureText.Whole(m.DeclaredPopulation) + (m.Basis.Population is { } p ? $" ({p})" : "")],
            ["Scale factor (counts and money are multiplied by it)", FigureText.Number(m.ScaleFactor)],
            ["Prices, horizon and discount rate", $"GBP at {m.Basis.PriceYear} prices; {m.Basis.HorizonYears} years; discount rate {m.Basis.DiscountRate}"],
            ["Engine version", m.EngineVersion],
            ["Engine commit", m.EngineCommit ?? "not recorded by this build"],
            ["Command line", m.CommandLine is { } args ? "impact " + string.Join(' ', args.Select(Quote)) : "not run from a command line"],
            ["Kept scenario", m.InputsScenario ?? "not kept"],
            ["Threads", m.Threads.ToString(CultureInfo.InvariantCulture)],
            ["Started (UTC)", m.StartedUtc],
            ["Elapsed", m.ElapsedSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"],
            ["Interval", m.Interval],
        ];
        page.Table("The run's manifest", ["Item", "Value"], rows);
        page.Element("h3", "Warnings");
        page.Warnings(m.Warnings, "The run recorded no warnings.");

        page.EndSection();
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@".Contains(c, StringComparison.Ordinal))
            ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static IEnumerable<IReadOnlyList<string>> CompareRows(List<(string Run, RunFacts Facts)> runs)
    {
        yield return ["Scenario", .. runs.Select(r => r.Facts.Run.Name)];
        yield return ["Strand", .. runs.Select(r => r.Facts.Run.Manifest.Strand)];
        yield return ["Seed", .. runs.Select(r => r.Facts.Run.Manifest.Seed)];
        yield return ["Replicates × persons simulated", .. runs.Select(r =>
            $"{r.Facts.Run.Manifest.Replicates} × {FigureText.Whole(r.Facts.Run.Manifest.Population)} (declared {FigureText.Whole(r.Facts.Run.Manifest.DeclaredPopulation)})")];
        yield return ["Engine version", .. runs.Select(r => r.Facts.Run.Manifest.EngineVersion + (r.Facts.Run.Manifest.EngineCommit is { } c ? $" ({c[..Math.Min(12, c.Length)]})" : ""))];
        yield return [BenefitHeading(runs), .. runs.Select(r => r.Facts.Benefit is { } b
            ? $"{FigureText.MetricWords(b)}: {Proposal(r.Facts, b)}"
            : $"not measured by the {r.Facts.Run.Manifest.Strand} strand")];
        foreach (string harm in runs.SelectMany(r => r.Facts.HarmCounts).Distinct(StringComparer.Ordinal))
        {
            yield return [$"Harm: {FigureText.MetricWords(harm)}", .. runs.Select(r => r.Facts.HarmCounts.Contains(harm)
                ? $"proposal {Proposal(r.Facts, harm)}; status quo {Figure(r.Facts, VariantBuilder.StatusQuo, harm)}"
                : $"not measured by the {r.Facts.Run.Manifest.Strand} strand")];
        }

        yield return ["Group with the highest harm ratio against people in no peripheral group", .. runs.Select(r => TopGroup(r.Facts))];
    }

    // The benefit row is named by what the runs' benefits are: a money case only when every one is in GBP
    // (the research strand falls back to records released, a count of people, when it has no money case);
    // each cell names its own metric in words.
    private static string BenefitHeading(List<(string Run, RunFacts Facts)> runs) =>
        runs.Any(r => r.Facts.Benefit is not null)
        && runs.All(r => r.Facts.Benefit is not { } b || FigureText.IsMoney(r.Facts.Run.Metric(b)))
            ? "Money case of the proposal"
            : "Benefit measure of the proposal";

    private static string Proposal(RunFacts facts, string metric) => Figure(facts, VariantBuilder.Proposal, metric);

    private static string Figure(RunFacts facts, string variant, string metric) =>
        facts.Of(variant, metric) is { } f ? FigureText.Phrase(f, facts.Run.Metric(metric)) : "undefined";

    private static string TopGroup(RunFacts facts)
    {
        if (facts.TopHarmRatios(1) is not [var top])
            return $"no harm rate by group in the {facts.Run.Manifest.Strand} strand";
        ManifestMetric? ratio = facts.Run.Metric(facts.Run.View.HarmRatio);
        Figure r = top.Ratio!.Value;
        return $"{top.Label}: {FigureText.MetricWords(facts.Run.View.HarmRate)} {FigureText.Value(r.Mean, ratio)} times the rate for people in no peripheral group " +
            $"({FigureText.Interval(r, ratio)}{(r.Unreliable ? "; " + FigureText.UnreliableMark : "")})";
    }
}
