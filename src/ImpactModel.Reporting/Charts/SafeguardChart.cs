namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>safeguards</c>: for each safeguard, its effect on the headline harm and on the money case, as
/// horizontal bars with 95% whiskers (<see cref="RunFacts.SafeguardEffects"/>). With the folder's
/// safeguards.csv, what each adds to the proposal (proposal minus proposal-without-X), with the paired
/// intervals over replicates on common random numbers; without it, as before that file existed, what
/// removing each changes, with intervals taken as independent.
/// </summary>
internal static class SafeguardChart
{
    public const string Name = "safeguards";

    public static RenderedChart? Write(RunFacts facts, string folder)
    {
        IReadOnlyList<SafeguardEffect> effects = facts.SafeguardEffects();
        string? harm = facts.Harm, benefit = facts.Benefit;
        if (effects.Count == 0 || (harm is null && benefit is null))
            return null;
        RunData run = facts.Run;
        bool paired = effects.Any(e => e.Paired);
        string axis = paired ? "Safeguard" : "Safeguard removed";
        string[] labels = [.. effects.Select(e => e.Safeguard)];
        var measures = new List<(string Metric, Func<SafeguardEffect, Figure?> Of)>();
        if (harm is not null)
            measures.Add((harm, e => e.Harm));
        if (benefit is not null)
            measures.Add((benefit, e => e.Benefit));
        var columns = measures.Count == 2 ? ChartKit.Columns(0.55, 0.45) : ChartKit.Columns(1);
        var rows = new ChartRows(axis);
        var panels = new List<Panel>();
        for (int k = 0; k < measures.Count; k++)
        {
            (string metric, Func<SafeguardEffect, Figure?> of) = measures[k];
            ManifestMetric? m = run.Metric(metric);
            string words = ChartUnits.Words(metric);
            var figures = effects.Select(of).ToList();
            AxisScale scale = ChartUnits.ScaleOf(m, ChartKit.MaxAbs(figures));
            var plot = ChartKit.NewPlot($"Change in {words.ToLowerInvariant()}.", ChartUnits.AxisLabel("Change", m, scale),
                k == 0 ? axis : "", ChartKit.PanelTitleSize);
            double[] y = ChartKit.Categories(plot, labels, showLabels: k == 0);
            bool unreliable = ChartKit.Bars(plot, effects.Select((e, i) => new Placed(y[i], figures[i])), scale, k, words, 0, 0.55);
            ChartKit.Reference(plot, 0);
            plot.HideLegend();
            if (unreliable)
            {
                ChartKit.UnreliableLegend(plot);
                plot.ShowLegend(ScottPlot.Alignment.LowerRight);
                plot.Legend.DisplayPlottableLegendItems = false;
            }

            for (int i = 0; i < effects.Count; i++)
                rows.Add(effects[i].Safeguard, "Change in " + words.ToLowerInvariant(), m, figures[i]);
            panels.Add(new Panel(plot, columns[k]));
        }

        string title = paired ? "What each safeguard adds to the proposal (paired differences)." : "What removing each safeguard from the proposal changes.";
        ChartKit.Save(folder, Name, ChartKit.Titled(title, panels));
        string caption = paired
            ? "Each bar is the proposal minus the proposal without one safeguard, that is what the safeguard adds to the proposal as declared: a bar left of the vertical line at zero means the safeguard lowers the measure; "
              + "bars are means and whiskers 95% intervals of paired differences over replicates on common random numbers (both variants see the same random draws in each replicate), so chance common to both variants cancels out of the difference."
            : "Each bar is the proposal without one safeguard minus the proposal: a bar right of the vertical line at zero means removing the safeguard raises the measure; "
              + "whiskers are 95% intervals taken as independent between the two variants (wider than paired ones); grey dotted bars rest on fewer than 30 simulated events.";
        return new RenderedChart(Name, title, caption, AltText(facts, effects, harm, benefit), rows.Table(), measures.Count);
    }

    private static string AltText(RunFacts facts, IReadOnlyList<SafeguardEffect> effects, string? harm, string? benefit)
    {
        var sentences = new List<string>();
        if (harm is not null && Largest(facts, effects, harm, e => e.Harm) is { } h)
            sentences.Add(h);
        if (benefit is not null && Largest(facts, effects, benefit, e => e.Benefit) is { } b)
            sentences.Add(b);
        return sentences.Count > 0 ? string.Join(" ", sentences) : "No safeguard's effect is defined in this run.";
    }

    /// <summary>
    /// The safeguard whose removal changes the measure most (largest mean change in size), worded by
    /// the change's sign: "raises … the most" or "lowers … the most"; null when no change is defined.
    /// </summary>
    private static string? Largest(RunFacts facts, IReadOnlyList<SafeguardEffect> effects, string metric, Func<SafeguardEffect, Figure?> of)
    {
        if (effects.Where(e => of(e) is { } f && double.IsFinite(f.Mean)).MaxBy(e => Math.Abs(of(e)!.Value.Mean)) is not { } most)
            return null;
        Figure f = of(most)!.Value;
        ManifestMetric? m = facts.Run.Metric(metric);
        string words = ChartUnits.Words(metric).ToLowerInvariant();
        string change = $"{ChartUnits.Short(f.Mean, m)}{BenefitHarmChart.Interval(f, m)}{BenefitHarmChart.Marked(f)}";
        if (most.Paired)
        {
            return f.Mean switch
            {
                > 0 => $"Of the safeguards, {most.Safeguard} raises {words} the most: a change of +{change} (paired difference).",
                < 0 => $"Of the safeguards, {most.Safeguard} lowers {words} the most: a change of {change} (paired difference).",
                _ => $"No safeguard changes {words} on average: a change of {change} (paired difference).",
            };
        }

        return f.Mean switch
        {
            > 0 => $"Removing {most.Safeguard} raises {words} the most: a change of +{change}.",
            < 0 => $"Removing {most.Safeguard} lowers {words} the most: a change of {change}.",
            _ => $"Removing any one safeguard leaves {words} unchanged on average: a change of {change}.",
        };
    }
}
