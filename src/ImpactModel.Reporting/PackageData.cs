using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ImpactModel.Scenarios.Reading;

namespace ImpactModel.Reporting;

/// <summary>One row of a package folder's <c>package.csv</c> (null where the file has an empty cell).</summary>
/// <param name="Group"><c>all</c>, a population group's id, or <c>rest</c>.</param>
/// <param name="Metric">The metric (<see cref="PackageMetrics"/>).</param>
/// <param name="Mean">Mean over the replicates where it was defined; null when it never was.</param>
/// <param name="Low">2.5th percentile over replicates, or null.</param>
/// <param name="High">97.5th percentile over replicates, or null.</param>
/// <param name="Replicates">Replicates in which the value was defined.</param>
public sealed record PackageLine(string Group, string Metric, double? Mean, double? Low, double? High, int Replicates);

/// <summary>
/// A finished package folder as its report reads it (issue 25): <c>manifest.json</c> and
/// <c>package.csv</c>, both checked, and nothing else, so a report made as the package ends and one
/// made later from the folder are the same. A file that is missing or malformed is a
/// <see cref="RunFolderException"/> naming the file and, where it can, the line and what is wrong.
/// </summary>
public sealed partial class PackageData
{
    public const string CsvFile = "package.csv";
    public const string ManifestFile = "manifest.json";

    /// <summary>The columns of package.csv, in order (PRODUCT.md, "Run folder").</summary>
    public static readonly ImmutableArray<string> Columns = ["package", "group", "metric", "mean", "ci_low", "ci_high", "replicates"];

    private readonly Dictionary<(string Group, string Metric), PackageLine> _index;

    private PackageData(string folder, PackageManifest manifest, IReadOnlyList<PackageLine> lines)
    {
        Folder = folder;
        Manifest = manifest;
        Lines = lines;
        _index = lines.ToDictionary(l => (l.Group, l.Metric));
        Groups = ["all", .. manifest.Groups.Select(g => g.Id), "rest"];
        Scenarios = [.. manifest.Scenarios.Select(s => s.Name)];
    }

    /// <summary>The package folder.</summary>
    public string Folder { get; }

    public PackageManifest Manifest { get; }

    /// <summary>The rows of package.csv in file order.</summary>
    public IReadOnlyList<PackageLine> Lines { get; }

    /// <summary>The groups in order: <c>all</c>, each population group, <c>rest</c>.</summary>
    public ImmutableArray<string> Groups { get; }

    /// <summary>The scenarios' names in package order.</summary>
    public ImmutableArray<string> Scenarios { get; }

    /// <summary>The package's contradictions (none when the manifest lists none).</summary>
    public IReadOnlyList<PackageContradiction> Contradictions => Manifest.Contradictions ?? [];

    /// <summary>The package's warnings.</summary>
    public IReadOnlyList<string> Warnings => Manifest.Warnings ?? [];

    /// <summary>The row of a group and metric, or null when package.csv has none.</summary>
    public PackageLine? Find(string group, string metric) => _index.GetValueOrDefault((group, metric));

    /// <summary>The figure of a group and metric, or null when it is absent or undefined (package.csv has no event counts, so none is marked unreliable).</summary>
    public Figure? Of(string group, string metric) =>
        Find(group, metric) is { Mean: { } mean } line ? new Figure(mean, line.Low, line.High, Unreliable: false) : null;

    /// <summary>A group's name for people: the manifest's display name; <c>all</c> and <c>rest</c> in words.</summary>
    public string GroupLabel(string group) => group switch
    {
        "all" => "Everyone",
        "rest" => "People in no peripheral group",
        _ => Manifest.Groups.FirstOrDefault(g => g.Id == group)?.Name ?? group,
    };

    /// <summary>
    /// Reads and checks the package folder <paramref name="folder"/>'s manifest.json and package.csv.
    /// <paramref name="beingWritten"/>: the package's own partial folder, read to write its report before it is renamed.
    /// </summary>
    public static PackageData Read(string folder, bool beingWritten = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!beingWritten && Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)).Contains(".partial-", StringComparison.Ordinal))
            throw new RunFolderException($"'{folder}' is a package still being written (or left by one that failed), not a finished package folder");
        if (!Directory.Exists(folder))
            throw new RunFolderException(File.Exists(folder) ? $"'{folder}' is a file, not a package folder" : $"'{folder}': no such package folder");
        PackageManifest manifest = ReadManifest(Path.Combine(folder, ManifestFile));
        string csv = Path.Combine(folder, CsvFile);
        if (!File.Exists(csv))
            throw new RunFolderException($"'{folder}' is not a package folder: it has no {CsvFile}");
        return new PackageData(folder, manifest, ReadLines(csv, manifest));
    }

    private static PackageManifest ReadManifest(string path)
    {
        if (!File.Exists(path))
            throw new RunFolderException($"'{Path.GetDirectoryName(path)}' is not a package folder: it has no {ManifestFile}");
        PackageManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), PackageJson.Default.PackageManifest)
                ?? throw new RunFolderException($"{path}:1: the manifest is null");
        }
        catch (JsonException e)
        {
            string at = e.LineNumber is { } line ? (line + 1).ToString(CultureInfo.InvariantCulture) : "1";
            throw new RunFolderException($"{path}:{at}: not a package manifest: {RunFolderReader.Line(e.Message)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunFolderException($"'{path}': cannot be read: {RunFolderReader.Line(e.Message)}");
        }

        Check(manifest, path);
        return manifest;
    }

    // What the JSON reader cannot see: ids, uniqueness, sizes, and what the contradictions name. The keys are named as in the file.
    private static void Check(PackageManifest m, string path)
    {
        void Fail(string what) => throw new RunFolderException($"{path}: not a package manifest: {what}");
        void Id(string? text, string key)
        {
            if (text is null || !NodeReader.IsId(text))
                Fail($"{key} '{RunFolderReader.Shown(text ?? "null")}' is not an id (^[a-z][a-z0-9-]*$)");
        }

        Id(m.Package, "package");
        if (m.Replicates < 1)
            Fail($"replicates {m.Replicates} is not at least 1");
        if (m.Persons < 1 || m.DeclaredPopulation < 1)
            Fail($"persons {m.Persons} and declared_population {m.DeclaredPopulation} must both be at least 1");
        if (m.Scenarios.Count == 0)
            Fail("scenarios is empty: a package has at least one scenario");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < m.Scenarios.Count; i++)
        {
            PackageScenario s = m.Scenarios[i] ?? throw new RunFolderException($"{path}: not a package manifest: scenarios[{i}] is null");
            Id(s.Name, $"scenarios[{i}].name");
            Id(s.Strand, $"scenarios[{i}].strand");
            Id(s.Variant, $"scenarios[{i}].variant");
            Id(s.Folder, $"scenarios[{i}].folder"); // one path segment: the report links to FOLDER/report.html
            if (!names.Add(s.Name))
                Fail($"scenarios[{i}].name '{s.Name}' names a second scenario");
        }

        var groups = new HashSet<string>(StringComparer.Ordinal) { "all", "rest" };
        for (int i = 0; i < m.Groups.Count; i++)
        {
            PackageGroup g = m.Groups[i] ?? throw new RunFolderException($"{path}: not a package manifest: groups[{i}] is null");
            Id(g.Id, $"groups[{i}].id");
            if (!groups.Add(g.Id))
                Fail($"groups[{i}].id '{g.Id}' is 'all', 'rest' or a second group");
        }

        IReadOnlyList<PackageContradiction> contradictions = m.Contradictions ?? [];
        for (int i = 0; i < contradictions.Count; i++)
        {
            PackageContradiction c = contradictions[i] ?? throw new RunFolderException($"{path}: not a package manifest: contradictions[{i}] is null");
            if (!names.Contains(c.Protecting) || !names.Contains(c.Exposing))
                Fail($"contradictions[{i}] names a scenario the package does not list ('{RunFolderReader.Shown(c.Protecting)}', '{RunFolderReader.Shown(c.Exposing)}')");
            Id(c.Safeguard, $"contradictions[{i}].safeguard");
            string metric = PackageMetrics.Contradiction(c.Protecting, c.Safeguard, c.Exposing);
            if (c.Metric != metric)
                Fail($"contradictions[{i}].metric '{RunFolderReader.Shown(c.Metric)}' is not '{metric}'");
        }

        if ((m.Warnings ?? []).Any(w => w is null) || (m.Files ?? []).Any(f => f is null))
            Fail("warnings and files hold text, never null");
    }

    private static List<PackageLine> ReadLines(string path, PackageManifest manifest)
    {
        var groups = new HashSet<string>(["all", .. manifest.Groups.Select(g => g.Id), "rest"], StringComparer.Ordinal);
        var scenarios = manifest.Scenarios.Select(s => s.Name).ToList();
        var seen = new HashSet<(string, string)>();
        return RunFolderReader.Rows(path, [.. Columns], manifest.Package, (f, p, line) =>
        {
            if (!groups.Contains(f[1]))
                throw new RunFolderException($"{p}:{line}: group '{RunFolderReader.Shown(f[1])}' is not 'all', 'rest' or one of the manifest's groups");
            if (!MetricName().IsMatch(f[2]))
                throw new RunFolderException($"{p}:{line}: metric '{RunFolderReader.Shown(f[2])}' is not a metric name (^[a-z][a-z0-9_]*(\\.[a-z0-9-]+)?$)");
            if (PackageMetrics.Problem(f[2], scenarios) is { } problem)
                throw new RunFolderException($"{p}:{line}: metric '{f[2]}' {problem}");
            if (f[1] == "rest" && PackageMetrics.IsRatio(f[2]))
                throw new RunFolderException($"{p}:{line}: metric '{f[2]}' is a ratio against rest, which rest has not");
            if (!seen.Add((f[1], f[2])))
                throw new RunFolderException($"{p}:{line}: a second row for group '{f[1]}', metric '{f[2]}'");
            double? mean = Finite(f[3], p, line), low = Finite(f[4], p, line), high = Finite(f[5], p, line);
            if (low > high)
                throw new RunFolderException($"{p}:{line}: ci_low {f[4]} is above ci_high {f[5]}");
            int replicates = RunFolderReader.Count(f[6], "replicates", p, line)
                ?? throw new RunFolderException($"{p}:{line}: replicates is empty");
            if (replicates > manifest.Replicates)
                throw new RunFolderException($"{p}:{line}: replicates {replicates} is more than the manifest's {manifest.Replicates}");
            return new PackageLine(f[1], f[2], mean, low, high, replicates);
        });
    }

    // A number in the file; NaN and infinities are not numbers here (an undefined value is an empty cell).
    private static double? Finite(string text, string path, int line)
    {
        double? value = RunFolderReader.Number(text, path, line);
        return value is { } v && !double.IsFinite(v) ? throw new RunFolderException($"{path}:{line}: '{text}' is not a finite number") : value;
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z0-9-]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();
}

/// <summary>
/// The metric names of <c>package.csv</c> (issue 25): for K in <c>harmed</c> and <c>benefited</c>,
/// <c>K_by.S</c>, <c>K_by_rate.S</c> and its ratio against rest per scenario S; <c>K_by_any</c>,
/// <c>K_by_two_or_more</c> and <c>K_by_all</c> with their rates and ratios; <c>K_by_exactly.N</c>
/// and <c>K_by_exactly_rate.N</c> for N = 1..k; <c>K_by_pair.A--B</c> with its rate and ratio;
/// <c>persons</c>; and <c>contradiction.P--S--E</c>. Counts are persons scaled to the declared
/// population; rates are shares of the group's persons (0 to 1); ratios are the group's rate over rest's.
/// </summary>
public static class PackageMetrics
{
    public const string Harmed = "harmed";
    public const string Benefited = "benefited";
    public const string Persons = "persons";
    public const string RatioSuffix = "_ratio_vs_rest";

    /// <summary>What a qualifier joins (a pair's scenarios; a contradiction's scenario, safeguard, scenario).</summary>
    public const string Joiner = "--";

    private const string ContradictionBase = "contradiction";

    public static string By(string kind, string scenario) => $"{kind}_by.{scenario}";

    public static string ByRate(string kind, string scenario) => $"{kind}_by_rate.{scenario}";

    /// <summary><c>K_by_any_rate</c>; <paramref name="count"/> is <c>any</c>, <c>two_or_more</c> or <c>all</c>.</summary>
    public static string CountRate(string kind, string count) => $"{kind}_by_{count}_rate";

    public static string AnyRate(string kind) => CountRate(kind, "any");

    public static string TwoOrMoreRate(string kind) => CountRate(kind, "two_or_more");

    public static string AllRate(string kind) => CountRate(kind, "all");

    public static string ExactlyRate(string kind, int n) => string.Create(CultureInfo.InvariantCulture, $"{kind}_by_exactly_rate.{n}");

    public static string PairRate(string kind, string a, string b) => $"{kind}_by_pair_rate.{a}{Joiner}{b}";

    public static string Contradiction(string protecting, string safeguard, string exposing) =>
        $"{ContradictionBase}.{protecting}{Joiner}{safeguard}{Joiner}{exposing}";

    /// <summary>The ratio against rest of a rate: <c>harmed_by_rate.s</c> → <c>harmed_by_rate_ratio_vs_rest.s</c>.</summary>
    public static string RatioOf(string rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        int dot = rate.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rate + RatioSuffix : rate[..dot] + RatioSuffix + rate[dot..];
    }

    /// <summary>True for a ratio against rest.</summary>
    public static bool IsRatio(string metric) => Base(metric).EndsWith(RatioSuffix, StringComparison.Ordinal);

    /// <summary>The metric's unit, as a run manifest would state it: a rate of the group's people, a ratio to rest, or persons.</summary>
    public static ManifestMetric Unit(string metric)
    {
        string b = Base(metric);
        bool harm = b.StartsWith(Harmed, StringComparison.Ordinal) || b == ContradictionBase;
        return IsRatio(metric) ? new ManifestMetric(metric, "ratio", "the same rate for people in no peripheral group", harm)
            : b.EndsWith("_rate", StringComparison.Ordinal) ? new ManifestMetric(metric, "rate", "the group's people", harm)
            : new ManifestMetric(metric, Persons, null, harm);
    }

    /// <summary>What is wrong with a metric's qualifier given the package's scenarios, or null (a metric this reader does not know is let through).</summary>
    internal static string? Problem(string metric, List<string> scenarios)
    {
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        string b = dot < 0 ? metric : metric[..dot], q = dot < 0 ? "" : metric[(dot + 1)..];
        if (b == ContradictionBase)
        {
            string[] parts = q.Split(Joiner);
            return parts.Length == 3 && scenarios.Contains(parts[0]) && scenarios.Contains(parts[2]) && NodeReader.IsId(parts[1])
                ? null : "is not contradiction.PROTECTING--SAFEGUARD--EXPOSING with two of the package's scenarios";
        }

        foreach (string kind in (string[])[Harmed, Benefited])
        {
            if (!b.StartsWith(kind + "_by", StringComparison.Ordinal))
                continue;
            string rest = b[(kind.Length + 3)..];
            if (rest.EndsWith(RatioSuffix, StringComparison.Ordinal))
                rest = rest[..^RatioSuffix.Length];
            return rest switch
            {
                "" or "_rate" => scenarios.Contains(q) ? null : $"does not name one of the package's scenarios ({string.Join(", ", scenarios)})",
                "_any" or "_any_rate" or "_two_or_more" or "_two_or_more_rate" or "_all" or "_all_rate" => q.Length == 0 ? null : "takes no qualifier",
                "_exactly" or "_exactly_rate" => int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= scenarios.Count
                    ? null : $"is not for a number of scenarios from 1 to {scenarios.Count}",
                "_pair" or "_pair_rate" => q.Split(Joiner) is [var a, var c] && scenarios.IndexOf(a) is >= 0 and var i && scenarios.IndexOf(c) > i
                    ? null : "is not for a pair A--B of the package's scenarios, A before B",
                _ => null,
            };
        }

        return null;
    }

    private static string Base(string metric)
    {
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? metric : metric[..dot];
    }

}

/// <summary>Reads a package's <c>manifest.json</c>: snake_case keys, every key without a default required and every non-nullable value non-null.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(PackageManifest))]
internal sealed partial class PackageJson : JsonSerializerContext;
