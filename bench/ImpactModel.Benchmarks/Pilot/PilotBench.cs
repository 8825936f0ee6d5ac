using BenchmarkDotNet.Attributes;
using ImpactModel.Pilot.Simulation;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Pilot;

/// <summary>
/// What sizing the shipped fraud scenario's pilot costs (issue 23's bar: <c>impact pilot
/// scenarios/fraud-error-debt.yaml</c> with its default grid and 1,000 simulations per point under 60 s
/// on this 2-core machine). <see cref="DefaultStudy"/> is that study without the process and the
/// folder: 1,000 engine replicates over the 45 candidate local authorities' enrolled persons
/// (250,000 a replicate), then 2 designs × 2 durations × 19 sizes × 3 outcomes analysed 1,000 times.
/// <see cref="EngineReplicates"/> and <see cref="Analysis"/> split it: 100 engine replicates, and
/// the analysis of 1,000 simulated pilots from counts already made.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PilotBench
{
    private Scenario _scenario = null!;
    private IReadOnlyList<IStrandModel> _models = null!;
    private PilotSetup _setup = null!;
    private AreaCounts _counts = null!;
    private ImpactModel.Population.AreaEnrolment _enrolment = null!;
    private PilotSettings _settings = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        _models = BuiltInStrands.Registry.For(_scenario).Models;
        var prepared = PilotStudy.Prepare(_scenario, _models, new PilotRequest(1, 1000, null, null));
        _setup = prepared.Setup;
        _enrolment = PilotStudy.Enrol(_setup, prepared.Fraction);
        _settings = new PilotSettings(1, 1000, prepared.Grid, YearlyOutcomes: true);
        _counts = PilotEngine.Run(_setup, _models, _enrolment, 1, 1000, 0);
    }

    [Benchmark(Baseline = true)]
    public PilotStudyResult DefaultStudy() => PilotStudy.Run(_scenario, _models, new PilotRequest(1, 1000, null, null));

    [Benchmark]
    public AreaCounts EngineReplicates() => PilotEngine.Run(_setup, _models, _enrolment, 1, 100, 0);

    [Benchmark]
    public IReadOnlyList<PilotRow> Analysis() => PilotSimulator.Simulate(_setup, _counts, _enrolment.Counts, _settings, 0, default, out _);
}
