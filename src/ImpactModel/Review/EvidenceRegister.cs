using System.Globalization;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Review;

/// <summary>One row of <c>evidence.csv</c>: a parameter as declared, its source and grade, and its best sensitivity rank (null when unranked).</summary>
public sealed record EvidenceRow(string Parameter, string Value, string? Source, string Grade, int? SensitivityRank);

/// <summary>
/// The evidence register: every parameter of the scenario and its population file (by the paths of
/// <c>parameters.csv</c>), with its value or distribution as declared, its source and grade, and
/// the best rank its family (<see cref="SensitivityAnalysis.FamilyOf"/>) takes over the headline
/// metrics in the sensitivity analysis (over the swings when there are any, else over the rank correlations), so a reader can see which weakly evidenced values move the decision.
/// </summary>
public static class EvidenceRegister
{
    /// <summary>The register's rows, in <see cref="ScenarioParameters.All"/>'s order.</summary>
    public static IReadOnlyList<EvidenceRow> Of(Scenario scenario, IReadOnlyList<SensitivityRow> sensitivity)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(sensitivity);
        // With swings (a run with --sensitivity), only the swings' ranks count: a metric ranked by its rank
        // correlations alone (too few simulated events for a swing) would let chance correlations in.
        bool swings = sensitivity.Any(r => r.Swing is not null);
        var best = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (SensitivityRow row in sensitivity)
        {
            if (row.Rank is { } rank && (!swings || row.Swing is not null) && (!best.TryGetValue(row.Parameter, out int b) || rank < b))
                best[row.Parameter] = rank;
        }

        return [.. ScenarioParameters.All(scenario).Select(p => new EvidenceRow(p.Path, Declared(p), p.Evidence.Source, Evidence.IdOf(p.Evidence.Grade),
            best.TryGetValue(SensitivityAnalysis.FamilyOf(p.Path), out int r) ? r : null))];
    }

    /// <summary>The value as declared (a number or a distribution), and how a single number is spread by its grade or held fixed.</summary>
    public static string Declared(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        string value = parameter.Value.ToString();
        if (parameter.Value.IsFixed && parameter.Spread > 0)
            return value + " (spread by its grade, sigma " + parameter.Spread.ToString("R", CultureInfo.InvariantCulture) + ")";
        return parameter.FixedReason is { } reason ? value + " (fixed: " + reason + ")" : value;
    }
}
