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
/// One variant of a scenario: the declared scenario with the variant's safeguards switched on or off
/// (a <c>with</c> copy), the parameters it overrides, the settings it chooses, and what it changes.
/// </summary>
/// <param name="Id">The variant id (<c>status-quo</c>, <c>proposal</c>, … or a declared id).</param>
/// <param name="Description">One sentence for the manifest.</param>
/// <param name="Kind">Status quo or a form of the proposal.</param>
/// <param name="Scenario">The scenario as this variant sees it (safeguards on or off; parameters as declared: see <see cref="Resolve"/>).</param>
/// <param name="Changes">What differs from the proposal as declared, one line each (empty for the proposal).</param>
/// <param name="Settings">Overridden settings by dotted path (not parameters): the strand that owns the setting reads it.</param>
/// <param name="Parameters">
/// Overridden parameters by the path of the parameter they replace, each a copy of it with the new
/// value: the path is kept, so the override is drawn from the same random counter as the original
/// and every other parameter keeps its draw (common random numbers).
/// </param>
public sealed record SimulationVariant(
    string Id,
    string Description,
    VariantKind Kind,
    Scenario Scenario,
    ImmutableArray<string> Changes,
    ImmutableDictionary<string, string> Settings,
    ImmutableDictionary<string, Parameter> Parameters)
{
    /// <summary>True when the variant shares and links data (every variant but the status quo).</summary>
    public bool LinksData => Kind == VariantKind.Proposal;

    /// <summary>The safeguards that are on in this variant.</summary>
    public IEnumerable<SafeguardSpec> EnabledSafeguards => Scenario.Safeguards.Where(s => s.Enabled);

    /// <summary>The overridden value of a setting, or null when this variant does not override it.</summary>
    public string? Setting(string path) => Settings.TryGetValue(path, out var v) ? v : null;

    /// <summary>
    /// <paramref name="parameter"/> as this variant sees it: its override, or itself. A single-number
    /// override of a value spread by its grade keeps that spread and draw (only the centre moves), so
    /// the variant is compared with the others on the same draw, as common random numbers require;
    /// an override marked <c>fixed: true</c> is held as written.
    /// </summary>
    public Parameter Resolve(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (Parameters.Count == 0 || !Parameters.TryGetValue(parameter.Path, out var overridden))
            return parameter;
        return overridden.Value is FixedValue { Value: var x } && overridden.FixedReason is null && parameter.Spread > 0 && parameter.Kind is { } kind
               && UncertaintySettings.Moves(x, kind)
            ? overridden with { Spread = parameter.Spread, Kind = kind, DrawPath = parameter.DrawPath }
            : overridden;
    }
}
