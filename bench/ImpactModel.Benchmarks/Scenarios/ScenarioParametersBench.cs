using BenchmarkDotNet.Attributes;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Benchmarks.Scenarios;

/// <summary>
/// Every parameter of the three shipped strand scenarios (<see cref="ScenarioParameters.All"/>: the
/// walk over the scenario's records that a run makes before its first replicate, and the review again
/// after). Two jobs: warm (short run) and cold start (the first call in a fresh process, as a run
/// pays it: issue 26 read the records' properties through getter stubs the runtime compiled on first
/// use, about 340 of them). <c>dotnet run -c Release --project bench/ImpactModel.Benchmarks -- --filter '*ScenarioParametersBench*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
[SimpleJob(BenchmarkDotNet.Engines.RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1, id: "ColdStart")]
public class ScenarioParametersBench
{
    private Scenario[] _scenarios = [];

    [GlobalSetup]
    public void Setup() => _scenarios = ShippedScenarios.OfEachStrand();

    [Benchmark]
    public int ParametersOfEach()
    {
        int count = 0;
        foreach (Scenario scenario in _scenarios)
            count += ScenarioParameters.All(scenario).Count;
        return count;
    }
}
