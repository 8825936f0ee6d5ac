using Npgsql;

namespace ImpactModel.Postgres;

public sealed partial class ResultStore
{
    /// <summary>
    /// Leases the next shard to <paramref name="worker"/> for <paramref name="lease"/>: the first, by
    /// run, phase and shard, of the queued shards and the running shards whose lease has expired,
    /// among runs that are queued or running, and only in a phase whose earlier phases are all done.
    /// Concurrent claims never get the same shard (<c>for update skip locked</c>). The run becomes
    /// running. Null when there is nothing to claim.
    /// </summary>
    public ShardClaim? ClaimShard(string worker, TimeSpan lease)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return Use(connection =>
        {
            // One statement, so one transaction: data-modifying CTEs run to completion whether or not
            // the outer select reads them (PostgreSQL manual, 7.8.4 "Data-Modifying Statements in WITH").
            using NpgsqlCommand command = Sql(connection, """
                with candidate as (
                    select s.run_id, s.shard, s.phase
                    from impact.shards s
                    join impact.runs r on r.id = s.run_id
                    where (s.status = 'queued' or (s.status = 'running' and s.lease_until < now()))
                      and r.status in ('queued', 'running')
                      and (s.phase = 1
                           or (select count(*) from impact.shards p
                               where p.run_id = s.run_id and p.phase < s.phase and p.status = 'done')
                              = r.shards::bigint * (s.phase - 1))
                    order by s.run_id, s.phase, s.shard
                    limit 1
                    for update of s skip locked
                ),
                claimed as (
                    update impact.shards s
                    set status = 'running', worker = @worker, lease_until = now() + @lease,
                        attempts = s.attempts + 1, started_at = now()
                    from candidate c
                    where s.run_id = c.run_id and s.shard = c.shard and s.phase = c.phase
                    returning s.run_id, s.shard, s.phase, s.attempts, s.lease_until
                ),
                started as (
                    update impact.runs r
                    set status = 'running', started_at = coalesce(r.started_at, now())
                    from claimed c
                    where r.id = c.run_id and r.status = 'queued'
                )
                select run_id, shard, phase, attempts, lease_until from claimed
                """).With("worker", worker).With("lease", lease);
            using NpgsqlDataReader reader = command.ExecuteReader();
            if (!reader.Read())
                return null;
            return new ShardClaim(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), worker,
                reader.GetFieldValue<DateTimeOffset>(4));
        });
    }

    /// <summary>
    /// Extends <paramref name="worker"/>'s lease on a shard to <paramref name="lease"/> from now. False
    /// when the worker no longer holds it (done, failed, or claimed by another after the lease ran out):
    /// the worker should then stop working on it.
    /// </summary>
    public bool RenewLease(long runId, int shard, int phase, string worker, TimeSpan lease)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return Use(connection =>
        {
            using NpgsqlCommand command = Sql(connection, """
                update impact.shards set lease_until = now() + @lease
                where run_id = @run and shard = @shard and phase = @phase and status = 'running' and worker = @worker
                """)
                .With("lease", lease).With("run", runId).With("shard", shard).With("phase", phase).With("worker", worker);
            return command.ExecuteNonQuery() == 1;
        });
    }

    /// <summary>
    /// Records a failed attempt at a running shard: back to queued, or failed once it has been
    /// attempted <paramref name="maxAttempts"/> times, and then its run fails with
    /// <paramref name="error"/> (naming the shard), in the same transaction. A shard that is not
    /// running (written meanwhile by another worker) is left as it is.
    /// </summary>
    public void FailShard(long runId, int shard, int phase, string error, int maxAttempts)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        InTransaction(connection =>
        {
            using NpgsqlCommand fail = Sql(connection, """
                update impact.shards
                set status = case when attempts >= @max then 'failed' else 'queued' end,
                    error = @error, lease_until = null,
                    finished_at = case when attempts >= @max then now() end
                where run_id = @run and shard = @shard and phase = @phase and status = 'running'
                returning status, attempts
                """)
                .With("max", maxAttempts).With("error", error).With("run", runId).With("shard", shard).With("phase", phase);
            string? status = null;
            int attempts = 0;
            using (NpgsqlDataReader reader = fail.ExecuteReader())
            {
                if (reader.Read())
                    (status, attempts) = (reader.GetString(0), reader.GetInt32(1));
            }
            if (status != ShardStatus.Failed)
                return 0;
            using NpgsqlCommand run = Sql(connection, """
                update impact.runs
                set status = 'failed', error = @error, finished_at = now(),
                    elapsed_seconds = extract(epoch from now() - coalesce(started_at, now()))::double precision
                where id = @run and status not in ('done', 'failed')
                """)
                .With("error", StoreConnection.OneLine($"shard {shard} phase {phase} failed {attempts} times: {error}"))
                .With("run", runId);
            run.ExecuteNonQuery();
            return 0;
        });
    }

    /// <summary>
    /// A worker starts shard <paramref name="shard"/>'s phase <paramref name="phase"/> of a run (a job
    /// framework hands it the shard): the shard running, its attempts counted, the run running. Returns
    /// the attempts, this one included, or null when the shard is not to be run: it is done, it failed,
    /// or its run is done or failed.
    /// </summary>
    public int? StartShard(long runId, int shard, int phase, string worker) => InTransaction(connection =>
    {
        ArgumentNullException.ThrowIfNull(worker);
        using NpgsqlCommand start = Sql(connection, """
            update impact.shards s
            set status = 'running', worker = @worker, attempts = s.attempts + 1, started_at = now(), lease_until = null
            from impact.runs r
            where s.run_id = @run and s.shard = @shard and s.phase = @phase and r.id = s.run_id
              and s.status in ('queued', 'running') and r.status in ('queued', 'running')
            returning s.attempts
            """).With("worker", worker).With("run", runId).With("shard", shard).With("phase", phase);
        if (start.ExecuteScalar() is not int attempts)
            return (int?)null;
        using NpgsqlCommand run = Sql(connection, """
            update impact.runs set status = 'running', started_at = coalesce(started_at, now()) where id = @run and status = 'queued'
            """).With("run", runId);
        run.ExecuteNonQuery();
        return attempts;
    });

    /// <summary>
    /// Gives a running shard back to the queue without counting its attempt: its worker was asked to
    /// stop (SIGTERM, a deploy), which is not the shard's failure.
    /// </summary>
    public void ReleaseShard(long runId, int shard, int phase) => Use(connection =>
    {
        using NpgsqlCommand release = Sql(connection, """
            update impact.shards set status = 'queued', attempts = greatest(attempts - 1, 0), worker = null
            where run_id = @run and shard = @shard and phase = @phase and status = 'running'
            """).With("run", runId).With("shard", shard).With("phase", phase);
        return release.ExecuteNonQuery();
    });

    /// <summary>Undoes <see cref="TryAdvance"/> when what it was to start (the next phase, the merge) could not be queued, so a retry advances it again.</summary>
    public void UndoAdvance(long runId, int phase) => Use(connection =>
    {
        using NpgsqlCommand undo = Sql(connection, "update impact.runs set advanced_phase = @before where id = @run and advanced_phase = @phase")
            .With("before", phase - 1).With("run", runId).With("phase", phase);
        return undo.ExecuteNonQuery();
    });

    /// <summary>
    /// True for exactly one caller once every shard of <paramref name="phase"/> is done: the one that
    /// enqueues the next phase or the merge. Callers racing on the run's row see it advanced once.
    /// </summary>
    public bool TryAdvance(long runId, int phase) => Use(connection =>
    {
        using NpgsqlCommand advance = Sql(connection, """
            update impact.runs r set advanced_phase = @phase
            where r.id = @run and r.advanced_phase < @phase and r.status in ('queued', 'running')
              and not exists (select 1 from impact.shards s where s.run_id = r.id and s.phase = @phase and s.status <> 'done')
            returning r.id
            """).With("run", runId).With("phase", phase);
        return advance.ExecuteScalar() is long;
    });

    /// <summary>How many shards of each phase of a run are queued, running, done and failed.</summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public ShardProgress Progress(long runId) => Use(connection =>
    {
        using NpgsqlCommand command = Sql(connection, """
            select p.phase, r.shards,
                   count(*) filter (where s.status = 'running'),
                   count(*) filter (where s.status = 'done'),
                   count(*) filter (where s.status = 'failed')
            from impact.runs r
            cross join lateral generate_series(1, r.phases) as p(phase)
            left join impact.shards s on s.run_id = r.id and s.phase = p.phase
            where r.id = @run
            group by p.phase, r.shards
            order by p.phase
            """).With("run", runId);
        var phases = new List<PhaseProgress>();
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            int shards = reader.GetInt32(1), running = (int)reader.GetInt64(2), done = (int)reader.GetInt64(3), failed = (int)reader.GetInt64(4);
            phases.Add(new PhaseProgress(reader.GetInt32(0), shards, shards - running - done - failed, running, done, failed));
        }
        if (phases.Count == 0)
            throw NoRun(runId);
        return new ShardProgress(runId, phases);
    });
}
