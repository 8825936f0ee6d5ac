using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>
/// Builds a scenario's variants (PRODUCT.md, "Variants"), in this order: <c>status-quo</c>,
/// <c>proposal</c>, <c>proposal-without-&lt;id&gt;</c> for each safeguard that is on in the proposal
/// (removing one that is off would be the proposal again, and read as a zero effect),
/// <c>proposal-no-safeguards</c>, <c>proposal-only-&lt;id&gt;</c> for each safeguard, then the declared variants.
/// </summary>
/// <remarks>
/// Every variant is the declared scenario with its safeguards switched on or off (a <c>with</c>
/// copy of the safeguard list; everything else is shared by reference), plus the overrides the
/// loader typed: a <see cref="ParameterOverride"/> becomes a copy of the parameter it replaces
/// with the new value, kept by path in <see cref="SimulationVariant.Parameters"/> and drawn through
/// <see cref="SimulationVariant.Resolve"/> (the path is kept, so the override is drawn from the same
/// random counter as the original and every other parameter keeps its draw: common random
/// numbers); a <see cref="SettingOverride"/> of <c>safeguards.&lt;id&gt;.enabled</c> switches that
/// safeguard, any other is kept in <see cref="SimulationVariant.Settings"/> for the strand that owns
/// it. Overrides of population parameters, and of the parameters a strand declares shared
/// (<see cref="IStrandModel.SharedParameters"/>: who claims, their true state ...), are not applied:
/// every variant is evaluated on the same persons (see <see cref="Warnings(Scenario, IReadOnlyList{IStrandModel}, ParameterUse)"/>).
/// </remarks>
public static class VariantBuilder
{
    public const string StatusQuo = "status-quo";
    public const string Proposal = "proposal";
    public const string NoSafeguards = "proposal-no-safeguards";
    public const string WithoutPrefix = "proposal-without-";
    public const string OnlyPrefix = "proposal-only-";

    private static readonly ImmutableDictionary<string, string> NoSettings = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
    private static readonly ImmutableDictionary<string, Parameter> NoParameters = ImmutableDictionary<string, Parameter>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The variants of <paramref name="scenario"/> in the documented order.</summary>
    public static IReadOnlyList<SimulationVariant> Build(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        SimulationVariant Made(string id, string description, VariantKind kind, Scenario s, ImmutableArray<string> changes) =>
            new(id, description, kind, s, changes, NoSettings, NoParameters);
        var list = new List<SimulationVariant>
        {
            Made(StatusQuo, "Today's arrangements: nothing new is shared or linked and no proposed safeguard runs.",
                VariantKind.StatusQuo, WithSafeguards(scenario, _ => false), ["no new data sharing or linkage", "no proposed safeguard"]),
            Made(Proposal, "The proposal as declared.", VariantKind.Proposal, scenario, []),
        };
        var safeguards = scenario.Safeguards;
        foreach (var s in safeguards.Where(s => s.Enabled))
        {
            list.Add(Made(WithoutPrefix + s.Id, $"The proposal without the safeguard '{s.Id}'.", VariantKind.Proposal,
                WithSafeguards(scenario, x => x.Id != s.Id && x.Enabled), [$"safeguard '{s.Id}' off"]));
        }

        list.Add(Made(NoSafeguards, "The proposal with no safeguards.", VariantKind.Proposal, WithSafeguards(scenario, _ => false),
            [.. safeguards.Select(s => $"safeguard '{s.Id}' off")]));
        foreach (var s in safeguards)
        {
            list.Add(Made(OnlyPrefix + s.Id, $"The proposal with the safeguard '{s.Id}' alone.", VariantKind.Proposal,
                WithSafeguards(scenario, x => x.Id == s.Id),
                [.. safeguards.Where(x => x.Id != s.Id).Select(x => $"safeguard '{x.Id}' off"), .. s.Enabled ? Array.Empty<string>() : [$"safeguard '{s.Id}' on"]]));
        }

        foreach (var v in scenario.Variants)
            list.Add(Declared(scenario, v));

        return list;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or below it (<c>a.b</c> is under <c>a</c>, <c>ab</c> is not).</summary>
    public static bool IsUnder(string path, string prefix)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(prefix);
        return path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '.');
    }

    /// <summary>
    /// The declared overrides that do not act in a run of <paramref name="models"/>, one line each
    /// with the override's position, found by compiling replicate 0 of the models and looking at
    /// what they read (<see cref="ParameterUse"/>); see <see cref="Warnings(Scenario, IReadOnlyList{IStrandModel}, ParameterUse)"/>.
    /// </summary>
    public static IReadOnlyList<string> Warnings(Scenario scenario, IReadOnlyList<IStrandModel> models)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(models);
        if (scenario.Variants.IsEmpty)
            return [];
        // Only what the models read matters here: the linkages' tables (a pure function of values read) are not built.
        using var noTables = Linkage.CompiledLinkage.WithoutTables();
        var context = new ReplicateContext(scenario, Build(scenario), Population.CompiledPopulation.Compile(scenario.Population, 0, 0), 0, 0,
            scenario.Population.Size);
        foreach (IStrandModel model in models)
            model.Compile(context);
        return Warnings(scenario, models, context.Use);
    }

    /// <summary>
    /// The declared overrides that do not act, given what the models read while compiling a
    /// replicate (<paramref name="use"/>): an override of a parameter a model declares shared (a
    /// path and everything below it: it describes the people or today's process, the same in every
    /// variant) or that the models read once for every variant is not applied; an override of
    /// something no model reads has no effect. Switching a safeguard on or off always acts.
    /// </summary>
    public static IReadOnlyList<string> Warnings(Scenario scenario, IReadOnlyList<IStrandModel> models, ParameterUse use)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(use);
        string[] shared = [.. models.SelectMany(m => m.SharedParameters)];
        var warnings = new List<string>();
        foreach (VariantSpec v in scenario.Variants)
        {
            foreach (OverrideSpec o in v.Overrides)
            {
                string at = o.Position.Line > 0 ? $"{o.Position}: " : "";
                string read = o is ParameterOverride p ? p.Target : o.Path;
                if (o is SettingOverride s && SafeguardSwitch(s.Path) is not null)
                    continue;
                if (shared.Any(prefix => IsUnder(o.Path, prefix)) || (use.WasRead(read) && !use.ReadPerVariant(read)))
                {
                    warnings.Add($"{at}variant '{v.Id}': override '{o.Path}' is not applied: it describes the people or today's process, "
                                 + "the same in every variant (every variant is evaluated on the same persons); to vary it, run a copy of the scenario");
                }
                else if (!use.WasRead(read))
                {
                    warnings.Add($"{at}variant '{v.Id}': override '{o.Path}' has no effect: nothing in a run of strand '{scenario.Strand}' reads it");
                }
            }
        }

        return warnings;
    }

    private static Scenario WithSafeguards(Scenario scenario, Func<SafeguardSpec, bool> enabled)
    {
        bool changed = false;
        var safeguards = scenario.Safeguards.Select(s =>
        {
            bool on = enabled(s);
            changed |= on != s.Enabled;
            return on == s.Enabled ? s : s with { Enabled = on };
        }).ToImmutableArray();
        return changed ? scenario with { Safeguards = safeguards } : scenario;
    }

    private static SimulationVariant Declared(Scenario scenario, VariantSpec v)
    {
        var parameters = NoParameters.ToBuilder();
        var settings = NoSettings.ToBuilder();
        var enabled = scenario.Safeguards.ToDictionary(s => s.Id, s => s.Enabled, StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (OverrideSpec o in v.Overrides)
        {
            changes.Add($"{o.Path} = {o.ValueText}");
            switch (o)
            {
                case ParameterOverride p:
                    // At the path of the parameter it replaces, so it is drawn from the same counter; its evidence is the variant.
                    parameters[p.Target] = new Parameter(p.Value, new Evidence($"variant '{v.Id}'", EvidenceGrade.Assumption), p.Target, p.Position)
                    {
                        FixedReason = p.FixedReason,
                    };
                    break;
                case SettingOverride s when SafeguardSwitch(s.Path) is { } id && enabled.ContainsKey(id):
                    enabled[id] = s.Value == "true";
                    break;
                case SettingOverride s:
                    settings[s.Path] = s.Value;
                    break;
            }
        }

        return new SimulationVariant(v.Id, v.Description ?? $"The proposal with {v.Overrides.Length} override(s).", VariantKind.Proposal,
            WithSafeguards(scenario, g => enabled[g.Id]), [.. changes], settings.ToImmutable(), parameters.ToImmutable());
    }

    /// <summary>The safeguard id of a path <c>safeguards.&lt;id&gt;.enabled</c>, else null.</summary>
    private static string? SafeguardSwitch(string path)
    {
        const string Prefix = "safeguards.", Suffix = ".enabled";
        return path.StartsWith(Prefix, StringComparison.Ordinal) && path.EndsWith(Suffix, StringComparison.Ordinal) && path.Length > Prefix.Length + Suffix.Length
            ? path[Prefix.Length..^Suffix.Length]
            : null;
    }
}
