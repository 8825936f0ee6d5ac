using System.Globalization;
using ImpactModel.Reporting;
using ImpactModel.Simulation;
using Spectre.Console;

namespace ImpactModel.Worker.Output;

/// <summary>
/// What <c>impact run</c> prints when it ends: per scenario, what ran; the proposal against the status
/// quo on the strand's headline metrics (<see cref="StrandView.Summary"/>) with units and intervals;
/// the groups with the highest harm ratio against rest; the review view's two lines when the run folder has its
/// files (effects that cannot be told from zero, the top weak-evidence parameter); and where the run folder and report are. About
/// 20 lines for a shipped scenario (at most 30 with findings): the full listing is behind <c>--verbose</c>
/// and in the files. Plain lines off a terminal; Spectre.Console tables on one.
/// </summary>
public static class TerminalSummary
{
    /// <summary>Findings printed per scenario; the rest are counted, and all are in the report and manifest.</summary>
    public const int MaxFindings = 3;

    /// <summary>Groups listed by their harm ratio against rest.</summary>
    public const int TopGroups = 3;

    /// <summary>Safeguard statements the no-detectable-effect line names; the rest are counted (all are in report.html).</summary>
    public const int MaxNoEffect = 4;

    /// <summary>One scenario's part of the summary, in the words both forms print.</summary>
    /// <param name="Header">What ran.</param>
    /// <param name="Notes">Basis, uncertainty and findings lines.</param>
    /// <param name="Headline">Per headline metric: its name in words, the proposal's figure, the status quo's (null when it is zero by definition).</param>
    /// <param name="HarmTitle">What the group lines rank by, or null when the strand ranks none.</param>
    /// <param name="Groups">Per group: its label and its ratio figure.</param>
    /// <param name="Folder">The scenario's run folder.</param>
    public sealed record Part(string Header, IReadOnlyList<string> Notes, IReadOnlyList<(string Metric, string Proposal, string? StatusQuo)> Headline,
        string? HarmTitle, IReadOnlyList<(string Group, string Ratio)> Groups, string Folder)
    {
        /// <summary>The headline figures for a table: the metric with a short unit, the proposal's figure with its interval, the status quo's figure.</summary>
        public IReadOnlyList<(string Metric, string Proposal, string StatusQuo)> Compact { get; init; } = [];

        /// <summary>The group ratios for a table.</summary>
        public IReadOnlyList<(string Group, string Ratio)> CompactGroups { get; init; } = [];

        /// <summary>How many parameters vary, in a few words (the table form's line).</summary>
        public string? Uncertainty { get; init; }

        /// <summary>The review view's lines (from the run folder's safeguards.csv and evidence.csv, when it has them): effects that cannot be told from zero, the top weak-evidence parameter.</summary>
        public IReadOnlyList<string> Review { get; init; } = [];
    }

    /// <summary>The summary of one scenario's run (its folder <paramref name="folder"/>).</summary>
    /// <param name="result">The run's result.</param>
    /// <param name="money">Its money basis.</param>
    /// <param name="folder">Its run folder.</param>
    /// <param name="groupLabels">Group names by id.</param>
    /// <param name="review">The folder's review files as already read (by its report), or null: read from the folder.</param>
    public static Part Of(RunResult result, MoneyBasis money, string folder, IReadOnlyDictionary<string, string> groupLabels, ReviewData? review = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(money);
        ArgumentNullException.ThrowIfNull(groupLabels);
        StrandView view = StrandViews.For(result.Strand);
        var notes = new List<string> { $"basis: {MetricUnits.BasisLine(money)}" };
        if (result.Uncertainty is { } u)
            notes.Add($"uncertainty: {MetricUnits.UncertaintyLine(u)}");
        notes.AddRange(result.Findings.Take(MaxFindings).Select(f => $"finding: {f}"));
        if (result.Findings.Length > MaxFindings)
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"finding: {result.Findings.Length - MaxFindings} more in report.html and the manifest's warnings"));

        var rows = result.Rows.Where(r => r.Group == "all").ToDictionary(r => (r.Variant, r.Metric));
        var headline = new List<(string, string, string?)>();
        var compact = new List<(string, string, string)>();
        foreach (string metric in view.Summary.Where(m => result.Metrics.Any(x => x.Name == m)))
        {
            ReportedMetric reported = MetricUnits.Find(result, metric);
            string Quote(string variant) => rows.TryGetValue((variant, metric), out ResultRow? row)
                ? MetricUnits.Figure(row, reported, money, result.Settings.Replicates)
                : "not reported";
            string? statusQuo = metric.EndsWith("_vs_status_quo", StringComparison.Ordinal) ? null : Quote(VariantBuilder.StatusQuo);
            headline.Add((Words(metric), Quote(VariantBuilder.Proposal), statusQuo));
            string Short(string variant, bool interval) => rows.TryGetValue((variant, metric), out ResultRow? row)
                ? CompactFigure(row, reported, result.Settings.Replicates, interval)
                : "not reported";
            compact.Add(($"{Words(metric)} ({ShortUnit(reported, money)})", Short(VariantBuilder.Proposal, true),
                statusQuo is null ? "(the baseline)" : Short(VariantBuilder.StatusQuo, false)));
        }

        string? harmTitle = null;
        var groups = new List<(string, string)>();
        var compactGroups = new List<(string, string)>();
        if (view.HarmRate.Length > 0 && result.Metrics.FirstOrDefault(m => m.Name == view.HarmRatio) is { } ratio)
        {
            harmTitle = $"highest {Words(view.HarmRate)} against rest (proposal)";
            var ranked = result.Rows
                .Where(r => r.Variant == VariantBuilder.Proposal && r.Metric == view.HarmRatio && r.Group is not ("all" or "rest") && r.Summary.Mean is not null)
                .OrderByDescending(r => r.Summary.Mean).ThenBy(r => r.Group, StringComparer.Ordinal)
                .Take(TopGroups);
            foreach (ResultRow row in ranked)
            {
                groups.Add((groupLabels.GetValueOrDefault(row.Group, row.Group), MetricUnits.Figure(row, ratio, money, result.Settings.Replicates)));
                compactGroups.Add((groupLabels.GetValueOrDefault(row.Group, row.Group), CompactFigure(row, ratio, result.Settings.Replicates, true)));
            }
        }

        string header = string.Create(CultureInfo.InvariantCulture,
            $"{result.Scenario} ({result.Strand}): {result.Variants.Count} variants, {result.Settings.Replicates} replicates of {result.Settings.Persons:N0} persons " +
            $"(declared {result.DeclaredPopulation:N0}; counts scaled by {result.ScaleFactor:G6}), seed {result.Settings.Seed}");
        return new Part(header, notes, headline, harmTitle, groups, folder)
        {
            Review = ReviewLines(review ?? RunFolderReader.ReadReview(folder, result.Scenario), view.Summary.Where(m => result.Metrics.Any(x => x.Name == m)).ToList()),
            Compact = compact,
            CompactGroups = compactGroups,
            Uncertainty = result.Uncertainty is { } v
                ? string.Create(CultureInfo.InvariantCulture, $"uncertainty: {v.Uncertain} of {v.PerReplicate} parameters vary between replicates (see the report)")
                : null,
        };
    }

    /// <summary>
    /// The review view in at most two lines: <c>no detectable effect: human-review on hardship; …</c> (a paired 95%
    /// interval that includes zero, on a headline metric for everyone) and the weakest-evidenced parameter among the
    /// top sensitivity ranks; none when the run folder lacks the files or they have nothing to say.
    /// </summary>
    public static IReadOnlyList<string> ReviewLines(ReviewData review, IReadOnlyList<string> headline)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(headline);
        var lines = new List<string>();
        IReadOnlyList<NoDetectableEffect> none = ReviewFacts.NoDetectableEffects(review, headline);
        if (none.Count > 0)
            lines.Add($"no detectable effect (paired 95% interval includes 0): {ReviewFacts.InBrief(none, MaxNoEffect)}");
        if (ReviewFacts.WeakestEvidence(review) is [var top, ..])
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"weakest evidence moving the decision most: {top.Parameter} ({top.Grade}, sensitivity rank {top.SensitivityRank})"));
        return lines;
    }

    /// <summary>The summary as plain lines (off a terminal).</summary>
    public static void WritePlain(TextWriter output, IReadOnlyList<Part> parts)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(parts);
        foreach (Part part in parts)
        {
            output.WriteLine(part.Header);
            foreach (string note in part.Notes)
                output.WriteLine($"  {note}");
            if (part.Headline.Count > 0)
                output.WriteLine("  the proposal (against the status quo), everyone:");
            foreach ((string metric, string proposal, string? statusQuo) in part.Headline)
                output.WriteLine(statusQuo is null ? $"    {metric}: {proposal}" : $"    {metric}: {proposal} (status quo: {statusQuo})");
            if (part.HarmTitle is not null && part.Groups.Count > 0)
            {
                output.WriteLine($"  {part.HarmTitle}:");
                foreach ((string group, string ratio) in part.Groups)
                    output.WriteLine($"    {group}: {ratio}");
            }

            foreach (string line in part.Review)
                output.WriteLine($"  {line}");

            output.WriteLine($"  report: {Path.Combine(part.Folder, "report.html")}");
        }

        output.WriteLine(MetricUnits.IntervalNote);
        if (parts.Count > 0)
            output.WriteLine($"run folder: {RunFolderOf(parts)}");
    }

    /// <summary>The summary on a terminal: the same words, the figures in tables.</summary>
    public static void WriteTables(IAnsiConsole console, IReadOnlyList<Part> parts)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(parts);
        foreach (Part part in parts)
        {
            console.MarkupLine($"[bold]{Markup.Escape(part.Header)}[/]");
            foreach (string note in part.Notes.Where(n => !n.StartsWith("uncertainty: ", StringComparison.Ordinal)))
                console.WriteLine($"  {note}");
            if (part.Uncertainty is not null)
                console.WriteLine($"  {part.Uncertainty}");
            if (part.Compact.Count > 0)
            {
                console.WriteLine("  the proposal against the status quo, everyone (95% interval):");
                var table = new Table().Border(TableBorder.None)
                    .AddColumn("[underline]metric (unit)[/]").AddColumn("[underline]proposal[/]").AddColumn("[underline]status quo[/]");
                foreach ((string metric, string proposal, string statusQuo) in part.Compact)
                    table.AddRow(Markup.Escape(metric), Markup.Escape(proposal), Markup.Escape(statusQuo));
                console.Write(table);
            }

            if (part.HarmTitle is not null && part.CompactGroups.Count > 0)
            {
                console.WriteLine($"  {part.HarmTitle} (95% interval):");
                var table = new Table().Border(TableBorder.None).AddColumn("[underline]group[/]").AddColumn("[underline]times rest[/]");
                foreach ((string group, string ratio) in part.CompactGroups)
                    table.AddRow(Markup.Escape(group), Markup.Escape(ratio));
                console.Write(table);
            }

            foreach (string line in part.Review)
                console.WriteLine($"  {line}");

            console.WriteLine($"  report: {Path.Combine(part.Folder, "report.html")}");
        }

        console.WriteLine(ShortIntervalNote);
        if (parts.Count > 0)
            console.WriteLine($"run folder: {RunFolderOf(parts)}");
    }

    /// <summary>What the intervals are, in a line for a terminal.</summary>
    public static string ShortIntervalNote { get; } = string.Create(CultureInfo.InvariantCulture,
        $"95% interval: 2.5th to 97.5th percentile over replicates; figures on fewer than {MetricUnits.ReliableEvents} simulated events are not quoted");

    /// <summary>A figure in a few characters for a table cell: <c>£668m (£452m to £853m)</c>, <c>50,621 (30,385 to 78,217)</c>; never a figure on too few events.</summary>
    public static string CompactFigure(ResultRow row, ReportedMetric metric, int replicates, bool interval)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(metric);
        if (row.Summary.Mean is not { } mean)
            return "undefined";
        if (row.Events is { } events && events < MetricUnits.ReliableEvents)
            return string.Create(CultureInfo.InvariantCulture, $"unreliable ({events:N0} events over {replicates:N0} replicates)");
        string text = Short(mean, metric);
        return interval && row.Summary is { Low: { } low, High: { } high } ? $"{text} ({Short(low, metric)} to {Short(high, metric)})" : text;
    }

    /// <summary>A metric's unit in a few words: <c>£, 5-year PV</c>, <c>£ a year</c>, <c>claims</c>, <c>% of claimants</c>.</summary>
    public static string ShortUnit(ReportedMetric metric, MoneyBasis money)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(money);
        if (metric.IsRatio)
            return "times rest";
        MetricDefinition d = metric.Definition;
        return d.Unit switch
        {
            MetricUnit.Persons => d.Counts ?? "persons",
            MetricUnit.Money when d.PresentValue => string.Create(CultureInfo.InvariantCulture, $"£ PV, {money.HorizonYears} years"),
            MetricUnit.Money => "£ a year",
            MetricUnit.Quantity => d.Counts ?? "value",
            _ => "% of " + MetricUnits.Denominator(metric),
        };
    }

    private static string Short(double x, ReportedMetric metric)
    {
        if (metric.IsRatio)
            return MetricUnits.Significant(x, 2);
        return metric.Definition.Unit switch
        {
            MetricUnit.Money => (x < 0 ? "-£" : "£") + Scaled(Math.Abs(x)),
            MetricUnit.Rate => MetricUnits.Significant(100 * x, 3) + "%",
            MetricUnit.Quantity => MetricUnits.Significant(x, 3),
            _ => Math.Abs(x) >= 1e6 ? Scaled(x) : Math.Round(x).ToString("N0", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Three significant digits with a suffix: 668m, 1.23bn, 12.3k.</summary>
    private static string Scaled(double x) => Math.Abs(x) switch
    {
        >= 1e9 => MetricUnits.Significant(x / 1e9, 3) + "bn",
        >= 1e6 => MetricUnits.Significant(x / 1e6, 3) + "m",
        >= 1e4 => MetricUnits.Significant(x / 1e3, 3) + "k",
        _ => Math.Round(x).ToString("N0", CultureInfo.InvariantCulture),
    };

    private static string RunFolderOf(IReadOnlyList<Part> parts) =>
        parts.Count == 1 ? parts[0].Folder : Path.GetDirectoryName(parts[0].Folder) ?? parts[0].Folder;

    /// <summary>A metric's name in words: <c>net_benefit_vs_status_quo</c> → <c>net benefit vs status quo</c>.</summary>
    public static string Words(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric.Replace('_', ' ');
    }

}
