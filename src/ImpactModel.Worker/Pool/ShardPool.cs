using System.Security.Cryptography;
using Hangfire;
using Hangfire.PostgreSql;
using ImpactModel.Postgres;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;
using ImpactModel.Worker.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ImpactModel.Worker.Pool;

/// <summary>
/// The worker pool: a submitted run's shards are Hangfire jobs in its PostgreSQL storage (schema
/// <c>hangfire</c>, beside our <c>impact</c>); every <c>impact serve</c> with the store configured runs
/// a Hangfire server taking one job at a time (a shard uses every core). Hangfire holds the queue,
/// the leases and the retries; the results store holds the run, its shards' state and their tallies.
/// A dead worker's job becomes visible again after <see cref="Invisibility"/> (the <c>Serve:PoolLeaseSeconds</c> setting): the lease slides
/// (Hangfire.PostgreSql's heartbeat renews it every fifth of it) while the worker lives, so a long
/// shard is never run twice at once, and a killed worker's shard is taken by another within a minute.
/// </summary>
public static class ShardPool
{
    /// <summary>The Hangfire queue of shard and merge jobs.</summary>
    public const string Queue = "impact";

    /// <summary>The Hangfire storage's schema.</summary>
    public const string Schema = "hangfire";

    /// <summary>How long a fetched job stays invisible without its worker's heartbeat, unless <c>Serve:PoolLeaseSeconds</c> says otherwise.</summary>
    public static readonly TimeSpan Invisibility = TimeSpan.FromSeconds(60);

    /// <summary>The setting that changes <see cref="Invisibility"/> (seconds, 10 to 3,600).</summary>
    public const string LeaseSetting = "Serve:PoolLeaseSeconds";

    /// <summary>Attempts at a shard (failures and lost workers alike) before it and its run are marked failed.</summary>
    public const int MaxAttempts = 3;

    /// <summary>The storage options every process of the pool uses.</summary>
    public static PostgreSqlStorageOptions StorageOptions(TimeSpan? lease = null) => new()
    {
        SchemaName = Schema,
        PrepareSchemaIfNecessary = false, // installed by Install, under an advisory lock
        InvisibilityTimeout = lease ?? Invisibility,
        UseSlidingInvisibilityTimeout = true,
        // A lock row left by a process that lost the server mid-lock (a restart) expires only after this:
        // at the default of 10 minutes the schedule poller's stale lock held every retry back for 10 minutes.
        // Hangfire holds its locks for moments (the schedule poller, the expiration manager); we hold none.
        DistributedLockTimeout = TimeSpan.FromSeconds(30),
        QueuePollInterval = TimeSpan.FromSeconds(1),
    };

    /// <summary>Installs (or upgrades) Hangfire's schema, once across processes starting together.</summary>
    public static void Install(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        using NpgsqlConnection connection = dataSource.OpenConnection();
        using (var lockIt = new NpgsqlCommand("select pg_advisory_lock(7272740024)", connection))
            lockIt.ExecuteNonQuery();
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, Schema);
        }
        finally
        {
            using var unlock = new NpgsqlCommand("select pg_advisory_unlock(7272740024)", connection);
            unlock.ExecuteNonQuery();
        }
    }

    /// <summary>The pool's job storage on the store's own connections (one data source a process), its schema installed first.</summary>
    public static PostgreSqlStorage Storage(ResultStore store, TimeSpan? lease = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        NpgsqlDataSource dataSource = store.Connection.DataSource;
        Install(dataSource);
        return new PostgreSqlStorage(new DataSourceConnections(dataSource), StorageOptions(lease));
    }

    /// <summary>Hangfire's connections from our data source (it opens them itself), so a process has one pool.</summary>
    private sealed class DataSourceConnections(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }

    /// <summary>
    /// Registers the pool's server for <c>impact serve</c>: the store, Hangfire on its storage, one
    /// worker on <see cref="Queue"/>, and the jobs.
    /// </summary>
    public static IServiceCollection AddImpactShardPool(this IServiceCollection services, string connectionString, TimeSpan shutdown, TimeSpan lease)
    {
        services.AddSingleton(_ => ResultStore.Open(connectionString, "impact serve"));
        services.AddTransient<ShardJobs>();
        services.AddHangfire((provider, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(Storage(provider.GetRequiredService<ResultStore>(), lease)));
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            options.WorkerCount = 1;
            options.Queues = [Queue];
            options.ShutdownTimeout = shutdown;
            options.StopTimeout = TimeSpan.FromSeconds(1);
            // A retry's delay is served by the scheduler's poll: at its default of 15 s a 5 s delay is 15 s.
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        return services;
    }

    /// <summary>
    /// Refuses the pool's queue in the native build (<c>dotnet publish -p:ImpactNative=true</c>): Hangfire's
    /// PostgreSQL storage compiles its readers as it runs (Dapper), which a native executable cannot, so
    /// <paramref name="what"/> stops here with a usage error that names the build that can.
    /// </summary>
    public static void RequireQueue(string what)
    {
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new Cli.UsageException(
                $"{what} needs the worker pool's queue, which the native build does not have (Hangfire's PostgreSQL storage compiles code as it runs); " +
                "use the portable build (dotnet publish src/ImpactModel.Worker -c Release) or dotnet run");
        }
    }

    /// <summary>Enqueues every shard of phase <paramref name="phase"/> of run <paramref name="runId"/>.</summary>
    public static void EnqueuePhase(IBackgroundJobClient jobs, long runId, int shards, int phase)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        for (int shard = 1; shard <= shards; shard++)
        {
            int s = shard;
            jobs.Enqueue<ShardJobs>(Queue, j => j.RunShard(runId, s, phase, CancellationToken.None));
        }
    }
}

/// <summary>
/// The pool's jobs: one shard's phase of a submitted run, and the merge. A shard's state lives in
/// the results store (attempts, error, done); its tallies are written there once, in one transaction
/// with its state. The job that finds its phase complete (<see cref="ResultStore.TryAdvance"/>, true
/// for one caller) enqueues the next phase or the merge.
/// </summary>
public sealed class ShardJobs(ResultStore store, StrandRegistry strands, IBackgroundJobClient jobs, ILogger<ShardJobs> log)
{
    private static string Worker => $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Runs shard <paramref name="shard"/>'s phase <paramref name="phase"/> of run <paramref name="runId"/> and stores its tallies.</summary>
    /// <remarks>
    /// Hangfire retries a job up to 10 times, with delays growing to 5 minutes, so that an outage of the
    /// server is ridden out; a shard's own failures are counted in the store and end it after
    /// <see cref="ShardPool.MaxAttempts"/> (a retry of a failed shard then returns at once).
    /// </remarks>
    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [5, 15, 30, 60, 60, 120, 120, 300, 300, 300], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public void RunShard(long runId, int shard, int phase, CancellationToken cancellationToken)
    {
        RunRecord? run = store.GetRun(runId);
        if (run is null)
            return;
        if (run.EngineVersion != ShardCommand.EngineVersion)
        {
            // Every shard of a run is computed by one engine: drain the pool before an upgrade (docs/deployment.md).
            throw new InvalidOperationException($"this worker's engine is {ShardCommand.EngineVersion}; run {runId} was submitted to {run.EngineVersion}");
        }

        int? attempt = store.StartShard(runId, shard, phase, Worker);
        if (attempt is null)
        {
            // Done already (a job run again after its shard was stored, its worker lost before it advanced), failed, or its run is over.
            Advance(run, phase);
            return;
        }

        if (attempt > ShardPool.MaxAttempts)
        {
            // Its workers were lost (killed, out of memory) each time it started: stop taking it.
            store.FailShard(runId, shard, phase, $"its worker was lost {attempt - 1} times", ShardPool.MaxAttempts);
            return;
        }

        PoolLog.Shard(log, runId, shard, run.Shards, phase, run.Phases, attempt.Value);
        try
        {
            (Scenario scenario, StoredInputs files) = Load(run);
            IReadOnlyList<IStrandModel> models = strands.For(scenario).Models;
            var settings = new RunSettings(run.Seed, run.Replicates, run.Persons);
            ShardPlan plan = ShardPlan.Create(run.Shards, run.Replicates, run.Persons);
            ShardSpan span = plan.Shard(shard);
            ShardHeader header = ShardCommand.Header(scenario, files, settings, models, span, phase, ShardRunner.Phases(models));
            if (header.Phases != run.Phases)
                throw new InvalidOperationException($"the scenario runs in {header.Phases} phases on this engine, the run was submitted with {run.Phases}");
            using var earlier = new StoreShards(store, runId);
            using var buffer = new MemoryStream();
            ShardFormat.Write(buffer, header, ShardRunner.RunPhase(scenario, settings, models, plan, span, phase, phase > 1 ? earlier : null,
                cancellationToken: cancellationToken));
            byte[] payload = buffer.ToArray();
            store.WriteShard(runId, shard, phase, payload, Convert.ToHexStringLower(SHA256.HashData(payload)));
        }
        catch (OperationCanceledException)
        {
            store.ReleaseShard(runId, shard, phase); // asked to stop: not the shard's failure
            throw;
        }
        catch (Exception e) when (e is not StoreUnavailableException)
        {
            store.FailShard(runId, shard, phase, e.Message, ShardPool.MaxAttempts);
            throw;
        }

        Advance(run, phase);
    }

    /// <summary>
    /// When every shard of <paramref name="phase"/> is done, the one caller <see cref="ResultStore.TryAdvance"/>
    /// picks queues the next phase or the merge; if queuing fails the advance is undone, so the job's
    /// retry (or another shard's job run again) advances it.
    /// </summary>
    private void Advance(RunRecord run, int phase)
    {
        if (!store.TryAdvance(run.Id, phase))
            return;
        long runId = run.Id;
        try
        {
            if (phase < run.Phases)
                ShardPool.EnqueuePhase(jobs, runId, run.Shards, phase + 1);
            else
                jobs.Enqueue<ShardJobs>(ShardPool.Queue, j => j.Merge(runId, CancellationToken.None));
        }
        catch
        {
            store.UndoAdvance(runId, phase);
            throw;
        }
    }

    /// <summary>Merges run <paramref name="runId"/>'s shards and stores the finished run (results and the run folder's files).</summary>
    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [5, 15, 30, 60, 60, 120, 120, 300, 300, 300], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public void Merge(long runId, CancellationToken cancellationToken)
    {
        if (store.GetRun(runId)?.Status is not (RunStatus.Running or RunStatus.Merging))
            return; // merged already (a job run twice), failed, or gone
        string dir = Path.Combine(Path.GetTempPath(), $"impact-merge-{runId}-{Guid.NewGuid():N}");
        using var error = new StringWriter();
        try
        {
            int code = MergeCommand.MergeRun(store, runId, new MergeCommand.MergeRequest(dir, 0, false, strands, Store: store, RemoveOnSignal: false),
                new CliConsole(TextWriter.Null, error, IsTerminal: false), cancellationToken);
            // The shards cannot be merged (missing, damaged, of another run): the run has failed, and says why.
            if (code != ExitCodes.Success)
                store.SetRunStatus(runId, RunStatus.Failed, error: OneLine(error.ToString()));
            PoolLog.Merged(log, runId, code);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Perhaps passing (the server restarting): the run stays to be merged, saying what happened, and the job is retried.
            store.SetRunStatus(runId, RunStatus.Merging, error: $"merge: {e.Message}");
            throw;
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    private static string OneLine(string lines) => string.Join("; ", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private (Scenario Scenario, StoredInputs Files) Load(RunRecord run)
    {
        byte[] packed = store.ScenarioInputs(run.ScenarioId) ?? throw new InvalidOperationException($"run {run.Id}: its scenario's files are not in the store");
        var files = new StoredInputs(Path.Combine(Path.GetTempPath(), "impact-run-" + run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            StoredRuns.Unpack(packed));
        return (ShardCommand.LoadScenario(files.Scenario, files), files);
    }
}

/// <summary>The pool's log lines.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(20, LogLevel.Information, "run {Run}: shard {Shard}/{Shards} phase {Phase}/{Phases}, attempt {Attempt}")]
    public static partial void Shard(ILogger logger, long run, int shard, int shards, int phase, int phases, int attempt);

    [LoggerMessage(21, LogLevel.Information, "run {Run}: merged (exit {Code})")]
    public static partial void Merged(ILogger logger, long run, int code);
}
