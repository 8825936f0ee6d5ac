using System.CommandLine;
using System.Globalization;
using ImpactModel.Postgres;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// The verbs that read the results store: <c>impact runs</c> (the history, newest first, each run
/// that repeats an earlier result named as such), <c>impact status [RUN]</c> (a run's shards by
/// phase, or every run not yet done) and <c>impact export RUN --out DIR</c> (a finished run's folder,
/// written as <c>DIR.partial-…</c> and renamed).
/// </summary>
internal static class StoreCommands
{
    public static Command Runs(CliConsole console)
    {
        var db = StoreAccess.Db();
        var limit = CommonOptions.Whole("--limit", "Most runs listed, newest first (default 50).", "N", 1, 10_000, 50);
        var command = new Command("runs", "List the runs in the results store: scenario, when, seed, size, status and headline; a run that repeats " +
                                          "an earlier one (the same scenario hash, seed, replicates, persons and engine) says which.")
        {
            db, limit,
        };
        command.SetAction(parse => WithStore(parse, db, "impact runs", store =>
        {
            IReadOnlyList<RunRecord> runs = store.ListRuns(parse.GetValue(limit));
            console.Out.WriteLine("run  scenario  strand  submitted_utc  seed  replicates  persons  shards  status  headline");
            foreach (RunRecord run in runs)
            {
                // The earliest finished run of the same result, when this is not it.
                RunRecord? same = store.SameResult(run.ScenarioSha256, run.Seed, run.Replicates, run.Persons, run.EngineVersion)
                    .Where(r => r.Id != run.Id && r.Status == RunStatus.Done).MinBy(r => r.Id);
                string repeats = same is null ? "" : $"  (the same result as run {same.Id})";
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{run.Id}  {run.ScenarioName}  {run.Strand}  {run.SubmittedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {run.Seed}  {run.Replicates}  {run.Persons}  " +
                    $"{run.Shards}  {run.Status}  {(string.IsNullOrEmpty(run.Headline) ? "-" : run.Headline)}{repeats}"));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Status(CliConsole console)
    {
        var db = StoreAccess.Db();
        var run = new Argument<long?>("RUN") { Description = "The run (impact runs); omitted: every run not yet done.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show a run's progress in the results store: its shards by phase (queued, running, done, failed) and any error.")
        {
            db, run,
        };
        command.SetAction(parse => WithStore(parse, db, "impact status", store =>
        {
            IEnumerable<RunRecord> runs = parse.GetValue(run) is { } id
                ? [store.GetRun(id) ?? throw new UsageException($"there is no run {id} in the store at {store.Endpoint} (see impact runs)")]
                : store.ListRuns(1000).Where(r => r.Status != RunStatus.Done).Reverse();
            foreach (RunRecord record in runs)
            {
                ShardProgress progress = store.Progress(record.Id);
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {record.Id} {record.ScenarioName}: {record.Status}, seed {record.Seed}, {record.Replicates} replicates of {record.Persons:N0} persons in {record.Shards} shards"));
                foreach (PhaseProgress phase in progress.Phases)
                {
                    console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  phase {phase.Phase}: {phase.Done} of {phase.Shards} shards done, {phase.Running} running, {phase.Queued} queued, {phase.Failed} failed"));
                }

                if (record.Error is { Length: > 0 } error)
                    console.Out.WriteLine($"  error: {error}");
                if (!string.IsNullOrEmpty(record.Headline))
                    console.Out.WriteLine($"  {record.Headline}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Export(CliConsole console)
    {
        var db = StoreAccess.Db();
        var run = new Argument<long>("RUN") { Description = "The run (impact runs)." };
        var output = new Option<string>("--out") { Description = "The run folder to write; refused (exit 2) if it exists.", HelpName = "DIR", Required = true };
        var command = new Command("export", "Write a finished run's folder from the results store, as the run or merge that stored it wrote it.")
        {
            db, run, output,
        };
        command.SetAction(parse => WithStore(parse, db, "impact export", store =>
        {
            long id = parse.GetValue(run);
            string dir = parse.GetRequiredValue(output);
            RunRecord record = store.GetRun(id) ?? throw new UsageException($"there is no run {id} in the store at {store.Endpoint} (see impact runs)");
            if (record.Status != RunStatus.Done)
                throw new UsageException($"run {id} ({record.ScenarioName}) is {record.Status}, not done: see impact status {id}");
            if (Directory.Exists(dir) || File.Exists(dir))
                throw new UsageException($"--out '{dir}' already exists; export never overwrites a run folder (choose another DIR)");
            IReadOnlyDictionary<string, byte[]> files = store.ReadFiles(id);
            string partial = RunFolder.CreatePartial(dir);
            try
            {
                foreach ((string name, byte[] bytes) in files)
                {
                    string path = Path.GetFullPath(Path.Combine(partial, name));
                    if (!path.StartsWith(Path.GetFullPath(partial) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        throw new InvalidOperationException($"run {id} holds a file outside its folder: '{name}'");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, bytes);
                }

                Directory.Move(partial, dir);
            }
            catch
            {
                RunCommand.RemovePartial(partial);
                throw;
            }

            console.Error.WriteLine($"impact: run {id} ({record.ScenarioName}) exported: {dir}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Runs <paramref name="action"/> with the store the verb needs (refused, exit 2, when none is configured).</summary>
    private static int WithStore(ParseResult parse, Option<string?> db, string verb, Func<ResultStore, int> action)
    {
        using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
        using ResultStore store = StoreAccess.Require(parse.GetValue(db), host.Services.GetRequiredService<IConfiguration>(), verb);
        return action(store);
    }
}
