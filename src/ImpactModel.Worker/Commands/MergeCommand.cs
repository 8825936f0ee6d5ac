using System.CommandLine;
using ImpactModel.Postgres;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact merge SHARDS [--out DIR] [--threads N] [--json]</c>: checks that the shared folder holds
/// every shard of every phase of one run (one scenario, seed, replicates, persons and engine), each
/// whole, and writes the run folder through the same code as <c>impact run</c>, from the shards'
/// integer tallies: <c>results.csv</c> byte-identical to one process with the same seed. A missing,
/// damaged or mismatched shard is one line naming it (all of them at once), exit 2, and nothing is written.
/// </summary>
internal static class MergeCommand
{
    public static Command Create(CliConsole console)
    {
        var shards = new Argument<string>("SHARDS")
        {
            Description = "The shared folder the shards were written into (impact run SCENARIO --shard I/N --out SHARDS); " +
                          "with the results store (--db), a run's number (impact runs) whose shards are in the store.",
        };
        var db = StoreAccess.Db();
        var output = new Option<string?>("--out")
        {
            Description = "The run folder (default runs/<scenario>-<yyyyMMdd-HHmmss>). Refused (exit 2) if it exists.",
            HelpName = "DIR",
        };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json("Write exactly one JSON object to stdout: the run folder and headline metrics with intervals.");
        var command = new Command("merge",
            "Merge every shard of a run from the shared folder into its run folder, byte-identical to one process with the same seed.")
        {
            shards, output, threads, json, db,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            string source = parse.GetRequiredValue(shards);
            using ResultStore? store = StoreAccess.OpenIfConfigured(parse.GetValue(db), host.Services.GetRequiredService<IConfiguration>());
            var request = new MergeRequest(parse.GetValue(output), parse.GetValue(threads) ?? 0, parse.GetValue(json), host.Services.GetRequiredService<StrandRegistry>(),
                parse.GetValue(ImpactCli.Verbose), store);
            if (store is not null && !Directory.Exists(source) && long.TryParse(source, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long run))
                return Task.FromResult(MergeRun(store, run, request, console, cancellationToken));
            return Task.FromResult(Merge(source, request, console, cancellationToken));
        });
        return command;
    }

    /// <summary>What a merge writes and with what: the run folder, threads, --json, the strands' models, --verbose, and the store to record the run in (null: none).</summary>
    /// <remarks><c>RemoveOnSignal</c>: false inside <c>impact serve</c>, whose host stops a merge gracefully (as <see cref="RunCommand.RunToFolder"/> says).</remarks>
    internal sealed record MergeRequest(string? Output, int Threads, bool Json, StrandRegistry Strands, bool Verbose = false, ResultStore? Store = null,
        bool RemoveOnSignal = true);

    /// <summary>Merges the shards in the shared folder <paramref name="folder"/> into a run folder (and stores the run when there is a store).</summary>
    internal static int Merge(string folder, MergeRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
            throw new UsageException($"SHARDS '{folder}' is not a folder");
        ShardEntry[] entries = [.. ShardFiles(folder).Select(path => new ShardEntry(path,
            h => Path.GetFileName(path) == ShardHeader.FileName(h.Shard, h.Shards, h.Phase) ? null
                : $"holds {h.Name}, whose file is {ShardHeader.FileName(h.Shard, h.Shards, h.Phase)}",
            () => File.OpenRead(path)))];
        if (entries.Length == 0)
        {
            console.Error.WriteLine($"impact: {folder}: no shard files (shard-…{ShardHeader.Extension}); run impact run SCENARIO --shard I/N --out {folder} first");
            return ExitCodes.InvalidInput;
        }

        using var source = new FolderShards(folder);
        return Merge(folder, folder, entries, source, null, request, console, cancellationToken);
    }

    /// <summary>Merges run <paramref name="runId"/>'s shards from the results store into a run folder, and stores the finished run.</summary>
    internal static int MergeRun(ResultStore store, long runId, MergeRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        RunRecord run = store.GetRun(runId) ?? throw new UsageException($"there is no run {runId} in the store at {store.Endpoint} (see impact runs)");
        if (run.Status == RunStatus.Done)
            throw new UsageException($"run {runId} ({run.ScenarioName}) is already merged: impact export {runId} --out DIR writes its folder");
        ShardEntry[] entries = [.. store.StoredShards(runId).Select(key => new ShardEntry($"run {runId} shard {key.Shard}/{run.Shards} phase {key.Phase}",
            h => h.Shard == key.Shard && h.Phase == key.Phase ? null : $"holds {h.Name}",
            () => new MemoryStream(store.ReadShard(runId, key.Shard, key.Phase)?.Payload ?? [], writable: false)))];
        if (entries.Length == 0)
        {
            console.Error.WriteLine($"impact: run {runId} ({run.ScenarioName}): no shard has been written yet (see impact status {runId})");
            return ExitCodes.InvalidInput;
        }

        using var source = new StoreShards(store, runId);
        return Merge($"run {runId}", null, entries, source, runId, request, console, cancellationToken);
    }

    private static int Merge(string where, string? folder, ShardEntry[] entries, IShardSource source, long? runId, MergeRequest request, CliConsole console,
        CancellationToken cancellationToken)
    {
        (ShardHeader? reference, List<string> problems) = Survey(where, entries);
        if (reference is null || problems.Count > 0)
        {
            foreach (string problem in problems)
                console.Error.WriteLine($"impact: {problem}");
            return ExitCodes.InvalidInput;
        }

        string root = Path.Combine(Path.GetFullPath(folder ?? "."), RunFolder.InputsFolder);
        var files = new StoredInputs(root, reference.Inputs);
        Scenario scenario = ShardCommand.LoadScenario(files.Scenario, files);
        IReadOnlyList<IStrandModel> models = request.Strands.For(scenario).Models;
        var settings = new RunSettings(reference.Seed, reference.Replicates, reference.Persons);
        ShardPlan plan = ShardPlan.Create(reference.Shards, reference.Replicates, reference.Persons);
        ShardHeader ours = ShardCommand.Header(scenario, files, settings, models, plan.Shard(1), 1, ShardRunner.Phases(models));
        if (ours.RunKey != (reference with { Shard = 1, Phase = 1 }).RunKey)
        {
            console.Error.WriteLine($"impact: {where}: the shards cannot be merged by this engine ({FolderShards.Difference(ours, reference)})");
            return ExitCodes.InvalidInput;
        }

        var options = new RunCommand.RunOptions([files.Scenario], request.Output, reference.Replicates, reference.Seed, reference.Persons, request.Threads,
            request.Json, request.Strands)
        {
            Verbose = request.Verbose,
            ScenarioFiles = files,
            CommandLine = ["merge", where, .. request.Output is null ? Array.Empty<string>() : ["--out", request.Output]],
        };
        string dir = request.Output ?? Path.Combine("runs", $"{scenario.Name}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}");
        if (Directory.Exists(dir) || File.Exists(dir))
            throw new UsageException($"--out '{dir}' already exists; a merge never overwrites a run folder (choose another DIR)");
        string? before = runId is { } id0 ? request.Store!.GetRun(id0)?.Status : null;
        if (runId is { } merging)
            request.Store!.SetRunStatus(merging, RunStatus.Merging);
        IReadOnlyList<RunResult> results;
        try
        {
            results = RunCommand.RunToFolder([scenario], dir, options, files, console, cancellationToken, request.RemoveOnSignal,
                (s, run, store) => ShardRunner.Merge(s, run with { Threads = request.Threads }, models, plan, source, store, cancellationToken));
        }
        catch when (runId is not null && before is not null)
        {
            request.Store!.SetRunStatus(runId.Value, before); // a merge that did not happen changes nothing
            throw;
        }

        if (request.Store is { } resultStore)
        {
            long id = runId ?? resultStore.FindOrCreateShardedRun(StoredRuns.NewRun(StoredRuns.SaveScenario(resultStore, scenario, files), scenario, settings,
                reference.Shards, reference.Phases));
            StoredRuns.SaveFinished(resultStore, id, results[0], dir);
            console.Error.WriteLine($"impact: {scenario.Name} stored as run {id} in the results store at {resultStore.Endpoint}");
        }

        return RunCommand.Summarise(dir, [scenario], results, options, console);
    }

    /// <summary>One stored shard to survey: where it is (for messages), why its header does not fit its place (null: it does), and its bytes.</summary>
    private sealed record ShardEntry(string Name, Func<ShardHeader, string?> Misplaced, Func<Stream> Open);

    /// <summary>
    /// Reads every shard file's header and checksum: the run they are of (the header of the first
    /// whole file, in name order) and every problem as one line — a damaged file, a file of another
    /// run, each missing shard and phase.
    /// </summary>
    private static (ShardHeader? Reference, List<string> Problems) Survey(string where, ShardEntry[] entries)
    {
        var problems = new List<string>();
        var headers = new List<(ShardEntry Entry, ShardHeader Header)>();
        foreach (ShardEntry entry in entries)
        {
            try
            {
                using Stream stream = entry.Open();
                if (!ShardFormat.Verify(stream, out string? damaged))
                {
                    problems.Add($"{entry.Name}: {damaged}; run that shard again");
                    continue;
                }

                stream.Position = 0;
                headers.Add((entry, ShardFormat.ReadHeader(stream)));
            }
            catch (Exception e) when (e is ShardFormatException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{entry.Name}: {e.Message}");
            }
        }

        if (headers.Count == 0)
            return (null, problems);
        // The run most shards are of (the first on a tie): the others are the mismatched ones.
        var (referenceEntry, reference) = headers.GroupBy(h => h.Header.RunKey, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).First().First();
        var present = new HashSet<(int, int)>();
        foreach ((ShardEntry entry, ShardHeader header) in headers)
        {
            if (header.RunKey != reference.RunKey)
                problems.Add($"{entry.Name}: of another run than {referenceEntry.Name} ({FolderShards.Difference(reference, header)})");
            else if (entry.Misplaced(header) is { } misplaced)
                problems.Add($"{entry.Name}: {misplaced}");
            else
                present.Add((header.Shard, header.Phase));
        }

        for (int phase = 1; phase <= reference.Phases; phase++)
        {
            for (int shard = 1; shard <= reference.Shards; shard++)
            {
                if (!present.Contains((shard, phase)))
                    problems.Add($"{where}: {(reference with { Shard = shard, Phase = phase }).Name} of '{reference.Scenario}' (seed {reference.Seed}) is missing " +
                                 $"({ShardHeader.FileName(shard, reference.Shards, phase)})");
            }
        }

        return (reference, problems);
    }

    /// <summary>The shard files in <paramref name="folder"/>, in name order (a shard being written is a dot-file, not among them).</summary>
    internal static string[] ShardFiles(string folder) =>
        [.. Directory.GetFiles(folder, "shard-*" + ShardHeader.Extension).Order(StringComparer.Ordinal)];
}
