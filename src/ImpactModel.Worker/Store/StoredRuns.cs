using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using ImpactModel.Postgres;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;
using Microsoft.Extensions.Configuration;

namespace ImpactModel.Worker.Store;

/// <summary>
/// The results store from the command line: <c>--db CONNECTION</c>, else the configured
/// <c>ConnectionStrings:Impact</c> (appsettings.json, or <c>IMPACT_CONNECTIONSTRINGS__IMPACT</c>).
/// A connection string is never printed with its password.
/// </summary>
internal static class StoreAccess
{
    public static Option<string?> Db() => new("--db")
    {
        Description = "The PostgreSQL results store, as an Npgsql connection string (Host=…;Database=…;Username=…;Password=…). " +
                      "Default: the ConnectionStrings:Impact setting (appsettings.json or IMPACT_CONNECTIONSTRINGS__IMPACT). " +
                      "Prefer the setting or a password file (Passfile=…) to a password on the command line.",
        HelpName = "CONNECTION",
    };

    /// <summary>
    /// The command line as a manifest keeps it: the value of <c>--db</c> (or <c>--db=…</c>) with its
    /// password removed, so a run folder, and the store that keeps its files, never hold a password.
    /// </summary>
    public static string[] Redacted(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var kept = new string[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            kept[i] = i > 0 && tokens[i - 1] == "--db" ? StoreConnection.Redacted(tokens[i])
                : tokens[i].StartsWith("--db=", StringComparison.Ordinal) ? "--db=" + StoreConnection.Redacted(tokens[i]["--db=".Length..])
                : tokens[i];
        }

        return kept;
    }

    /// <summary>The connection string from <c>--db</c>, else from configuration; null when there is none.</summary>
    public static string? ConnectionString(string? db, IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(db) ? StoreConnection.FromConfiguration(configuration) : db;

    /// <summary>Opens the store (migrating it), or null when none is configured.</summary>
    public static ResultStore? OpenIfConfigured(string? db, IConfiguration configuration) =>
        ConnectionString(db, configuration) is { } connection ? Open(connection) : null;

    /// <summary>Opens the store a verb needs, or refuses (exit 2) when none is configured.</summary>
    public static ResultStore Require(string? db, IConfiguration configuration, string verb) =>
        Open(ConnectionString(db, configuration)
             ?? throw new UsageException($"{verb} needs the results store: give --db CONNECTION or set ConnectionStrings:Impact (IMPACT_CONNECTIONSTRINGS__IMPACT)"));

    private static ResultStore Open(string connectionString)
    {
        try
        {
            return ResultStore.Open(connectionString, "impact");
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--db: {e.Message}");
        }
    }
}

/// <summary>Runs, their scenarios and their finished folders in the results store.</summary>
internal static class StoredRuns
{
    /// <summary>Stores the scenario (its text and every file it references, packed) once per SHA-256; its id.</summary>
    public static long SaveScenario(ResultStore store, Scenario scenario, IScenarioFiles files)
    {
        ImmutableArray<ShardInput> inputs = ShardCommand.Inputs(scenario, files);
        return store.SaveScenario(scenario.Name, scenario.Strand, RunFolder.ScenarioHash(scenario, files),
            Encoding.UTF8.GetString(inputs[0].Bytes.AsSpan()), Pack(inputs));
    }

    /// <summary>The scenario's files as one zip (the first entry is the scenario).</summary>
    public static byte[] Pack(ImmutableArray<ShardInput> inputs)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ShardInput input in inputs)
            {
                // A fixed time: the same files pack to the same bytes.
                ZipArchiveEntry entry = zip.CreateEntry(input.Path, CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using Stream stream = entry.Open();
                stream.Write(input.Bytes.AsSpan());
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The files of <see cref="Pack"/>, in order.</summary>
    public static ImmutableArray<ShardInput> Unpack(byte[] packed)
    {
        using var zip = new ZipArchive(new MemoryStream(packed), ZipArchiveMode.Read);
        return [.. zip.Entries.Select(e =>
        {
            using Stream stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return new ShardInput(e.FullName, ImmutableArray.Create(copy.ToArray()));
        })];
    }

    /// <summary>
    /// Stores a finished run: its results.csv rows (binary COPY), every file of its run folder, and
    /// its status done with a one-line headline, so <c>impact export</c> writes the same folder back.
    /// </summary>
    public static void SaveFinished(ResultStore store, long runId, RunResult result, string folder)
    {
        store.WriteResults(runId, result.Rows.Select(row => new StoredResultRow(result.Scenario, result.Strand, row.Variant, row.Group, row.Metric,
            row.Summary.Mean, row.Summary.Low, row.Summary.High, row.Summary.Replicates, row.Summary.McSe, row.Events)));
        store.WriteFiles(runId, FolderFiles(folder));
        store.SetRunStatus(runId, RunStatus.Done, headline: Headline(result));
    }

    /// <summary>Every file under <paramref name="folder"/>, by its path relative to it ('/' between folders).</summary>
    public static Dictionary<string, byte[]> FolderFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllBytes, StringComparer.Ordinal);

    /// <summary>The proposal's first headline metric for everyone, with its interval: one line for <c>impact runs</c>.</summary>
    public static string Headline(RunResult result)
    {
        ResultRow? row = result.HeadlineMetrics.Select(m => result.Rows.FirstOrDefault(r => r.Variant == VariantBuilder.Proposal && r.Group == "all" && r.Metric == m))
            .FirstOrDefault(r => r is not null);
        if (row?.Summary.Mean is not { } mean)
            return "";
        string interval = row.Summary is { Low: { } low, High: { } high } ? string.Create(CultureInfo.InvariantCulture, $" [{low:G4}, {high:G4}]") : "";
        return string.Create(CultureInfo.InvariantCulture, $"proposal {row.Metric} {mean:G4}{interval}");
    }

    /// <summary>A new run row for a scenario and settings (a local run, or shards written without a submit).</summary>
    public static NewRun NewRun(long scenarioId, Scenario scenario, RunSettings settings, int shards, int phases) =>
        new(scenarioId, settings.Seed, settings.Replicates, settings.Persons, ShardCommand.EngineVersion)
        {
            DeclaredPopulation = scenario.Population.Size,
            Shards = shards,
            Phases = phases,
            SubmittedBy = Environment.UserName,
        };
}
