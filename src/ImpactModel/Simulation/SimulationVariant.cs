using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>What a variant is built from.</summary>
public enum VariantKind
{
    /// <summary>Today's arrangements: nothing new is shared or linked, no proposed safeguard runs.</summary>
    StatusQuo,

    /// <summary>The proposal, possibly with safeguards switched off or parameters overridden.</summary>
    Proposal,
}

/// <summary>
/// One variant of a scenario: a <c>with</c> copy of the declared scenario (safeguards switched on
/// or off, overridden parameters replaced by their new values), what it changes, and the
/// overridden settings (choices such as <c>fraud.matching.comparison</c>) that strands read.
/// </summary>
/// <param name="Id">The variant id (<c>status-quo</c>, <c>proposal</c>, … or a declared id).</param>
/// <param name="Description">One sentence for the manifest.</param>
/// <param name="Kind">Status quo or a form of the proposal.</param>
/// <param name="Scenario">The scenario as this variant sees it.</param>
/// <param name="Changes">What differs from the proposal as declared, one line each (empty for the proposal).</param>
/// <param name="Settings">Overridden settings by dotted path (not parameters): the strand that owns the setting reads it.</param>
public sealed record SimulationVariant(
    string Id,
    string Description,
    VariantKind Kind,
    Scenario Scenario,
    ImmutableArray<string> Changes,
    ImmutableDictionary<string, string> Settings)
{
    /// <summary>True when the variant shares and links data (every variant but the status quo).</summary>
    public bool LinksData => Kind == VariantKind.Proposal;

    /// <summary>The safeguards that are on in this variant.</summary>
    public IEnumerable<SafeguardSpec> EnabledSafeguards => Scenario.Safeguards.Where(s => s.Enabled);

    /// <summary>The overridden value of a setting, or null when this variant does not override it.</summary>
    public string? Setting(string path) => Settings.TryGetValue(path, out var v) ? v : null;
}
