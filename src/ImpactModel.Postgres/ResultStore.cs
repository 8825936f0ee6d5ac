using Npgsql;
using NpgsqlTypes;

namespace ImpactModel.Postgres;

/// <summary>
/// The PostgreSQL results store: scenarios, runs, the shards of a run as a work queue and their
/// tallies, results and the run folder's files, all in schema <c>impact</c>. Open one per process
/// (<see cref="Open"/> migrates the schema) and share it: every method takes its own connection from
/// the pool, so it is thread-safe, and every statement is parameterised. A failure of the server or
/// of the way to it is a <see cref="StoreUnavailableException"/> with a one-line message; a missing
/// run is a <see cref="KeyNotFoundException"/>.
/// </summary>
public sealed partial class ResultStore : IDisposable, IAsyncDisposable
{
    private readonly StoreConnection _connection;

    private ResultStore(StoreConnection connection, IReadOnlyList<string> applied)
    {
        _connection = connection;
        AppliedMigrations = applied;
    }

    /// <summary>The pool the store uses (for a job framework that shares it).</summary>
    public StoreConnection Connection => _connection;

    /// <summary>The server as <c>host:port</c>.</summary>
    public string Endpoint => _connection.Endpoint;

    /// <summary>The migrations this open applied (none when the schema was up to date).</summary>
    internal IReadOnlyList<string> AppliedMigrations { get; }

    /// <summary>
    /// Connects to the server of <paramref name="connectionString"/> and brings the schema up to date
    /// (safe when several processes open at once; see <see cref="SchemaMigrator"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is not valid (one line, no password).</exception>
    /// <exception cref="StoreUnavailableException">The server cannot be used, or a migration failed (one line, no password).</exception>
    public static ResultStore Open(string connectionString, string? applicationName = null)
    {
        StoreConnection connection = StoreConnection.Create(connectionString, applicationName ?? "impact");
        try
        {
            return new ResultStore(connection, SchemaMigrator.Apply(connection));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stores a scenario once per <paramref name="sha256"/> (the SHA-256 over the scenario file and
    /// every file it references) and returns its id; a scenario stored before keeps its row, and gains
    /// <paramref name="inputs"/> if it had none.
    /// </summary>
    public long SaveScenario(string name, string strand, string sha256, string text, byte[]? inputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(strand);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        ArgumentNullException.ThrowIfNull(text);
        return Use(connection =>
        {
            using NpgsqlCommand command = Sql(connection, """
                insert into impact.scenarios (name, strand, sha256, text, inputs)
                values (@name, @strand, @sha256, @text, @inputs)
                on conflict (sha256) do update set inputs = coalesce(impact.scenarios.inputs, excluded.inputs)
                returning id
                """)
                .With("name", name).With("strand", strand).With("sha256", sha256).With("text", text)
                .WithNullable("inputs", inputs, NpgsqlDbType.Bytea);
            return (long)command.ExecuteScalar()!;
        });
    }

    /// <summary>
    /// Creates a queued run and its shards × phases shard rows (queued), in one transaction, and
    /// returns its id.
    /// </summary>
    public long CreateRun(NewRun run)
    {
        Validate(run);
        return InTransaction(connection =>
        {
            long id = InsertRun(connection, run, RunStatus.Queued);
            using NpgsqlCommand shards = Sql(connection, """
                insert into impact.shards (run_id, shard, phase)
                select @run, s, p from generate_series(1, @shards) s, generate_series(1, @phases) p
                """).With("run", id).With("shards", run.Shards).With("phases", run.Phases);
            shards.ExecuteNonQuery();
            return id;
        });
    }

    /// <summary>
    /// A run made outside the pool and stored when it finishes (<c>impact run --db</c>): its own row,
    /// running since <paramref name="startedAt"/>, with no shard rows, matched by no shard and no worker.
    /// </summary>
    public long CreateLocalRun(NewRun run, DateTimeOffset startedAt)
    {
        Validate(run);
        return InTransaction(connection =>
        {
            long id = InsertRun(connection, run with { Settings = """{"origin": "local"}""" }, RunStatus.Running);
            using NpgsqlCommand started = Sql(connection, "update impact.runs set started_at = @at where id = @id")
                .With("at", startedAt).With("id", id);
            started.ExecuteNonQuery();
            return id;
        });
    }

    /// <summary>The packed files of scenario <paramref name="scenarioId"/> (as <see cref="SaveScenario"/> stored them), or null.</summary>
    public byte[]? ScenarioInputs(long scenarioId) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, "select inputs from impact.scenarios where id = @id").With("id", scenarioId);
        return command.ExecuteScalar() as byte[];
    });

    /// <summary>Every run, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<RunRecord> ListRuns(int limit = 100)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Use(connection =>
        {
            using NpgsqlCommand command = Sql(connection, SelectRuns + " order by r.id desc limit @limit").With("limit", limit);
            return ReadRuns(command);
        });
    }

    /// <summary>The run <paramref name="id"/>; null when there is none.</summary>
    public RunRecord? GetRun(long id) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, SelectRuns + " where r.id = @id").With("id", id);
        return ReadRuns(command).SingleOrDefault();
    });

    /// <summary>
    /// The runs that give the same result as a run of this scenario, seed, replicates, persons and
    /// engine version (byte-identical results.csv), newest first, whatever their status.
    /// </summary>
    public IReadOnlyList<RunRecord> SameResult(string sha256, ulong seed, int replicates, long persons, string engineVersion)
        => Use(connection =>
        {
            using NpgsqlCommand command = Sql(connection, SelectRuns + """
                 where s.sha256 = @sha256 and r.seed = @seed and r.replicates = @replicates
                   and r.persons = @persons and r.engine_version = @engine
                 order by r.id desc
                """)
                .With("sha256", sha256).With("seed", (decimal)seed).With("replicates", replicates)
                .With("persons", persons).With("engine", engineVersion);
            return ReadRuns(command);
        });

    /// <summary>
    /// Sets a run's status. Running (or merging) stamps <c>started_at</c> once; done and failed stamp
    /// <c>finished_at</c> and the seconds since the start. <paramref name="error"/> replaces the
    /// error (a status other than failed clears it when none is given); <paramref name="headline"/>,
    /// when given, replaces the headline.
    /// </summary>
    public void SetRunStatus(long id, string status, string? error = null, string? headline = null)
    {
        if (!RunStatus.All.Contains(status))
            throw new ArgumentException($"unknown run status '{status}'; known: {string.Join(", ", RunStatus.All)}", nameof(status));
        Use(connection =>
        {
            using NpgsqlCommand command = Sql(connection, """
                update impact.runs set
                    status = @status,
                    error = case when @error is not null then @error when @status = 'failed' then error end,
                    started_at = case when @status in ('running', 'merging') then coalesce(started_at, now()) else started_at end,
                    finished_at = case when @status in ('done', 'failed') then now() end,
                    elapsed_seconds = case when @status in ('done', 'failed') and started_at is not null
                                           then extract(epoch from now() - started_at)::double precision
                                           else elapsed_seconds end,
                    headline = coalesce(@headline, headline)
                where id = @id
                """)
                .With("id", id).With("status", status)
                .WithNullable("error", error, NpgsqlDbType.Text).WithNullable("headline", headline, NpgsqlDbType.Text);
            if (command.ExecuteNonQuery() == 0)
                throw NoRun(id);
            return 0;
        });
    }

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private const string SelectRuns = """
        select r.id, r.scenario_id, s.name, s.strand, s.sha256, r.seed, r.replicates, r.persons,
               r.declared_population, r.engine_version, r.shards, r.phases, r.status, r.error,
               r.submitted_by, r.submitted_at, r.started_at, r.finished_at, r.elapsed_seconds,
               r.headline, r.settings::text
        from impact.runs r join impact.scenarios s on s.id = r.scenario_id
        """;

    private static List<RunRecord> ReadRuns(NpgsqlCommand command)
    {
        var runs = new List<RunRecord>();
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            runs.Add(new RunRecord(
                Id: reader.GetInt64(0),
                ScenarioId: reader.GetInt64(1),
                ScenarioName: reader.GetString(2),
                Strand: reader.GetString(3),
                ScenarioSha256: reader.GetString(4),
                Seed: (ulong)reader.GetDecimal(5),
                Replicates: reader.GetInt32(6),
                Persons: reader.GetInt64(7),
                DeclaredPopulation: reader.Nullable<long>(8),
                EngineVersion: reader.GetString(9),
                Shards: reader.GetInt32(10),
                Phases: reader.GetInt32(11),
                Status: reader.GetString(12),
                Error: reader.NullableString(13),
                SubmittedBy: reader.NullableString(14),
                SubmittedAt: reader.GetFieldValue<DateTimeOffset>(15),
                StartedAt: reader.Nullable<DateTimeOffset>(16),
                FinishedAt: reader.Nullable<DateTimeOffset>(17),
                ElapsedSeconds: reader.Nullable<double>(18),
                Headline: reader.NullableString(19),
                Settings: reader.NullableString(20)));
        }
        return runs;
    }

    private static long InsertRun(NpgsqlConnection connection, NewRun run, string status)
    {
        using NpgsqlCommand command = Sql(connection, """
            insert into impact.runs (scenario_id, seed, replicates, persons, declared_population, engine_version,
                                     shards, phases, status, submitted_by, headline, settings, started_at)
            values (@scenario, @seed, @replicates, @persons, @declared, @engine,
                    @shards, @phases, @status, @by, @headline, @settings,
                    case when @status = 'running' then now() end)
            returning id
            """)
            .With("scenario", run.ScenarioId).With("seed", (decimal)run.Seed).With("replicates", run.Replicates)
            .With("persons", run.Persons).WithNullable("declared", run.DeclaredPopulation, NpgsqlDbType.Bigint)
            .With("engine", run.EngineVersion).With("shards", run.Shards).With("phases", run.Phases)
            .With("status", status).WithNullable("by", run.SubmittedBy, NpgsqlDbType.Text)
            .WithNullable("headline", run.Headline, NpgsqlDbType.Text)
            .WithNullable("settings", run.Settings, NpgsqlDbType.Jsonb);
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new KeyNotFoundException($"no scenario {run.ScenarioId} in the store", e);
        }
    }

    private static void Validate(NewRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Replicates, 1, nameof(run));
        ArgumentOutOfRangeException.ThrowIfNegative(run.Persons, nameof(run));
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Shards, 1, nameof(run));
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Phases, 1, nameof(run));
        ArgumentException.ThrowIfNullOrWhiteSpace(run.EngineVersion, nameof(run));
    }

    /// <summary>The run's shards and phases, or <see cref="KeyNotFoundException"/>.</summary>
    private static (int Shards, int Phases) RequireRun(NpgsqlConnection connection, long runId)
    {
        using NpgsqlCommand command = Sql(connection, "select shards, phases from impact.runs where id = @run").With("run", runId);
        using NpgsqlDataReader reader = command.ExecuteReader();
        if (!reader.Read())
            throw NoRun(runId);
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    private static KeyNotFoundException NoRun(long id) => new($"no run {id} in the store");

    private static NpgsqlCommand Sql(NpgsqlConnection connection, string sql) => new(sql, connection);

    /// <summary>Runs <paramref name="work"/> on a pooled connection; a failure of the server becomes <see cref="StoreUnavailableException"/>.</summary>
    private T Use<T>(Func<NpgsqlConnection, T> work)
    {
        using NpgsqlConnection connection = _connection.Open();
        try
        {
            return work(connection);
        }
        catch (Exception e) when (StoreFailure.IsUnavailable(e))
        {
            // The server went away (a restart, a failover): every idle connection of the pool is as dead
            // as this one and would fail its next user once each; drop them, so the caller's retry gets new ones.
            _connection.DataSource.Clear();
            throw _connection.Unavailable(e, connecting: false);
        }
    }

    /// <summary>As <see cref="Use"/>, in one transaction, committed when <paramref name="work"/> returns (Npgsql runs every command of the connection in it).</summary>
    private T InTransaction<T>(Func<NpgsqlConnection, T> work) => Use(connection =>
    {
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        T result = work(connection);
        transaction.Commit();
        return result;
    });
}
