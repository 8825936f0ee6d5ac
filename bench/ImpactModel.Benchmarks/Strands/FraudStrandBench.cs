using BenchmarkDotNet.Attributes;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Strands;
using ImpactModel.Strands.Fraud;

namespace ImpactModel.Benchmarks.Strands;

/// <summary>
/// One replicate of the shipped fraud scenario, every variant (15), 10 million persons, on every
/// core: <see cref="PopulationAndLinkage"/> (the baseline: persons generated, every person linked
/// for the <c>link_*</c> metrics), <see cref="FraudStrandOnly"/> (persons generated, the fraud strand
/// for its claimants only, including their own linkage), and <see cref="WholeRun"/> (both, as
/// <c>impact run</c> does). Mean is per replicate of 10 million persons.
/// </summary>
[MemoryDiagnoser]
public class FraudStrandBench
{
    private const long Persons = 10_000_000;

    private Scenario _scenario = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
    }

    [Benchmark(Baseline = true)]
    public RunResult PopulationAndLinkage() => SimulationRunner.Run(_scenario, Settings, [new PopulationLinkageModel(_scenario)]);

    [Benchmark]
    public RunResult FraudStrandOnly() => SimulationRunner.Run(_scenario, Settings, [new FraudModel(_scenario)]);

    [Benchmark]
    public RunResult WholeRun() => SimulationRunner.Run(_scenario, Settings, BuiltInStrands.Registry);

    private static RunSettings Settings => new(1, 1, Persons);
}
