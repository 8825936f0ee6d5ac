using BenchmarkDotNet.Attributes;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Scenarios;

/// <summary>
/// What <c>impact validate</c> does after loading a scenario: compile replicate 0 of its models to find
/// the declared overrides that would not act (<see cref="VariantBuilder.Warnings(Scenario, IReadOnlyList{IStrandModel})"/>),
/// for the three shipped strand scenarios. Issue 26: the linkages' tables, a fifth of a native
/// validate, are not built for it. Two jobs: warm (short run; a warm process finds the tables of fixed
/// parameters in the linkages' cache, so builds them once) and cold start (the first call in a fresh
/// process, as validate pays it). <c>dotnet run -c Release --project bench/ImpactModel.Benchmarks -- --filter '*WarningsBench*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
[SimpleJob(BenchmarkDotNet.Engines.RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1, id: "ColdStart")]
public class WarningsBench
{
    private (Scenario Scenario, IReadOnlyList<IStrandModel> Models)[] _scenarios = [];

    [GlobalSetup]
    public void Setup() =>
        _scenarios = [.. ShippedScenarios.OfEachStrand().Select(s => (s, BuiltInStrands.Registry.For(s).Models))];

    [Benchmark]
    public int WarningsOfEach()
    {
        int count = 0;
        foreach (var (scenario, models) in _scenarios)
            count += VariantBuilder.Warnings(scenario, models).Count;
        return count;
    }
}
