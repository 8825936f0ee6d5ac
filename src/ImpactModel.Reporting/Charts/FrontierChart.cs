using ScottPlot;
using ScottPlot.Plottables;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>frontier</c>: every variant as a point (x: headline harm, y: the money case) with 95%
/// interval crosses; variants another variant dominates are drawn hollow; each point labelled.
/// </summary>
internal static class FrontierChart
{
    public const string Name = "frontier";

    /// <summary>Point size of the variants' labels.</summary>
    private const float PointLabelSize = 13;

    public static RenderedChart? Write(RunFacts facts, string folder)
    {
        IReadOnlyList<FrontierPoint> points = facts.Frontier();
        if (points.Count == 0)
            return null;
        RunData run = facts.Run;
        string harm = facts.Harm!, benefit = facts.Benefit!;
        ManifestMetric? hm = run.Metric(harm), bm = run.Metric(benefit);
        AxisScale xs = ChartUnits.ScaleOf(hm, ChartKit.MaxAbs(points.Select(p => (Figure?)p.Harm)));
        AxisScale ys = ChartUnits.ScaleOf(bm, ChartKit.MaxAbs(points.Select(p => (Figure?)p.Benefit)));
        string title = $"{ChartUnits.Words(benefit)} against {ChartUnits.Words(harm).ToLowerInvariant()} for every variant; hollow points are dominated.";
        Plot plot = ChartKit.NewPlot(title, ChartUnits.AxisLabel(ChartUnits.Words(harm), hm, xs), ChartUnits.AxisLabel(ChartUnits.Words(benefit), bm, ys), 19);
        var rows = new ChartRows("Variant");
        int series = 0;
        bool unreliable = false;
        foreach (bool dominated in new[] { false, true })
        {
            var group = points.Where(p => p.Dominated == dominated).ToList();
            if (group.Count == 0)
                continue;
            int index = dominated ? 1 : 0;
            unreliable |= Draw(plot, group, xs, ys, index, dominated ? "Dominated: another variant has no more harm and no less benefit" : "Not dominated (the frontier)");
            series++;
        }

        foreach (FrontierPoint p in points)
        {
            string label = p.Harm.Unreliable || p.Benefit.Unreliable ? p.Variant + " (unreliable)" : p.Variant;
            Text text = plot.Add.Text(label, xs.Apply(p.Harm.Mean), ys.Apply(p.Benefit.Mean));
            text.LabelFontSize = PointLabelSize;
            text.LabelFontColor = Colors.Black;
            text.LabelAlignment = Alignment.LowerLeft;
            text.OffsetX = 7;
            text.OffsetY = -5;
            rows.Add(p.Variant, ChartUnits.Words(harm), hm, p.Harm);
            rows.Add(p.Variant, ChartUnits.Words(benefit), bm, p.Benefit);
        }

        if (run.Manifest.Variants.Any(v => v.Id == ImpactModel.Simulation.VariantBuilder.StatusQuo))
            plot.Add.HorizontalLine(0, 1.5f, Colors.Black, LinePattern.Dashed);
        if (unreliable)
            ChartKit.UnreliableLegend(plot);
        plot.ShowLegend(Alignment.UpperRight);
        ChartKit.Save(folder, Name, ChartKit.Whole(plot));
        string caption = "Each point is a variant at its mean over the replicates, the crosses its 95% intervals; up is more benefit and left is less harm, "
            + "so a variant is dominated (hollow) when another lies up and to the left of it; grey points rest on fewer than 30 simulated events.";
        var frontier = points.Where(p => !p.Dominated).Select(p => p.Variant).ToList();
        string alt = $"{frontier.Count} of {points.Count} variants are not dominated by another on {ChartUnits.Words(harm).ToLowerInvariant()} and {ChartUnits.Words(benefit).ToLowerInvariant()}: {string.Join(", ", frontier)}.";
        return new RenderedChart(Name, title, caption, alt, rows.Table(), series);
    }

    private static bool Draw(Plot plot, List<FrontierPoint> points, AxisScale xs, AxisScale ys, int index, string legend)
    {
        Color color = OkabeIto.ColorOf(index);
        MarkerShape shape = index == 1 ? OkabeIto.Hollow(OkabeIto.MarkerOf(index)) : OkabeIto.MarkerOf(index);
        bool unreliable = false;
        foreach (bool weak in new[] { false, true })
        {
            var some = points.Where(p => (p.Harm.Unreliable || p.Benefit.Unreliable) == weak).ToList();
            if (some.Count == 0)
                continue;
            unreliable |= weak;
            Color c = weak ? OkabeIto.Unreliable : color;
            double[] x = [.. some.Select(p => xs.Apply(p.Harm.Mean))], y = [.. some.Select(p => ys.Apply(p.Benefit.Mean))];
            var cross = new ErrorBar(x, y,
                [.. some.Select(p => Half(p.Harm.High, p.Harm.Mean, xs, +1))], [.. some.Select(p => Half(p.Harm.Low, p.Harm.Mean, xs, -1))],
                [.. some.Select(p => Half(p.Benefit.High, p.Benefit.Mean, ys, +1))], [.. some.Select(p => Half(p.Benefit.Low, p.Benefit.Mean, ys, -1))])
            {
                LineWidth = ChartKit.WhiskerWidth,
                Color = c,
                CapSize = 5,
            };
            plot.Add.Plottable(cross);
            Markers markers = plot.Add.Markers(x, y, weak ? OkabeIto.Hollow(shape) : shape, ChartKit.MarkerSize + 2, c);
            markers.MarkerLineWidth = 2;
            markers.LegendText = weak ? "" : legend;
        }

        return unreliable;
    }

    /// <summary>Half-width of an interval on one side, scaled; 0 when the end is missing.</summary>
    private static double Half(double? end, double mean, AxisScale scale, int side) =>
        end is { } e && double.IsFinite(e) ? Math.Max(0, side * (scale.Apply(e) - scale.Apply(mean))) : 0;
}
