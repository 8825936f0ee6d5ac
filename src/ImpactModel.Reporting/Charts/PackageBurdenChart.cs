using System.Globalization;
using ImpactModel.Reporting.Html;
using ScottPlot;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>package-burden</c> (issue 25): for each group (everyone, the population's groups in order, and
/// people in no peripheral group last, set apart below a line), the share of its people harmed by
/// exactly 1, 2, … k of the package's k scenarios (left), and benefited by exactly 1 … k (right), so a
/// reader sees whether those who carry the harms also get the benefits. One colour and marker per
/// number of scenarios, the same in both panels, named in the legend under them; a value undefined in
/// the package (a group with no people) has no dot, never a zero.
/// </summary>
internal static class PackageBurdenChart
{
    public const string Name = "package-burden";

    /// <summary>Height of the band under the panels that holds the legend, px.</summary>
    private const int LegendBand = 56;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static RenderedChart Write(PackageData package, string folder)
    {
        int k = package.Scenarios.Length;
        string[] groups = [.. package.Groups];
        var rows = new ChartRows("Group");
        Plot harm = Panel(package, PackageMetrics.Harmed, $"Harmed by exactly n of the {k} scenarios.", "Share harmed", showLabels: true, rows);
        Plot benefit = Panel(package, PackageMetrics.Benefited, $"Benefited by exactly n of the {k} scenarios.", "Share benefited", showLabels: false, rows);
        float split = Align(harm, benefit, groups.Select(package.GroupLabel));
        Plot legend = Legend(k);
        string people = FigureText.Value(package.Manifest.DeclaredPopulation, PackageMetrics.Unit(PackageMetrics.Persons));
        string title = $"Share harmed and benefited by exactly n of {k} scenarios, by group ({people} people, {package.Manifest.Replicates} replicates).";
        float bottom = ChartKit.Height - LegendBand;
        ChartKit.Save(folder, Name, ChartKit.Titled(title,
        [
            new Panel(harm, new PixelRect(0, split, bottom, ChartKit.TitleBand)),
            new Panel(benefit, new PixelRect(split, ChartKit.Width, bottom, ChartKit.TitleBand)),
            new Panel(legend, new PixelRect(0, ChartKit.Width, ChartKit.Height, bottom)),
        ]));
        string caption = $"Each row is a group, people in no peripheral group last, below the line; each dot is the share of the group's people harmed (left) or benefited (right) "
            + $"by exactly that many of the package's {k} scenarios, the mean over the replicates with its 95% interval; one colour and marker per number of scenarios, the same in both panels; "
            + "a value the package leaves undefined (a group with no people) has no dot, never a zero.";
        return new RenderedChart(Name, title, caption, AltText(package), rows.Table(), k);
    }

    /// <summary>What the legend calls the series of <paramref name="n"/> scenarios of <paramref name="k"/>.</summary>
    public static string SeriesName(int n, int k) =>
        k == 1 ? "By the package's one scenario"
        : n == k ? $"By all {k} scenarios"
        : n == 1 ? "By exactly 1 scenario"
        : string.Create(Invariant, $"By exactly {n} scenarios");

    private static Plot Panel(PackageData package, string kind, string title, string words, bool showLabels, ChartRows rows)
    {
        int k = package.Scenarios.Length;
        string[] groups = [.. package.Groups];
        var metrics = Enumerable.Range(1, k).Select(n => PackageMetrics.ExactlyRate(kind, n)).ToList();
        var figures = metrics.Select(m => groups.Select(g => package.Of(g, m)).ToList()).ToList();
        ManifestMetric unit = PackageMetrics.Unit(metrics[0]);
        AxisScale scale = ChartUnits.ScaleOf(unit, ChartKit.MaxAbs(figures.SelectMany(f => f)));
        Plot plot = ChartKit.NewPlot(title, ChartUnits.AxisLabel(words, unit, scale), showLabels ? "Group" : "", ChartKit.PanelTitleSize);
        double[] y = ChartKit.Categories(plot, [.. groups.Select(package.GroupLabel)], showLabels, apartFrom: groups.Length - 1);
        double step = 0.7 / k;
        for (int n = 0; n < k; n++)
        {
            double offset = (k - 1) * step / 2 - n * step;
            ChartKit.Dots(plot, groups.Select((g, i) => new Placed(y[i] + offset, figures[n][i])), scale, n, SeriesName(n + 1, k));
            for (int i = 0; i < groups.Length; i++)
                rows.Add(package.GroupLabel(groups[i]), $"{words} {SeriesName(n + 1, k).ToLowerInvariant()}", unit, figures[n][i]);
        }

        // Rest is the reference the ratios are taken against: a line sets it apart from the groups above.
        if (groups.Length > 1)
            plot.Add.HorizontalLine((y[^1] + y[^2]) / 2, 1, OkabeIto.Unreliable);
        // Shares start at zero, so a dot's distance from the axis is its size; a sliver left of zero keeps a dot at zero whole.
        double right = ChartKit.MaxAbs(figures.SelectMany(f => f)) is > 0 and var max ? scale.Apply(max) * 1.08 : 1;
        plot.Axes.SetLimitsX(-right * 0.015, right);
        plot.HideLegend();
        return plot;
    }

    /// <summary>
    /// Fixes both panels' padding so their data areas are the same width and height, the left one
    /// wide enough for the longest group name (up to <see cref="MaxLabelShare"/> of the chart); returns
    /// where the left panel ends, px.
    /// </summary>
    private static float Align(Plot left, Plot right, IEnumerable<string> labels)
    {
        const float Top = 44, Bottom = 64, Inner = 16, Outer = 24, AxisTitle = 56;
        LabelStyle tick = left.Axes.Left.TickLabelStyle;
        var style = new LabelStyle { FontName = tick.FontName, FontSize = tick.FontSize };
        using Paint paint = Paint.NewDisposablePaint();
        float widest = labels.Select(l =>
        {
            style.Text = l;
            return style.Measure(paint).Width;
        }).DefaultIfEmpty(0).Max();
        float leftPad = Math.Min(widest, MaxLabelShare * ChartKit.Width) + AxisTitle;
        // Equal data widths: split − leftPad − Inner = Width − split − Inner − Outer.
        float split = MathF.Round((ChartKit.Width + leftPad - Outer) / 2);
        left.Layout.Fixed(new PixelPadding(leftPad, Inner, Bottom, Top));
        right.Layout.Fixed(new PixelPadding(Inner, Outer, Bottom, Top));
        return split;
    }

    /// <summary>The most of the chart's width the group names take; a longer name is cut at the chart's edge (the data table has it whole).</summary>
    private const float MaxLabelShare = 0.3f;

    // The legend alone, across the foot of the chart: the panels share it.
    private static Plot Legend(int k)
    {
        Plot plot = ChartKit.NewPlot("", "", "");
        plot.HideAxesAndGrid();
        for (int n = 0; n < k; n++)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = SeriesName(n + 1, k),
                MarkerShape = OkabeIto.MarkerOf(n),
                MarkerSize = ChartKit.MarkerSize,
                MarkerColor = OkabeIto.ColorOf(n),
                MarkerLineWidth = 2,
            });
        }

        plot.Legend.Orientation = Orientation.Horizontal;
        plot.ShowLegend(Alignment.MiddleCenter);
        return plot;
    }

    private static string AltText(PackageData package)
    {
        int k = package.Scenarios.Length;
        ManifestMetric rate = PackageMetrics.Unit(PackageMetrics.AnyRate(PackageMetrics.Harmed));
        var sentences = new List<string>
        {
            $"For each group, the share of its people harmed, and the share benefited, by exactly 1 to {k} of the package's {k} scenarios.",
        };
        if (k > 1)
        {
            string twoOrMore = PackageMetrics.TwoOrMoreRate(PackageMetrics.Harmed);
            var top = package.Manifest.Groups.Select(g => (g.Id, Figure: package.Of(g.Id, twoOrMore)))
                .Where(g => g.Figure is not null).OrderByDescending(g => g.Figure!.Value.Mean).FirstOrDefault();
            if (top.Figure is { } f)
            {
                string against = package.Of("rest", twoOrMore) is { } r ? $", against {FigureText.Value(r.Mean, rate)} of people in no peripheral group" : "";
                sentences.Add($"{package.GroupLabel(top.Id)} has the largest share harmed by two or more scenarios: {FigureText.Value(f.Mean, rate)} "
                    + $"({FigureText.Interval(f, rate)}){against}.");
                string benefited = PackageMetrics.AnyRate(PackageMetrics.Benefited);
                if (package.Of(top.Id, benefited) is { } b)
                {
                    string restB = package.Of("rest", benefited) is { } rb ? $", against {FigureText.Value(rb.Mean, rate)} of people in no peripheral group" : "";
                    sentences.Add($"{package.GroupLabel(top.Id)}: {FigureText.Value(b.Mean, rate)} benefit from at least one scenario{restB}.");
                }
            }
            else
            {
                sentences.Add("No group's share harmed by two or more scenarios is defined in this package.");
            }
        }

        return string.Join(" ", sentences);
    }
}
