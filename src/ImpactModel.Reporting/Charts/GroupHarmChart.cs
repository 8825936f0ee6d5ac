namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>harm-by-group</c>: for each peripheral group and rest, the headline harm rate in the proposal
/// (left) and its ratio against rest with a reference line at 1 (right), sorted by ratio. Each
/// group keeps its colour and marker in both panels.
/// </summary>
internal static class GroupHarmChart
{
    public const string Name = "harm-by-group";

    /// <summary>The ratio panel's axis label.</summary>
    public const string RatioLabel = "Ratio to people in no group (ratio; 1 = the same rate)";

    public static RenderedChart? Write(RunFacts facts, string folder)
    {
        IReadOnlyList<GroupHarm> groups = facts.GroupHarms();
        if (groups.Count == 0)
            return null;
        RunData run = facts.Run;
        ManifestMetric? rate = run.Metric(run.View.HarmRate), ratio = run.Metric(run.View.HarmRatio);
        string words = ChartUnits.Words(run.View.HarmRate);
        string[] labels = [.. groups.Select(g => g.Label)];
        var columns = ChartKit.Columns(0.58, 0.42);
        var rows = new ChartRows("Group");
        bool unreliable = false;

        AxisScale rateScale = ChartUnits.ScaleOf(rate, ChartKit.MaxAbs(groups.Select(g => g.Rate)));
        var left = ChartKit.NewPlot("Harm rate in the proposal.", ChartUnits.AxisLabel("Rate in the proposal", rate, rateScale), "Group", ChartKit.PanelTitleSize);
        double[] y = ChartKit.Categories(left, labels);
        var right = ChartKit.NewPlot("Ratio against people in no peripheral group.", RatioLabel, "", ChartKit.PanelTitleSize);
        ChartKit.Categories(right, labels, showLabels: false);
        var ratioScale = new AxisScale(1, "ratio", UnitKind.Ratio);
        for (int i = 0; i < groups.Count; i++)
        {
            GroupHarm g = groups[i];
            unreliable |= ChartKit.Dots(left, [new Placed(y[i], g.Rate)], rateScale, i, "");
            unreliable |= ChartKit.Dots(right, [new Placed(y[i], g.Ratio)], ratioScale, i, "");
            rows.Add(g.Label, words, rate, g.Rate);
            rows.Add(g.Label, words + " ratio against rest", ratio, g.Ratio);
        }

        ChartKit.Reference(right, 1);
        left.HideLegend();
        right.HideLegend();
        if (unreliable)
        {
            ChartKit.UnreliableLegend(right);
            right.ShowLegend(ScottPlot.Alignment.LowerRight);
        }

        string title = $"{words} in the proposal by group, and its ratio against people in no peripheral group.";
        ChartKit.Save(folder, Name, ChartKit.Titled(title, [new Panel(left, columns[0]), new Panel(right, columns[1])]));
        string caption = "Each row is a group, the highest ratio first; dots are means over the replicates and whiskers their 95% intervals; "
            + "a ratio right of the vertical line at 1 means the group is harmed more often than people in no peripheral group; hollow grey points rest on fewer than 30 simulated events.";
        return new RenderedChart(Name, title, caption, AltText(groups, words, rate), rows.Table(), groups.Count);
    }

    private static string AltText(IReadOnlyList<GroupHarm> groups, string words, ManifestMetric? rate)
    {
        GroupHarm? top = groups.FirstOrDefault(g => g.Group != "rest" && g.Ratio is not null);
        if (top is null)
            return $"No group's {words.ToLowerInvariant()} ratio against people in no peripheral group is defined in this run.";
        Figure r = top.Ratio!.Value;
        string interval = r.Low is { } l && r.High is { } h
            ? $" (95% interval {l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} to {h.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)})"
            : "";
        GroupHarm rest = groups[^1];
        string rates = top.Rate is { } tr && rest.Rate is { } rr ? $": a rate of {ChartUnits.Short(tr.Mean, rate)} against {ChartUnits.Short(rr.Mean, rate)}" : "";
        return $"In the proposal, {top.Label} has the highest {words.ToLowerInvariant()} relative to people in no peripheral group, "
            + $"a ratio of {r.Mean.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}{interval}{rates}{BenefitHarmChart.Marked(r)}.";
    }
}
