using System.Globalization;
using System.Text;
using ImpactModel.Reporting;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// A package folder written by hand to the contract of issue 25 (<c>manifest.json</c> and
/// <c>package.csv</c>), until the engine writes one: 3 scenarios, 3 groups with <c>all</c> and
/// <c>rest</c>, one contradiction, one value left undefined and one defined in only some replicates.
/// Each scenario's folder holds a stub <c>report.html</c> for the package report to link to. The
/// figures are consistent (any = the sum of exactly n; a group's ratio is its rate over rest's), so
/// what the report quotes can be derived here.
/// </summary>
internal static class PackageFiles
{
    public const string Package = "uk-data-sharing";

    public const int Replicates = 40;

    public const long DeclaredPopulation = 67_596_281;

    public static readonly string[] Scenarios = ["fraud-error-debt", "tailored-services", "research-statistics"];

    public static readonly string[] Strands = ["fraud-error-debt", "tailored-services", "research-statistics"];

    /// <summary>The population's groups; a name holds an ampersand, which every output must escape.</summary>
    public static readonly (string Id, string Name)[] Groups =
        [("no-fixed-address", "No fixed address"), ("care-leavers", "Care leavers"), ("survivors", "Survivors needing address confidentiality & safety")];

    public const string Safeguard = "exclude-abuse-survivors";

    public static readonly string Contradiction = PackageMetrics.Contradiction("tailored-services", Safeguard, "fraud-error-debt");

    public const string ContradictionSentence =
        "Survivors whom tailored-services withheld from proactive contact were flagged by fraud-error-debt's matching: 135,000 people (95% interval 108,000 to 169,000).";

    /// <summary>The value left undefined (empty cells, 0 replicates).</summary>
    public static readonly (string Group, string Metric) Undefined = ("care-leavers", PackageMetrics.ExactlyRate(PackageMetrics.Benefited, 3));

    /// <summary>The value defined in only <see cref="PartReplicates"/> of the replicates.</summary>
    public static readonly (string Group, string Metric) Partial = ("care-leavers", PackageMetrics.AllRate(PackageMetrics.Harmed));

    public const int PartReplicates = 37;

    public static string[] GroupIds => ["all", .. Groups.Select(g => g.Id), "rest"];

    private static readonly double[] People = [DeclaredPopulation, 400_000, 150_000, 300_000, 66_746_281];
    private static readonly double[] HarmBase = [0.05, 0.15, 0.11, 0.08, 0.03];
    private static readonly double[] BenefitBase = [0.20, 0.08, 0.10, 0.12, 0.24];

    /// <summary>Writes a package folder under <paramref name="root"/> and returns it.</summary>
    public static string Write(string root, string description = "Three proposals under one data-sharing bill.", bool contradictions = true)
    {
        string folder = Path.Combine(root, Package + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, PackageData.ManifestFile), Manifest(description, contradictions));
        File.WriteAllText(Path.Combine(folder, PackageData.CsvFile), Csv(contradictions));
        foreach (string s in Scenarios)
        {
            Directory.CreateDirectory(Path.Combine(folder, s));
            File.WriteAllText(Path.Combine(folder, s, ReportWriter.ReportFile), $"<!DOCTYPE html><html lang=\"en\"><title>{s}</title></html>");
        }

        return folder;
    }

    /// <summary>The mean the file gives for a group and metric (NaN for the undefined value).</summary>
    public static double Mean(string group, string metric) => Values(GroupIds.ToList().IndexOf(group))[metric];

    public static string Manifest(string description, bool contradictions)
    {
        string Json(string? s) => s is null ? "null" : System.Text.Json.JsonSerializer.Serialize(s);
        var scenarios = Scenarios.Select((s, i) =>
            $$"""{ "name": "{{s}}", "strand": "{{Strands[i]}}", "file": "{{s}}.yaml", "variant": "proposal", "folder": "{{s}}", "harms": {{Json(Harms[i])}}, "benefits": {{Json(Benefits[i])}}, "exposes": {{Json(i == 0 ? "claim flagged by matching" : null)}}, "protects": {{Json(i == 1 ? "withheld from contact" : null)}} }""");
        var groups = Groups.Select(g => $$"""{ "id": "{{g.Id}}", "name": {{Json(g.Name)}} }""");
        double all = Mean("all", Contradiction);
        string contradiction = string.Create(CultureInfo.InvariantCulture,
            $$"""{ "protecting": "tailored-services", "safeguard": "{{Safeguard}}", "exposing": "fraud-error-debt", "metric": "{{Contradiction}}", "persons": { "mean": {{all:R}}, "ci_low": {{all * 0.8:R}}, "ci_high": {{all * 1.25:R}} }, "sentence": {{Json(ContradictionSentence)}} }""");
        return $$"""
            {
              "package": "{{Package}}",
              "description": {{Json(description)}},
              "engine_version": "0.25.0",
              "seed": "1", "replicates": {{Replicates}}, "persons": 200000, "declared_population": {{DeclaredPopulation}},
              "started_utc": "2026-12-02T19:00:00Z", "elapsed_seconds": 12.3,
              "population": { "file": "uk-population.yaml", "sha256": "{{new string('a', 64)}}" },
              "scenarios": [ {{string.Join(",\n    ", scenarios)}} ],
              "groups": [ {{string.Join(", ", groups)}} ],
              "contradictions": [ {{(contradictions ? contradiction : "")}} ],
              "warnings": [ "research-statistics: the extract's noise is fixed at 0 in the proposal" ],
              "files": [ "package.csv", "manifest.json", "charts/package-burden.png", "charts/package-burden.svg", "report.html" ]
            }
            """;
    }

    private static readonly string?[] Harms = ["wrongful adverse action", "intrusive contact on a sensitive inference", "exposed in a research extract"];
    private static readonly string?[] Benefits = ["overpayment recovered", "eligible person reached", null];

    public static string Csv(bool contradictions = true)
    {
        var csv = new StringBuilder(string.Join(',', PackageData.Columns)).Append('\n');
        for (int g = 0; g < GroupIds.Length; g++)
        {
            string group = GroupIds[g];
            foreach ((string metric, double mean) in Values(g))
            {
                if (!contradictions && metric.StartsWith("contradiction.", StringComparison.Ordinal))
                    continue;
                if (double.IsNaN(mean))
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{Package},{group},{metric},,,,0\n");
                    continue;
                }

                int replicates = (group, metric) == Partial ? PartReplicates : Replicates;
                csv.Append(CultureInfo.InvariantCulture, $"{Package},{group},{metric},{mean:R},{mean * 0.8:R},{mean * 1.25:R},{replicates}\n");
            }
        }

        return csv.ToString();
    }

    // Every metric of group index g with its mean, in the contract's order.
    private static Dictionary<string, double> Values(int g)
    {
        bool rest = g == GroupIds.Length - 1;
        var values = new Dictionary<string, double> { [PackageMetrics.Persons] = People[g] };
        foreach ((string kind, double[] bases) in new[] { (PackageMetrics.Harmed, HarmBase), (PackageMetrics.Benefited, BenefitBase) })
        {
            double b = bases[g], r = bases[^1];
            void Add(string rate, double share, double restShare)
            {
                string count = rate.Replace("_rate", "", StringComparison.Ordinal);
                values[count] = share * People[g];
                values[rate] = share;
                if (!rest)
                    values[PackageMetrics.RatioOf(rate)] = share / restShare;
            }

            for (int s = 0; s < Scenarios.Length; s++)
                Add(PackageMetrics.ByRate(kind, Scenarios[s]), b * (1 + 0.3 * s), r * (1 + 0.3 * s));
            double[] exactly = [b * 0.8, b * 0.15, b * 0.02], restExactly = [r * 0.8, r * 0.15, r * 0.02];
            Add(PackageMetrics.AnyRate(kind), exactly.Sum(), restExactly.Sum());
            Add(PackageMetrics.TwoOrMoreRate(kind), exactly[1] + exactly[2], restExactly[1] + restExactly[2]);
            Add(PackageMetrics.AllRate(kind), exactly[2], restExactly[2]);
            for (int n = 1; n <= Scenarios.Length; n++)
            {
                string rate = PackageMetrics.ExactlyRate(kind, n);
                values[rate.Replace("_rate", "", StringComparison.Ordinal)] = exactly[n - 1] * People[g];
                values[rate] = exactly[n - 1];
            }

            for (int a = 0; a < Scenarios.Length; a++)
            {
                for (int c = a + 1; c < Scenarios.Length; c++)
                    Add(PackageMetrics.PairRate(kind, Scenarios[a], Scenarios[c]), b * 0.05 * (a + c), r * 0.05 * (a + c));
            }
        }

        values[Contradiction] = 0.002 * People[g];
        if (GroupIds[g] == Undefined.Group)
            values[Undefined.Metric] = double.NaN;
        return values;
    }
}

/// <summary>A temporary folder for the package tests' folders, removed afterwards.</summary>
public sealed class PackageRoot : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("impact-package-tests-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the temporary folder is left for the system to clear.
        }
    }
}
