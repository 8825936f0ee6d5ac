using System.Collections.Immutable;
using System.Globalization;

namespace ImpactModel.Reporting;

/// <summary>
/// One row of pilot.csv (PRODUCT.md, "Other outputs"): one simulated pilot size, that is one design ×
/// outcome × duration × local authorities per arm. An empty cell is null.
/// </summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Design"><see cref="PilotTable.ClusterRandomised"/> or <see cref="PilotTable.IndividuallyRandomised"/>.</param>
/// <param name="Outcome">The outcome's id.</param>
/// <param name="Group">The group the outcome is measured in (<c>all</c> for everyone); fixed per outcome.</param>
/// <param name="Months">The pilot's duration, whole months, at least 1.</param>
/// <param name="AreasPerArm">Local authorities per arm, at least 1.</param>
/// <param name="Persons">Persons in the simulated pilot (both arms).</param>
/// <param name="Power">Share of simulated pilots whose analysis detected the effect, in [0, 1].</param>
/// <param name="PowerSe">Monte Carlo standard error of <paramref name="Power"/>, at least 0.</param>
/// <param name="Bias">Mean estimate minus the true effect, in the outcome's unit.</param>
/// <param name="BiasSe">Monte Carlo standard error of <paramref name="Bias"/>, at least 0.</param>
/// <param name="Coverage">Share of simulated pilots whose 95% interval held the true effect, in [0, 1].</param>
/// <param name="Mde">The minimum detectable effect at this size, in the outcome's unit.</param>
/// <param name="Icc">The intra-cluster correlation the design assumed.</param>
/// <param name="AnalyticPower">The analytic formula's power at this size, in [0, 1].</param>
public sealed record PilotRow(
    string Scenario, string Design, string Outcome, string Group, int Months, int AreasPerArm, long Persons,
    double? Power, double? PowerSe, double? Bias, double? BiasSe, double? Coverage, double? Mde, double? Icc, double? AnalyticPower);

/// <summary>
/// The rows of a simulated pilot's <c>pilot.csv</c>, read by <see cref="Read"/> or built from rows in
/// memory. Each design × outcome × months × areas per arm appears once.
/// </summary>
public sealed class PilotTable
{
    public const string FileName = "pilot.csv";

    public const string ClusterRandomised = "cluster-randomised";
    public const string IndividuallyRandomised = "individually-randomised";

    /// <summary>The designs a row may name, in the order charts list them.</summary>
    public static readonly ImmutableArray<string> Designs = [ClusterRandomised, IndividuallyRandomised];

    /// <summary>The columns of pilot.csv, in order (PRODUCT.md).</summary>
    public static readonly ImmutableArray<string> Columns =
    [
        "scenario", "design", "outcome", "group", "months", "areas_per_arm", "persons",
        "power", "power_se", "bias", "bias_se", "coverage", "mde", "icc", "analytic_power",
    ];

    /// <summary>The rows; throws <see cref="ArgumentException"/> when a design, outcome, duration and size appears twice.</summary>
    public PilotTable(IEnumerable<PilotRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Rows = [.. rows];
        var seen = new HashSet<(string, string, int, int)>();
        foreach (PilotRow r in Rows)
        {
            if (!seen.Add((r.Design, r.Outcome, r.Months, r.AreasPerArm)))
                throw new ArgumentException($"a second row for {Key(r)}", nameof(rows));
        }
    }

    public ImmutableArray<PilotRow> Rows { get; }

    /// <summary>The durations simulated, in months, shortest first.</summary>
    public IReadOnlyList<int> Durations => [.. Rows.Select(r => r.Months).Distinct().Order()];

    /// <summary>
    /// Reads <paramref name="pilotCsvPath"/>: the header exactly <see cref="Columns"/>, one scenario,
    /// known designs, whole months and sizes of at least 1, probabilities in [0, 1], standard errors
    /// not negative, one group per outcome and one row per design × outcome × months × size. A file
    /// that cannot be read, or a row that is wrong, is a <see cref="RunFolderException"/> whose message is
    /// one line, <c>file:line: what is wrong</c>.
    /// </summary>
    public static PilotTable Read(string pilotCsvPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(pilotCsvPath);
        var seen = new Dictionary<(string, string, int, int), int>();
        var groups = new Dictionary<string, (string Group, int Line)>(StringComparer.Ordinal);
        List<PilotRow> rows = RunFolderReader.Rows(pilotCsvPath, [.. Columns], scenario: null, (f, path, line) =>
        {
            RunFolderReader.Id(f[0], "scenario", path, line);
            if (!Designs.Contains(f[1]))
                throw new RunFolderException($"{path}:{line}: design '{RunFolderReader.Shown(f[1])}' is neither '{ClusterRandomised}' nor '{IndividuallyRandomised}'");
            RunFolderReader.Id(f[2], "outcome", path, line);
            RunFolderReader.Id(f[3], "group", path, line);
            if (groups.TryGetValue(f[2], out var earlier) && earlier.Group != f[3])
                throw new RunFolderException($"{path}:{line}: outcome '{f[2]}' is in group '{RunFolderReader.Shown(f[3])}' here but '{earlier.Group}' on line {earlier.Line}");
            groups.TryAdd(f[2], (f[3], line));
            var row = new PilotRow(f[0], f[1], f[2], f[3], AtLeastOne(f[4], "months", path, line), AtLeastOne(f[5], "areas_per_arm", path, line),
                Persons(f[6], path, line),
                Probability(f[7], "power", path, line), Spread(f[8], "power_se", path, line),
                Finite(f[9], "bias", path, line), Spread(f[10], "bias_se", path, line),
                Probability(f[11], "coverage", path, line), Finite(f[12], "mde", path, line), Finite(f[13], "icc", path, line),
                Probability(f[14], "analytic_power", path, line));
            if (seen.TryGetValue((row.Design, row.Outcome, row.Months, row.AreasPerArm), out int first))
                throw new RunFolderException($"{path}:{line}: a second row for {Key(row)} (the first is on line {first})");
            seen.Add((row.Design, row.Outcome, row.Months, row.AreasPerArm), line);
            return row;
        });
        return new PilotTable(rows);
    }

    private static string Key(PilotRow r) =>
        string.Create(CultureInfo.InvariantCulture, $"design '{r.Design}', outcome '{r.Outcome}', months {r.Months}, areas per arm {r.AreasPerArm}");

    private static int AtLeastOne(string text, string column, string path, int line) =>
        RunFolderReader.Count(text, column, path, line) switch
        {
            null => throw new RunFolderException($"{path}:{line}: the {column} is empty"),
            < 1 => throw new RunFolderException($"{path}:{line}: {column} '{text}' is below 1"),
            int n => n,
        };

    private static long Persons(string text, string path, int line) =>
        RunFolderReader.Whole(text, path, line) switch
        {
            null => throw new RunFolderException($"{path}:{line}: the persons is empty"),
            < 0 => throw new RunFolderException($"{path}:{line}: persons '{text}' is negative"),
            long n => n,
        };

    // The contract writes an undefined value as an empty cell, never NaN: a NaN or infinity is a fault.
    private static double? Finite(string text, string column, string path, int line)
    {
        double? value = RunFolderReader.Number(text, path, line);
        return value is { } v && !double.IsFinite(v) ? throw new RunFolderException($"{path}:{line}: {column} '{text}' is not a finite number") : value;
    }

    private static double? Probability(string text, string column, string path, int line)
    {
        double? value = Finite(text, column, path, line);
        return value is < 0 or > 1 ? throw new RunFolderException($"{path}:{line}: {column} '{text}' is outside 0 to 1") : value;
    }

    private static double? Spread(string text, string column, string path, int line)
    {
        double? value = Finite(text, column, path, line);
        return value is < 0 ? throw new RunFolderException($"{path}:{line}: {column} '{text}' is negative") : value;
    }
}
