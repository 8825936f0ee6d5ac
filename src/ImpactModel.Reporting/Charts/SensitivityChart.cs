using System.Collections.Immutable;
using System.Globalization;
using ScottPlot;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>sensitivity-METRIC</c>, one per headline metric sensitivity.csv ranks parameters on: with swings
/// (a run made with <c>--sensitivity</c>), a tornado of the <see cref="Top"/> parameters with the largest
/// |swing|, each a horizontal bar from the metric's value (proposal minus status quo) with the parameter at
/// its 10th percentile to its value at the 90th, every other parameter at its median, on the same random
/// numbers; a vertical line at the run's proposal minus status quo (results.csv). With rank correlations
/// alone, a bar chart of the <see cref="Top"/> largest |Spearman| instead.
/// </summary>
internal static class SensitivityChart
{
    public const string Prefix = "sensitivity-";

    /// <summary>Parameters shown per chart.</summary>
    public const int Top = 10;

    private const string LowLegend = "Parameter at its 10th percentile";
    private const string HighLegend = "Parameter at its 90th percentile";

    /// <summary>
    /// A tornado per metric of sensitivity.csv that has swings (a run with <c>--sensitivity</c>), in the
    /// file's order; without swings, one chart of rank correlations, for the money case (else the first
    /// metric): every run draws it, so it stays one chart.
    /// </summary>
    public static IReadOnlyList<RenderedChart> Write(RunFacts facts, string folder)
    {
        IReadOnlyList<string> metrics = facts.SensitivityMetrics;
        if (metrics.Any(facts.HasSwings))
            return [.. metrics.Where(facts.HasSwings).Select(m => Tornado(facts, m, folder)).OfType<RenderedChart>()];
        string? chosen = metrics.Contains(facts.Benefit ?? "") ? facts.Benefit : metrics.Count > 0 ? metrics[0] : null;
        return chosen is not null && Correlations(facts, chosen, folder) is { } chart ? [chart] : [];
    }

    private static RenderedChart? Tornado(RunFacts facts, string metric, string folder)
    {
        var lines = facts.TopSensitivity(metric, Top).Where(l => l.Low is not null && l.High is not null).ToList();
        if (lines.Count == 0)
            return null;
        ManifestMetric? m = facts.MetricOf(metric);
        double? reference = facts.ProposalMinusStatusQuo(metric);
        string words = ChartUnits.Words(metric);
        double maxAbs = lines.SelectMany(l => new[] { Math.Abs(l.Low!.Value), Math.Abs(l.High!.Value) }).Append(Math.Abs(reference ?? 0)).Max();
        AxisScale scale = ChartUnits.ScaleOf(m, maxAbs);
        string valueWords = metric.EndsWith("_vs_status_quo", StringComparison.Ordinal) ? words : words + ": proposal minus status quo";
        string title = $"What moves {words.ToLowerInvariant()} most: the largest swings.";
        Plot plot = ChartKit.NewPlot(title, ChartUnits.AxisLabel(valueWords, m, scale), "Parameter");
        double[] y = ChartKit.Categories(plot, [.. lines.Select(l => l.Parameter)]);
        var bars = new List<Bar>();
        var lowX = new List<double>();
        var highX = new List<double>();
        for (int i = 0; i < lines.Count; i++)
        {
            double low = scale.Apply(lines[i].Low!.Value), high = scale.Apply(lines[i].High!.Value);
            bool rises = high >= low;
            bars.Add(new Bar
            {
                Position = y[i],
                ValueBase = Math.Min(low, high),
                Value = Math.Max(low, high),
                Size = 0.6,
                FillColor = rises ? OkabeIto.Blue : OkabeIto.Vermillion,
                FillHatch = rises ? null : new ScottPlot.Hatches.Striped(),
                FillHatchColor = Colors.White,
                LineColor = Colors.Black,
                LineWidth = 1,
                Orientation = Orientation.Horizontal,
            });
            lowX.Add(low);
            highX.Add(high);
        }

        ScottPlot.Plottables.BarPlot plotted = plot.Add.Bars(bars);
        plotted.Horizontal = true;
        Ends(plot, lowX, y, MarkerShape.OpenCircle, LowLegend);
        Ends(plot, highX, y, MarkerShape.FilledSquare, HighLegend);
        if (reference is { } r)
            ChartKit.Reference(plot, scale.Apply(r));
        DirectionLegend(plot, "Rises with the parameter", "Falls as the parameter rises", lines.Count);

        ChartKit.Save(folder, Prefix + metric, ChartKit.Whole(plot));
        string caption = $"Each bar runs from {valueWords.ToLowerInvariant()} with the parameter at its 10th percentile (open circle) to the same with it at its 90th percentile (filled square), "
            + "every other parameter at its median and on the same random numbers, so a bar's length is the parameter's swing and not chance; "
            + "blue bars rise with the parameter, vermillion striped bars fall as it rises; "
            + (reference is null ? "" : "the vertical line is the proposal minus the status quo over the run's replicates; ")
            + $"the largest swing first, the top {Top} at most.";
        string alt = TornadoAlt(lines[0], words, m, reference);
        return new RenderedChart(Prefix + metric, title, caption, alt, Table(lines, m), 1);
    }

    private static RenderedChart? Correlations(RunFacts facts, string metric, string folder)
    {
        var lines = facts.TopSensitivity(metric, Top);
        if (lines.Count == 0)
            return null;
        ManifestMetric? m = facts.MetricOf(metric);
        string words = ChartUnits.Words(metric);
        string valueWords = metric.EndsWith("_vs_status_quo", StringComparison.Ordinal) ? words.ToLowerInvariant() : words.ToLowerInvariant() + " (proposal minus status quo)";
        string title = $"Which parameters go with {words.ToLowerInvariant()}: rank correlations.";
        Plot plot = ChartKit.NewPlot(title, "Spearman rank correlation (no unit; from −1 to 1)", "Parameter");
        double[] y = ChartKit.Categories(plot, [.. lines.Select(l => l.Parameter)]);
        var bars = lines.Select((l, i) => new Bar
        {
            Position = y[i],
            ValueBase = 0,
            Value = l.Spearman!.Value,
            Size = 0.6,
            FillColor = l.Spearman >= 0 ? OkabeIto.Blue : OkabeIto.Vermillion,
            FillHatch = l.Spearman >= 0 ? null : new ScottPlot.Hatches.Striped(),
            FillHatchColor = Colors.White,
            LineColor = Colors.Black,
            LineWidth = 1,
            Orientation = Orientation.Horizontal,
        }).ToList();
        plot.Add.Bars(bars).Horizontal = true;
        ChartKit.Reference(plot, 0);
        plot.Axes.SetLimitsX(-1.05, 1.05);
        DirectionLegend(plot, "Goes up with the parameter", "Goes down as the parameter rises", lines.Count);
        ChartKit.Save(folder, Prefix + metric, ChartKit.Whole(plot));
        string caption = $"Rank correlations only: this run was made without --sensitivity, so it has no one-at-a-time swings. Each bar is the Spearman rank correlation over the run's replicates "
            + $"between a parameter's draws and {valueWords}; it carries chance and the other parameters' variation, and says how the two move together, not by how much "
            + "(a run with --sensitivity draws the swings); blue bars are positive, vermillion striped bars negative; the largest magnitude first.";
        SensitivityLine top = lines[0];
        string alt = string.Create(CultureInfo.InvariantCulture,
            $"{top.Parameter} goes {(top.Spearman >= 0 ? "up" : "down")} with {valueWords} most closely: a rank correlation of {Html.ReviewSections.Correlation(top.Spearman!.Value)} over the replicates.");
        return new RenderedChart(Prefix + metric, title, caption, alt, Table(lines, m), 1);
    }

    // The legend in an empty band below the last bar, so it covers none.
    /// <summary>The legend of the two directions (blue: with the parameter; vermillion, striped: against it), in the band below the bars.</summary>
    private static void DirectionLegend(Plot plot, string up, string down, int bars)
    {
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = up, FillColor = OkabeIto.Blue, LineColor = Colors.Black, LineWidth = 1 });
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = down, FillColor = OkabeIto.Vermillion, FillHatch = new ScottPlot.Hatches.Striped(), FillHatchColor = Colors.White,
            LineColor = Colors.Black, LineWidth = 1,
        });
        LegendBand(plot, bars);
    }

    private static void LegendBand(Plot plot, int bars)
    {
        plot.Axes.SetLimitsY(-3.4, bars - 0.3);
        plot.ShowLegend(Alignment.LowerRight);
    }

    private static void Ends(Plot plot, List<double> x, double[] y, MarkerShape shape, string legend)
    {
        var markers = plot.Add.Markers(x.ToArray(), y[..x.Count], shape, ChartKit.MarkerSize, Colors.Black);
        markers.MarkerLineWidth = 2;
        markers.LegendText = legend;
    }

    private static string TornadoAlt(SensitivityLine top, string words, ManifestMetric? m, double? reference)
    {
        string at = reference is { } r ? $" The run's proposal minus status quo is {ChartUnits.Short(r, m)}." : "";
        return $"{top.Parameter} moves {words.ToLowerInvariant()} most: from {ChartUnits.Short(top.Low!.Value, m)} with it at its 10th percentile "
            + $"to {ChartUnits.Short(top.High!.Value, m)} at its 90th, a swing of {(top.Swing > 0 ? "+" : "")}{ChartUnits.Short(top.Swing ?? 0, m)}.{at}";
    }

    private static ChartTable Table(IReadOnlyList<SensitivityLine> lines, ManifestMetric? m)
    {
        string unit = ChartUnits.TableUnit(m);
        return new ChartTable(["Parameter", "Rank", "Unit", "At 10th percentile", "At 90th percentile", "Swing", "Spearman", "Switching value"],
            [.. lines.Select(l => ImmutableArray.Create(l.Parameter, l.Rank?.ToString(CultureInfo.InvariantCulture) ?? "", unit,
                ChartUnits.Number(l.Low, m), ChartUnits.Number(l.High, m), ChartUnits.Number(l.Swing, m),
                l.Spearman is { } r ? Html.ReviewSections.Correlation(r) : "", l.SwitchingValue is { } s ? Html.FigureText.Number(s) : ""))]);
    }
}
