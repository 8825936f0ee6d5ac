using BenchmarkDotNet.Attributes;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Simulation;

/// <summary>
/// The fixed cost of a replicate of the shipped fraud scenario, every variant (15), whatever its
/// persons: parameters drawn, the population and every model compiled (linkage tables included),
/// the runner's per-replicate set-up, the tallies turned into values and stored. <see cref="OnePerson"/>
/// runs replicates of one person, so Mean is almost all fixed cost; <see cref="TenThousandPersons"/> is
/// the size the issue measured (1,000 replicates took 50 s, about 45 ms a replicate, before).
/// Mean is per replicate (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class ReplicateFixedCostBench
{
    private const int Replicates = 40;

    private Scenario _scenario = null!;
    private IReadOnlyList<IStrandModel> _models = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        _models = BuiltInStrands.Registry.For(_scenario).Models;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Replicates)]
    public RunResult OnePerson() => SimulationRunner.Run(_scenario, new RunSettings(1, Replicates, 1), _models);

    [Benchmark(OperationsPerInvoke = Replicates)]
    public RunResult TenThousandPersons() => SimulationRunner.Run(_scenario, new RunSettings(1, Replicates, 10_000), _models);

    /// <summary>The population compiled alone, once (it is part of every replicate's fixed cost).</summary>
    [Benchmark]
    public CompiledPopulation PopulationCompile() => CompiledPopulation.Compile(_scenario.Population, 1, 3);
}
