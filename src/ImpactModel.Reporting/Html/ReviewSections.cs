using System.Globalization;
using ImpactModel.Reporting.Charts;

namespace ImpactModel.Reporting.Html;

/// <summary>
/// The report's sections for legal and policy review (issue 21), each written only when the run folder
/// has its file, so a report of an older folder is what it was: what each safeguard buys
/// (safeguards.csv), the data-protection principles (principles.csv), which assumptions drive the answer
/// (sensitivity.csv, with its charts), and the evidence register (evidence.csv).
/// </summary>
internal static class ReviewSections
{
    /// <summary>The principles' names in words with their place in UK GDPR Article 5; any other id is shown as it is.</summary>
    private static readonly Dictionary<string, string> PrincipleWords = new(StringComparer.Ordinal)
    {
        ["lawfulness"] = "Lawfulness, fairness and transparency (Article 5(1)(a))",
        ["purpose-limitation"] = "Purpose limitation (Article 5(1)(b))",
        ["minimisation"] = "Data minimisation (Article 5(1)(c))",
        ["accuracy"] = "Accuracy (Article 5(1)(d))",
        ["storage-limitation"] = "Storage limitation (Article 5(1)(e))",
        ["security"] = "Integrity and confidentiality: security (Article 5(1)(f))",
        ["accountability"] = "Accountability (Article 5(2))",
    };

    public const string NotServed = "not served by any safeguard";

    /// <summary>True for a chart this part of the report shows (in its own section, not among the other charts).</summary>
    public static bool IsOwnChart(RenderedChart chart) => chart.Name.StartsWith(SensitivityChart.Prefix, StringComparison.Ordinal);

    public static void Write(HtmlPage page, RunFacts facts, IReadOnlyList<RenderedChart> charts, string chartsFolder)
    {
        ReviewData review = facts.Run.Review;
        if (review.Safeguards is not null)
            Safeguards(page, facts);
        if (review.Principles is not null)
            Principles(page, facts);
        if (review.Sensitivity is not null)
            Drivers(page, facts, [.. charts.Where(IsOwnChart)], chartsFolder);
        if (review.Evidence is not null)
            Evidence(page, facts);
    }

    private static void Safeguards(HtmlPage page, RunFacts facts)
    {
        RunData run = facts.Run;
        page.Section("safeguard-effects", "What each safeguard buys");
        page.Element("p", "For each safeguard, its effect on the headline figures for everyone, two ways: added to the proposal (the proposal minus the proposal without it: "
            + "what it adds to the proposal as declared, for safeguards the proposal turns on) and alone (the proposal with only this safeguard minus the proposal with none). "
            + $"Each figure is a paired difference: computed in each of the {run.Manifest.Replicates} replicates on the same random numbers in both variants, then its mean and "
            + "its 95% interval (2.5th to 97.5th percentile over the replicates), in the measure's own unit. A negative change in a harm is harm avoided. "
            + "Cost per harm avoided is the mean change in total cost over the mean harm avoided; its interval is the spread of the per-replicate ratios, "
            + "given only when every replicate avoids some harm.");
        IReadOnlyList<NoDetectableEffect> none = facts.NoDetectableEffects();
        string[] metrics = [.. facts.Headline, .. facts.CostPerAvoided];
        if (facts.ReviewedSafeguards.Count == 0)
            page.Element("p", "The scenario declares no safeguard, so there is no safeguard effect to report.");
        foreach (string safeguard in facts.ReviewedSafeguards)
        {
            page.Element("h3", safeguard, scenarioText: true);
            if (run.SafeguardDescription(safeguard) is { Length: > 0 } description)
                page.Element("p", description.Trim(), scenarioText: true);
            bool marginal = run.Review.Safeguards!.Any(l => l.Safeguard == safeguard && l.Effect == SafeguardLine.Marginal);
            var rows = metrics.Select(metric =>
            {
                ManifestMetric? m = facts.MetricOf(metric);
                return (IReadOnlyList<string>)[Measure(metric), Unit(m),
                    .. marginal ? Cells(facts.Paired(safeguard, SafeguardLine.Marginal, metric), m) : ["not on in the proposal", ""],
                    .. Cells(facts.Paired(safeguard, SafeguardLine.Solo, metric), m)];
            });
            page.Table($"What {safeguard} buys: paired differences for everyone, with 95% intervals",
                ["Measure", "Unit", "Added to the proposal", "Added: 95% interval", "Alone", "Alone: 95% interval"], rows, new HashSet<int> { 2, 3, 4, 5 });
            foreach (NoDetectableEffect e in none.Where(e => e.Safeguard == safeguard))
            {
                string how = e.Effect == SafeguardLine.Solo ? "alone" : "added to the proposal";
                page.Element("p", $"No detectable effect on {Join(e.Metrics.Select(FigureText.MetricWords))} when {safeguard} is {how}: each paired 95% interval includes zero.",
                    scenarioText: true);
            }
        }

        page.EndSection();
    }

    private static void Principles(HtmlPage page, RunFacts facts)
    {
        ReviewData review = facts.Run.Review;
        page.Section("principles", "Data-protection principles");
        IReadOnlyList<PrincipleRow> rows = ReviewFacts.PrincipleMatrix(review);
        IReadOnlyList<string> safeguards = ReviewFacts.PrincipleSafeguards(review);
        int uncovered = rows.Count(r => r.Uncovered);
        page.Element("p", "Which of the data-protection principles of UK GDPR Article 5 each safeguard serves, as the scenario or its safeguard type declares. "
            + (uncovered == 0 ? "Every principle is served by at least one safeguard."
                : $"{uncovered} principle{(uncovered == 1 ? " is" : "s are")} {NotServed}, listed first: {Join(rows.Where(r => r.Uncovered).Select(r => Words(r.Principle)))}.")
            + " That a safeguard serves a principle is a declaration, not a finding of the model.");
        page.Table("Principles (rows) against the safeguards that serve them (columns), the principles no safeguard serves first",
            ["Principle", "Served by", .. safeguards],
            rows.Select(r => (IReadOnlyList<string>)[Words(r.Principle),
                r.Uncovered ? NotServed : $"{r.Safeguards.Count} safeguard{(r.Safeguards.Count == 1 ? "" : "s")}",
                .. safeguards.Select(s => r.Safeguards.Contains(s) ? "serves" : "")]));
        page.EndSection();
    }

    private static void Drivers(HtmlPage page, RunFacts facts, IReadOnlyList<RenderedChart> charts, string chartsFolder)
    {
        page.Section("sensitivity", "Which assumptions drive the answer");
        IReadOnlyList<string> metrics = facts.SensitivityMetrics;
        bool swings = metrics.Any(facts.HasSwings);
        page.Element("p", swings
            ? "Each parameter was set to its 10th and then its 90th percentile with every other parameter at its median, on the same random numbers, and the proposal's figure against the status quo "
              + "worked out both times: the difference (the swing) is what that parameter alone moves. A by-group parameter moves its base and group values together. "
              + "The rank correlation (Spearman) says how closely the figure followed the parameter's draws over the run's replicates."
            : "This run was made without --sensitivity, so it gives only rank correlations (Spearman) over its replicates between each parameter's draws and the proposal's figure "
              + "against the status quo; they say which parameters go with the answer, not by how much. A run with --sensitivity adds each parameter's swing and switching value.");
        foreach (RenderedChart chart in charts)
            page.Chart(chart, chartsFolder);

        var rows = new List<IReadOnlyList<string>>();
        foreach (string metric in metrics)
        {
            ManifestMetric? m = facts.MetricOf(metric);
            foreach (SensitivityLine l in facts.TopSensitivity(metric, ReviewFacts.TopRanks))
            {
                rows.Add([FigureText.MetricWords(metric), l.Rank?.ToString(CultureInfo.InvariantCulture) ?? "", l.Parameter,
                    l.Low is { } lo ? FigureText.Value(lo, m) : "", l.High is { } hi ? FigureText.Value(hi, m) : "",
                    l.Swing is { } sw ? Signed(sw, m) : "", l.Spearman is { } r ? Correlation(r) : "not defined"]);
            }
        }

        if (rows.Count == 0)
            page.Element("p", "No parameter is ranked: the run has no uncertain parameter, or too few replicates for a rank correlation (10 are needed).");
        else
        {
            page.Table($"The parameters that move each headline figure most (ranks 1 to {ReviewFacts.TopRanks}; the figure is the proposal's minus the status quo's, for everyone)",
                ["Figure", "Rank", "Parameter", "At its 10th percentile", "At its 90th percentile", "Swing", "Spearman"], rows, new HashSet<int> { 1, 3, 4, 5, 6 });
        }

        const string NetBenefit = "net_benefit_vs_status_quo";
        if (metrics.Contains(NetBenefit))
        {
            page.Element("h3", "Switching values");
            if (!facts.HasSwings(NetBenefit))
                page.Element("p", "Switching values need a run with --sensitivity.");
            else
            {
                var switching = (facts.Run.Review.Sensitivity ?? []).Where(l => l.Metric == NetBenefit && l.SwitchingValue is not null)
                    .OrderBy(l => l.Rank ?? int.MaxValue).ToList();
                if (switching.Count == 0)
                    page.Element("p", "No parameter on its own changes the sign of the proposal's net benefit against the status quo anywhere between its 1st and 99th percentiles.");
                else
                {
                    page.Raw("<ul>\n");
                    foreach (SensitivityLine l in switching)
                        page.Element("li", Switching(l, facts.ProposalMinusStatusQuo(NetBenefit)), scenarioText: true);
                    page.Raw("</ul>\n");
                }
            }
        }

        page.EndSection();
    }

    /// <summary>"the proposal's net benefit against the status quo changes sign if X is below V" (the side on which it changes, from the run's own sign and the swing's).</summary>
    internal static string Switching(SensitivityLine line, double? netBenefit)
    {
        string value = FigureText.Number(line.SwitchingValue!.Value);
        bool positive = (netBenefit ?? 0) >= 0;
        string? side = line.Swing switch
        {
            > 0 => positive ? "below" : "above",
            < 0 => positive ? "above" : "below",
            _ => null,
        };
        string from = positive ? "from a gain to a loss" : "from a loss to a gain";
        return side is null
            ? $"The proposal's net benefit against the status quo changes sign where {line.Parameter} crosses {value}."
            : $"The proposal's net benefit against the status quo changes sign ({from}) if {line.Parameter} is {side} {value}.";
    }

    private static void Evidence(HtmlPage page, RunFacts facts)
    {
        IReadOnlyList<EvidenceLine> register = facts.Run.Review.Evidence!;
        page.Section("evidence", "Evidence");
        IReadOnlyList<EvidenceLine> weakest = facts.WeakestEvidence();
        page.Element("h3", "The weakest-evidenced parameters that move the decision most");
        if (weakest.Count > 0)
        {
            page.Element("p", $"Parameters graded an assumption or an expert's judgement whose sensitivity rank is 1 to {ReviewFacts.TopRanks} on some headline figure: "
                + "where better evidence would do most to settle the answer, best rank first.");
            page.Table("The weakest-evidenced parameters that move the decision most", ["Parameter", "Value as declared", "Source", "Evidence grade", "Best sensitivity rank"],
                weakest.Select(Row), new HashSet<int> { 4 }, new HashSet<int> { 2 });
        }
        else
        {
            page.Element("p", register.Any(l => l.SensitivityRank is not null)
                ? $"No parameter graded an assumption or an expert's judgement is among the top {ReviewFacts.TopRanks} ranks of the sensitivity analysis."
                : "No parameter has a sensitivity rank in this run (too few replicates for a rank correlation, and no --sensitivity), so none can be said to move the decision most.");
        }

        page.Raw("<details>\n<summary>").Text($"The full evidence register: {register.Count} parameter{(register.Count == 1 ? "" : "s")}, as declared").Raw("</summary>\n");
        page.Table("Every parameter of the scenario and its population file: its declared value or distribution, source, evidence grade and best sensitivity rank",
            ["Parameter", "Value as declared", "Source", "Evidence grade", "Best sensitivity rank"], register.Select(Row), new HashSet<int> { 4 }, new HashSet<int> { 2 });
        page.Raw("</details>\n").EndSection();
    }

    private static IReadOnlyList<string> Row(EvidenceLine l) =>
        [l.Parameter, l.Value, l.Source ?? "none given", l.Grade, l.SensitivityRank?.ToString(CultureInfo.InvariantCulture) ?? "not ranked"];

    /// <summary>A correlation to two decimals with a true minus sign (<c>−0.45</c>).</summary>
    internal static string Correlation(double r) => r.ToString("0.00", CultureInfo.InvariantCulture).Replace('-', '\u2212');

    // A measure in words; a cost per harm avoided reads "cost per wrongful adverse actions avoided".
    private static string Measure(string metric) =>
        metric.EndsWith(SafeguardLine.CostPerAvoided, StringComparison.Ordinal)
            ? $"cost per {FigureText.MetricWords(metric[..^SafeguardLine.CostPerAvoided.Length])} avoided"
            : FigureText.MetricWords(metric);

    private static string Words(string principle) => PrincipleWords.GetValueOrDefault(principle, principle);

    private static string Unit(ManifestMetric? m) =>
        m?.Unit == "rate" ? "percentage points" + (m.Denominator is { } d ? " of " + d : "") : FigureText.UnitWords(m);

    private static string[] Cells(Figure? figure, ManifestMetric? m) =>
        figure is { } f
            ? [Signed(f.Mean, m), f.Low is { } l && f.High is { } h ? $"{Signed(l, m)} to {Signed(h, m)}" : FigureText.NoInterval]
            : ["not defined", ""];

    /// <summary>A difference with its sign: <c>+£1.2 million</c>, <c>−3,400</c>; a rate's difference in percentage points.</summary>
    internal static string Signed(double value, ManifestMetric? m)
    {
        string plus = value > 0 ? "+" : "";
        if (m?.Unit == "rate")
            return plus + FigureText.Value(value, m).TrimEnd('%') + " pp";
        return plus + FigureText.Value(value, m);
    }

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }
}
