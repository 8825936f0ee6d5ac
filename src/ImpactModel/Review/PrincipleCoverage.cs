using ImpactModel.Safeguards;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Review;

/// <summary>One row of <c>principles.csv</c>: a data-protection principle and a safeguard that serves it, or null when none does.</summary>
public sealed record PrincipleRow(string Principle, string? Safeguard);

/// <summary>
/// Which of the seven data-protection principles (UK GDPR Article 5, <see cref="SafeguardCatalogue.Principles"/>)
/// the proposal's safeguards serve, as each safeguard declares or its type's default says: the
/// principles in the catalogue's order, each with the safeguards that serve it in the scenario's
/// order, or one row without a safeguard when none does. A safeguard declared off serves nothing
/// in the proposal and is not listed.
/// </summary>
public static class PrincipleCoverage
{
    /// <summary>The rows of <c>principles.csv</c> for <paramref name="scenario"/>.</summary>
    public static IReadOnlyList<PrincipleRow> Of(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var rows = new List<PrincipleRow>();
        foreach (string principle in SafeguardCatalogue.Principles)
        {
            var serving = scenario.Safeguards.Where(s => s.Enabled && s.Principles.Contains(principle)).Select(s => s.Id).ToList();
            if (serving.Count == 0)
                rows.Add(new PrincipleRow(principle, null));
            rows.AddRange(serving.Select(id => new PrincipleRow(principle, id)));
        }

        return rows;
    }
}
