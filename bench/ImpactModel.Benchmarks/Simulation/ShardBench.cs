using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Simulation;

/// <summary>
/// What cutting a run into shards costs (issue 24's bar: under 15% over one process at 10 M persons ×
/// 8 replicates): <see cref="OneProcess"/> runs the fraud scenario in one process; <see cref="SixteenShardsThroughFiles"/>
/// runs its 16 shards one after another on the same cores, each written as a checksummed shard file, then
/// verifies and merges them, as <c>impact run --shard I/16</c> and <c>impact merge</c> do without their processes.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ShardBench
{
    private const int Shards = 16;
    private Scenario _scenario = null!;
    private IReadOnlyList<IStrandModel> _models = null!;
    private RunSettings _settings = null!;
    private string _folder = null!;

    [Params(10_000_000L)]
    public long Persons { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        _models = BuiltInStrands.Registry.For(_scenario).Models;
        _settings = new RunSettings(1, 8, Persons);
        _folder = Directory.CreateTempSubdirectory("impact-shard-bench-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public RunResult OneProcess() => SimulationRunner.Run(_scenario, _settings, _models);

    [Benchmark]
    public RunResult SixteenShardsThroughFiles()
    {
        ShardPlan plan = ShardPlan.Create(Shards, _settings.Replicates, _settings.Persons);
        foreach (ShardSpan shard in plan.All)
        {
            var header = new ShardHeader(_scenario.Name, _scenario.Strand, "bench", "bench", _settings.Seed, _settings.Replicates, _settings.Persons,
                shard.Number, Shards, 1, 1, 0, 0, 0, ImmutableArray<ShardInput>.Empty);
            using var stream = File.Create(Path.Combine(_folder, ShardHeader.FileName(shard.Number, Shards, 1)));
            ShardFormat.Write(stream, header, ShardRunner.RunPhase(_scenario, _settings, _models, plan, shard, 1, null));
        }

        return ShardRunner.Merge(_scenario, _settings, _models, plan, new Files(_folder));
    }

    private sealed class Files(string folder) : IShardSource
    {
        public ShardBlock Read(int shard, int phase, int replicate)
        {
            using var stream = File.OpenRead(Path.Combine(folder, ShardHeader.FileName(shard, Shards, phase)));
            if (!ShardFormat.Verify(stream, out string? problem))
                throw new InvalidOperationException(problem);
            return ShardFormat.Index(stream).Read(replicate);
        }
    }
}
