using System.Security.Cryptography;
using ImpactModel.Postgres;
using static ImpactModel.Tests.Postgres.StoreTesting;

namespace ImpactModel.Tests.Postgres;

/// <summary>Shard tallies: written once, read in order, a conflicting rewrite refused; sharded runs found by all their callers.</summary>
[Collection(PostgresServerDefinition.Name)]
public sealed class ShardStoreTests(PostgresServer server) : IDisposable
{
    private readonly ResultStore _store = ResultStore.Open(server.DatabaseFor(typeof(ShardStoreTests)));

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_shard_written_twice_is_stored_and_counted_once()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 2));
        byte[] payload = Payload(id, 1, 1);

        bool first = _store.WriteShard(id, 1, 1, payload, Sha256(payload));
        bool second = _store.WriteShard(id, 1, 1, payload, Sha256(payload).ToUpperInvariant());

        Assert.True(first);
        Assert.False(second);
        StoredShard stored = Assert.Single(_store.ReadShards(id, 1));
        Assert.Equal((1, 1, Sha256(payload)), (stored.Shard, stored.Phase, stored.Sha256));
        Assert.Equal(payload, stored.Payload);
        Assert.Equal(new PhaseProgress(1, 2, 1, 0, 1, 0), Assert.Single(_store.Progress(id).Phases));
    }

    [Fact]
    public void A_shard_written_again_with_different_contents_is_refused_and_the_first_kept()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        byte[] payload = Payload(id, 1, 1);
        byte[] other = [.. payload.Select(b => (byte)~b)];
        _store.WriteShard(id, 1, 1, payload, Sha256(payload));

        ShardConflictException e = Assert.Throws<ShardConflictException>(() => _store.WriteShard(id, 1, 1, other, Sha256(other)));

        Assert.Contains($"shard 1 phase 1 of run {id} was written twice with different contents", e.Message, StringComparison.Ordinal);
        Assert.Equal(payload, Assert.Single(_store.ReadShards(id, 1)).Payload);
    }

    [Fact]
    public async Task Writers_of_one_shard_at_once_store_it_once()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        byte[] payload = Payload(id, 1, 1, length: 100_000);
        const int Writers = 6;
        using var ready = new Barrier(Writers);

        Task<bool>[] writes = [.. Enumerable.Range(0, Writers).Select(_ => Task.Factory.StartNew(() =>
        {
            ready.SignalAndWait(TimeSpan.FromMinutes(2));
            return _store.WriteShard(id, 1, 1, payload, Sha256(payload));
        }, TaskCreationOptions.LongRunning))];
        bool[] stored = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(1, stored.Count(s => s));
        Assert.Single(_store.ReadShards(id, 1));
    }

    [Fact]
    public void Shards_read_back_in_shard_order_by_phase()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 5, phases: 2));
        foreach (int shard in new[] { 4, 2, 5, 1, 3 })
            WriteShard(_store, id, shard, 1);
        WriteShard(_store, id, 2, 2);

        IReadOnlyList<StoredShard> phase1 = _store.ReadShards(id, 1);

        Assert.Equal([1, 2, 3, 4, 5], phase1.Select(s => s.Shard));
        Assert.All(phase1, s => Assert.Equal(Payload(id, s.Shard, 1), s.Payload));
        Assert.Equal([2], _store.ReadShards(id, 2).Select(s => s.Shard));
        Assert.True(_store.Progress(id).Phases[0].Complete);
        Assert.False(_store.Progress(id).Complete);
    }

    [Fact]
    public void A_20_MB_payload_round_trips()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        byte[] payload = new byte[20 * 1024 * 1024];
        RandomNumberGenerator.Fill(payload);

        Assert.True(_store.WriteShard(id, 1, 1, payload, Sha256(payload)));
        StoredShard stored = Assert.Single(_store.ReadShards(id, 1));

        Assert.Equal(payload.Length, stored.Payload.Length);
        Assert.Equal(Sha256(payload), Sha256(stored.Payload));
    }

    [Fact]
    public void A_shard_outside_the_run_or_of_no_run_is_refused()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), shards: 2, phases: 1));
        byte[] payload = [1];

        Assert.Throws<ArgumentOutOfRangeException>(() => _store.WriteShard(id, 3, 1, payload, Sha256(payload)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.WriteShard(id, 1, 2, payload, Sha256(payload)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.WriteShard(id, 0, 1, payload, Sha256(payload)));
        Assert.Throws<KeyNotFoundException>(() => _store.WriteShard(long.MaxValue, 1, 1, payload, Sha256(payload)));
        Assert.Empty(_store.ReadShards(id, 1));
    }

    [Fact]
    public async Task Every_index_of_a_sharded_job_finds_the_same_run()
    {
        long scenario = NewScenario(_store);
        NewRun run = Run(scenario, shards: 8);
        const int Indexes = 8;
        using var ready = new Barrier(Indexes);

        Task<long>[] finds = [.. Enumerable.Range(0, Indexes).Select(_ => Task.Factory.StartNew(() =>
        {
            ready.SignalAndWait(TimeSpan.FromMinutes(2));
            return _store.FindOrCreateShardedRun(run);
        }, TaskCreationOptions.LongRunning))];
        long[] found = await Task.WhenAll(finds).WaitAsync(TimeSpan.FromMinutes(5));

        long id = Assert.Single(found.Distinct());
        RunRecord stored = _store.GetRun(id)!;
        Assert.Equal(RunStatus.Running, stored.Status);
        Assert.NotNull(stored.StartedAt);
        Assert.Equal(new PhaseProgress(1, 8, 8, 0, 0, 0), Assert.Single(_store.Progress(id).Phases));
        Assert.NotEqual(id, _store.FindOrCreateShardedRun(run with { Shards = 4 }));
    }

    [Fact]
    public void The_shards_of_a_sharded_run_arrive_done_and_complete_it()
    {
        NewRun run = Run(NewScenario(_store), shards: 3);
        long id = _store.FindOrCreateShardedRun(run);

        foreach (int shard in new[] { 3, 1, 2 })
        {
            Assert.Equal(id, _store.FindOrCreateShardedRun(run));
            WriteShard(_store, id, shard, 1);
        }

        Assert.True(_store.Progress(id).Complete);
        _store.SetRunStatus(id, RunStatus.Done);
        Assert.NotEqual(id, _store.FindOrCreateShardedRun(run)); // a finished run is not written into again
    }
}
