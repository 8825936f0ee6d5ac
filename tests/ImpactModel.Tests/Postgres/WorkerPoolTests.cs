using System.Diagnostics;
using System.Globalization;
using ImpactModel.Postgres;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Support;
using Npgsql;

namespace ImpactModel.Tests.Postgres;

/// <summary>
/// The worker pool against a real server and real processes (issue 24): three <c>impact serve</c>
/// workers share a submitted run and its folder is byte-identical to one process; a worker killed
/// with SIGKILL mid-shard and a server restarted mid-run still give every shard once and the same
/// results; a shard that always fails ends failed with its error, and so does its run; an invalid
/// scenario is refused at submit with its position and nothing is written.
/// </summary>
[Collection(PostgresServerDefinition.Name)]
public sealed class WorkerPoolTests(PostgresServer server) : IDisposable
{
    private static readonly string Fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");

    /// <summary>A run of a pool's test must end well within this, on a loaded machine (a lost worker's shard returns after 60 s).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(6);

    private readonly string _dir = Directory.CreateTempSubdirectory("impact-pool-").FullName;
    private readonly List<ImpactProcess> _workers = [];

    public void Dispose()
    {
        foreach (ImpactProcess worker in _workers)
            worker.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string In(string name) => Path.Combine(_dir, name);

    private ImpactProcess Worker(string db, string name)
    {
        Directory.CreateDirectory(In(name));
        // A lease of 15 s (60 s by default): a killed worker's shard returns sooner, and the suite stays short.
        ImpactProcess worker = ImpactProcess.Start(In(name), "serve", "--db", db, "--inbox", In(name + "/inbox"), "--outbox", In(name + "/outbox"),
            "--set", "Serve:PoolLeaseSeconds=15");
        _workers.Add(worker);
        return worker;
    }

    private static long Submit(string db, params string[] options)
    {
        CliRun submit = CliRun.Of(["submit", Fraud, "--db", db, .. options]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        return long.Parse(submit.Out.Trim(), CultureInfo.InvariantCulture);
    }

    private static RunRecord WaitForEnd(string db, long runId, Action? meanwhile = null)
    {
        using ResultStore store = ResultStore.Open(db);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            try
            {
                meanwhile?.Invoke();
                RunRecord run = store.GetRun(runId)!;
                if (run.Status is RunStatus.Done or RunStatus.Failed)
                    return run;
            }
            catch (StoreUnavailableException)
            {
                // The server restarting under the test's own watch: look again.
            }

            Thread.Sleep(500);
        }

        Assert.Fail($"run {runId} did not end within {Patience}: {store.GetRun(runId)!.Status}, {string.Join(", ", store.Progress(runId).Phases)}\n{Diagnosis(db, runId)}");
        return null!;
    }

    /// <summary>The shards' rows and Hangfire's jobs with their last states, for a run that did not end.</summary>
    private static string Diagnosis(string db, long runId)
    {
        var lines = new List<string>();
        using var connection = new NpgsqlConnection(db);
        connection.Open();
        using (var shards = new NpgsqlCommand("select shard, phase, status, attempts, coalesce(error, ''), coalesce(worker, '') from impact.shards where run_id = @run order by shard", connection))
        {
            shards.Parameters.AddWithValue("run", runId);
            using var reader = shards.ExecuteReader();
            while (reader.Read())
                lines.Add($"shard {reader.GetInt32(0)} phase {reader.GetInt32(1)}: {reader.GetString(2)}, attempts {reader.GetInt32(3)}, worker {reader.GetString(5)}, error {reader.GetString(4)}");
        }

        using (var jobs = new NpgsqlCommand(
                   "select j.id, j.statename, j.arguments, (select string_agg(s.name || ':' || coalesce(s.reason, ''), ' > ' order by s.id) from hangfire.state s where s.jobid = j.id) " +
                   "from hangfire.job j order by j.id", connection))
        {
            using var reader = jobs.ExecuteReader();
            while (reader.Read())
                lines.Add($"job {reader.GetInt64(0)} {reader.GetString(1)} {reader.GetString(2)}: {(reader.IsDBNull(3) ? "" : reader.GetString(3))}");
        }

        return string.Join("\n", lines);
    }

    private string Local(params string[] size)
    {
        CliRun local = CliRun.Of(["run", Fraud, .. size, "--out", In("local")]);
        Assert.True(local.ExitCode == 0, local.Error);
        return Path.Combine(In("local"), "results.csv");
    }

    private byte[] Exported(string db, long runId)
    {
        CliRun export = CliRun.Of("export", runId.ToString(CultureInfo.InvariantCulture), "--out", In($"exported-{runId}"), "--db", db);
        Assert.True(export.ExitCode == 0, export.Error);
        return File.ReadAllBytes(Path.Combine(In($"exported-{runId}"), "results.csv"));
    }

    [Fact]
    public void Three_workers_share_a_submitted_run_and_its_folder_is_that_of_one_process()
    {
        string db = server.NewDatabase();
        string[] size = ["--replicates", "6", "--population", "20000", "--seed", "31"];
        long runId = Submit(db, [.. size, "--shards", "6"]);
        for (int w = 0; w < 3; w++)
            Worker(db, $"w{w}");
        RunRecord run = WaitForEnd(db, runId);
        Assert.True(run.Status == RunStatus.Done, run.Error);
        Assert.Equal(File.ReadAllBytes(Local(size)), Exported(db, runId));

        using ResultStore store = ResultStore.Open(db);
        Assert.Equal(6, store.StoredShards(runId).Count);
        using var connection = new NpgsqlConnection(db);
        connection.Open();
        using var workers = new NpgsqlCommand("select count(distinct worker) from impact.shards where run_id = @run", connection);
        workers.Parameters.AddWithValue("run", runId);
        Assert.True((long)workers.ExecuteScalar()! >= 2, "the shards were shared by more than one worker");
    }

    [Fact]
    public void A_worker_killed_mid_shard_loses_it_to_another_and_every_shard_counts_once()
    {
        string db = server.NewDatabase();
        // Shards long enough to be caught running (a few seconds each on a loaded machine).
        string[] size = ["--replicates", "4", "--population", "1500000", "--seed", "32"];
        long runId = Submit(db, [.. size, "--shards", "4"]);
        ImpactProcess doomed = Worker(db, "doomed");
        using (ResultStore store = ResultStore.Open(db))
        {
            var clock = Stopwatch.StartNew();
            while (!store.Progress(runId).Phases.Any(p => p.Running > 0) && clock.Elapsed < Patience)
                Thread.Sleep(100);
            Assert.True(store.Progress(runId).Phases.Any(p => p.Running > 0), "a shard started");
        }

        doomed.Kill(); // SIGKILL: no chance to return the job
        Assert.True(doomed.WaitForExit(TimeSpan.FromSeconds(30)));
        Worker(db, "survivor");
        RunRecord run = WaitForEnd(db, runId);
        Assert.True(run.Status == RunStatus.Done, run.Error);
        Assert.Equal(File.ReadAllBytes(Local(size)), Exported(db, runId));
        using ResultStore check = ResultStore.Open(db);
        Assert.Equal(4, check.StoredShards(runId).Count);
    }

    [Fact]
    public void Workers_reconnect_after_the_server_restarts_mid_run()
    {
        Assert.False(server.External, "this test restarts the server: run it with the fixture's own server, not IMPACT_TEST_POSTGRES");
        string db = server.NewDatabase();
        string[] size = ["--replicates", "8", "--population", "400000", "--seed", "33"];
        long runId = Submit(db, [.. size, "--shards", "8"]);
        Worker(db, "a");
        Worker(db, "b");
        bool restarted = false;
        RunRecord run = WaitForEnd(db, runId, () =>
        {
            if (restarted)
                return;
            using ResultStore store = ResultStore.Open(db);
            if (store.Progress(runId).Phases.Sum(p => p.Done) >= 1)
            {
                server.Restart();
                restarted = true;
            }
        });
        Assert.True(restarted, "the server was restarted while the run went on");
        Assert.True(run.Status == RunStatus.Done, run.Error);
        Assert.Equal(File.ReadAllBytes(Local(size)), Exported(db, runId));
    }

    [Fact]
    public void A_shard_that_always_fails_is_marked_failed_with_its_error_and_so_is_its_run()
    {
        string db = server.NewDatabase();
        long runId = Submit(db, "--replicates", "2", "--population", "2000", "--seed", "34", "--shards", "2");
        // Damage the stored scenario before any worker starts: every attempt of every shard fails to load it.
        using (var connection = new NpgsqlConnection(db))
        {
            connection.Open();
            using var damage = new NpgsqlCommand("update impact.scenarios set inputs = 'not a zip'::bytea", connection);
            damage.ExecuteNonQuery();
        }

        Worker(db, "w");
        RunRecord run = WaitForEnd(db, runId);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("failed 3 times", run.Error, StringComparison.Ordinal);
        CliRun status = CliRun.Of("status", runId.ToString(CultureInfo.InvariantCulture), "--db", db);
        Assert.Contains("failed", status.Out, StringComparison.Ordinal);
        Assert.Contains("error:", status.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_scenario_is_refused_at_submit_with_validates_lines_and_nothing_is_written()
    {
        string db = server.NewDatabase();
        string bad = In("bad.yaml");
        File.WriteAllText(bad, File.ReadAllText(Fraud).Replace("strand: fraud-error-debt", "strand: fraud-error-debt\nbogus_field: 1", StringComparison.Ordinal));
        CliRun validate = CliRun.Of("validate", bad);
        CliRun submit = CliRun.Of("submit", bad, "--db", db);
        Assert.Equal(2, validate.ExitCode);
        Assert.Equal(2, submit.ExitCode);
        Assert.Equal(validate.ErrorLines.Where(l => l.StartsWith(bad, StringComparison.Ordinal)), submit.ErrorLines);
        using var connection = new NpgsqlConnection(db);
        connection.Open();
        using var tables = new NpgsqlCommand("select count(*) from information_schema.tables where table_schema in ('impact', 'hangfire')", connection);
        Assert.Equal(0L, (long)tables.ExecuteScalar()!); // not even the schema
    }
}
