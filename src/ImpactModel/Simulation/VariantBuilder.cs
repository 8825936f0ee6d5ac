using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Reading;

namespace ImpactModel.Simulation;

/// <summary>
/// Builds a scenario's variants (PRODUCT.md, "Variants"), in this order: <c>status-quo</c>,
/// <c>proposal</c>, <c>proposal-without-&lt;id&gt;</c> for each safeguard, <c>proposal-no-safeguards</c>,
/// <c>proposal-only-&lt;id&gt;</c> for each safeguard, then the declared variants.
/// </summary>
/// <remarks>
/// Every variant is a <c>with</c> copy of the declared scenario. A parameter override replaces the
/// <see cref="Parameter"/> whose path it names by a copy with the new value; the path is kept, so a
/// distribution given as an override is drawn from the same random counter as the original and
/// every other parameter keeps its draw (common random numbers). Records the override does not
/// touch are shared by reference between variants, which lets the runner see that two variants
/// link data identically and link once. An override of a setting (a choice such as
/// <c>fraud.matching.comparison</c>) is kept in <see cref="SimulationVariant.Settings"/> for the
/// strand that owns it. Overrides of population parameters, and of the parameters a strand
/// declares shared (<see cref="IStrandModel.SharedParameters"/>: who claims, their true state ...),
/// are not applied: every variant is evaluated on the same persons (see <see cref="Warnings"/>).
/// </remarks>
public static class VariantBuilder
{
    public const string StatusQuo = "status-quo";
    public const string Proposal = "proposal";
    public const string NoSafeguards = "proposal-no-safeguards";
    public const string WithoutPrefix = "proposal-without-";
    public const string OnlyPrefix = "proposal-only-";

    /// <summary>The variants of <paramref name="scenario"/> in the documented order.</summary>
    public static IReadOnlyList<SimulationVariant> Build(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var empty = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        var list = new List<SimulationVariant>
        {
            new(StatusQuo, "Today's arrangements: nothing new is shared or linked and no proposed safeguard runs.",
                VariantKind.StatusQuo, WithSafeguards(scenario, _ => false), ["no new data sharing or linkage", "no proposed safeguard"], empty),
            new(Proposal, "The proposal as declared.", VariantKind.Proposal, scenario, [], empty),
        };
        var safeguards = scenario.Safeguards;
        foreach (var s in safeguards)
        {
            list.Add(new(WithoutPrefix + s.Id, $"The proposal without the safeguard '{s.Id}'.", VariantKind.Proposal,
                WithSafeguards(scenario, x => x.Id != s.Id && x.Enabled), [$"safeguard '{s.Id}' off"], empty));
        }

        list.Add(new(NoSafeguards, "The proposal with no safeguards.", VariantKind.Proposal, WithSafeguards(scenario, _ => false),
            [.. safeguards.Select(s => $"safeguard '{s.Id}' off")], empty));
        foreach (var s in safeguards)
        {
            list.Add(new(OnlyPrefix + s.Id, $"The proposal with the safeguard '{s.Id}' alone.", VariantKind.Proposal,
                WithSafeguards(scenario, x => x.Id == s.Id),
                [.. safeguards.Where(x => x.Id != s.Id).Select(x => $"safeguard '{x.Id}' off"), .. s.Enabled ? Array.Empty<string>() : [$"safeguard '{s.Id}' on"]],
                empty));
        }

        foreach (var v in scenario.Variants)
            list.Add(Declared(scenario, v, empty));
        return list;
    }

    /// <summary>
    /// Why some declared overrides do not act in a run, one line each: those of a parameter that
    /// <paramref name="shared"/> names (a path and everything below it), which describes the people or
    /// today's process and is the same in every variant.
    /// </summary>
    public static IReadOnlyList<string> Warnings(Scenario scenario, IEnumerable<string> shared)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(shared);
        string[] prefixes = [.. shared];
        bool IsShared(string path) => prefixes.Any(p => path == p || (path.StartsWith(p, StringComparison.Ordinal) && path[p.Length] == '.'));
        return scenario.Variants.SelectMany(v => v.Overrides.Where(o => IsShared(o.Path))
                .Select(o => $"variant '{v.Id}': override '{o.Path}' is not applied: it describes the people or today's process, "
                             + "the same in every variant (every variant is evaluated on the same persons); to vary it, run a copy of the scenario"))
            .ToList();
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

    private static SimulationVariant Declared(Scenario scenario, VariantSpec v, ImmutableDictionary<string, string> settings)
    {
        var parameters = new Dictionary<string, Distribution>(StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (var o in v.Overrides)
        {
            changes.Add($"{o.Path} = {o.Value}");
            if (o.Path.StartsWith("population.", StringComparison.Ordinal))
                continue;
            (Distribution? value, _) = DistributionParser.Parse(o.Value);
            if (value is not null && !IsChoiceWord(o.Value))
            {
                parameters[o.Path] = value;
                // A single value declared for everyone is also named path.base.
                if (o.Path.EndsWith(".base", StringComparison.Ordinal))
                    parameters[o.Path[..^".base".Length]] = value;
            }
            else
            {
                settings = settings.SetItem(o.Path, o.Value);
            }
        }

        Scenario overridden = parameters.Count == 0 ? scenario
            : (Scenario)Rewrite(scenario, p => parameters.TryGetValue(p.Path, out var d) ? p with { Value = d } : p, depth: 0)!;
        return new SimulationVariant(v.Id, v.Description ?? $"The proposal with {v.Overrides.Length} override(s).", VariantKind.Proposal,
            overridden, [.. changes], settings);
    }

    private static bool IsChoiceWord(string value) =>
        value.Length > 0 && char.IsAsciiLetterLower(value[0]) && !value.Contains('(', StringComparison.Ordinal);

    /// <summary>
    /// A copy of <paramref name="node"/> with every <see cref="Parameter"/> passed through
    /// <paramref name="replace"/>; records, immutable arrays and dictionaries are copied only where
    /// something inside them changed (records by their compiler-generated clone and init setters).
    /// </summary>
    private static object? Rewrite(object? node, Func<Parameter, Parameter> replace, int depth)
    {
        if (node is null || depth > 32 || node is string)
            return node;
        if (node is Parameter p)
            return replace(p);
        Type type = node.GetType();
        if (type.IsEnum || type.IsPrimitive)
            return node;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            var items = ((IEnumerable)node).Cast<object?>().ToArray();
            bool changed = false;
            Type element = type.GetGenericArguments()[0];
            Array copy = Array.CreateInstance(element, items.Length);
            for (int i = 0; i < items.Length; i++)
            {
                object? r = Rewrite(items[i], replace, depth + 1);
                changed |= !ReferenceEquals(r, items[i]) && !Equals(r, items[i]);
                copy.SetValue(r, i);
            }

            return changed ? CreateImmutableArray.MakeGenericMethod(element).Invoke(null, [copy]) : node;
        }

        if (node is ImmutableDictionary<string, Parameter> parameters)
        {
            var result = parameters;
            foreach (var (key, value) in parameters.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var r = replace(value);
                if (!ReferenceEquals(r, value))
                    result = result.SetItem(key, r);
            }

            return result;
        }

        if (type.Namespace != typeof(Scenario).Namespace || type.IsValueType)
            return node;
        object? clone = null;
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.SetMethod is not { IsPublic: true } setter)
                continue;
            object? value = property.GetValue(node);
            object? r = Rewrite(value, replace, depth + 1);
            if (ReferenceEquals(r, value) || (value is not null && value.GetType().IsValueType && Equals(r, value)))
                continue;
            clone ??= type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance)!.Invoke(node, null);
            setter.Invoke(clone, [r]);
        }

        return clone ?? node;
    }

    private static readonly MethodInfo CreateImmutableArray = typeof(ImmutableArray).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(ImmutableArray.Create) && m.IsGenericMethodDefinition && m.GetParameters() is [{ ParameterType.IsArray: true }]);
}
