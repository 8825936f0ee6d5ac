using System.Collections.Concurrent;
using ImpactModel.Postgres;
using static ImpactModel.Tests.Postgres.StoreTesting;

namespace ImpactModel.Tests.Postgres;

/// <summary>
/// The shards of submitted runs as a work queue: claims, leases, failures, phases. Each test has a
/// database of its own, since a claim takes the first claimable shard of any run.
/// </summary>
[Collection(PostgresServerDefinition.Name)]
public sealed class ShardQueueTests(PostgresServer server) : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly ResultStore _store = ResultStore.Open(server.NewDatabase());

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Workers_claiming_at_once_never_get_the_same_shard()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 40));
        const int Workers = 4;
        using var ready = new Barrier(Workers);
        var claims = new ConcurrentBag<ShardClaim>();

        Task[] workers = [.. Enumerable.Range(0, Workers).Select(w => Task.Factory.StartNew(() =>
        {
            ready.SignalAndWait(TimeSpan.FromMinutes(2));
            while (_store.ClaimShard($"worker-{w}", Minute) is ShardClaim claim)
                claims.Add(claim);
        }, TaskCreationOptions.LongRunning))];
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(40, claims.Count);
        Assert.Equal(Enumerable.Range(1, 40), claims.Select(c => c.Shard).Order());
        Assert.All(claims, c => Assert.Equal((id, 1, 1), (c.RunId, c.Phase, c.Attempts)));
        Assert.Equal(new PhaseProgress(1, 40, 0, 40, 0, 0), Assert.Single(_store.Progress(id).Phases));
        Assert.Equal(RunStatus.Running, _store.GetRun(id)!.Status);
    }

    [Fact]
    public void Shards_are_claimed_by_run_then_phase_then_shard_and_a_done_shard_never()
    {
        long first = _store.CreateRun(Run(NewScenario(_store), shards: 2));
        long second = _store.CreateRun(Run(NewScenario(_store), shards: 1));
        WriteShard(_store, first, 1, 1);

        ShardClaim a = _store.ClaimShard("w", Minute)!;
        ShardClaim b = _store.ClaimShard("w", Minute)!;

        Assert.Equal((first, 2), (a.RunId, a.Shard));
        Assert.Equal((second, 1), (b.RunId, b.Shard));
        Assert.Null(_store.ClaimShard("w", Minute));
        Assert.InRange(a.LeaseUntil, DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow.AddMinutes(2));
    }

    [Fact]
    public void An_expired_lease_is_claimed_again_and_its_first_worker_cannot_renew_it()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        ShardClaim lost = _store.ClaimShard("slow", TimeSpan.FromMilliseconds(1))!;
        Thread.Sleep(50); // now() of the next transaction is past the lease

        ShardClaim again = _store.ClaimShard("fast", Minute)!;

        Assert.Equal((id, 1, 1), (again.RunId, again.Shard, again.Phase));
        Assert.Equal((1, 2), (lost.Attempts, again.Attempts));
        Assert.False(_store.RenewLease(id, 1, 1, "slow", Minute));
        Assert.True(_store.RenewLease(id, 1, 1, "fast", Minute));
        Assert.Null(_store.ClaimShard("third", Minute));
    }

    [Fact]
    public void A_renewed_lease_is_not_claimed()
    {
        _store.CreateRun(Run(NewScenario(_store)));
        ShardClaim claim = _store.ClaimShard("w", TimeSpan.FromSeconds(2))!;

        Assert.True(_store.RenewLease(claim.RunId, claim.Shard, claim.Phase, "w", TimeSpan.FromMinutes(10)));
        Thread.Sleep(2_500);

        Assert.Null(_store.ClaimShard("other", Minute));
    }

    [Fact]
    public void A_shard_failing_three_times_fails_with_its_run()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 2));
        for (int attempt = 1; attempt <= 2; attempt++)
        {
            ShardClaim claim = _store.ClaimShard("w", Minute)!;
            Assert.Equal((1, attempt), (claim.Shard, claim.Attempts));
            _store.FailShard(id, 1, 1, $"out of memory (attempt {attempt})", maxAttempts: 3);
            Assert.Equal(RunStatus.Running, _store.GetRun(id)!.Status);
        }
        ShardClaim last = _store.ClaimShard("w", Minute)!;
        Assert.Equal((1, 3), (last.Shard, last.Attempts));

        _store.FailShard(id, 1, 1, "out of memory (attempt 3)", maxAttempts: 3);

        RunRecord run = _store.GetRun(id)!;
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("shard 1 phase 1 failed 3 times: out of memory (attempt 3)", run.Error);
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(new PhaseProgress(1, 2, 1, 0, 0, 1), Assert.Single(_store.Progress(id).Phases));
        Assert.Null(_store.ClaimShard("w", Minute)); // shard 2 of a failed run is not worked on
    }

    [Fact]
    public void A_failure_reported_after_the_shard_was_written_changes_nothing()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        _store.ClaimShard("w", Minute);
        WriteShard(_store, id, 1, 1);

        _store.FailShard(id, 1, 1, "too late", maxAttempts: 1);

        Assert.Equal(new PhaseProgress(1, 1, 0, 0, 1, 0), Assert.Single(_store.Progress(id).Phases));
        Assert.Equal(RunStatus.Running, _store.GetRun(id)!.Status);
    }

    [Fact]
    public void A_phase_2_shard_is_not_claimable_before_every_phase_1_shard_of_its_run_is_done()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 2, phases: 2));
        ShardClaim a = _store.ClaimShard("w", Minute)!;
        ShardClaim b = _store.ClaimShard("w", Minute)!;
        Assert.Equal([(1, 1), (2, 1)], new[] { (a.Shard, a.Phase), (b.Shard, b.Phase) });

        Assert.Null(_store.ClaimShard("w", Minute));
        WriteShard(_store, id, 1, 1);
        Assert.Null(_store.ClaimShard("w", Minute));
        WriteShard(_store, id, 2, 1);

        ShardClaim c = _store.ClaimShard("w", Minute)!;
        Assert.Equal((id, 1, 2), (c.RunId, c.Shard, c.Phase));
        ShardProgress progress = _store.Progress(id);
        Assert.Equal([new PhaseProgress(1, 2, 0, 0, 2, 0), new PhaseProgress(2, 2, 1, 1, 0, 0)], progress.Phases);
    }

    [Fact]
    public void A_blocked_phase_does_not_hold_up_another_run()
    {
        long blocked = _store.CreateRun(Run(NewScenario(_store), shards: 1, phases: 2));
        long other = _store.CreateRun(Run(NewScenario(_store)));
        Assert.Equal(blocked, _store.ClaimShard("w", Minute)!.RunId);

        Assert.Equal(other, _store.ClaimShard("w", Minute)!.RunId);
    }

    [Fact]
    public void A_finished_run_has_nothing_to_claim_and_progress_of_no_run_is_refused()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 3));
        _store.SetRunStatus(id, RunStatus.Failed, error: "cancelled");

        Assert.Null(_store.ClaimShard("w", Minute));
        Assert.Throws<KeyNotFoundException>(() => _store.Progress(long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.ClaimShard("w", TimeSpan.Zero));
    }

    [Fact]
    public void A_released_shard_is_queued_again_without_its_attempt_and_an_undone_advance_can_be_taken_again()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 1));
        Assert.Equal(1, _store.StartShard(id, 1, 1, "w1"));
        _store.ReleaseShard(id, 1, 1);
        Assert.Equal(1, _store.StartShard(id, 1, 1, "w2")); // the released start did not count
        WriteShard(_store, id, 1, 1);
        Assert.Null(_store.StartShard(id, 1, 1, "w3")); // done: not run again
        Assert.True(_store.TryAdvance(id, 1));
        Assert.False(_store.TryAdvance(id, 1));
        _store.UndoAdvance(id, 1);
        Assert.True(_store.TryAdvance(id, 1));
    }

    [Fact]
    public void Shards_written_from_outside_never_join_a_submitted_run()
    {
        long scenario = NewScenario(_store);
        long submitted = _store.CreateRun(Run(scenario, shards: 2));
        long outside = _store.FindOrCreateShardedRun(Run(scenario, shards: 2));
        Assert.NotEqual(submitted, outside);
        Assert.Equal(outside, _store.FindOrCreateShardedRun(Run(scenario, shards: 2)));
    }
}
