using System.Globalization;
using System.Text.Json;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Reporting;

/// <summary>A folder that is not a finished run folder, or one whose files cannot be read (pilot.csv too: <see cref="PilotTable"/>); the message is one line naming it.</summary>
public sealed class RunFolderException(string message) : Exception(message);

/// <summary>
/// Reads a finished run folder (PRODUCT.md, "Run folder") into <see cref="RunData"/>: its manifest,
/// <c>results.csv</c> (columns exactly as the contract gives them), <c>parameters.csv</c> summarised
/// per parameter while it streams (it grows with replicates), the review view's four files when the
/// folder has them (<see cref="ReadReview"/>), and the scenario kept under <c>inputs/</c>. A folder that is not one — missing, still being written (<c>.partial-</c>), no
/// manifest, a CSV that does not parse — is a <see cref="RunFolderException"/> naming it.
/// </summary>
public static partial class RunFolderReader
{
    /// <summary>The columns of results.csv, in order (PRODUCT.md).</summary>
    public static readonly string[] ResultsColumns =
        ["scenario", "strand", "variant", "group", "metric", "mean", "ci_low", "ci_high", "replicates", "mc_se", "events"];

    private static readonly string[] ParametersColumns = ["replicate", "parameter", "value", "source", "grade"];

    /// <summary>
    /// Reads the run folder <paramref name="folder"/>; <paramref name="files"/> reads its kept scenario.
    /// <paramref name="beingWritten"/>: the run's own partial folder, read to write its report before it is renamed.
    /// <paramref name="keptScenario"/>: the scenario the run was made from, loaded from the very bytes the
    /// folder keeps (<c>impact run</c> has it): taken in place of loading the kept copy again, when the
    /// manifest names one. Null loads the kept copy.
    /// </summary>
    public static RunData Read(string folder, IScenarioFiles files, bool beingWritten = false, Scenario? keptScenario = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(files);
        if (!beingWritten && Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)).Contains(".partial-", StringComparison.Ordinal))
            throw new RunFolderException($"'{folder}' is a run still being written (or left by one that failed), not a finished run folder");
        if (!Directory.Exists(folder))
            throw new RunFolderException(File.Exists(folder) ? $"'{folder}' is a file, not a run folder" : $"'{folder}': no such run folder");
        string manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
            throw new RunFolderException($"'{folder}' is not a finished run folder: it has no manifest.json");
        RunManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(manifestPath), ReportJson.Default.RunManifest)
                ?? throw new RunFolderException($"'{manifestPath}': the manifest is empty");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunFolderException($"'{manifestPath}': not a run manifest: {Line(e.Message)}");
        }

        if (string.IsNullOrEmpty(manifest.Scenario) || string.IsNullOrEmpty(manifest.Strand) || manifest.Variants is null || manifest.Metrics is null
            || manifest.Groups is null || manifest.Basis is null || manifest.Warnings is null || string.IsNullOrEmpty(manifest.Seed) || manifest.EngineVersion is null
            || manifest.Variants.Any(v => v is null || string.IsNullOrEmpty(v.Id)) || manifest.Metrics.Any(m => m is null || string.IsNullOrEmpty(m.Name)))
            throw new RunFolderException($"'{manifestPath}': not a run manifest: it lacks the scenario, strand, seed, engine version, basis, groups, variants, metrics or warnings");
        // The review's files and the kept scenario are read on the thread pool while the results are
        // read here; a problem is reported as reading them in turn would: results, parameters, review.
        Task<ReviewData> review = Task.Run(() => ReadReview(folder, manifest.Scenario));
        Task<Scenario?> scenario = manifest.InputsScenario is null ? Task.FromResult<Scenario?>(null)
            : keptScenario is not null ? Task.FromResult<Scenario?>(keptScenario)
            : Task.Run(() => ScenarioLoader.Load(Path.Combine(folder, manifest.InputsScenario), files).Scenario); // a kept copy that no longer loads only loses the labels and descriptions
        IReadOnlyList<ResultLine> results;
        IReadOnlyList<ParameterLine> parameters;
        try
        {
            results = ReadResults(Path.Combine(folder, "results.csv"), manifest);
            parameters = ReadParameters(Path.Combine(folder, "parameters.csv"));
        }
        catch
        {
            TaskWaits.Quietly([review, scenario]); // nothing is left reading the folder behind this error
            throw;
        }

        TaskWaits.Quietly([review, scenario]);
        return new RunData(folder, manifest, results, parameters, scenario.GetAwaiter().GetResult(), review.GetAwaiter().GetResult());
    }

    private static List<ResultLine> ReadResults(string path, RunManifest manifest)
    {
        var rows = new List<ResultLine>();
        var seen = new HashSet<(string, string, string)>();
        int line = 0;
        try
        {
            using var reader = new StreamReader(path);
            string? header = reader.ReadLine();
            line = 1;
            if (header != string.Join(',', ResultsColumns))
                throw new RunFolderException($"{path}:1: expected the header '{string.Join(',', ResultsColumns)}'");
            // The fields as ranges of the line, the names made into strings once each (a run's results are
            // thousands of rows of a few variants, groups and metrics), the numbers parsed where they lie.
            var names = new FieldNames();
            Span<Range> at = stackalloc Range[ResultsColumns.Length + 1];
            for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
            {
                line++;
                ReadOnlySpan<char> row = text;
                if (row.Split(at, ',') != ResultsColumns.Length)
                    throw new RunFolderException($"{path}:{line}: expected {ResultsColumns.Length} fields, found {row.Count(',') + 1}");
                if (!row[at[0]].SequenceEqual(manifest.Scenario))
                    throw new RunFolderException($"{path}:{line}: scenario '{row[at[0]]}' is not the manifest's '{manifest.Scenario}'");
                string variant = names.Of(row[at[2]]), group = names.Of(row[at[3]]), metric = names.Of(row[at[4]]);
                if (!seen.Add((variant, group, metric)))
                    throw new RunFolderException($"{path}:{line}: a second row for variant '{variant}', group '{group}', metric '{metric}'");
                long replicates = Whole(row[at[8]], path, line) ?? 0;
                if (replicates is < 0 or > int.MaxValue)
                    throw new RunFolderException($"{path}:{line}: replicates '{row[at[8]]}' is out of range");
                rows.Add(new ResultLine(variant, group, metric, Number(row[at[5]], path, line), Number(row[at[6]], path, line),
                    Number(row[at[7]], path, line), (int)replicates, Number(row[at[9]], path, line), Whole(row[at[10]], path, line)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"'{path}': cannot be read: {Line(e.Message)}");
        }

        return rows;
    }

    private static IReadOnlyList<ParameterLine> ReadParameters(string path)
    {
        if (!File.Exists(path))
            return [];
        var order = new List<string>();
        var sums = new Dictionary<string, (double Sum, double Low, double High, long N, string? Source, string Grade)>(StringComparer.Ordinal);
        int line = 0;
        try
        {
            using var reader = new StreamReader(path);
            line = 1;
            if (reader.ReadLine() != string.Join(',', ParametersColumns))
                throw new RunFolderException($"{path}:1: expected the header '{string.Join(',', ParametersColumns)}'");
            for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
            {
                line++;
                while (text.AsSpan().Count('"') % 2 == 1 && reader.ReadLine() is { } more)
                {
                    text += "\n" + more; // a quoted source holding a line break (shown as \n whatever the file's line ends)
                    line++;
                }

                // The source is free text and may hold commas (CsvWriter quotes it): the value and parameter come first, the grade last.
                int first = text.IndexOf(','), second = first < 0 ? -1 : text.IndexOf(',', first + 1), third = second < 0 ? -1 : text.IndexOf(',', second + 1);
                int last = text.LastIndexOf(',');
                if (third < 0 || last <= third)
                    throw new RunFolderException($"{path}:{line}: expected {ParametersColumns.Length} fields");
                string parameter = text[(first + 1)..second];
                double value = Number(text[(second + 1)..third], path, line) ?? double.NaN;
                string source = Unquote(text[(third + 1)..last]);
                string grade = text[(last + 1)..];
                if (!sums.TryGetValue(parameter, out var s))
                {
                    order.Add(parameter);
                    s = (0, double.PositiveInfinity, double.NegativeInfinity, 0, source.Length == 0 ? null : source, grade);
                }

                sums[parameter] = (s.Sum + value, Math.Min(s.Low, value), Math.Max(s.High, value), s.N + 1, s.Source, s.Grade);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"'{path}': cannot be read: {Line(e.Message)}");
        }

        return [.. order.Select(p => sums[p] is var s ? new ParameterLine(p, s.Sum / s.N, s.Low, s.High, s.Source, s.Grade) : null!)];
    }

    private static string Unquote(string field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : field;

    internal static double? Number(string text, string path, int line) => Number(text.AsSpan(), path, line);

    internal static double? Number(ReadOnlySpan<char> text, string path, int line)
    {
        if (text.Length == 0)
            return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new RunFolderException($"{path}:{line}: '{Line(text.ToString())}' is not a number");
    }

    internal static long? Whole(string text, string path, int line) => Whole(text.AsSpan(), path, line);

    internal static long? Whole(ReadOnlySpan<char> text, string path, int line)
    {
        if (text.Length == 0)
            return null;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new RunFolderException($"{path}:{line}: '{Line(text.ToString())}' is not a whole number");
    }

    internal static string Line(string message) => message.ReplaceLineEndings(" ");
}
