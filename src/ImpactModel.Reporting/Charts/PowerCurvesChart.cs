using System.Collections.Immutable;
using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// <c>power-curves</c>: a simulated pilot's power (pilot.csv) against local authorities per arm, one
/// line per outcome × design at the longest duration simulated, each in a shaded band of ±1.96 Monte
/// Carlo standard errors, with the target power as a horizontal line; and, when the pilot simulated
/// more than one duration, <c>power-curves-MONTHS-months</c> for each shorter one, laid out the same.
/// An outcome keeps its colour and marker in every chart; the design is told by the marker's fill
/// (filled: cluster-randomised; hollow: individually randomised) and, in the PNG, by the line's
/// pattern (Skia's SVG canvas draws every line solid).
/// </summary>
public static class PowerCurvesChart
{
    public const string Name = "power-curves";

    /// <summary>The half-width of the band in standard errors: a two-sided 95% normal interval (1.96, the normal distribution's 97.5th percentile, rounded as usual).</summary>
    public const double Z95 = 1.96;

    private const string XLabel = "Local authorities per arm (number of areas in each arm)";
    private const string YLabel = "Power (share of simulated pilots that detect the effect, 0 to 1)";

    /// <summary>Sizes up to which each size simulated gets its own tick; beyond, the axis chooses its ticks.</summary>
    private const int MaxSizeTicks = 16;

    /// <summary>The chart's name for a duration other than the longest: <c>power-curves-6-months</c>.</summary>
    public static string NameOf(int months) => string.Create(CultureInfo.InvariantCulture, $"{Name}-{months}-months");

    /// <summary>
    /// Writes <c>power-curves</c> (the longest duration in <paramref name="table"/>) and one
    /// <c>power-curves-MONTHS-months</c> per shorter duration, shortest first, into
    /// <paramref name="chartsFolder"/> (created) as PNG and SVG, and returns them in that order; none
    /// when the table has no rows. <paramref name="targetPower"/>, in (0, 1), is drawn as a line and
    /// named in the alt text.
    /// </summary>
    public static IReadOnlyList<RenderedChart> Write(PilotTable table, double targetPower, string chartsFolder)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrEmpty(chartsFolder);
        if (!(targetPower > 0 && targetPower < 1))
            throw new ArgumentOutOfRangeException(nameof(targetPower), targetPower, "the target power must lie strictly between 0 and 1");
        IReadOnlyList<int> durations = table.Durations;
        if (durations.Count == 0)
            return [];
        Directory.CreateDirectory(chartsFolder);
        // An outcome's colour and marker come from its first row in the table, so they agree across the charts.
        var outcomes = table.Rows.Select(r => r.Outcome).Distinct().ToList();
        int longest = durations[^1];
        lock (ChartKit.Gate)
        {
            return ChartKit.Batch<IReadOnlyList<RenderedChart>>(() =>
            {
                var charts = new List<RenderedChart> { Chart(table, outcomes, longest, Name, durations.Count > 1, targetPower, chartsFolder) };
                foreach (int months in durations.Take(durations.Count - 1))
                    charts.Add(Chart(table, outcomes, months, NameOf(months), others: false, targetPower, chartsFolder));
                return charts;
            });
        }
    }

    /// <summary>One outcome under one design at one duration: its rows by size, smallest first.</summary>
    private sealed record Curve(string Outcome, string Group, string Design, int Series, ImmutableArray<PilotRow> Rows)
    {
        public string Label => $"{(Group == "all" ? Outcome : Outcome + " in " + Group)}, {DesignWords(Design)}";

        /// <summary>The rows whose power is defined (an empty power cell is no point, never a zero).</summary>
        public ImmutableArray<PilotRow> Defined => [.. Rows.Where(r => r.Power is not null)];

        public bool Cluster => Design == PilotTable.ClusterRandomised;
    }

    private static RenderedChart Chart(PilotTable table, List<string> outcomes, int months, string name, bool others, double target, string folder)
    {
        var curves = table.Rows.Where(r => r.Months == months)
            .GroupBy(r => (r.Outcome, r.Design))
            .Select(g => new Curve(g.Key.Outcome, g.First().Group, g.Key.Design, outcomes.IndexOf(g.Key.Outcome), [.. g.OrderBy(r => r.AreasPerArm)]))
            .OrderBy(c => c.Series).ThenBy(c => PilotTable.Designs.IndexOf(c.Design))
            .ToList();
        string title = string.Create(CultureInfo.InvariantCulture, $"Power of a {months}-month pilot by local authorities per arm.");
        Plot plot = ChartKit.NewPlot(title, XLabel, YLabel);
        // Bands first, so that no band covers another outcome's line.
        var drawn = curves.Where(c => c.Defined.Length > 0).ToList();
        foreach (Curve c in drawn)
            Band(plot, c);
        foreach (Curve c in drawn)
            Line(plot, c);
        plot.Add.HorizontalLine(target, 2, Colors.Black, LinePattern.Dotted);
        Legend(plot, drawn, target);
        Axes(plot, table.Rows.Where(r => r.Months == months).Select(r => r.AreasPerArm).Distinct().Order().ToList());
        ChartKit.Save(folder, name, ChartKit.Whole(plot));

        string caption = string.Create(CultureInfo.InvariantCulture,
            $"Each line is one outcome under one design in a {months}-month pilot{(others ? " (the longest duration simulated; each shorter one has a chart of its own)" : "")}: ")
            + "the share of simulated pilots whose analysis detected the effect, at each number of local authorities per arm. "
            + $"The shaded band around a line is its Monte Carlo error (95%: ±{Z95.ToString(CultureInfo.InvariantCulture)} standard errors of the simulated power); "
            + $"the black horizontal line is the target power of {Power(target)}. "
            + "Each outcome has its own colour and marker shape (named in the legend); filled markers are cluster-randomised designs, hollow markers individually randomised ones.";
        return new RenderedChart(name, title, caption, AltText(curves, months, target), Table(curves), drawn.Count);
    }

    private static void Band(Plot plot, Curve c)
    {
        ImmutableArray<PilotRow> rows = c.Defined;
        double[] x = [.. rows.Select(r => (double)r.AreasPerArm)];
        double[] low = [.. rows.Select(r => Math.Max(0, r.Power!.Value - Z95 * (r.PowerSe ?? 0)))];
        double[] high = [.. rows.Select(r => Math.Min(1, r.Power!.Value + Z95 * (r.PowerSe ?? 0)))];
        var band = plot.Add.FillY(x, low, high);
        band.FillColor = OkabeIto.ColorOf(c.Series).WithAlpha(0.2);
        band.LineWidth = 0;
        band.LegendText = "";
    }

    private static void Line(Plot plot, Curve c)
    {
        ImmutableArray<PilotRow> rows = c.Defined;
        var scatter = plot.Add.Scatter(rows.Select(r => (double)r.AreasPerArm).ToArray(), rows.Select(r => r.Power!.Value).ToArray(), OkabeIto.ColorOf(c.Series));
        scatter.LineWidth = 2.5f;
        scatter.LinePattern = c.Cluster ? LinePattern.Solid : LinePattern.Dashed;
        scatter.MarkerShape = Marker(c.Series, c.Cluster);
        scatter.MarkerSize = ChartKit.MarkerSize;
        scatter.MarkerLineWidth = 2;
    }

    /// <summary>
    /// The marker of an outcome's series: filled for a cluster-randomised design, hollow for an
    /// individually randomised one; a marker without a hollow form (asterisk, cross) becomes an open
    /// circle, so that the design still shows in the fill.
    /// </summary>
    private static MarkerShape Marker(int series, bool cluster)
    {
        MarkerShape filled = OkabeIto.MarkerOf(series);
        return cluster ? filled : OkabeIto.Hollow(filled) is var h && h != filled ? h : MarkerShape.OpenCircle;
    }

    /// <summary>
    /// The legend, below the plot: one entry per outcome (its colour and filled marker), one per design
    /// drawn (its marker's fill and line pattern, in black), and the target line. An entry per line would
    /// be twice as long and, with six outcomes, would no longer fit below the plot.
    /// </summary>
    private static void Legend(Plot plot, List<Curve> drawn, double target)
    {
        foreach (Curve c in drawn.DistinctBy(c => c.Series))
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = c.Outcome + (c.Group == "all" ? "" : " in " + c.Group),
                MarkerShape = Marker(c.Series, cluster: true),
                MarkerSize = ChartKit.MarkerSize,
                MarkerColor = OkabeIto.ColorOf(c.Series),
                LineColor = OkabeIto.ColorOf(c.Series),
                LineWidth = 2.5f,
            });
        }

        foreach (string design in PilotTable.Designs.Where(d => drawn.Any(c => c.Design == d)))
        {
            bool cluster = design == PilotTable.ClusterRandomised;
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = DesignLegend(design),
                MarkerShape = cluster ? MarkerShape.FilledCircle : MarkerShape.OpenCircle,
                MarkerSize = ChartKit.MarkerSize,
                MarkerColor = Colors.Black,
                MarkerLineWidth = 2,
                LineColor = Colors.Black,
                LineWidth = 2.5f,
                LinePattern = cluster ? LinePattern.Solid : LinePattern.Dashed,
            });
        }

        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = "Target power " + Power(target),
            LineColor = Colors.Black,
            LineWidth = 2,
            LinePattern = LinePattern.Dotted,
        });
        plot.Legend.DisplayPlottableLegendItems = false;
        plot.ShowLegend(Edge.Bottom);
    }

    /// <summary>A design's legend entry: what it is and how its lines are drawn.</summary>
    internal static string DesignLegend(string design) => design == PilotTable.ClusterRandomised
        ? "Cluster-randomised (filled markers)"
        : "Individually randomised (hollow markers)";

    /// <summary>x: a tick at each size simulated (when few); y: power from 0 to 1 in steps of 0.2, with a little room for markers at the ends.</summary>
    private static void Axes(Plot plot, List<int> sizes)
    {
        if (sizes.Count <= MaxSizeTicks)
        {
            var x = new NumericManual();
            foreach (int s in sizes)
                x.AddMajor(s, s.ToString(CultureInfo.InvariantCulture));
            plot.Axes.Bottom.TickGenerator = x;
        }

        double pad = Math.Max(0.5, (sizes[^1] - sizes[0]) * 0.04);
        plot.Axes.SetLimitsX(sizes[0] - pad, sizes[^1] + pad);
        var y = new NumericManual();
        for (int k = 0; k <= 5; k++)
            y.AddMajor(k / 5.0, (k / 5.0).ToString("0.0", CultureInfo.InvariantCulture));
        plot.Axes.Left.TickGenerator = y;
        plot.Axes.SetLimitsY(-0.03, 1.03);
    }

    /// <summary>
    /// For each line: its power at the smallest and at the largest size simulated and the smallest size
    /// whose power reaches the target, or that none does; a line without a defined power says so.
    /// </summary>
    private static string AltText(List<Curve> curves, int months, double target)
    {
        var sentences = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Power of a {months}-month pilot against a target of {Power(target)}."),
        };
        foreach (Curve c in curves)
        {
            ImmutableArray<PilotRow> rows = c.Defined;
            if (rows.Length == 0)
            {
                sentences.Add($"{c.Label}: no simulated size has a defined power.");
                continue;
            }

            PilotRow first = rows[0], last = rows[^1];
            string range = rows.Length == 1
                ? $"power {Power(first.Power!.Value)} with {Areas(first.AreasPerArm)} per arm, the only size simulated"
                : $"power {Power(first.Power!.Value)} with {Areas(first.AreasPerArm)} per arm and {Power(last.Power!.Value)} with {Areas(last.AreasPerArm)}";
            string reach = rows.FirstOrDefault(r => r.Power >= target) is { } enough
                ? $"{Areas(enough.AreasPerArm)} per arm is the smallest size that reaches the target"
                : "no size simulated reaches the target";
            sentences.Add($"{c.Label}: {range}; {reach}.");
        }

        return string.Join(" ", sentences);
    }

    private static ChartTable Table(List<Curve> curves) => new(
        ["Design", "Outcome", "Group", "Local authorities per arm", "Persons", "Power (0 to 1)", "± Monte Carlo error (95%)", "Analytic power (0 to 1)"],
        [.. curves.SelectMany(c => c.Rows).Select(r => ImmutableArray.Create(
            r.Design, r.Outcome, r.Group, r.AreasPerArm.ToString(CultureInfo.InvariantCulture), r.Persons.ToString("N0", CultureInfo.InvariantCulture),
            Cell(r.Power), Cell(r.PowerSe * Z95), Cell(r.AnalyticPower)))]);

    private static string DesignWords(string design) => design == PilotTable.IndividuallyRandomised ? "individually randomised" : design;

    private static string Areas(int n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " local authority" : " local authorities");

    /// <summary>A power in a sentence: two decimals, trailing zeros dropped (0.8, 0.83).</summary>
    private static string Power(double p) => p.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A power or its error in the data table: three decimals; empty when undefined.</summary>
    private static string Cell(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "";
}
