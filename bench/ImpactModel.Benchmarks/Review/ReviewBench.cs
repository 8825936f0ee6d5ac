using BenchmarkDotNet.Attributes;
using ImpactModel.MonteCarlo;
using ImpactModel.Review;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;

namespace ImpactModel.Benchmarks.Review;

/// <summary>
/// What the review view costs (issue 21's bars: under 10% of a run without <c>--sensitivity</c>;
/// a sensitivity run of the fraud scenario at 2,000,000 persons and 20 replicates under a minute).
/// <see cref="DefaultRun"/> is the run <c>impact run scenarios/fraud-error-debt.yaml</c> makes by
/// default (200,000 persons, 40 replicates, 16 variants, every core); <see cref="Review"/> derives the
/// review from it without <c>--sensitivity</c> (paired safeguard effects, principles, rank
/// correlations, evidence register); <see cref="SensitivityEvaluation"/> is one of the sensitivity
/// analysis' evaluations at 2,000,000 persons (the status quo and the proposal, one replicate, every
/// uncertain parameter pinned), which <c>--sensitivity</c> makes about 4 times per uncertain parameter.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ReviewBench
{
    private Scenario _scenario = null!;
    private IReadOnlyList<IStrandModel> _models = null!;
    private RunResult _result = null!;
    private RunScope _scope = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        _models = BuiltInStrands.Registry.For(_scenario).Models;
        _result = DefaultRun();
        var pins = SensitivityAnalysis.Families(_scenario, _result).SelectMany(f => f.Members)
            .ToDictionary(p => p.Path, p => ParameterQuantiles.Of(p, SensitivityAnalysis.Median), StringComparer.Ordinal);
        _scope = new RunScope([VariantBuilder.StatusQuo, VariantBuilder.Proposal], new ParameterPins(pins));
    }

    [Benchmark(Baseline = true)]
    public RunResult DefaultRun() => SimulationRunner.Run(_scenario, new RunSettings(1, 40, 200_000), _models);

    [Benchmark]
    public RunReview Review() => RunReview.Of(_scenario, _result, _models);

    [Benchmark]
    public RunResult SensitivityEvaluation() => SimulationRunner.Run(_scenario, new RunSettings(1, 1, 2_000_000), _models, scope: _scope);
}
