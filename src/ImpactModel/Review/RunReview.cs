using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Review;

/// <summary>
/// The view for legal and policy review, derived from a finished run (issue 21): what each
/// safeguard buys as paired differences, which data-protection principles the safeguards serve,
/// which uncertain parameters drive the headline metrics, and the evidence behind every parameter.
/// Written into every run folder as <c>safeguards.csv</c>, <c>principles.csv</c>,
/// <c>sensitivity.csv</c> and <c>evidence.csv</c>.
/// </summary>
public sealed record RunReview(
    IReadOnlyList<SafeguardEffectRow> Safeguards,
    IReadOnlyList<PrincipleRow> Principles,
    IReadOnlyList<SensitivityRow> Sensitivity,
    IReadOnlyList<EvidenceRow> Evidence)
{
    /// <summary>
    /// The review of <paramref name="result"/>, a run of <paramref name="models"/>: with
    /// <paramref name="sensitivity"/>, the sensitivity analysis evaluates the swings and switching values
    /// (<see cref="SensitivityAnalysis.Analyse"/>: extra runs of the status quo and the proposal);
    /// without, it holds the rank correlations alone.
    /// </summary>
    public static RunReview Of(Scenario scenario, RunResult result, IReadOnlyList<IStrandModel> models, bool sensitivity = false,
        IProgress<SensitivityProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(models);
        IReadOnlyList<SensitivityRow> rows = sensitivity
            ? SensitivityAnalysis.Analyse(scenario, result, models, progress, cancellationToken)
            : SensitivityAnalysis.Correlations(scenario, result);
        return new RunReview(SafeguardEffects.Of(scenario, result, models), PrincipleCoverage.Of(scenario), rows, EvidenceRegister.Of(scenario, rows));
    }
}
