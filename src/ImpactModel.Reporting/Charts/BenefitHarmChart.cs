namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>benefit-harm</c>: for each variant, the money case against the status quo (left) beside the
/// headline harm counts (right), the same variant order in both, status quo and proposal first.
/// </summary>
internal static class BenefitHarmChart
{
    public const string Name = "benefit-harm";

    public static RenderedChart? Write(RunFacts facts, string folder)
    {
        RunData run = facts.Run;
        string? benefit = facts.Benefit;
        IReadOnlyList<string> harms = facts.HarmCounts;
        if (benefit is null && harms.Count == 0)
            return null;
        IReadOnlyList<string> variants = facts.Variants;
        ManifestMetric? benefitMetric = benefit is null ? null : run.Metric(benefit);
        bool money = benefitMetric is not null && ChartUnits.KindOf(benefitMetric.Unit) == UnitKind.Money;
        string benefitWords = benefit is null ? "" : ChartUnits.Words(benefit);
        var rows = new ChartRows("Variant");
        var panels = new List<Panel>();
        bool unreliable = false;
        int series = 0;
        var columns = benefit is not null && harms.Count > 0 ? ChartKit.Columns(0.64, 0.36) : ChartKit.Columns(1);

        if (benefit is not null)
        {
            var figures = variants.Select(v => facts.Of(v, benefit)).ToList();
            AxisScale scale = ChartUnits.ScaleOf(benefitMetric, ChartKit.MaxAbs(figures));
            string title = money ? "Net benefit against the status quo." : benefitWords + " (the run puts no money value on this strand).";
            // With money, the panel's title says "against the status quo", so the axis keeps to the unit (it must fit beside long variant ids).
            var plot = ChartKit.NewPlot(title, ChartUnits.AxisLabel(money ? "Net benefit" : benefitWords, benefitMetric, scale), "Variant", ChartKit.PanelTitleSize);
            double[] y = ChartKit.Categories(plot, variants);
            unreliable |= ChartKit.Dots(plot, variants.Select((v, i) => new Placed(y[i], figures[i])), scale, series++, benefitWords);
            if (money)
                ChartKit.Reference(plot, 0);
            plot.HideLegend();
            for (int i = 0; i < variants.Count; i++)
                rows.Add(variants[i], benefitWords, benefitMetric, figures[i]);
            panels.Add(new Panel(plot, columns[0]));
        }

        if (harms.Count > 0)
        {
            var metrics = harms.Select(run.Metric).ToList();
            var figures = harms.Select(h => variants.Select(v => facts.Of(v, h)).ToList()).ToList();
            AxisScale scale = ChartUnits.ScaleOf(metrics[0], ChartKit.MaxAbs(figures.SelectMany(f => f)));
            bool oneUnit = metrics.All(m => m?.Unit == metrics[0]?.Unit);
            string xLabel = oneUnit ? $"Headline harms ({scale.Words})"
                : $"Headline harms ({(scale.Divisor switch { 1e6 => "millions", 1e3 => "thousands", _ => "number" })}; what each counts is in the legend)";
            var plot = ChartKit.NewPlot("Headline harms.", xLabel, benefit is null ? "Variant" : "", ChartKit.PanelTitleSize);
            double[] y = ChartKit.Categories(plot, variants, showLabels: benefit is null);
            double step = 0.6 / harms.Count;
            for (int h = 0; h < harms.Count; h++)
            {
                double offset = (harms.Count - 1) * step / 2 - h * step;
                string legend = ChartUnits.Words(harms[h]) + (oneUnit ? "" : " (" + ChartUnits.TableUnit(metrics[h]) + ")");
                unreliable |= ChartKit.Dots(plot, variants.Select((v, i) => new Placed(y[i] + offset, figures[h][i])), scale, series++, legend);
                for (int i = 0; i < variants.Count; i++)
                    rows.Add(variants[i], ChartUnits.Words(harms[h]), metrics[h], figures[h][i]);
            }

            if (unreliable)
                ChartKit.UnreliableLegend(plot);
            plot.ShowLegend(ScottPlot.Alignment.LowerRight);
            panels.Add(new Panel(plot, columns[^1]));
        }

        string chartTitle = money
            ? "Net benefit against the status quo beside the people harmed, for each variant."
            : benefit is not null
                ? $"{benefitWords} beside the headline harms, for each variant."
                : "The headline harms of each variant.";
        ChartKit.Save(folder, Name, ChartKit.Titled(chartTitle, panels));
        return new RenderedChart(Name, chartTitle, Caption(benefitWords, money), AltText(facts, benefit, benefitMetric, harms), rows.Table(), series);
    }

    private static string Caption(string benefitWords, bool money) =>
        "Each row is a variant, the status quo and the proposal first; dots are means over the replicates and whiskers their 95% intervals"
        + (benefitWords.Length == 0 ? "" : money ? "; left: net benefit against the status quo, right of the vertical line at zero is a gain" : $"; left: {benefitWords.ToLowerInvariant()}")
        + "; right: the strand's headline harm counts; hollow grey points rest on fewer than 30 simulated events.";

    private static string AltText(RunFacts facts, string? benefit, ManifestMetric? benefitMetric, IReadOnlyList<string> harms)
    {
        const string Proposal = ImpactModel.Simulation.VariantBuilder.Proposal, StatusQuo = ImpactModel.Simulation.VariantBuilder.StatusQuo;
        var sentences = new List<string>();
        if (benefit is not null && facts.Of(Proposal, benefit) is { } b)
            sentences.Add($"For the proposal, {ChartUnits.Words(benefit).ToLowerInvariant()} is {ChartUnits.Short(b.Mean, benefitMetric)}{Interval(b, benefitMetric)}{Marked(b)}.");
        if (harms.Count > 0 && facts.Of(Proposal, harms[0]) is { } p)
        {
            ManifestMetric? m = facts.Run.Metric(harms[0]);
            string against = facts.Of(StatusQuo, harms[0]) is { } s ? $" against {ChartUnits.Short(s.Mean, m)} in the status quo" : "";
            sentences.Add($"{ChartUnits.Words(harms[0])}: {ChartUnits.Short(p.Mean, m)} in the proposal{Interval(p, m)}{against}{Marked(p)}.");
        }

        return sentences.Count > 0 ? string.Join(" ", sentences) : "The run reports no figures for the proposal.";
    }

    internal static string Interval(Figure f, ManifestMetric? m) =>
        f.Low is { } l && f.High is { } h ? $" (95% interval {ChartUnits.Short(l, m)} to {ChartUnits.Short(h, m)})" : "";

    internal static string Marked(Figure f) => f.Unreliable ? ", " + ChartUnits.UnreliableNote : "";
}
