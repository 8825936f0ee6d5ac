using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Output;
using ImpactModel.Reporting;
using ImpactModel.Review;

namespace ImpactModel.Worker.Commands;

/// <summary>What the host knows about a run that the engine does not: the files' hash, versions, timings, and the basis of its money (from the scenario).</summary>
public sealed record RunInfo(string ScenarioSha256, string EngineVersion, int Threads, DateTime StartedUtc, double ElapsedSeconds, MoneyBasis Money)
{
    /// <summary>The command line the run was made with (arguments after the executable), or null.</summary>
    public IReadOnlyList<string>? CommandLine { get; init; }

    /// <summary>The folder's copy of the scenario, relative to the folder (<see cref="RunFolder.KeepInputs"/>), or null.</summary>
    public string? InputsScenario { get; init; }
}

/// <summary>
/// Writes a run folder exactly as PRODUCT.md's "Interfaces" section says: <c>manifest.json</c>,
/// <c>results.csv</c>, <c>replicates.csv</c> and <c>parameters.csv</c>. Rows are written straight
/// from the <see cref="RunResult"/> as they are read (<see cref="CsvWriter"/>: invariant culture,
/// round-trip precision, an empty cell for an undefined value), never gathered into a table
/// first: replicates.csv can be gigabytes.
/// </summary>
public static class RunFolder
{
    public static readonly string[] ResultsColumns =
        ["scenario", "strand", "variant", "group", "metric", "mean", "ci_low", "ci_high", "replicates", "mc_se", "events"];
    public static readonly string[] ReplicatesColumns = ["scenario", "variant", "group", "metric", "replicate", "value"];
    public static readonly string[] ParametersColumns = ["replicate", "parameter", "value", "source", "grade"];
    public static readonly string[] SafeguardsColumns = ["scenario", "strand", "safeguard", "effect", "group", "metric", "mean", "ci_low", "ci_high", "replicates"];
    public static readonly string[] PrinciplesColumns = ["scenario", "principle", "safeguard"];
    public static readonly string[] SensitivityColumns = ["scenario", "strand", "parameter", "metric", "low", "high", "swing", "rank", "spearman", "switching_value"];
    public static readonly string[] EvidenceColumns = ["scenario", "parameter", "value", "source", "grade", "sensitivity_rank"];

    /// <summary>
    /// A sibling temporary folder of <paramref name="dir"/>: <c>DIR.partial-&lt;random&gt;-&lt;owner&gt;</c>,
    /// the owner being this process (<see cref="PartialOwner"/>), so that a folder left by a killed
    /// process can be told from one still being written.
    /// </summary>
    public static string PartialPath(string dir) =>
        $"{Path.TrimEndingDirectorySeparator(dir)}.partial-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}-{PartialOwner.Current}";

    /// <summary>
    /// Creates the partial folder of <paramref name="dir"/> (<see cref="PartialPath"/>) and any missing
    /// parent folders, and returns its path. A <paramref name="dir"/> where no folder can be created is
    /// a <see cref="UsageException"/> naming it and the reason: an empty or invalid path, a parent that
    /// is a file, no permission, a read-only or virtual file system.
    /// </summary>
    public static string CreatePartial(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        if (string.IsNullOrWhiteSpace(dir))
            throw Unusable(dir, "the path is empty");
        string full;
        try
        {
            full = Path.GetFullPath(dir);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Unusable(dir, "it is not a valid path");
        }

        // The system's message for a parent that is a file ("file exists") does not say which one is.
        for (string? ancestor = Path.GetDirectoryName(full); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
                throw Unusable(dir, $"'{ancestor}' is a file, not a folder");
        }

        string partial = PartialPath(dir);
        try
        {
            if (Path.GetDirectoryName(full) is { } parent)
                Directory.CreateDirectory(parent);
            Directory.CreateDirectory(partial);
            return partial;
        }
        catch (UnauthorizedAccessException)
        {
            throw Unusable(dir, "permission denied");
        }
        catch (IOException e)
        {
            throw Unusable(dir, e.Message);
        }
    }

    private static UsageException Unusable(string dir, string reason) =>
        new($"--out '{dir}': cannot create the run folder there: {reason}");


    /// <summary>The spill file of per-replicate values (<see cref="FileReplicateStore"/>), kept in the run folder only without <c>replicates.csv</c>.</summary>
    public const string SpillFile = "replicates.bin";

    /// <summary>With <see cref="SpillFile"/>: what each of its columns is (<c>column,kind,variant,group,metric</c>; kind <c>series</c> or <c>parameter</c>).</summary>
    public const string SpillColumnsFile = "replicates-columns.csv";

    /// <summary>
    /// Writes the files of <paramref name="result"/> into the existing folder <paramref name="dir"/>:
    /// manifest.json, results.csv, parameters.csv, and replicates.csv when <paramref name="replicatesCsv"/>,
    /// otherwise the columns file of the spill file (<see cref="SpillFile"/>), which then stays; and
    /// with <paramref name="review"/>, the review view: safeguards.csv, principles.csv, sensitivity.csv and evidence.csv.
    /// </summary>
    public static void Write(string dir, RunResult result, RunInfo info, bool replicatesCsv = true, RunReview? review = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        WriteFile(Path.Combine(dir, "manifest.json"), w => w.Write(Manifest(result, info)));
        WriteFile(Path.Combine(dir, "results.csv"), w => WriteResults(result, w));
        WriteFile(Path.Combine(dir, "parameters.csv"), w => WriteParameters(result, w));
        if (replicatesCsv)
            WriteFile(Path.Combine(dir, "replicates.csv"), w => WriteReplicates(result, w));
        else
            WriteFile(Path.Combine(dir, SpillColumnsFile), w => WriteSpillColumns(result, w));
        if (review is not null)
            WriteReview(dir, result, review);
    }

    /// <summary>Writes the review view's files of <paramref name="result"/>: safeguards.csv, principles.csv, sensitivity.csv and evidence.csv.</summary>
    public static void WriteReview(string dir, RunResult result, RunReview review)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(review);
        WriteFile(Path.Combine(dir, "safeguards.csv"), w => WriteSafeguards(result, review, w));
        WriteFile(Path.Combine(dir, "principles.csv"), w => WritePrinciples(result, review, w));
        WriteFile(Path.Combine(dir, "sensitivity.csv"), w => WriteSensitivity(result, review, w));
        WriteFile(Path.Combine(dir, "evidence.csv"), w => WriteEvidence(result, review, w));
    }

    /// <summary>Writes <c>safeguards.csv</c>: every safeguard's paired marginal and solo effects.</summary>
    public static void WriteSafeguards(RunResult result, RunReview review, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(review);
        var csv = new CsvWriter(writer);
        csv.Header(SafeguardsColumns);
        foreach (SafeguardEffectRow row in review.Safeguards)
        {
            csv.Text(result.Scenario).Text(result.Strand).Text(row.Safeguard).Text(row.EffectId).Text(row.Group).Text(row.Metric)
                .Number(row.Summary.Mean).Number(row.Summary.Low).Number(row.Summary.High).Count(row.Summary.Replicates).EndRow();
        }
    }

    /// <summary>Writes <c>principles.csv</c>: each principle with each safeguard serving it, or an empty safeguard when none does.</summary>
    public static void WritePrinciples(RunResult result, RunReview review, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(review);
        var csv = new CsvWriter(writer);
        csv.Header(PrinciplesColumns);
        foreach (ImpactModel.Review.PrincipleRow row in review.Principles)
            csv.Text(result.Scenario).Text(row.Principle).Text(row.Safeguard).EndRow();
    }

    /// <summary>Writes <c>sensitivity.csv</c>: per headline metric, each uncertain parameter's swing, rank, rank correlation and switching value.</summary>
    public static void WriteSensitivity(RunResult result, RunReview review, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(review);
        var csv = new CsvWriter(writer);
        csv.Header(SensitivityColumns);
        foreach (SensitivityRow row in review.Sensitivity)
        {
            csv.Text(result.Scenario).Text(result.Strand).Text(row.Parameter).Text(row.Metric).Number(row.Low).Number(row.High).Number(row.Swing);
            (row.Rank is { } rank ? csv.Count(rank) : csv.Text(null)).Number(row.Spearman).Number(row.SwitchingValue).EndRow();
        }
    }

    /// <summary>Writes <c>evidence.csv</c>: every parameter as declared, with its source, grade and best sensitivity rank.</summary>
    public static void WriteEvidence(RunResult result, RunReview review, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(review);
        var csv = new CsvWriter(writer);
        csv.Header(EvidenceColumns);
        foreach (EvidenceRow row in review.Evidence)
        {
            csv.Text(result.Scenario).Text(row.Parameter).Text(row.Value).Text(row.Source).Text(row.Grade);
            (row.SensitivityRank is { } rank ? csv.Count(rank) : csv.Text(null)).EndRow();
        }
    }

    /// <summary>Writes the columns of the spill file: the series in order, then the parameters.</summary>
    public static void WriteSpillColumns(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(["column", "kind", "variant", "group", "metric"]);
        int column = 0;
        foreach (SeriesKey key in result.SeriesKeys)
            csv.Count(column++).Text("series").Text(key.Variant).Text(key.Group).Text(key.Metric).EndRow();
        foreach (ParameterKey key in result.ParameterKeys)
            csv.Count(column++).Text("parameter").Text("").Text("").Text(key.Parameter).EndRow();
    }

    /// <summary>The folder inside a run folder that keeps the scenario and every file it references.</summary>
    public const string InputsFolder = "inputs";

    /// <summary>
    /// Copies the scenario and every file it references into <c>inputs/</c> of <paramref name="folder"/>,
    /// each at its path relative to the deepest folder holding them all, so the copy's references still
    /// resolve: <c>impact run FOLDER/inputs/SCENARIO</c> with the manifest's seed repeats the run.
    /// Returns the copy of the scenario, relative to <paramref name="folder"/>.
    /// </summary>
    public static string KeepInputs(string folder, Scenarios.Model.Scenario scenario, IScenarioFiles files)
    {
        IReadOnlyList<(string Path, byte[] Bytes)> inputs = Inputs(scenario, files);
        foreach ((string path, byte[] bytes) in inputs)
        {
            string copy = Path.Combine(folder, InputsFolder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.WriteAllBytes(copy, bytes);
        }

        return Path.Combine(InputsFolder, inputs[0].Path);
    }

    /// <summary>
    /// The scenario (first) and every file it references, each with its bytes as <paramref name="files"/>
    /// reads them and its path relative to the deepest folder holding them all (so references between
    /// them still resolve wherever they are laid out: a run folder's <c>inputs/</c>, a shard, the store).
    /// </summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> Inputs(Scenarios.Model.Scenario scenario, IScenarioFiles files)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(files);
        // Read each file by the path the loader used (a host's files may map it, as serve's inbox does); lay out the copies by full path.
        string[] kept = [.. new[] { scenario.File }.Concat(scenario.ReferencedFiles).DistinctBy(Path.GetFullPath, StringComparer.Ordinal)];
        string[] paths = [.. kept.Select(Path.GetFullPath)];
        string root = Path.GetDirectoryName(paths[0])!;
        while (!paths.All(p => p.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            root = Path.GetDirectoryName(root)!;
        return [.. kept.Select((file, i) => (Path.GetRelativePath(root, paths[i]),
            files.Read(file).Bytes ?? throw new IOException($"'{file}' cannot be read to keep it with the run")))];
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

    /// <summary>The commit the engine was built from (the informational version's build metadata), or null.</summary>
    public static string? EngineCommit =>
        typeof(SimulationRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+') is [_, var commit, ..]
            ? commit
            : null;

    public static string EngineVersion =>
        typeof(SimulationRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(SimulationRunner).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Writes <c>results.csv</c>: one line per summary row, in the result's order; <c>mc_se</c> empty with fewer
    /// than 2 defined values, <c>events</c> empty when the metric names no events (money by default).
    /// </summary>
    public static void WriteResults(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(ResultsColumns);
        foreach (ResultRow row in result.Rows)
        {
            csv.Text(result.Scenario).Text(result.Strand).Text(row.Variant).Text(row.Group).Text(row.Metric)
                .Number(row.Summary.Mean).Number(row.Summary.Low).Number(row.Summary.High).Count(row.Summary.Replicates)
                .Number(row.Summary.McSe);
            if (row.Events is { } events)
                csv.Count(events);
            else
                csv.Text(null);
            csv.EndRow();
        }
    }

    /// <summary>
    /// Writes <c>replicates.csv</c>: every per-replicate value, series by series, replicate 0, 1, 2…
    /// within each, read from the result's store in blocks of bounded size (never all at once).
    /// </summary>
    public static void WriteReplicates(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(ReplicatesColumns);
        ReplicateStores.ForEachColumn(result.Values, 0, result.SeriesKeys.Count, (i, values) =>
        {
            SeriesKey key = result.SeriesKeys[i];
            for (int replicate = 0; replicate < values.Length; replicate++)
            {
                csv.Text(result.Scenario).Text(key.Variant).Text(key.Group).Text(key.Metric)
                    .Count(replicate).Number(values[replicate])
                    .EndRow();
            }
        });
    }

    /// <summary>Writes <c>parameters.csv</c>: every drawn parameter of every replicate.</summary>
    public static void WriteParameters(RunResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new CsvWriter(writer);
        csv.Header(ParametersColumns);
        // Read replicate by replicate from the store (RunResult.Parameters streams them).
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
            EngineCommit,
            info.InputsScenario?.Replace('\\', '/'),
            info.CommandLine,
            info.Threads,
            result.Settings.ChunkSize,
            ReplicateStatistics.IntervalDescription,
            info.StartedUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            Math.Round(info.ElapsedSeconds, 3),
            info.Money.ToManifest(),
            result.Uncertainty,
            result.Groups,
            [.. result.Variants.Select(v => new ManifestVariant(
                v.Id,
                v.Kind == VariantKind.StatusQuo ? "status-quo" : "proposal",
                v.Description,
                v.LinksData,
                [.. v.EnabledSafeguards.Select(s => s.Id)],
                v.Changes))],
            MetricUnits.Manifest(result, info.Money),
            result.Warnings);
        return JsonSerializer.Serialize(manifest, OutputJson.Relaxed.RunManifest) + "\n";
    }

    /// <summary>Writes a new file (never over an existing one) as UTF-8 without a byte-order mark, through a 64 KiB buffer.</summary>
    internal static void WriteFile(string path, Action<TextWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        // A 64 KiB buffer: the CSV writers make several small writes per cell, millions of rows deep.
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
        write(writer);
    }
}
