using ImpactModel.Simulation;
using ScottPlot;
using ScottPlot.Plottables;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// The charts of <c>impact compare</c>: one series per compared run (its proposal and its status
/// quo). Runs may be of different strands: each run shows its own view's metrics, and a metric a run
/// does not report is left out for that run (never drawn as zero).
/// </summary>
internal static class CompareCharts
{
    public const string BenefitHarm = "compare-benefit-harm";
    public const string Frontier = "compare-frontier";

    private static readonly string[] Shown = [VariantBuilder.StatusQuo, VariantBuilder.Proposal];

    public static RenderedChart WriteBenefitHarm(IReadOnlyList<(string Run, RunData Data)> runs, string folder)
    {
        var rowsLabels = runs.SelectMany(r => Shown.Select(v => $"{r.Run}: {v}")).ToList();
        var facts = runs.Select(r => new RunFacts(r.Data)).ToList();
        var table = new ChartRows("Run and variant");
        var columns = ChartKit.Columns(0.56, 0.44);

        // Left: the money case, for the runs that value their strand in pounds.
        var money = runs.Select((r, i) => facts[i].Benefit is { } b && r.Data.Metric(b) is { } m && ChartUnits.KindOf(m.Unit) == UnitKind.Money ? b : null).ToList();
        var moneyFigures = runs.SelectMany((r, i) => Shown.Select(v => money[i] is { } b ? facts[i].Of(v, b) : null)).ToList();
        ManifestMetric? first = runs.Select((r, i) => money[i] is { } b ? r.Data.Metric(b) : null).FirstOrDefault(m => m is not null);
        AxisScale ms = ChartUnits.ScaleOf(first, ChartKit.MaxAbs(moneyFigures));
        var left = ChartKit.NewPlot("Net benefit against the status quo.", ChartUnits.AxisLabel("Net benefit", first, ms), "Run and variant", ChartKit.PanelTitleSize);
        double[] y = ChartKit.Categories(left, rowsLabels);
        var right = ChartKit.NewPlot("Headline harm.", "Headline harm (what each run counts is in the legend)", "", ChartKit.PanelTitleSize);
        ChartKit.Categories(right, rowsLabels, showLabels: false);
        bool unreliable = false;
        for (int i = 0; i < runs.Count; i++)
        {
            (string name, RunData data) = runs[i];
            var at = Shown.Select((v, k) => y[i * Shown.Length + k]).ToArray();
            if (money[i] is { } b)
            {
                ManifestMetric? m = data.Metric(b);
                unreliable |= ChartKit.Dots(left, Shown.Select((v, k) => new Placed(at[k], facts[i].Of(v, b))), ms, i, name);
                foreach (string v in Shown)
                    table.Add($"{name}: {v}", ChartUnits.Words(b), m, facts[i].Of(v, b));
            }
            else
            {
                table.Add($"{name}", "Net benefit vs status quo", null, null);
            }

            if (facts[i].Harm is { } h)
            {
                ManifestMetric? m = data.Metric(h);
                AxisScale hs = ChartUnits.ScaleOf(m, ChartKit.MaxAbs(runs.SelectMany((r, j) => Shown.Select(v => facts[j].Harm is { } hj ? facts[j].Of(v, hj) : null))));
                unreliable |= ChartKit.Dots(right, Shown.Select((v, k) => new Placed(at[k], facts[i].Of(v, h))), hs, i, $"{name}: {ChartUnits.Words(h).ToLowerInvariant()} ({hs.Words})");
                foreach (string v in Shown)
                    table.Add($"{name}: {v}", ChartUnits.Words(h), m, facts[i].Of(v, h));
            }
        }

        ChartKit.Reference(left, 0);
        left.HideLegend();
        if (unreliable)
            ChartKit.UnreliableLegend(right);
        right.ShowLegend(Alignment.LowerRight);
        const string Title = "Net benefit and headline harm of each compared proposal beside its status quo.";
        ChartKit.Save(folder, BenefitHarm, ChartKit.Titled(Title, [new Panel(left, columns[0]), new Panel(right, columns[1])]));
        var alt = runs.Select((r, i) => money[i] is { } b && facts[i].Of(VariantBuilder.Proposal, b) is { } f
            ? $"{r.Run}: net benefit against the status quo {ChartUnits.Short(f.Mean, r.Data.Metric(b))}{BenefitHarmChart.Interval(f, r.Data.Metric(b))}."
            : $"{r.Run}: no money value in this run.");
        string caption = "Each row is a compared run's status quo or proposal, one colour and marker per run; dots are means and whiskers 95% intervals; "
            + "a run without a money value or without a metric has no point for it (not a zero); hollow grey points rest on fewer than 30 simulated events.";
        return new RenderedChart(BenefitHarm, Title, caption, string.Join(" ", alt), table.Table(), runs.Count);
    }

    public static RenderedChart WriteFrontier(IReadOnlyList<(string Run, RunData Data)> runs, string folder)
    {
        var facts = runs.Select(r => new RunFacts(r.Data)).ToList();
        var table = new ChartRows("Run and variant");
        var pairs = new List<(int Run, Figure[] Harm, Figure[] Benefit)>();
        for (int i = 0; i < runs.Count; i++)
        {
            if (facts[i].Harm is not { } h || facts[i].Benefit is not { } b || runs[i].Data.Metric(b) is not { } bMetric
                || ChartUnits.KindOf(bMetric.Unit) != UnitKind.Money)
                continue; // the y axis is money: a run that values nothing in pounds is listed, not drawn
            var hf = Shown.Select(v => facts[i].Of(v, h)).ToList();
            var bf = Shown.Select(v => facts[i].Of(v, b)).ToList();
            if (hf.All(f => f is not null) && bf.All(f => f is not null))
                pairs.Add((i, [.. hf.Select(f => f!.Value)], [.. bf.Select(f => f!.Value)]));
        }

        ManifestMetric? hm = pairs.Count > 0 ? runs[pairs[0].Run].Data.Metric(facts[pairs[0].Run].Harm!) : null;
        ManifestMetric? bm = pairs.Count > 0 ? runs[pairs[0].Run].Data.Metric(facts[pairs[0].Run].Benefit!) : null;
        AxisScale xs = ChartUnits.ScaleOf(hm, ChartKit.MaxAbs(pairs.SelectMany(p => p.Harm.Select(f => (Figure?)f))));
        AxisScale ys = ChartUnits.ScaleOf(bm, ChartKit.MaxAbs(pairs.SelectMany(p => p.Benefit.Select(f => (Figure?)f))));
        const string Title = "Each compared proposal against its status quo: headline harm and net benefit.";
        Plot plot = ChartKit.NewPlot(Title, $"Headline harm ({xs.Words}; what each run counts is in the legend)", ChartUnits.AxisLabel("Net benefit vs status quo", bm, ys));
        foreach ((int i, Figure[] harm, Figure[] benefit) in pairs)
        {
            (string name, RunData data) = runs[i];
            Color color = OkabeIto.ColorOf(i);
            double[] x = [.. harm.Select(f => xs.Apply(f.Mean))], yv = [.. benefit.Select(f => ys.Apply(f.Mean))];
            Scatter line = plot.Add.Scatter(x, yv, color);
            // Solid: Skia's SVG canvas has no dash patterns (it says so on stdout); marker and colour tell the runs apart.
            line.LineWidth = 2;
            line.MarkerShape = OkabeIto.MarkerOf(i);
            line.MarkerSize = ChartKit.MarkerSize + 2;
            line.LegendText = $"{name}: {ChartUnits.Words(facts[i].Harm!).ToLowerInvariant()}; status quo to proposal";
            var cross = new ErrorBar(x, yv,
                [.. harm.Select(f => Half(f.High, f.Mean, xs))], [.. harm.Select(f => Half(f.Low, f.Mean, xs))],
                [.. benefit.Select(f => Half(f.High, f.Mean, ys))], [.. benefit.Select(f => Half(f.Low, f.Mean, ys))])
            {
                LineWidth = ChartKit.WhiskerWidth,
                Color = color,
                CapSize = 5,
            };
            plot.Add.Plottable(cross);
            for (int k = 0; k < Shown.Length; k++)
            {
                bool weak = harm[k].Unreliable || benefit[k].Unreliable;
                Text text = plot.Add.Text($"{name}: {Shown[k]}{(weak ? " (unreliable)" : "")}", x[k], yv[k]);
                text.LabelFontSize = 13;
                text.LabelFontColor = Colors.Black;
                text.LabelAlignment = Alignment.LowerLeft;
                text.OffsetX = 7;
                text.OffsetY = -5;
                table.Add($"{name}: {Shown[k]}", ChartUnits.Words(facts[i].Harm!), data.Metric(facts[i].Harm!), harm[k]);
                table.Add($"{name}: {Shown[k]}", ChartUnits.Words(facts[i].Benefit!), data.Metric(facts[i].Benefit!), benefit[k]);
            }
        }

        foreach (int i in Enumerable.Range(0, runs.Count).Where(i => pairs.All(p => p.Run != i)))
            table.Add(runs[i].Run, "Headline harm and benefit", null, null);
        plot.ShowLegend(Alignment.UpperRight);
        ChartKit.Save(folder, Frontier, ChartKit.Whole(plot));
        string caption = "Each line runs from a compared run's status quo to its proposal, one colour and marker per run, crosses are 95% intervals; "
            + "up is more benefit and left is less harm; a run without a money value or harm count is left out (listed in the table), not drawn at zero.";
        var alt = pairs.Select(p => $"{runs[p.Run].Run}: from the status quo to the proposal, {ChartUnits.Words(facts[p.Run].Harm!).ToLowerInvariant()} goes from "
            + $"{ChartUnits.Short(p.Harm[0].Mean, runs[p.Run].Data.Metric(facts[p.Run].Harm!))} to {ChartUnits.Short(p.Harm[1].Mean, runs[p.Run].Data.Metric(facts[p.Run].Harm!))}"
            + $" and {ChartUnits.Words(facts[p.Run].Benefit!).ToLowerInvariant()} from {ChartUnits.Short(p.Benefit[0].Mean, runs[p.Run].Data.Metric(facts[p.Run].Benefit!))} to {ChartUnits.Short(p.Benefit[1].Mean, runs[p.Run].Data.Metric(facts[p.Run].Benefit!))}.");
        string altText = pairs.Count > 0 ? string.Join(" ", alt) : "No compared run has both a headline harm and a benefit.";
        return new RenderedChart(Frontier, Title, caption, altText, table.Table(), pairs.Count);
    }

    private static double Half(double? end, double mean, AxisScale scale) =>
        end is { } e && double.IsFinite(e) ? Math.Abs(scale.Apply(e) - scale.Apply(mean)) : 0;
}
