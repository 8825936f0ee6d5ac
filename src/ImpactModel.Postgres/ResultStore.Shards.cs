using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace ImpactModel.Postgres;

public sealed partial class ResultStore
{
    /// <summary>
    /// Stores a finished shard's tallies and marks the shard done, in one transaction. Idempotent:
    /// a second write of the same shard stores nothing and returns false. A shard row that does not
    /// exist (a run of <see cref="FindOrCreateShardedRun"/>, whose shards an outside scheduler runs)
    /// is created done.
    /// </summary>
    /// <param name="runId">The run (<see cref="CreateRun"/> or <see cref="FindOrCreateShardedRun"/>).</param>
    /// <param name="shard">1-based, at most the run's shards.</param>
    /// <param name="phase">1-based, at most the run's phases.</param>
    /// <param name="payload">The tallies as the engine serialised them (a <c>byte[]</c> converts).</param>
    /// <param name="sha256">The engine's SHA-256 of the payload; compared (ignoring case) with a stored one.</param>
    /// <returns>True when this call stored the tallies; false when they were there already.</returns>
    /// <exception cref="ShardConflictException">The shard was stored before with a different SHA-256.</exception>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public bool WriteShard(long runId, int shard, int phase, ReadOnlyMemory<byte> payload, string sha256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shard, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(phase, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        return InTransaction(connection =>
        {
            (int shards, int phases) = RequireRun(connection, runId);
            if (shard > shards || phase > phases)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(shard), $"shard {shard} phase {phase} is outside run {runId} ({shards} shards × {phases} phases)");
            }
            using NpgsqlCommand insert = Sql(connection, """
                insert into impact.shard_tallies (run_id, shard, phase, payload, sha256)
                values (@run, @shard, @phase, @payload, @sha256)
                on conflict (run_id, shard, phase) do nothing
                """)
                .With("run", runId).With("shard", shard).With("phase", phase)
                .WithNullable("payload", payload, NpgsqlDbType.Bytea).With("sha256", sha256);
            if (insert.ExecuteNonQuery() == 0)
            {
                string stored = StoredSha256(connection, runId, shard, phase);
                if (!string.Equals(stored, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ShardConflictException(
                        $"shard {shard} phase {phase} of run {runId} was written twice with different contents (SHA-256 {stored}, then {sha256})");
                }
                return false;
            }
            using NpgsqlCommand done = Sql(connection, """
                insert into impact.shards (run_id, shard, phase, status, attempts, started_at, finished_at)
                values (@run, @shard, @phase, 'done', 1, now(), now())
                on conflict (run_id, shard, phase) do update
                    set status = 'done', finished_at = now(), lease_until = null, error = null
                """).With("run", runId).With("shard", shard).With("phase", phase);
            done.ExecuteNonQuery();
            return true;
        });
    }

    /// <summary>The stored tallies of one phase of a run, ordered by shard (only those written so far).</summary>
    public IReadOnlyList<StoredShard> ReadShards(long runId, int phase) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, """
            select shard, phase, payload, sha256 from impact.shard_tallies
            where run_id = @run and phase = @phase order by shard
            """).With("run", runId).With("phase", phase);
        var shards = new List<StoredShard>();
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
            shards.Add(new StoredShard(reader.GetInt32(0), reader.GetInt32(1), reader.GetFieldValue<byte[]>(2), reader.GetString(3)));
        return shards;
    });

    /// <summary>One shard's stored tallies, or null when that shard and phase has not been written.</summary>
    public StoredShard? ReadShard(long runId, int shard, int phase) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, """
            select shard, phase, payload, sha256 from impact.shard_tallies
            where run_id = @run and shard = @shard and phase = @phase
            """).With("run", runId).With("shard", shard).With("phase", phase);
        using NpgsqlDataReader reader = command.ExecuteReader();
        return reader.Read() ? new StoredShard(reader.GetInt32(0), reader.GetInt32(1), reader.GetFieldValue<byte[]>(2), reader.GetString(3)) : null;
    });

    /// <summary>The (shard, phase) pairs of a run whose tallies are stored, without their payloads.</summary>
    public IReadOnlyList<(int Shard, int Phase)> StoredShards(long runId) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, """
            select shard, phase from impact.shard_tallies where run_id = @run order by phase, shard
            """).With("run", runId);
        var stored = new List<(int, int)>();
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
            stored.Add((reader.GetInt32(0), reader.GetInt32(1)));
        return stored;
    });

    /// <summary>
    /// The run that shards written without a submit belong to (<c>impact run --shard I/N --db</c>,
    /// each index of a Kubernetes job or Slurm array calling this at once): the newest queued or
    /// running run of the same scenario, seed, replicates, persons, engine version, shards and phases,
    /// or a new one, running, with no shard rows (its shards arrive through <see cref="WriteShard"/>,
    /// so no worker of the queue claims them). Callers racing on the same run get the same id: the
    /// look-up and the insert hold a transaction-level advisory lock on those fields.
    /// </summary>
    public long FindOrCreateShardedRun(NewRun run)
    {
        Validate(run);
        return InTransaction(connection =>
        {
            using (NpgsqlCommand gate = Sql(connection, "select pg_advisory_xact_lock(@key)").With("key", ShardedRunLockKey(run)))
                gate.ExecuteNonQuery();
            using (NpgsqlCommand find = Sql(connection, """
                select id from impact.runs
                where scenario_id = @scenario and seed = @seed and replicates = @replicates and persons = @persons
                  and engine_version = @engine and shards = @shards and phases = @phases
                  and status in ('queued', 'running') and settings->>'origin' = 'shards'
                order by id desc limit 1
                """)
                .With("scenario", run.ScenarioId).With("seed", (decimal)run.Seed).With("replicates", run.Replicates)
                .With("persons", run.Persons).With("engine", run.EngineVersion)
                .With("shards", run.Shards).With("phases", run.Phases))
            {
                if (find.ExecuteScalar() is long existing)
                    return existing;
            }
            // Marked, so that only shards written from outside the pool join it (never a submitted run, never a local one).
            return InsertRun(connection, run with { Settings = """{"origin": "shards"}""" }, RunStatus.Running);
        });
    }

    /// <summary>
    /// A 64-bit advisory lock key for the fields that identify a sharded run: the first 8 bytes of
    /// their SHA-256. A collision only makes two unrelated look-ups wait for each other.
    /// </summary>
    private static long ShardedRunLockKey(NewRun run)
    {
        string identity = string.Join('\u001f', "sharded-run", run.ScenarioId, run.Seed, run.Replicates, run.Persons,
            run.EngineVersion, run.Shards, run.Phases);
        return BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static string StoredSha256(NpgsqlConnection connection, long runId, int shard, int phase)
    {
        using NpgsqlCommand command = Sql(connection, """
            select sha256 from impact.shard_tallies where run_id = @run and shard = @shard and phase = @phase
            """).With("run", runId).With("shard", shard).With("phase", phase);
        return (string)command.ExecuteScalar()!;
    }
}
