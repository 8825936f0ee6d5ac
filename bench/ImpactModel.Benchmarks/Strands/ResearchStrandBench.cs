using BenchmarkDotNet.Attributes;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Strands.Research;

namespace ImpactModel.Benchmarks.Strands;

/// <summary>
/// The shipped research scenario, every variant (14), on every core. <see cref="WholeRun"/>: one
/// replicate of the declared 67.6 million persons as <c>impact run --replicates 1</c> does (its
/// issue's bar: under 8 s with start-up): pass 0 only, the figures formed at its end.
/// <see cref="WholeRunObserved"/>: the same with an observer of the persons' flags, so pass 1 runs
/// to mark them. <see cref="GenerateOnly"/>: the same persons generated once with what the strand
/// reads, nothing evaluated (the floor of one pass). <see cref="EstimatedTenMillion"/>: 10 million
/// persons, class sizes estimated for the declared population. <see cref="CountChunk"/> and
/// <see cref="MarkChunk"/>: one chunk of 1,024 persons in each pass after the replicate's pass 0
/// has ended (per chunk; 0 bytes allocated). <see cref="EndOfPass0"/>: the end of pass 0 for 2
/// million persons' counts, class sizes estimated (risk tables, the figures by row, the estimates).
/// </summary>
[MemoryDiagnoser]
public class ResearchStrandBench
{
    private Scenario _scenario = null!;
    private ResearchModel _model = null!;
    private CompiledPopulation _population = null!;
    private PersonChunk _chunk = null!;
    private IChunkEvaluator _counter = null!;
    private IChunkEvaluator _marker = null!;
    private IStrandReplicate _replicate = null!;
    private ChunkOutput _output;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("research-statistics.yaml");
        _model = new ResearchModel(_scenario);
        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(_scenario);
        const long persons = 2_000_000;
        var context = new ReplicateContext(_scenario, variants, CompiledPopulation.Compile(_scenario.Population, 1, 0), 1, 0, persons);
        _population = context.Population;
        IStrandReplicate replicate = _replicate = _model.Compile(context);

        // Pass 0 over the replicate's persons, then the evaluators of both passes for one chunk.
        _chunk = new PersonChunk();
        _output = ChunkOutput.Alone(_model, variants.Count, _scenario.Population.Groups.Length, _chunk.Capacity);
        IChunkEvaluator first = replicate.CreateEvaluator(0, _chunk.Capacity);
        for (long p = 0; p < persons; p += _chunk.Capacity)
        {
            _population.Generate(_chunk, p, _chunk.Capacity, _model.Reads);
            first.Evaluate(_chunk, _output);
        }

        replicate.EndPass(0, _output.Accumulators);

        // The marker marks only with exact class sizes: a replicate that takes the same persons' counts as the declared population's.
        IStrandReplicate exact = _model.Compile(context with { Persons = _scenario.Population.Size });
        exact.EndPass(0, _output.Accumulators);
        _population.Generate(_chunk, 123_456, _chunk.Capacity, _model.Reads);
        _counter = replicate.CreateEvaluator(0, _chunk.Capacity);
        _marker = exact.CreateEvaluator(1, _chunk.Capacity);
    }

    /// <summary>The declared population generated with what the strand reads, nothing evaluated: the floor of one pass.</summary>
    [Benchmark(Baseline = true)]
    public int GenerateOnly() => ChunkLoop.Run(_population, _model.Reads, 0, _scenario.Population.Size, new ChunkLoopOptions(0), () => 0, (_, _) => { }).Count;

    [Benchmark]
    public RunResult WholeRun() => SimulationRunner.Run(_scenario, new RunSettings(1, 1, _scenario.Population.Size), BuiltInStrands.Registry);

    [Benchmark]
    public RunResult WholeRunObserved() =>
        SimulationRunner.Run(_scenario, new RunSettings(1, 1, _scenario.Population.Size), BuiltInStrands.Registry, observe: _ => new NoObserver());

    [Benchmark]
    public RunResult EstimatedTenMillion() => SimulationRunner.Run(_scenario, new RunSettings(1, 1, 10_000_000), BuiltInStrands.Registry);

    [Benchmark]
    public void CountChunk() => _counter.Evaluate(_chunk, _output);

    /// <summary>Pass 1 when observed: the persons whose record is a sample unique marked harmed (exact class sizes).</summary>
    [Benchmark]
    public void MarkChunk() => _marker.Evaluate(_chunk, _output);

    /// <summary>The end of pass 0 of the estimated replicate: risk tables from the estimator, the figures by row, the estimates.</summary>
    [Benchmark]
    public void EndOfPass0() => _replicate.EndPass(0, _output.Accumulators);

    private sealed class NoObserver : IChunkObserver
    {
        public void Observe(PersonChunk persons, PersonFlags flags)
        {
        }
    }
}
