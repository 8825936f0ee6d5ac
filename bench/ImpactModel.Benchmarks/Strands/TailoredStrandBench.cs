using BenchmarkDotNet.Attributes;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Strands;
using ImpactModel.Strands.TailoredServices;

namespace ImpactModel.Benchmarks.Strands;

/// <summary>
/// One replicate of the shipped tailored-services scenario, every variant (14), 10 million persons,
/// on every core: <see cref="PopulationAndLinkage"/> (the baseline: persons generated, every person
/// linked for the <c>link_*</c> metrics), <see cref="TailoredStrandOnly"/> (persons generated, the
/// strand for everyone: need, self-application, and the rule's linkage for the persons with a record
/// in the benefit data), and <see cref="WholeRun"/> (both, as <c>impact run</c> does, the runner's
/// model no longer linking everyone). Mean is per replicate of 10 million persons.
/// </summary>
[MemoryDiagnoser]
public class TailoredStrandBench
{
    private const long Persons = 10_000_000;

    private Scenario _scenario = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("tailored-services.yaml");
    }

    [Benchmark(Baseline = true)]
    public RunResult PopulationAndLinkage() => SimulationRunner.Run(_scenario, Settings, [new PopulationLinkageModel(_scenario)]);

    [Benchmark]
    public RunResult TailoredStrandOnly() => SimulationRunner.Run(_scenario, Settings, [new TailoredServicesModel(_scenario)]);

    [Benchmark]
    public RunResult WholeRun() => SimulationRunner.Run(_scenario, Settings, BuiltInStrands.Registry);

    private static RunSettings Settings => new(1, 1, Persons);
}
