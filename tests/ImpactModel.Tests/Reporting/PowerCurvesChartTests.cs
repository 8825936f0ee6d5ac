using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using ImpactModel.Reporting;
using ImpactModel.Reporting.Charts;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// A simulated pilot's pilot.csv as the reader takes it (exact header, one-line <c>file:line:</c>
/// messages, empty cells null) and its power curves: valid PNG and SVG, one line per outcome × design,
/// alt text that says where each line reaches the target.
/// </summary>
public sealed class PowerCurvesChartTests : IDisposable
{
    private const double Target = 0.8;

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly string Header = string.Join(',', PilotTable.Columns);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-power-curves-" + Guid.NewGuid().ToString("N"));

    public PowerCurvesChartTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Power by outcome, design and months at 2, 4, 8 and 16 local authorities per arm. At 12 months,
    /// take-up under cluster randomisation first reaches 0.8 at 8 per arm and under individual
    /// randomisation at 4; harm in the no-fixed-address group never does under cluster randomisation
    /// and first does at 16 under individual randomisation.
    /// </summary>
    private static readonly (string Design, string Outcome, string Group, int Months, double[] Power)[] Curves =
    [
        (PilotTable.ClusterRandomised, "take-up", "all", 12, [0.35, 0.62, 0.81, 0.97]),
        (PilotTable.IndividuallyRandomised, "take-up", "all", 12, [0.55, 0.85, 0.99, 1]),
        (PilotTable.ClusterRandomised, "harm-rate", "no-fixed-address", 12, [0.05, 0.12, 0.3, 0.55]),
        (PilotTable.IndividuallyRandomised, "harm-rate", "no-fixed-address", 12, [0.1, 0.3, 0.6, 0.9]),
        (PilotTable.ClusterRandomised, "take-up", "all", 6, [0.2, 0.4, 0.66, 0.9]),
        (PilotTable.IndividuallyRandomised, "take-up", "all", 6, [0.3, 0.55, 0.82, 0.98]),
        (PilotTable.ClusterRandomised, "harm-rate", "no-fixed-address", 6, [0.03, 0.08, 0.15, 0.3]),
        (PilotTable.IndividuallyRandomised, "harm-rate", "no-fixed-address", 6, [0.06, 0.15, 0.35, 0.6]),
    ];

    private static readonly int[] Sizes = [2, 4, 8, 16];

    /// <summary>The pilot.csv of <see cref="Curves"/>: persons grow with months and size; bias, coverage and analytic power are left empty on some rows.</summary>
    private static string PilotCsv()
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach ((string design, string outcome, string group, int months, double[] power) in Curves)
        {
            for (int i = 0; i < Sizes.Length; i++)
            {
                double p = power[i], se = Math.Sqrt(p * (1 - p) / 500); // binomial standard error over 500 simulated pilots
                long persons = 2L * Sizes[i] * 1500 * months;
                string analytic = i == 0 ? "" : (p * 0.98).ToString("R", CultureInfo.InvariantCulture);
                text.Append(string.Create(CultureInfo.InvariantCulture,
                    $"pilot-x,{design},{outcome},{group},{months},{Sizes[i]},{persons},{p:R},{se:R},{(i == 1 ? "" : "0.001")},{(i == 1 ? "" : "0.0005")},0.95,0.04,0.02,{analytic}\n"));
            }
        }

        return text.ToString();
    }

    private string Write(string text, string name = "pilot.csv")
    {
        string folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Texts(string svgFile) =>
        [.. XDocument.Load(svgFile).Descendants(Svg + "text").Select(t => t.Value.Trim())];

    private (IReadOnlyList<RenderedChart> Charts, string Folder) Charts()
    {
        PilotTable table = PilotTable.Read(Write(PilotCsv()));
        string folder = Path.Combine(_root, "charts-" + Guid.NewGuid().ToString("N"));
        return (PowerCurvesChart.Write(table, Target, folder), folder);
    }

    [Fact]
    public void The_longest_duration_is_power_curves_and_each_shorter_one_has_its_own_chart_as_valid_png_and_svg()
    {
        (IReadOnlyList<RenderedChart> charts, string folder) = Charts();
        Assert.Equal(["power-curves", "power-curves-6-months"], charts.Select(c => c.Name));
        foreach (RenderedChart chart in charts)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(folder, chart.PngFile));
            // PNG signature, then the IHDR chunk: length 13, type, width and height big-endian (PNG spec, 5.2 and 11.2.2).
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
            Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(ChartKit.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(ChartKit.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            XElement root = XDocument.Load(Path.Combine(folder, chart.SvgFile)).Root!;
            Assert.Equal(Svg + "svg", root.Name);
            Assert.EndsWith(".", chart.Title, StringComparison.Ordinal);
            Assert.Contains(chart.Title, Texts(Path.Combine(folder, chart.SvgFile)));
        }

        Assert.Equal(
            ["power-curves-6-months.png", "power-curves-6-months.svg", "power-curves.png", "power-curves.svg"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("12-month", charts[0].Title, StringComparison.Ordinal);
        Assert.Contains("6-month", charts[1].Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_outcome_and_design_is_one_line_and_the_legend_names_each_outcome_design_and_the_target_once()
    {
        (IReadOnlyList<RenderedChart> charts, string folder) = Charts();
        string[] legend =
        [
            "take-up", "harm-rate in no-fixed-address",
            PowerCurvesChart.DesignLegend(PilotTable.ClusterRandomised), PowerCurvesChart.DesignLegend(PilotTable.IndividuallyRandomised),
            "Target power 0.8",
        ];
        foreach (RenderedChart chart in charts)
        {
            Assert.Equal(4, chart.Series); // 2 outcomes × 2 designs
            string[] texts = Texts(Path.Combine(folder, chart.SvgFile));
            Assert.All(legend, l => Assert.Single(texts, t => t == l));
            Assert.Contains(texts, t => t.StartsWith("Local authorities per arm (", StringComparison.Ordinal));
            Assert.Contains(texts, t => t.StartsWith("Power (", StringComparison.Ordinal) && t.Contains("0 to 1", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_alt_text_names_the_smallest_size_reaching_the_target_or_says_none_does()
    {
        (IReadOnlyList<RenderedChart> charts, _) = Charts();
        string alt = charts[0].AltText;
        Assert.Contains("take-up, cluster-randomised: power 0.35 with 2 local authorities per arm and 0.97 with 16 local authorities; "
            + "8 local authorities per arm is the smallest size that reaches the target.", alt, StringComparison.Ordinal);
        Assert.Contains("take-up, individually randomised: power 0.55 with 2 local authorities per arm and 1 with 16 local authorities; "
            + "4 local authorities per arm is the smallest size that reaches the target.", alt, StringComparison.Ordinal);
        Assert.Contains("harm-rate in no-fixed-address, cluster-randomised: power 0.05 with 2 local authorities per arm and 0.55 with 16 local authorities; "
            + "no size simulated reaches the target.", alt, StringComparison.Ordinal);
        Assert.Contains("harm-rate in no-fixed-address, individually randomised: power 0.1 with 2 local authorities per arm and 0.9 with 16 local authorities; "
            + "16 local authorities per arm is the smallest size that reaches the target.", alt, StringComparison.Ordinal);
        Assert.Contains("a target of 0.8", alt, StringComparison.Ordinal);
        // At 6 months, cluster-randomised take-up reaches 0.8 only at 16 per arm.
        Assert.Contains("take-up, cluster-randomised: power 0.2 with 2 local authorities per arm and 0.9 with 16 local authorities; "
            + "16 local authorities per arm is the smallest size that reaches the target.", charts[1].AltText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_caption_names_the_duration_the_band_and_the_target_line_without_relying_on_a_dash()
    {
        (IReadOnlyList<RenderedChart> charts, _) = Charts();
        Assert.Contains("12-month pilot (the longest duration simulated", charts[0].Caption, StringComparison.Ordinal);
        Assert.Contains("6-month pilot:", charts[1].Caption, StringComparison.Ordinal);
        foreach (RenderedChart chart in charts)
        {
            Assert.Contains("Monte Carlo error (95%", chart.Caption, StringComparison.Ordinal);
            Assert.Contains("target power of 0.8", chart.Caption, StringComparison.Ordinal);
            Assert.DoesNotContain("dash", chart.Caption, StringComparison.OrdinalIgnoreCase); // the SVG draws every line solid
        }
    }

    [Fact]
    public void The_data_table_is_the_plotted_rows_of_its_duration_formatted()
    {
        (IReadOnlyList<RenderedChart> charts, _) = Charts();
        foreach (RenderedChart chart in charts)
        {
            Assert.Equal(8, chart.Data.Columns.Length);
            Assert.Equal(16, chart.Data.Rows.Length); // 2 outcomes × 2 designs × 4 sizes
            Assert.All(chart.Data.Rows, r => Assert.Equal(chart.Data.Columns.Length, r.Length));
        }

        // take-up, cluster-randomised, 12 months, 8 per arm: 2 × 8 × 1500 × 12 persons; ±1.96 × sqrt(0.81 × 0.19 / 500) = ±0.0344.
        Assert.Equal<string>(["cluster-randomised", "take-up", "all", "8", "288,000", "0.810", "0.034", "0.794"], charts[0].Data.Rows[2]);
        // The smallest size has no analytic power: an empty cell, not a zero.
        Assert.Equal<string>(["cluster-randomised", "take-up", "all", "2", "36,000", "0.200", "0.035", ""], charts[1].Data.Rows[0]);
    }

    [Fact]
    public void The_same_table_gives_the_same_chart_files()
    {
        (IReadOnlyList<RenderedChart> charts, string a) = Charts();
        (_, string b) = Charts();
        foreach (RenderedChart chart in charts)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, chart.SvgFile)), File.ReadAllBytes(Path.Combine(b, chart.SvgFile)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, chart.PngFile)), File.ReadAllBytes(Path.Combine(b, chart.PngFile)));
        }
    }

    [Fact]
    public void An_empty_table_draws_nothing_and_a_target_outside_0_to_1_is_refused()
    {
        string folder = Path.Combine(_root, "none");
        Assert.Empty(PowerCurvesChart.Write(new PilotTable([]), Target, folder));
        Assert.False(Directory.Exists(folder));
        PilotTable table = PilotTable.Read(Write(PilotCsv()));
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerCurvesChart.Write(table, 1, folder));
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerCurvesChart.Write(table, double.NaN, folder));
    }

    [Fact]
    public void A_row_reads_back_column_for_column_and_empty_cells_are_null()
    {
        string path = Write(Header + "\n"
            + "pilot-x,cluster-randomised,take-up,all,12,4,36000,0.8125,0.0174,-0.0015,0.0007,0.951,0.035,0.021,0.79\n"
            + "pilot-x,individually-randomised,harm-rate,no-fixed-address,6,2,9000,0.1,,,,,,,\n");
        PilotTable table = PilotTable.Read(path);
        Assert.Equal<PilotRow>(
        [
            new PilotRow("pilot-x", "cluster-randomised", "take-up", "all", 12, 4, 36000, 0.8125, 0.0174, -0.0015, 0.0007, 0.951, 0.035, 0.021, 0.79),
            new PilotRow("pilot-x", "individually-randomised", "harm-rate", "no-fixed-address", 6, 2, 9000, 0.1, null, null, null, null, null, null, null),
        ], table.Rows);
        Assert.Equal<int>([6, 12], table.Durations);
    }

    [Fact]
    public void A_line_without_a_defined_power_is_in_the_table_and_the_alt_text_but_not_drawn()
    {
        string path = Write(Header + "\n"
            + "pilot-x,cluster-randomised,take-up,all,12,4,36000,0.81,0.0174,,,,,,\n"
            + "pilot-x,individually-randomised,take-up,all,12,4,36000,,,,,,,,\n");
        string folder = Path.Combine(_root, "undefined");
        RenderedChart chart = Assert.Single(PowerCurvesChart.Write(PilotTable.Read(path), Target, folder));
        Assert.Equal(1, chart.Series);
        Assert.Equal(2, chart.Data.Rows.Length);
        Assert.Contains("take-up, individually randomised: no simulated size has a defined power.", chart.AltText, StringComparison.Ordinal);
        Assert.Contains("power 0.81 with 4 local authorities per arm, the only size simulated; 4 local authorities per arm is the smallest size that reaches the target.",
            chart.AltText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_built_in_memory_refuses_a_second_row_for_the_same_design_outcome_duration_and_size()
    {
        var row = new PilotRow("pilot-x", PilotTable.ClusterRandomised, "take-up", "all", 12, 4, 36000, 0.8, 0.01, null, null, null, null, null, null);
        var e = Assert.Throws<ArgumentException>(() => new PilotTable([row, row with { Power = 0.7 }]));
        Assert.Contains("a second row for design 'cluster-randomised', outcome 'take-up', months 12, areas per arm 4", e.Message, StringComparison.Ordinal);
        Assert.Single(new PilotTable([row, row with { AreasPerArm = 8 }]).Rows.Where(r => r.AreasPerArm == 8));
    }

    private const string Good = "pilot-x,cluster-randomised,take-up,all,12,4,36000,0.8,0.01,0,0,0.95,0.03,0.02,0.79\n";

    public static TheoryData<string, string> Malformed => new()
    {
        { "scenario,design,outcome,group,months,areas_per_arm,persons,power\n" + Good, "pilot.csv:1: expected the header" },
        { Header.Replace("analytic_power", "analytic", StringComparison.Ordinal) + "\n" + Good, "pilot.csv:1: expected the header" },
        { "", "pilot.csv:1: expected the header" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12,8,72000,high,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: 'high' is not a number" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12,8,72000,1.5,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: power '1.5' is outside 0 to 1" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12,8,72000,NaN,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: power 'NaN' is not a finite number" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12,8,72000,0.9,-0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: power_se '-0.01' is negative" },
        { Header + "\n" + Good + "pilot-x,stepped-wedge,take-up,all,12,8,72000,0.9,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: design 'stepped-wedge' is neither" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12,0,0,0.9,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: areas_per_arm '0' is below 1" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,,8,72000,0.9,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: the months is empty" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12.5,8,72000,0.9,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: '12.5' is not a whole number" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,all,12,8,72000,0.9,0.01\n", "pilot.csv:3: expected 15 fields, found 9" },
        { Header + "\n" + Good + "pilot-y,cluster-randomised,take-up,all,12,8,72000,0.9,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: scenario 'pilot-y' is not the first row's 'pilot-x'" },
        { Header + "\n" + Good + Good, "pilot.csv:3: a second row for design 'cluster-randomised', outcome 'take-up', months 12, areas per arm 4 (the first is on line 2)" },
        { Header + "\n" + Good + "pilot-x,cluster-randomised,take-up,women,12,8,72000,0.9,0.01,0,0,0.95,0.03,0.02,0.79\n", "pilot.csv:3: outcome 'take-up' is in group 'women' here but 'all' on line 2" },
    };

    [Theory, MemberData(nameof(Malformed))]
    public void A_malformed_pilot_csv_is_one_line_naming_the_file_and_line(string text, string expected)
    {
        string path = Write(text);
        var e = Assert.Throws<RunFolderException>(() => PilotTable.Read(path));
        Assert.StartsWith(path + expected["pilot.csv".Length..], e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_missing_pilot_csv_is_one_line_naming_it()
    {
        string path = Path.Combine(_root, "nowhere", "pilot.csv");
        var e = Assert.Throws<RunFolderException>(() => PilotTable.Read(path));
        Assert.StartsWith($"'{path}': cannot be read", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
