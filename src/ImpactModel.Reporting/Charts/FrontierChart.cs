using ScottPlot;
using ScottPlot.Plottables;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>frontier</c>: every variant as a point (x: headline harm, y: the money case) with 95%
/// interval crosses; variants another variant dominates are drawn hollow, unreliable ones grey
/// (hollow only when also dominated); each point labelled.
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

        var placed = new List<(double X0, double X1, double Y0, double Y1)>();
        Span2 space = Span2.Of(points, xs, ys);
        foreach (FrontierPoint p in points.OrderByDescending(p => p.Benefit.Mean).ThenBy(p => p.Harm.Mean))
        {
            string label = p.Harm.Unreliable || p.Benefit.Unreliable ? p.Variant + " (unreliable)" : p.Variant;
            double x = xs.Apply(p.Harm.Mean), y = ys.Apply(p.Benefit.Mean);
            // Labels of nearby points would overprint: each goes to the nearest free line above or
            // below its point (in label heights), with a leader line when it had to move.
            double width = space.CharWidth * (label.Length + 1), height = space.LineHeight;
            double shift = 0;
            for (int k = 0; k < 40; k++)
            {
                double candidate = (k % 2 == 1 ? -1 : 1) * ((k + 1) / 2) * height;
                double y0 = y + candidate, x0 = x + space.CharWidth;
                if (!placed.Any(r => r.X0 < x0 + width && x0 < r.X1 && r.Y0 < y0 + height && y0 < r.Y1))
                {
                    shift = candidate;
                    break;
                }
            }

            placed.Add((x + space.CharWidth, x + space.CharWidth + width, y + shift, y + shift + height));
            if (shift != 0)
            {
                var leader = plot.Add.Line(x, y, x + space.CharWidth, y + shift + height / 3);
                leader.LineColor = Colors.Gray;
                leader.LineWidth = 1;
            }

            Text text = plot.Add.Text(label, x, y + shift);
            text.LabelFontSize = PointLabelSize;
            text.LabelFontColor = Colors.Black;
            text.LabelAlignment = Alignment.LowerLeft;
            text.OffsetX = 7;
            text.OffsetY = -5;
        }

        foreach (FrontierPoint p in points)
        {
            rows.Add(p.Variant, ChartUnits.Words(harm), hm, p.Harm);
            rows.Add(p.Variant, ChartUnits.Words(benefit), bm, p.Benefit);
        }

        if (run.Manifest.Variants.Any(v => v.Id == ImpactModel.Simulation.VariantBuilder.StatusQuo))
            plot.Add.HorizontalLine(0, 1.5f, Colors.Black, LinePattern.Dashed);
        if (unreliable)
            ChartKit.UnreliableLegend(plot, MarkerShape.FilledCircle);
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
        bool unreliable = false, anySure = false;
        foreach (bool weak in new[] { false, true })
        {
            var some = points.Where(p => (p.Harm.Unreliable || p.Benefit.Unreliable) == weak).ToList();
            anySure |= !weak && some.Count > 0;
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
            // Hollow means dominated and nothing else: an unreliable point keeps its group's shape and turns grey.
            Markers markers = plot.Add.Markers(x, y, shape, ChartKit.MarkerSize + 2, c);
            markers.MarkerLineWidth = 2;
            markers.LegendText = weak && anySure ? "" : legend;
        }

        return unreliable;
    }

    /// <summary>A label's character width and line height in data units, from the data's extent and the plot's size in pixels (approximately: the axes add margins).</summary>
    private readonly record struct Span2(double CharWidth, double LineHeight)
    {
        /// <summary>Pixels of the data area, about: the image less the axes, title and legend.</summary>
        private const double WidthPixels = 1050, HeightPixels = 660, CharPixels = 7.5, LinePixels = 17;

        public static Span2 Of(IReadOnlyList<FrontierPoint> points, AxisScale xs, AxisScale ys)
        {
            static double Extent(IEnumerable<double> values)
            {
                double[] v = [.. values.Where(double.IsFinite)];
                return v.Length == 0 ? 1 : Math.Max(v.Max() - v.Min(), 1e-9);
            }

            double x = Extent(points.SelectMany(p => new[] { p.Harm.Low ?? p.Harm.Mean, p.Harm.High ?? p.Harm.Mean, p.Harm.Mean }).Select(xs.Apply).Append(0));
            double y = Extent(points.SelectMany(p => new[] { p.Benefit.Low ?? p.Benefit.Mean, p.Benefit.High ?? p.Benefit.Mean, p.Benefit.Mean }).Select(ys.Apply).Append(0));
            return new Span2(x / WidthPixels * CharPixels, y / HeightPixels * LinePixels);
        }
    }

    /// <summary>Half-width of an interval on one side, scaled; 0 when the end is missing.</summary>
    private static double Half(double? end, double mean, AxisScale scale, int side) =>
        end is { } e && double.IsFinite(e) ? Math.Max(0, side * (scale.Apply(e) - scale.Apply(mean))) : 0;
}
