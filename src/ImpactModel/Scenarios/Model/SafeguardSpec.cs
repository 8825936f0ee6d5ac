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

/// <summary>
/// One override of a variant, typed by the loader against what it names: a new value for a
/// parameter (<see cref="ParameterOverride"/>) or a new choice for a setting (<see cref="SettingOverride"/>).
/// </summary>
/// <param name="Path">The dotted path as written (e.g. <c>safeguards.human-review.catch_rate</c>).</param>
/// <param name="Position">Where the override's value is written.</param>
public abstract record OverrideSpec(string Path, SourcePosition Position)
{
    /// <summary>The new value as text, for the manifest's list of what a variant changes.</summary>
    public abstract string ValueText { get; }
}

/// <summary>A new value or distribution for a parameter, checked against the parameter's range.</summary>
/// <param name="Path">The dotted path as written.</param>
/// <param name="Target">
/// The path of the <see cref="Parameter"/> replaced: <paramref name="Path"/> itself, or without its
/// <c>.base</c> when the path names the base of a value declared once for everyone.
/// </param>
/// <param name="Value">The new value.</param>
/// <param name="Position">Where the value is written.</param>
public sealed record ParameterOverride(string Path, string Target, Distribution Value, SourcePosition Position) : OverrideSpec(Path, Position)
{
    /// <summary>The override's <c>fixed: true</c> reason: held as written, not given the spread of the value it replaces; null otherwise.</summary>
    public string? FixedReason { get; init; }

    public override string ValueText => Value.ToString()!;
}

/// <summary>A new choice for a setting (e.g. <c>fraud.matching.comparison: period-matched</c>, <c>safeguards.x.enabled: false</c>), one of its allowed values.</summary>
public sealed record SettingOverride(string Path, string Value, SourcePosition Position) : OverrideSpec(Path, Position)
{
    public override string ValueText => Value;
}
