using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using Microsoft.Data.Analysis;

namespace ImpactModel.Worker.Commands;

/// <summary>What the host knows about a run that the engine does not: the files' hash, versions, timings.</summary>
public sealed record RunInfo(string ScenarioSha256, string EngineVersion, int Threads, DateTime StartedUtc, double ElapsedSeconds);

/// <summary>
/// Writes a run folder exactly as PRODUCT.md's "Interfaces" section says: <c>manifest.json</c>,
/// <c>results.csv</c>, <c>replicates.csv</c> and <c>parameters.csv</c>. Tables are built as
/// Microsoft.Data.Analysis data frames and written with invariant culture, round-trip precision
/// ("R") and an empty cell for an undefined (null) value, never NaN.
/// </summary>
public static class RunFolder
{
    public static readonly string[] ResultsColumns = ["scenario", "strand", "variant", "group", "metric", "mean", "ci_low", "ci_high", "replicates"];
    public static readonly string[] ReplicatesColumns = ["scenario", "variant", "group", "metric", "replicate", "value"];
    public static readonly string[] ParametersColumns = ["replicate", "parameter", "value", "source", "grade"];

    /// <summary>A sibling temporary folder of <paramref name="dir"/>: <c>DIR.partial-&lt;random&gt;</c>.</summary>
    public static string PartialPath(string dir) =>
        $"{Path.TrimEndingDirectorySeparator(dir)}.partial-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    /// <summary>Writes the four files of <paramref name="result"/> into the existing folder <paramref name="dir"/>.</summary>
    public static void Write(string dir, RunResult result, RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(result);
        WriteFile(Path.Combine(dir, "manifest.json"), w => w.Write(Manifest(result, info)));
        WriteFile(Path.Combine(dir, "results.csv"), w => WriteCsv(Results(result), w));
        WriteFile(Path.Combine(dir, "replicates.csv"), w => WriteCsv(Replicates(result), w));
        WriteFile(Path.Combine(dir, "parameters.csv"), w => WriteCsv(Parameters(result), w));
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

    public static DataFrame Results(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Rows;
        return new DataFrame(
            new StringDataFrameColumn("scenario", rows.Select(_ => result.Scenario)),
            new StringDataFrameColumn("strand", rows.Select(_ => result.Strand)),
            new StringDataFrameColumn("variant", rows.Select(r => r.Variant)),
            new StringDataFrameColumn("group", rows.Select(r => r.Group)),
            new StringDataFrameColumn("metric", rows.Select(r => r.Metric)),
            new DoubleDataFrameColumn("mean", rows.Select(r => r.Summary.Mean)),
            new DoubleDataFrameColumn("ci_low", rows.Select(r => r.Summary.Low)),
            new DoubleDataFrameColumn("ci_high", rows.Select(r => r.Summary.High)),
            new Int32DataFrameColumn("replicates", rows.Select(r => (int?)r.Summary.Replicates)));
    }

    public static DataFrame Replicates(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var cells = result.Series.SelectMany(s => s.Values.Select((v, r) => (s, r, v))).ToList();
        return new DataFrame(
            new StringDataFrameColumn("scenario", cells.Select(_ => result.Scenario)),
            new StringDataFrameColumn("variant", cells.Select(c => c.s.Variant)),
            new StringDataFrameColumn("group", cells.Select(c => c.s.Group)),
            new StringDataFrameColumn("metric", cells.Select(c => c.s.Metric)),
            new Int32DataFrameColumn("replicate", cells.Select(c => (int?)c.r)),
            new DoubleDataFrameColumn("value", cells.Select(c => c.v)));
    }

    public static DataFrame Parameters(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var draws = result.Parameters;
        return new DataFrame(
            new Int32DataFrameColumn("replicate", draws.Select(d => (int?)d.Replicate)),
            new StringDataFrameColumn("parameter", draws.Select(d => d.Parameter)),
            new DoubleDataFrameColumn("value", draws.Select(d => (double?)d.Value)),
            new StringDataFrameColumn("source", draws.Select(d => d.Source)),
            new StringDataFrameColumn("grade", draws.Select(d => d.Grade)));
    }

    /// <summary>
    /// Writes a data frame as CSV: a header of the column names, one line per row, "\n" line ends.
    /// Numbers invariant with round-trip precision, null as an empty cell. A text cell holding a
    /// comma, quote or line break is quoted (RFC 4180); ids never need it, but sources may.
    /// </summary>
    public static void WriteCsv(DataFrame frame, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', frame.Columns.Select(c => c.Name)));
        writer.Write('\n');
        var line = new StringBuilder();
        for (long row = 0; row < frame.Rows.Count; row++)
        {
            line.Clear();
            for (int c = 0; c < frame.Columns.Count; c++)
            {
                if (c > 0)
                    line.Append(',');
                line.Append(Cell(frame.Columns[c][row]));
            }

            line.Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>A number in invariant culture with round-trip precision; null or a non-finite number as empty.</summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s when s.AsSpan().IndexOfAny(",\"\n\r") >= 0 => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Manifest(RunResult result, RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(info);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("scenario", result.Scenario);
            w.WriteString("strand", result.Strand);
            w.WriteString("scenario_sha256", info.ScenarioSha256);
            w.WriteString("seed", result.Settings.Seed.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("replicates", result.Settings.Replicates);
            w.WriteNumber("population", result.Settings.Persons);
            w.WriteNumber("declared_population", result.DeclaredPopulation);
            w.WriteNumber("sampling_fraction", result.SamplingFraction);
            w.WriteNumber("scale_factor", result.ScaleFactor);
            w.WriteString("engine_version", info.EngineVersion);
            w.WriteNumber("threads", info.Threads);
            w.WriteNumber("chunk_size", result.Settings.ChunkSize);
            w.WriteString("interval", ReplicateStatistics.IntervalDescription);
            w.WriteString("started_utc", info.StartedUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            w.WriteNumber("elapsed_seconds", Math.Round(info.ElapsedSeconds, 3));
            w.WriteStartArray("groups");
            foreach (string g in result.Groups)
                w.WriteStringValue(g);
            w.WriteEndArray();
            w.WriteStartArray("variants");
            foreach (SimulationVariant v in result.Variants)
            {
                w.WriteStartObject();
                w.WriteString("id", v.Id);
                w.WriteString("kind", v.Kind == VariantKind.StatusQuo ? "status-quo" : "proposal");
                w.WriteString("description", v.Description);
                w.WriteBoolean("links_data", v.LinksData);
                w.WriteStartArray("safeguards_on");
                foreach (var s in v.EnabledSafeguards)
                    w.WriteStringValue(s.Id);
                w.WriteEndArray();
                w.WriteStartArray("changes");
                foreach (string c in v.Changes)
                    w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("warnings");
            foreach (string warning in result.Warnings)
                w.WriteStringValue(warning);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteFile(string path, Action<TextWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        write(writer);
    }
}
