using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Worker.Output;

namespace ImpactModel.Worker.Commands;

/// <summary>What the host knows about a run that the engine does not: the files' hash, versions, timings.</summary>
public sealed record RunInfo(string ScenarioSha256, string EngineVersion, int Threads, DateTime StartedUtc, double ElapsedSeconds);

/// <summary>
/// Writes a run folder exactly as PRODUCT.md's "Interfaces" section says: <c>manifest.json</c>,
/// <c>results.csv</c>, <c>replicates.csv</c> and <c>parameters.csv</c>. Rows are written straight
/// from the <see cref="RunResult"/> as they are read (<see cref="CsvWriter"/>: invariant culture,
/// round-trip precision, an empty cell for an undefined value), never gathered into a table
/// first: replicates.csv can be gigabytes.
/// </summary>
public static class RunFolder
{
    public static readonly string[] ResultsColumns = ["scenario", "strand", "variant", "group", "metric", "mean", "ci_low", "ci_high", "replicates"];
    public static readonly string[] ReplicatesColumns = ["scenario", "variant", "group", "metric", "replicate", "value"];
    public static readonly string[] ParametersColumns = ["replicate", "parameter", "value", "source", "grade"];

    /// <summary>
    /// A sibling temporary folder of <paramref name="dir"/>: <c>DIR.partial-&lt;random&gt;-&lt;owner&gt;</c>,
    /// the owner being this process (<see cref="PartialOwner"/>), so that a folder left by a killed
    /// process can be told from one still being written.
    /// </summary>
    public static string PartialPath(string dir) =>
        $"{Path.TrimEndingDirectorySeparator(dir)}.partial-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}-{PartialOwner.Current}";

    /// <summary>Writes the four files of <paramref name="result"/> into the existing folder <paramref name="dir"/>.</summary>
    public static void Write(string dir, RunResult result, RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(result);
        WriteFile(Path.Combine(dir, "manifest.json"), w => w.Write(Manifest(result, info)));
        WriteFile(Path.Combine(dir, "results.csv"), w => WriteResults(result, w));
        WriteFile(Path.Combine(dir, "replicates.csv"), w => WriteReplicates(result, w));
        WriteFile(Path.Combine(dir, "parameters.csv"), w => WriteParameters(result, w));
    }

    /// <summary>SHA-256 (lower-case hex) over the scenario file and every file it references, in the loader's order.</summary>
    public static string ScenarioHash(Scenarios.Model.Scenario scenario, IScenarioFiles files)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string path in scenario.ReferencedFiles.DefaultIfEmpty(scenario.File))
        {
            byte[] bytes = files.Read(path).Bytes ?? throw new IOException($"'{path}' cannot be read to hash it");
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static string EngineVersion =>
        typeof(SimulationRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(SimulationRunner).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Writes <c>results.csv</c>: one line per summary row, in the result's order.</summary>
    public static void WriteResults(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(ResultsColumns);
        foreach (ResultRow row in result.Rows)
        {
            csv.Text(result.Scenario).Text(result.Strand).Text(row.Variant).Text(row.Group).Text(row.Metric)
                .Number(row.Summary.Mean).Number(row.Summary.Low).Number(row.Summary.High).Count(row.Summary.Replicates)
                .EndRow();
        }
    }

    /// <summary>Writes <c>replicates.csv</c>: every per-replicate value, series by series, replicate 0, 1, 2… within each.</summary>
    public static void WriteReplicates(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(ReplicatesColumns);
        foreach (MetricSeries series in result.Series)
        {
            for (int replicate = 0; replicate < series.Values.Length; replicate++)
            {
                csv.Text(result.Scenario).Text(series.Variant).Text(series.Group).Text(series.Metric)
                    .Count(replicate).Number(series.Values[replicate])
                    .EndRow();
            }
        }
    }

    /// <summary>Writes <c>parameters.csv</c>: every drawn parameter of every replicate.</summary>
    public static void WriteParameters(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(ParametersColumns);
        foreach (ParameterDraw draw in result.Parameters)
            csv.Count(draw.Replicate).Text(draw.Parameter).Number(draw.Value).Text(draw.Source).Text(draw.Grade).EndRow();
    }

    /// <summary>The text of <c>manifest.json</c>, ending with a line break.</summary>
    public static string Manifest(RunResult result, RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(info);
        var manifest = new RunManifest(
            result.Scenario,
            result.Strand,
            info.ScenarioSha256,
            result.Settings.Seed.ToString(CultureInfo.InvariantCulture),
            result.Settings.Replicates,
            result.Settings.Persons,
            result.DeclaredPopulation,
            result.SamplingFraction,
            result.ScaleFactor,
            info.EngineVersion,
            info.Threads,
            result.Settings.ChunkSize,
            ReplicateStatistics.IntervalDescription,
            info.StartedUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            Math.Round(info.ElapsedSeconds, 3),
            result.Groups,
            [.. result.Variants.Select(v => new ManifestVariant(
                v.Id,
                v.Kind == VariantKind.StatusQuo ? "status-quo" : "proposal",
                v.Description,
                v.LinksData,
                [.. v.EnabledSafeguards.Select(s => s.Id)],
                v.Changes))],
            result.Warnings);
        return JsonSerializer.Serialize(manifest, OutputJson.Relaxed.RunManifest) + "\n";
    }

    private static void WriteFile(string path, Action<TextWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        // A 64 KiB buffer: the CSV writers make several small writes per cell, millions of rows deep.
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
        write(writer);
    }
}
