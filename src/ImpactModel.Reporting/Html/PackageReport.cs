using System.Globalization;

namespace ImpactModel.Reporting.Html;

/// <summary>
/// A package's <c>report.html</c> (issue 25), written from its <c>manifest.json</c> and
/// <c>package.csv</c> alone (<see cref="PackageData"/>), self-contained like a run's report (styles
/// inline, no script, nothing fetched, the chart's SVG inlined through <see cref="SvgInline"/>),
/// every string from the package escaped: how to read it, the scenarios with links to their own
/// reports, the cumulative burden on each group, the chart, each scenario's and each pair's harm
/// rates, the contradictions between scenarios, the warnings and the manifest.
/// </summary>
public static class PackageReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the report of <paramref name="package"/> to <paramref name="path"/>, with <paramref name="chart"/> (its SVG read from <paramref name="chartsFolder"/>).</summary>
    public static void Write(PackageData package, RenderedChart chart, string chartsFolder, string path)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(chartsFolder);
        ArgumentNullException.ThrowIfNull(path);
        PackageManifest m = package.Manifest;
        var page = new HtmlPage($"Package report: {m.Package}");
        page.Raw("<header>\n").Element("h1", $"Package report: {m.Package}", scenarioText: true);
        if (m.Description is { Length: > 0 } description && description.Trim().Length > 0)
            page.Element("p", description.Trim(), scenarioText: true);
        page.Element("p", $"{Scenarios(package.Scenarios.Length)} over one population ({m.Population.File}): {FigureText.Whole(m.Persons)} persons simulated "
            + $"in each of {m.Replicates} replicates, counts scaled to {FigureText.Whole(m.DeclaredPopulation)} people. Run started {m.StartedUtc} (UTC).", scenarioText: true);
        page.Raw("</header>\n");

        page.Section("reading", "How to read this report")
            .Element("p", "Every scenario in the package ran on the same synthetic people: a person is the same person in every strand, so the figures below "
                + "count people across the scenarios, not events. The harms of different strands are different kinds of harm (a wrongful action on a claim, "
                + "an intrusive contact, exposure in a research extract), and this report does not add them into one score: it counts the people who bear them. "
                + "A person counted by two scenarios bears both harms. A rate is the share of the group's people; a ratio compares the group's rate with that of "
                + "people in no peripheral group (1 means the same rate, 2 twice as often). Each figure is the mean over the replicates with its 95% interval "
                + "(the 2.5th to 97.5th percentile over replicates) in brackets. A figure the package leaves undefined (a rate of a group with no people, a ratio against a rate of 0) is said to be so, never shown as zero.")
            .EndSection();
        ScenarioTable(page, package);
        Burden(page, package);
        page.Section("chart", "Chart").Chart(chart, chartsFolder).EndSection();
        ByScenario(page, package);
        Pairs(page, package);
        Contradictions(page, package);
        page.Section("warnings", "Warnings");
        page.Warnings(package.Warnings, "The package recorded no warnings.");

        page.EndSection();
        Manifest(page, m);
        page.Save(path);
    }

    private static string Scenarios(int k) => k == 1 ? "One scenario" : $"{k} scenarios";

    private static void ScenarioTable(HtmlPage page, PackageData package)
    {
        IReadOnlyList<PackageScenario> scenarios = package.Manifest.Scenarios;
        page.Section("scenarios", "The scenarios");
        page.Element("p", "Each scenario also has its own run folder and report, with its status quo, its variants, its safeguards and its assumptions.");
        page.Table("The package's scenarios, in package order: what each counts as a harm and as a benefit, and its own report",
            ["Scenario", "Strand", "Variant counted", "Counts as harm", "Counts as benefit", "Exposes", "Protects", "Its report"],
            scenarios.Select(s => (IReadOnlyList<string>)[s.Name, s.Strand, s.Variant, s.Harms ?? "no harm counted", s.Benefits ?? "no benefit counted",
                s.Exposes ?? "not counted", s.Protects ?? "not counted", $"{s.Folder}/{ReportWriter.ReportFile}"]),
            links: (7, [.. scenarios.Select(s => $"{s.Folder}/{ReportWriter.ReportFile}")]));
        page.EndSection();
    }

    private static void Burden(HtmlPage page, PackageData package)
    {
        const string Harmed = PackageMetrics.Harmed;
        int k = package.Scenarios.Length;
        string all = k == 1 ? "Harmed by its one scenario" : $"Harmed by all {k}";
        page.Section("burden", "Cumulative burden by group");
        page.Element("p", "For each group, the share of its people harmed by at least one of the package's scenarios, by two or more, and by all of them, "
            + "each with its ratio against people in no peripheral group, beside the share that benefits from at least one.");
        page.Table($"People harmed by one or more of the package's {k} scenarios, as a share of each group's people (95% interval in brackets), and the ratio against people in no peripheral group",
            ["Group", "People in the group", "Harmed by any", "Ratio", "Harmed by two or more", "Ratio", all, "Ratio", "Benefited by any"],
            package.Groups.Select(g => (IReadOnlyList<string>)[package.GroupLabel(g), Cell(package, g, PackageMetrics.Persons),
                Cell(package, g, PackageMetrics.AnyRate(Harmed)), Ratio(package, g, PackageMetrics.AnyRate(Harmed)),
                Cell(package, g, PackageMetrics.TwoOrMoreRate(Harmed)), Ratio(package, g, PackageMetrics.TwoOrMoreRate(Harmed)),
                Cell(package, g, PackageMetrics.AllRate(Harmed)), Ratio(package, g, PackageMetrics.AllRate(Harmed)),
                Cell(package, g, PackageMetrics.AnyRate(PackageMetrics.Benefited))]),
            new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 8 });
        page.EndSection();
    }

    private static void ByScenario(HtmlPage page, PackageData package)
    {
        page.Section("by-scenario", "Harmed by each scenario");
        page.Table("The share of each group's people harmed by each scenario (95% interval in brackets)",
            ["Group", .. package.Scenarios],
            package.Groups.Select(g => (IReadOnlyList<string>)[package.GroupLabel(g), .. package.Scenarios.Select(s => Cell(package, g, PackageMetrics.ByRate(PackageMetrics.Harmed, s)))]),
            new HashSet<int>(Enumerable.Range(1, package.Scenarios.Length)));
        page.EndSection();
    }

    private static void Pairs(HtmlPage page, PackageData package)
    {
        var pairs = package.Scenarios.SelectMany((a, i) => package.Scenarios.Skip(i + 1).Select(b => (A: a, B: b))).ToList();
        page.Section("pairs", "Pairs of scenarios");
        if (pairs.Count == 0)
        {
            page.Element("p", "The package has one scenario, so no pairs.");
        }
        else
        {
            page.Element("p", "For each pair of scenarios, the share of each group's people harmed by both (and perhaps by others too).");
            page.Table("The share of each group's people harmed by both scenarios of a pair (95% interval in brackets)",
                ["Group", .. pairs.Select(p => $"{p.A} and {p.B}")],
                package.Groups.Select(g => (IReadOnlyList<string>)[package.GroupLabel(g), .. pairs.Select(p => Cell(package, g, PackageMetrics.PairRate(PackageMetrics.Harmed, p.A, p.B)))]),
                new HashSet<int>(Enumerable.Range(1, pairs.Count)));
        }

        page.EndSection();
    }

    private static void Contradictions(HtmlPage page, PackageData package)
    {
        // The manifest lists every pair looked for; the report lists those where someone was counted.
        IReadOnlyList<PackageContradiction> looked = package.Contradictions;
        var contradictions = looked.Where(c => c.Found).ToList();
        page.Section("contradictions", "Contradictions between scenarios");
        if (contradictions.Count == 0)
        {
            page.Element("p", looked.Count == 0
                ? "None was found: no scenario in the package has a safeguard that withholds people whom another scenario exposes."
                : $"None was found: {looked.Count} pairs of a safeguard that withholds people and another scenario that exposes people were looked for, and no replicate counted anyone in both.");
            page.EndSection();
            return;
        }

        page.Element("p", "People whom one scenario's safeguard withholds and another scenario exposes: the strands contradicting each other in practice. " +
                          "Each sentence gives the people a year with their 95% interval.");
        page.Raw("<ul>\n");
        foreach (PackageContradiction c in contradictions)
            page.Raw("<li dir=\"auto\">").Text(c.Sentence.Trim().TrimEnd('.') + ".").Raw("</li>\n");
        page.Raw("</ul>\n");
        if (contradictions.Any(c => package.Groups.Any(g => package.Find(g, c.Metric) is not null)))
        {
            page.Table("People withheld by one scenario's safeguard and exposed by another, by group (95% interval in brackets)",
                ["Group", .. contradictions.Select(c => $"Withheld by {c.Protecting} ({c.Safeguard}), exposed by {c.Exposing}")],
                package.Groups.Select(g => (IReadOnlyList<string>)[package.GroupLabel(g), .. contradictions.Select(c => Cell(package, g, c.Metric))]),
                new HashSet<int>(Enumerable.Range(1, contradictions.Count)));
        }

        page.EndSection();
    }

    private static void Manifest(HtmlPage page, PackageManifest m)
    {
        page.Section("manifest", "Manifest");
        IReadOnlyList<string>[] rows =
        [
            ["Package", m.Package],
            ["Population file", m.Population.File],
            ["Population file SHA-256", m.Population.Sha256],
            ["Seed", m.Seed],
            ["Replicates", m.Replicates.ToString(Invariant)],
            ["Persons simulated in each replicate", FigureText.Whole(m.Persons)],
            ["Declared population", FigureText.Whole(m.DeclaredPopulation)],
            ["Engine version", m.EngineVersion],
            ["Started (UTC)", m.StartedUtc],
            ["Elapsed", m.ElapsedSeconds.ToString("0.###", Invariant) + " s"],
            ["Interval", "ci_low and ci_high are the 2.5th and 97.5th percentiles over replicates (a 95% interval)"],
        ];
        page.Table("The package's manifest", ["Item", "Value"], rows);
        page.EndSection();
    }

    // A figure and its interval, in the metric's form; undefined, absent or defined in only some replicates said in words.
    private static string Cell(PackageData package, string group, string metric)
    {
        if (package.Find(group, metric) is not { } line)
            return "not in package.csv";
        ManifestMetric unit = PackageMetrics.Unit(metric);
        if (line.Mean is not { } mean)
        {
            // A rate is undefined only for a group with no one in it; a ratio also where rest's rate is 0.
            return metric.Contains("_ratio_vs_rest", StringComparison.Ordinal)
                ? "undefined (the rate of people in no peripheral group is 0, or the group is empty)"
                : "undefined (no one in the group)";
        }

        var figure = new Figure(mean, line.Low, line.High, false);
        string some = line.Replicates < package.Manifest.Replicates ? $"; defined in {line.Replicates} of {package.Manifest.Replicates} replicates" : "";
        return $"{FigureText.Value(mean, unit)} ({FigureText.IntervalCell(figure, unit)}{some})";
    }

    private static string Ratio(PackageData package, string group, string rate) =>
        group == "rest" ? "1 (the reference)" : Cell(package, group, PackageMetrics.RatioOf(rate));
}
