using BenchmarkDotNet.Attributes;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
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
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ImpactModel.sln")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository not found");
        _scenario = ScenarioLoader.LoadScenario(Path.Combine(dir, "scenarios", "fraud-error-debt.yaml"), new DiskFiles());
    }

    [Benchmark(Baseline = true)]
    public RunResult PopulationAndLinkage() => SimulationRunner.Run(_scenario, Settings, [new PopulationLinkageModel(_scenario)]);

    [Benchmark]
    public RunResult FraudStrandOnly() => SimulationRunner.Run(_scenario, Settings, [new FraudModel(_scenario)]);

    [Benchmark]
    public RunResult WholeRun() => SimulationRunner.Run(_scenario, Settings);

    private static RunSettings Settings => new(1, 1, Persons);

    private sealed class DiskFiles : IScenarioFiles
    {
        public string Resolve(string referencingFile, string relativePath) =>
            Path.Combine(Path.GetDirectoryName(referencingFile) ?? "", relativePath);

        public ScenarioFileContent Read(string path) =>
            File.Exists(path) ? ScenarioFileContent.Of(File.ReadAllBytes(path)) : ScenarioFileContent.Failed("no such file");
    }
}
