using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>
/// A typed safeguard: its mechanism's parameters, its costs, the strands it acts in and the
/// data-protection principles it serves (for the legal review view).
/// </summary>
public sealed record SafeguardSpec(
    string Id,
    string Type,
    string? Description,
    bool Enabled,
    ImmutableArray<string> Strands,
    ImmutableArray<string> Principles,
    Parameter SetupCost,
    Parameter AnnualCost,
    ImmutableDictionary<string, Parameter> Parameters,
    ImmutableArray<string> Groups,
    ImmutableDictionary<string, string> Levels,
    SourcePosition Position)
{
    /// <summary>A mechanism parameter by name (e.g. <c>catch_rate</c>).</summary>
    public Parameter? Get(string name) => Parameters.TryGetValue(name, out var p) ? p : null;
}

/// <summary>A named variant: overrides by dotted path applied to the proposal.</summary>
public sealed record VariantSpec(string Id, string? Description, ImmutableArray<OverrideSpec> Overrides, SourcePosition Position);

/// <summary>One override: the dotted path it names, and the new value (already validated against the target).</summary>
public sealed record OverrideSpec(string Path, string Value, SourcePosition Position);
