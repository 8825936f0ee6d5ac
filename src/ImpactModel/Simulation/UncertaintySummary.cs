using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>
/// How a run's parameters carried uncertainty, for the manifest and report: how many were drawn
/// per replicate and why each of the others did not vary, the spreads by grade, and the quantities
/// each person draws from (which are not listed among the replicate's draws in <c>parameters.csv</c>).
/// </summary>
/// <param name="AssumptionSpread">σ of an <c>assumption</c> (or ungraded) single number (docs/scenario-format.md, "Uncertainty by grade").</param>
/// <param name="ExpertJudgementSpread">σ of an <c>expert-judgement</c> single number.</param>
/// <param name="PerReplicate">Parameters drawn once per replicate (the rows of each replicate in <c>parameters.csv</c>).</param>
/// <param name="Uncertain">Of those, how many vary across replicates: <see cref="Declared"/> + <see cref="SpreadByGrade"/>.</param>
/// <param name="Declared">Given a distribution by the scenario.</param>
/// <param name="SpreadByGrade">Single numbers spread by their grade.</param>
/// <param name="FixedByEvidence">Single numbers graded <c>published-statistic</c> or <c>survey-estimate</c>, held as written.</param>
/// <param name="Choices">Choices of the proposal or linker (thresholds, the linker's m and u, pilot settings), held as written.</param>
/// <param name="Certain">Values no spread moves (a probability of 0 or 1, an amount of 0).</param>
/// <param name="HeldFixed">Values the scenario holds fixed with a reason (<c>fixed: true</c>), or engine defaults.</param>
/// <param name="PerPerson">Quantities each person draws from.</param>
public sealed record UncertaintySummary(
    double AssumptionSpread,
    double ExpertJudgementSpread,
    int PerReplicate,
    int Uncertain,
    int Declared,
    int SpreadByGrade,
    int FixedByEvidence,
    int Choices,
    int Certain,
    ImmutableArray<HeldFixed> HeldFixed,
    ImmutableArray<PerPersonParameter> PerPerson)
{
    /// <summary>The summary of <paramref name="perReplicate"/> and <paramref name="perPerson"/> under <paramref name="settings"/>.</summary>
    public static UncertaintySummary Of(UncertaintySettings settings, IReadOnlyList<Parameter> perReplicate, IReadOnlyList<Parameter> perPerson)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(perReplicate);
        ArgumentNullException.ThrowIfNull(perPerson);
        int declared = 0, spread = 0, evidence = 0, choices = 0, certain = 0;
        var held = ImmutableArray.CreateBuilder<HeldFixed>();
        foreach (Parameter p in perReplicate)
        {
            if (!p.Value.IsFixed)
                declared++;
            else if (p.Spread > 0)
                spread++;
            else if (p.FixedReason is { } reason)
                held.Add(new HeldFixed(p.Path, p.Value.ToString()!, reason));
            else if (p.IsChoice)
                choices++;
            else if (p.Evidence.Grade is EvidenceGrade.PublishedStatistic or EvidenceGrade.SurveyEstimate)
                evidence++;
            else
                certain++;
        }

        return new UncertaintySummary(settings.Assumption, settings.ExpertJudgement, perReplicate.Count, declared + spread, declared, spread,
            evidence, choices, certain, held.ToImmutable(),
            [.. perPerson.Select(p => new PerPersonParameter(p.Path, p.Value.ToString()!, p.Evidence.Source, Evidence.IdOf(p.Evidence.Grade)))]);
    }
}

/// <summary>A value held fixed: its path, value and why.</summary>
public sealed record HeldFixed(string Parameter, string Value, string Reason);

/// <summary>A quantity each person draws from: its path, its distribution as written, and its evidence.</summary>
public sealed record PerPersonParameter(string Parameter, string Distribution, string? Source, string Grade);
