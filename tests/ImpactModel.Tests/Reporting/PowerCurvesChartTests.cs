using ImpactModel.Reporting;

namespace ImpactModel.Tests.Reporting;

/// <summary>A simulated pilot's pilot.csv as the reader takes it: exact header, one-line <c>file:line:</c> messages, empty cells null.</summary>
public sealed class PowerCurvesChartTests : IDisposable
{
    private static readonly string Header = string.Join(',', PilotTable.Columns);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-power-curves-" + Guid.NewGuid().ToString("N"));

    public PowerCurvesChartTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string text, string name = "pilot.csv")
    {
        string folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
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
