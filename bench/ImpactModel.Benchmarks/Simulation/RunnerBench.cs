using BenchmarkDotNet.Attributes;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Simulation;

/// <summary>
/// The runner's cost per chunk of <see cref="PersonChunk.DefaultCapacity"/> persons over 10 million persons (issue 8), on the shipped
/// fraud scenario with population and linkage only and all 15 variants: <see cref="GenerateOnly"/>
/// (the baseline: persons generated, nothing evaluated), <see cref="EvaluateAllVariants"/> (generated,
/// then every variant tallied: persons by group and the linkage, linked once because no variant
/// changes it) on one thread; Mean is per chunk (OperationsPerInvoke), so the runner's overhead per
/// chunk is the difference minus the linkage kernel's own cost. <see cref="WholeReplicate"/> is
/// <see cref="SimulationRunner.Run(Scenario, RunSettings, StrandRegistry, IProgress{RunProgress}?, Func{int, IChunkObserver}?, IReplicateStore?, CancellationToken)"/>
/// for one replicate of 10 million persons on every core, Mean per replicate.
/// </summary>
[MemoryDiagnoser]
public class RunnerBench
{
    private const long Persons = 10_000_000;
    private const int Chunk = PersonChunk.DefaultCapacity;
    private const int Chunks = (int)((Persons + Chunk - 1) / Chunk);

    private Scenario _scenario = null!;
    private CompiledPopulation _population = null!;
    private IStrandReplicate _replicate = null!;
    private IChunkEvaluator _evaluator = null!;
    private ChunkOutput _output;
    private readonly PersonChunk _chunk = new(Chunk);

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        var variants = VariantBuilder.Build(_scenario);
        _population = CompiledPopulation.Compile(_scenario.Population, 1, 0);
        var model = new PopulationLinkageModel(_scenario);
        _replicate = model.Compile(new ReplicateContext(_scenario, variants, _population, 1, 0, Persons));
        _evaluator = _replicate.CreateEvaluator(0, Chunk);
        _output = ChunkOutput.Alone(model, variants.Count, _population.GroupIds.Count, Chunk);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Chunks)]
    public void GenerateOnly()
    {
        for (int c = 0; c < Chunks; c++)
        {
            long start = (long)c * Chunk;
            _population.Generate(_chunk, start, (int)Math.Min(Chunk, Persons - start));
        }
    }

    [Benchmark(OperationsPerInvoke = Chunks)]
    public void EvaluateAllVariants()
    {
        for (int c = 0; c < Chunks; c++)
        {
            long start = (long)c * Chunk;
            _population.Generate(_chunk, start, (int)Math.Min(Chunk, Persons - start));
            _evaluator.Evaluate(_chunk, _output);
        }
    }

    [Benchmark]
    public RunResult WholeReplicate() => SimulationRunner.Run(_scenario, new RunSettings(1, 1, Persons), BuiltInStrands.Registry);
}
