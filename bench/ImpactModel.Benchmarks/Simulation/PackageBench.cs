using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Packages;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Simulation;

/// <summary>
/// What running the shipped package costs against running its three scenarios one after another
/// (issue 25's bar: less than the sum of the three at UK scale, the population generated once):
/// <see cref="ThreeScenariosApart"/> runs each scenario alone (unobserved: the research strand in one
/// pass); <see cref="Package"/> runs them on the same persons with the burden counted (observed: the
/// research strand in two passes, every strand marking its persons).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class PackageBench
{
    private Package _package = null!;

    [Params(4_000_000L)]
    public long Persons { get; set; }

    private RunSettings Settings => new(1, 1, Persons);

    [GlobalSetup]
    public void Setup()
    {
        string file = Path.Combine(ShippedScenarios.Folder, "uk-data-sharing-package.yaml");
        PackageLoadResult loaded = PackageLoader.Load(file, ShippedScenarios.DiskFiles.Instance);
        _package = loaded.Package ?? throw new InvalidOperationException(string.Join("; ", loaded.Errors));
    }

    [Benchmark(Baseline = true)]
    public int ThreeScenariosApart()
    {
        int rows = 0;
        foreach (PackageEntry entry in _package.Scenarios)
            rows += SimulationRunner.Run(entry.Scenario, Settings, BuiltInStrands.Registry).Rows.Count;
        return rows;
    }

    [Benchmark]
    public PackageRun Package() => PackageRunner.Run(_package, Settings, BuiltInStrands.Registry);
}
