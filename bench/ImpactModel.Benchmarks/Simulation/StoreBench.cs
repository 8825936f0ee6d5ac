using System.Collections.Immutable;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ImpactModel.Postgres;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Simulation;

/// <summary>
/// The results store's costs (issue 24), against the PostgreSQL server named by the environment
/// variable <c>IMPACT_BENCH_POSTGRES</c> (a connection string; docs/performance.md shows how the rows
/// were made): <see cref="CopyResults"/> writes a run's results.csv rows with binary COPY (the fraud
/// scenario's 5,070 rows a call; rows a second = 5,070 / Mean); <see cref="WriteShardTallies"/> stores
/// one shard's tallies (40 replicates of the fraud scenario, 4.5 MB) in one transaction;
/// <see cref="SixteenShardsThroughStore"/> runs 10 M persons × 8 replicates as 16 shards whose tallies go
/// through the store and are merged from it, against <see cref="OneProcess"/> (target: under 15% more), one shard at a time on
/// both cores, and two at a time on one core each (<see cref="SixteenShardsThroughStoreTwoWorkers"/>, as a pool of two workers would).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StoreBench
{
    private const int Shards = 16;
    private Scenario _scenario = null!;
    private IReadOnlyList<IStrandModel> _models = null!;
    private RunSettings _settings = null!;
    private ResultStore _store = null!;
    private long _scenarioId;
    private StoredResultRow[] _rows = [];
    private byte[] _payload = [];
    private string _sha = "";

    [GlobalSetup]
    public void Setup()
    {
        string connection = Environment.GetEnvironmentVariable("IMPACT_BENCH_POSTGRES")
                            ?? throw new InvalidOperationException("set IMPACT_BENCH_POSTGRES to a connection string of a PostgreSQL server to measure the store");
        _store = ResultStore.Open(connection);
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        _models = BuiltInStrands.Registry.For(_scenario).Models;
        _settings = new RunSettings(1, 8, 10_000_000);
        _scenarioId = _store.SaveScenario(_scenario.Name, _scenario.Strand, Guid.NewGuid().ToString("N"), "bench", null);
        RunResult small = SimulationRunner.Run(_scenario, new RunSettings(1, 3, 2_000), _models);
        _rows = [.. small.Rows.Select(r => new StoredResultRow(small.Scenario, small.Strand, r.Variant, r.Group, r.Metric, r.Summary.Mean, r.Summary.Low,
            r.Summary.High, r.Summary.Replicates, r.Summary.McSe, r.Events))];
        ShardPlan one = ShardPlan.Create(1, 40, 1_000);
        using var buffer = new MemoryStream();
        ShardFormat.Write(buffer, Header(one.Shard(1), 40, 1_000), ShardRunner.RunPhase(_scenario, new RunSettings(1, 40, 1_000), _models, one, one.Shard(1), 1, null));
        _payload = buffer.ToArray();
        _sha = Convert.ToHexStringLower(SHA256.HashData(_payload));
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    private ShardHeader Header(ShardSpan shard, int replicates, long persons) =>
        new(_scenario.Name, _scenario.Strand, "bench", "bench", 1, replicates, persons, shard.Number, shard.Of, 1, 1, 0, 0, 0, ImmutableArray<ShardInput>.Empty);

    private long NewRun(int shards) =>
        _store.FindOrCreateShardedRun(new NewRun(_scenarioId, (ulong)System.Random.Shared.NextInt64(), _settings.Replicates, _settings.Persons, "bench") { Shards = shards });

    [Benchmark]
    public void CopyResults() => _store.WriteResults(NewRun(1), _rows);

    [Benchmark]
    public bool WriteShardTallies() => _store.WriteShard(NewRun(1), 1, 1, _payload, _sha);

    [Benchmark(Baseline = true)]
    public RunResult OneProcess() => SimulationRunner.Run(_scenario, _settings, _models);

    [Benchmark]
    public RunResult SixteenShardsThroughStore() => ThroughStore(workers: 1, threads: 0);

    /// <summary>The 16 shards as a pool of two one-thread workers on the same two cores would run them: two at a time, each committing while the other computes.</summary>
    [Benchmark]
    public RunResult SixteenShardsThroughStoreTwoWorkers() => ThroughStore(workers: 2, threads: 1);

    private RunResult ThroughStore(int workers, int threads)
    {
        long run = NewRun(Shards);
        ShardPlan plan = ShardPlan.Create(Shards, _settings.Replicates, _settings.Persons);
        RunSettings settings = _settings with { Threads = threads };
        Parallel.ForEach(plan.All, new ParallelOptions { MaxDegreeOfParallelism = workers }, shard =>
        {
            using var buffer = new MemoryStream();
            ShardFormat.Write(buffer, Header(shard, _settings.Replicates, _settings.Persons), ShardRunner.RunPhase(_scenario, settings, _models, plan, shard, 1, null));
            byte[] payload = buffer.ToArray();
            _store.WriteShard(run, shard.Number, 1, payload, Convert.ToHexStringLower(SHA256.HashData(payload)));
        });

        return ShardRunner.Merge(_scenario, _settings, _models, plan, new Stored(_store, run));
    }

    private sealed class Stored(ResultStore store, long run) : IShardSource
    {
        public ShardBlock Read(int shard, int phase, int replicate)
        {
            var stream = new MemoryStream(store.ReadShard(run, shard, phase)!.Payload);
            return ShardFormat.Verify(stream, out string? problem) ? ShardFormat.Index(stream).Read(replicate) : throw new InvalidOperationException(problem);
        }
    }
}
