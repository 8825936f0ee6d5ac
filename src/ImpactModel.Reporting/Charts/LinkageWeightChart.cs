using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using ImpactModel.Linkage;
using ImpactModel.Scenarios.Model;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>linkage-weights</c>: for each linkage of the kept scenario, the match-weight histogram of true
/// matches against non-matches on a log count axis, with the linkage's thresholds as vertical lines.
/// </summary>
internal static class LinkageWeightChart
{
    public const string Name = "linkage-weights";

    /// <summary>
    /// Persons whose pairs are tallied. The run folder does not keep the histogram, so it is
    /// recomputed from the scenario and the run seed (replicate 0, as <c>describe</c> links): 50,000
    /// persons give every bin holding one pair in 10^5 a count to show, in well under a second.
    /// </summary>
    public const long Persons = 50_000;

    /// <summary>The tallies started for a scenario object (<see cref="Prepare"/>), with the seed each is for.</summary>
    private static readonly ConditionalWeakTable<Scenario, Prepared> Started = [];

    private sealed record Prepared(ulong Seed, Task<IReadOnlyList<LinkageWeightDistribution>> Tally);

    /// <summary>Starts the tally of <paramref name="scenario"/>'s linkages for <paramref name="seed"/> on the thread pool (<see cref="ReportWriter.Prepare(Scenario, ulong)"/>).</summary>
    public static void Prepare(Scenario scenario, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Linkages.Length > 0)
            Started.AddOrUpdate(scenario, new Prepared(seed, Task.Run(() => LinkageWeights.Tally(scenario, seed, Persons))));
    }

    /// <summary>The tally started for this scenario object and seed when it ran to completion, else the tally made now.</summary>
    private static IReadOnlyList<LinkageWeightDistribution> Tally(Scenario scenario, ulong seed)
    {
        if (Started.TryGetValue(scenario, out Prepared? prepared) && prepared.Seed == seed)
        {
            TaskWaits.Quietly([prepared.Tally]);
            if (prepared.Tally.IsCompletedSuccessfully)
                return prepared.Tally.Result;
        }

        return LinkageWeights.Tally(scenario, seed, Persons);
    }

    public static RenderedChart? Write(RunData run, string folder)
    {
        if (run.Scenario is not { Linkages.Length: > 0 } scenario
            || !ulong.TryParse(run.Manifest.Seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            return null;
        IReadOnlyList<LinkageWeightDistribution> linkages = Tally(scenario, seed);
        var rects = ChartKit.Rows(linkages.Count);
        var panels = new List<Panel>();
        var rows = new List<ImmutableArray<string>>();
        var alt = new List<string>();
        int series = 0;
        for (int k = 0; k < linkages.Count; k++)
        {
            LinkageWeightDistribution d = linkages[k];
            panels.Add(new Panel(Panel(d, k == linkages.Count - 1, ref series), rects[k]));
            WeightHistogram h = d.Histogram;
            long trueAbove = 0, trueAll = 0, otherAbove = 0, otherAll = 0;
            for (int b = 0; b < h.Bins; b++)
            {
                bool above = h.LowerEdge(b) + h.BinWidth / 2 > d.UpperThreshold;
                trueAll += h.TrueMatches[b];
                otherAll += h.NonMatches[b];
                trueAbove += above ? h.TrueMatches[b] : 0;
                otherAbove += above ? h.NonMatches[b] : 0;
                if (h.TrueMatches[b] + h.NonMatches[b] > 0)
                {
                    rows.Add([d.Id, Bits(h.LowerEdge(b)), Bits(h.LowerEdge(b) + h.BinWidth),
                        h.TrueMatches[b].ToString("N0", CultureInfo.InvariantCulture), h.NonMatches[b].ToString("N0", CultureInfo.InvariantCulture)]);
                }
            }

            alt.Add($"In linkage {d.Id} ({d.From} to {d.To}), about {Share(trueAbove, trueAll)} of true-match pairs and {Share(otherAbove, otherAll)} of non-match pairs weigh above the upper threshold of {Bits(d.UpperThreshold)} bits.");
        }

        const string Title = "Match weights of true matches and of non-matches, with the linkage thresholds.";
        ChartKit.Save(folder, Name, ChartKit.Titled(Title, panels));
        string caption = $"Bars count the pairs of {Persons.ToString("N0", CultureInfo.InvariantCulture)} simulated persons (replicate 0, the run's seed) in each weight bin, on a log scale; "
            + "solid bars are true matches (a person's own record), striped bars non-matches (candidates); a pair right of the black line labelled \"links above\" links; where there are two lines, one left of the purple line labelled \"review above\" or \"no link below\" does not link, and one between goes to clerical review where the linkage has it.";
        var table = new ChartTable(["Linkage", "Weight from (bits)", "Weight to (bits)", "True-match pairs", "Non-match pairs"], [.. rows]);
        return new RenderedChart(Name, Title, caption, string.Join(" ", alt), table, series);
    }

    /// <summary>One linkage's panel; adds to <paramref name="series"/> the bar series it draws (an exact linkage tallies no candidate pairs, so no non-match bars).</summary>
    private static Plot Panel(LinkageWeightDistribution d, bool last, ref int series)
    {
        WeightHistogram h = d.Histogram;
        Plot plot = ChartKit.NewPlot($"Linkage {d.Id}: {d.From} to {d.To}.", last ? "Match weight (bits: the sum over fields of log2 m/u on agreement)" : "",
            "Pairs (log scale)", ChartKit.PanelTitleSize);
        const double Floor = -0.30103; // log10(0.5): a bin with one pair still shows a bar
        double width = h.BinWidth * 0.42, top = 0;
        for (int s = 0; s < 2; s++)
        {
            ReadOnlySpan<long> counts = s == 0 ? h.TrueMatches : h.NonMatches;
            var bars = new List<Bar>();
            for (int b = 0; b < h.Bins; b++)
            {
                if (counts[b] == 0)
                    continue;
                double v = Math.Log10(counts[b]);
                top = Math.Max(top, v);
                bars.Add(new Bar
                {
                    Position = h.LowerEdge(b) + h.BinWidth * (s == 0 ? 0.28 : 0.72),
                    Value = v,
                    ValueBase = Floor,
                    Size = width,
                    FillColor = OkabeIto.ColorOf(s),
                    FillHatch = s == 1 ? new ScottPlot.Hatches.Striped() : null,
                    FillHatchColor = Colors.White,
                    LineColor = Colors.Black,
                    LineWidth = 0.5f,
                });
            }

            if (bars.Count > 0)
            {
                plot.Add.Bars(bars).LegendText = s == 0 ? "True matches (own record)" : "Non-matches (candidates)";
                series++;
            }
        }

        double labelY = Math.Ceiling(top) + 0.15;
        var upper = plot.Add.VerticalLine(d.UpperThreshold, 2, Colors.Black, LinePattern.Solid);
        upper.LegendText = d.LowerThreshold < d.UpperThreshold ? "Upper threshold: links above" : "Threshold: links above";
        ThresholdLabel(plot, UpperLabel, d.UpperThreshold, labelY, 0);
        if (d.LowerThreshold < d.UpperThreshold)
        {
            plot.Add.VerticalLine(d.LowerThreshold, 2, OkabeIto.ReddishPurple, LinePattern.Dashed).LegendText = d.HasClericalReview ? "Lower threshold: clerical review above" : "Lower threshold: no link below";
            // One line lower than the upper label, so the two cannot overprint when the thresholds are close.
            ThresholdLabel(plot, LowerLabel(d), d.LowerThreshold, labelY, 1);
        }

        var ticks = new NumericManual();
        for (int e = 0; e <= (int)Math.Ceiling(top); e++)
        {
            ticks.AddMajor(e, Math.Pow(10, e).ToString("N0", CultureInfo.InvariantCulture));
            for (int m = 2; m < 10 && e < (int)Math.Ceiling(top); m++)
                ticks.AddMinor(e + Math.Log10(m));
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsY(Floor, Math.Ceiling(top) + 0.15);
        plot.Axes.SetLimitsX(h.Min - h.BinWidth, h.Max + h.BinWidth);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>The text on the plot by the upper threshold line.</summary>
    public const string UpperLabel = "links above";

    /// <summary>The text on the plot by the lower threshold line.</summary>
    public static string LowerLabel(LinkageWeightDistribution d) => d.HasClericalReview ? "review above" : "no link below";

    /// <summary>
    /// Names a threshold line in text beside its top, right of the line and <paramref name="line"/>
    /// text lines down: Skia's SVG canvas draws the dashed line solid, so colour alone would tell the
    /// two thresholds apart there (WCAG 1.4.1), and the legend is far from the line.
    /// </summary>
    private static void ThresholdLabel(Plot plot, string label, double x, double y, int line)
    {
        ScottPlot.Plottables.Text text = plot.Add.Text(label, x, y);
        text.LabelFontSize = ChartKit.LegendSize - 2;
        text.LabelFontColor = Colors.Black;
        text.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        text.LabelAlignment = Alignment.UpperLeft;
        text.OffsetX = 4;
        text.OffsetY = 2 + line * (ChartKit.LegendSize + 2);
    }

    private static string Bits(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Share(long part, long all) => all == 0 ? "0%" : (100.0 * part / all).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
