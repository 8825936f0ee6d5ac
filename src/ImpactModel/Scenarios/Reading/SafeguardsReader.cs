using System.Collections.Immutable;
using ImpactModel.Safeguards;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads <c>safeguards:</c> (typed, from the catalogue) and <c>variants:</c> (overrides by dotted path).</summary>
public static class SafeguardsReader
{
    private static readonly string[] CommonKeys =
        ["id", "type", "description", "enabled", "strands", "principles", "setup_cost", "annual_cost", "groups", "levels"];
    private static readonly string[] VariantKeys = ["id", "description", "overrides"];
    private static readonly string[] BoolValues = ["true", "false"];

    /// <summary>Variant ids the runner makes itself.</summary>
    public static readonly IReadOnlyList<string> ReservedVariants = ["status-quo", "proposal", "proposal-no-safeguards"];

    /// <summary>Reads the typed safeguards; <paramref name="strand"/> is null when the scenario's strand is unknown (then only the safeguards themselves are checked).</summary>
    public static ImmutableArray<SafeguardSpec> Safeguards(NodeReader r, YamlNode? node, string path, string? strand)
    {
        var typeIds = SafeguardCatalogue.Types.Select(t => t.Id).ToArray();
        ImmutableArray<SafeguardSpec> safeguards = r.List(node, path, (item, p) =>
        {
            var typeNode = (item as YamlMapping)?["type"];
            string? typeId = typeNode is null ? null : r.Choice(typeNode, NodeReader.Join(p, "type"), typeIds, "safeguard type");
            SafeguardType? type = typeId is null ? null : SafeguardCatalogue.Find(typeId);
            var allowed = CommonKeys.Concat(type?.Parameters.Select(x => x.Name) ?? []).ToArray();
            YamlMapping? map = r.Mapping(item, p, type is null ? CommonKeys.Concat(SafeguardCatalogue.Types.SelectMany(t => t.Parameters.Select(x => x.Name))).Distinct().ToArray() : allowed);
            if (map is null)
                return null;
            string? id = r.Id(r.Required(map, p, "id"), NodeReader.Join(p, "id"), "safeguard id");
            r.Declare("safeguard", id);
            if (typeNode is null)
                r.Required(map, p, "type");
            string? description = r.Text(NodeReader.Optional(map, "description"), NodeReader.Join(p, "description"));
            YamlNode? enabledNode = NodeReader.Optional(map, "enabled");
            bool enabled = enabledNode is null || (r.Bool(enabledNode, NodeReader.Join(p, "enabled")) ?? true);
            r.Setting(NodeReader.Join(p, "enabled"), BoolValues, enabledNode ?? map);

            ImmutableArray<string> strands = NodeReader.Optional(map, "strands") is { } sn
                ? r.IdList(sn, NodeReader.Join(p, "strands"), "strand")
                : type is null ? [] : [.. type.Strands];
            ImmutableArray<string> principles = NodeReader.Optional(map, "principles") is { } pn
                ? r.IdList(pn, NodeReader.Join(p, "principles"), "principle")
                : type is null ? [] : [.. type.DefaultPrinciples];
            CheckMembers(r, map, "strands", p, strands, StrandIds.All, "strand");
            CheckMembers(r, map, "principles", p, principles, SafeguardCatalogue.Principles, "data-protection principle");
            if (type is not null)
            {
                foreach (string s in strands)
                {
                    if (StrandIds.All.Contains(s) && !type.Strands.Contains(s))
                        r.Error(map["strands"]!, NodeReader.Join(p, "strands"),
                            $"a {type.Id} safeguard has no mechanism in strand '{s}'; it acts in: {string.Join(", ", type.Strands)}");
                }

                if (strand is not null && !type.Strands.Contains(strand))
                    r.Error(typeNode!, NodeReader.Join(p, "type"),
                        $"a {type.Id} safeguard has no mechanism in this scenario's strand '{strand}'; it acts in: {string.Join(", ", type.Strands)}");
            }

            Parameter setup = r.OptionalParameter(map, p, "setup_cost", ParameterKind.Money, 0);
            Parameter annual = r.OptionalParameter(map, p, "annual_cost", ParameterKind.Money, 0);

            var parameters = ImmutableDictionary.CreateBuilder<string, Parameter>(StringComparer.Ordinal);
            foreach (var sp in type?.Parameters ?? [])
            {
                Parameter? value = sp.Required
                    ? r.RequiredParameter(map, p, sp.Name, sp.Kind, new ParameterTraits(Choice: sp.Choice))
                    : r.OptionalParameter(map, p, sp.Name, sp.Kind, sp.Default, new ParameterTraits(Choice: sp.Choice));
                if (value is not null)
                    parameters[sp.Name] = value;
            }

            ImmutableArray<string> groups = [];
            if (type is { TakesGroups: true })
            {
                YamlNode? groupsNode = r.Required(map, p, "groups");
                groups = r.IdList(groupsNode, NodeReader.Join(p, "groups"), "group id");
                if (groupsNode is YamlSequence seq)
                {
                    for (int i = 0; i < seq.Items.Count && i < groups.Length; i++)
                        r.GroupReferences.Add((groups[i], seq.Items[i].Position, $"{NodeReader.Join(p, "groups")}[{i}]"));
                    if (seq.Items.Count == 0)
                        r.Error(seq, NodeReader.Join(p, "groups"), "list at least one group the screen looks for");
                }
            }
            else if (map.KeyNode("groups") is { } g && type is not null)
            {
                r.Error(g, NodeReader.Join(p, "groups"), $"a {type.Id} safeguard takes no groups");
            }

            ImmutableDictionary<string, string> levels = ImmutableDictionary<string, string>.Empty;
            if (type is { TakesLevels: true })
                levels = Levels(r, r.Required(map, p, "levels"), NodeReader.Join(p, "levels"));
            else if (map.KeyNode("levels") is { } l && type is not null)
                r.Error(l, NodeReader.Join(p, "levels"), $"a {type.Id} safeguard takes no levels");

            return id is null || type is null
                ? null
                : new SafeguardSpec(id, type.Id, description, enabled, strands, principles, setup, annual, parameters.ToImmutable(), groups, levels, map.Position);
        });
        r.Unique(safeguards, s => s.Id, s => s.Position, path, "safeguard");
        return safeguards;
    }

    /// <summary><c>levels: { age: 10-year }</c>: each a declared quasi-identifier and one of its levels.</summary>
    private static ImmutableDictionary<string, string> Levels(NodeReader r, YamlNode? node, string path)
    {
        var result = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (node is null)
            return result.ToImmutable();
        if (node is not YamlMapping map || map.Entries.Count == 0)
        {
            r.Error(node, path, "expected a mapping of quasi-identifier to the level it is released at, e.g. { age: 10-year }");
            return result.ToImmutable();
        }

        foreach (var entry in map.Entries)
        {
            string p = NodeReader.Join(path, entry.Key.Value);
            if (r.Reference(entry.Key, p, "quasi-identifier") is not { } qi)
                continue;
            string? level = r.Choice(entry.Value, p, r.DeclaredIds($"level of {qi}").ToArray(), $"level of detail of '{qi}'");
            if (level is not null)
                result[qi] = level;
            r.Setting(p, r.DeclaredIds($"level of {qi}").ToArray(), entry.Value);
        }

        return result.ToImmutable();
    }

    private static void CheckMembers(NodeReader r, YamlMapping map, string key, string path, ImmutableArray<string> values,
        IReadOnlyList<string> known, string what)
    {
        if (map[key] is not YamlSequence seq)
            return;
        for (int i = 0; i < seq.Items.Count; i++)
        {
            if (seq.Items[i] is YamlScalar s && NodeReader.IsId(s.Value) && !known.Contains(s.Value))
                r.Error(s, $"{NodeReader.Join(path, key)}[{i}]", Suggest.Unknown(what, s.Value, (IReadOnlyCollection<string>)known));
        }

        _ = values;
    }

    public static ImmutableArray<VariantSpec> Variants(NodeReader r, YamlNode? node, string path, ImmutableArray<SafeguardSpec> safeguards)
    {
        // Overrides may name any parameter or setting read so far; take a snapshot before reading override values.
        var targets = new Dictionary<string, OverrideTarget>(r.Targets, StringComparer.Ordinal);
        ImmutableArray<VariantSpec> variants = r.List(node, path, (item, p) =>
        {
            YamlMapping? map = r.Mapping(item, p, VariantKeys);
            string? id = r.Id(r.Required(map, p, "id"), NodeReader.Join(p, "id"), "variant id");
            if (id is not null && (ReservedVariants.Contains(id) || id.StartsWith("proposal-without-", StringComparison.Ordinal)
                                   || id.StartsWith("proposal-only-", StringComparison.Ordinal)))
            {
                r.Error(map!["id"]!, NodeReader.Join(p, "id"),
                    $"variant id '{id}' is reserved: the runner makes status-quo, proposal, proposal-no-safeguards, proposal-without-<safeguard> and proposal-only-<safeguard> itself");
            }

            string? description = r.Text(NodeReader.Optional(map, "description"), NodeReader.Join(p, "description"));
            string op = NodeReader.Join(p, "overrides");
            YamlNode? overridesNode = r.Required(map, p, "overrides");
            var overrides = ImmutableArray.CreateBuilder<OverrideSpec>();
            if (overridesNode is YamlMapping om)
            {
                if (om.Entries.Count == 0)
                    r.Error(om, op, "a variant needs at least one override");
                foreach (var entry in om.Entries)
                {
                    if (Override(r, entry.Key, entry.Value, op, targets) is not { } o)
                        continue;
                    if (o is SettingOverride { Value: "false" } off && RemovesOffSafeguard(off.Path, safeguards) is { } offId)
                    {
                        r.Error(entry.Value, NodeReader.Join(op, off.Path),
                            $"safeguard '{offId}' is off in the proposal: removing it would be the proposal again, not a variant (its effect would read as zero); "
                            + "switch it on in its declaration to see what removing it changes, or drop this override");
                        continue;
                    }

                    overrides.Add(o);
                }
            }
            else if (overridesNode is not null)
            {
                r.Error(overridesNode, op, $"expected a mapping of dotted parameter path to new value, got {overridesNode.KindName}");
            }

            return id is null || map is null ? null : new VariantSpec(id, description, overrides.ToImmutable(), map.Position);
        });
        r.Unique(variants, v => v.Id, v => v.Position, path, "variant");
        return variants;
    }

    /// <summary>The id of the safeguard that <c>safeguards.&lt;id&gt;.enabled</c> at <paramref name="path"/> names, when it is declared off; else null.</summary>
    private static string? RemovesOffSafeguard(string path, ImmutableArray<SafeguardSpec> safeguards)
    {
        const string Prefix = "safeguards.", Suffix = ".enabled";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(Suffix, StringComparison.Ordinal) || path.Length <= Prefix.Length + Suffix.Length)
            return null;
        string id = path[Prefix.Length..^Suffix.Length];
        return safeguards.Any(s => s.Id == id && !s.Enabled) ? id : null;
    }

    private static OverrideSpec? Override(NodeReader r, YamlScalar key, YamlNode value, string path, Dictionary<string, OverrideTarget> targets)
    {
        string target = key.Value;
        string p = NodeReader.Join(path, target);
        if (!targets.TryGetValue(target, out var slot))
        {
            string? closest = Suggest.Closest(target, targets.Keys);
            r.Error(key, p, closest is null
                ? $"unknown parameter path '{target}'; paths name list items by id, e.g. safeguards.<safeguard-id>.<parameter>"
                : $"unknown parameter path '{target}'; did you mean '{closest}'?");
            return null;
        }

        if (slot.Kind is { } kind)
        {
            // Checked with the target's own range, but not registered as a new target.
            var scratch = new NodeReader();
            Parameter? parameter = scratch.Parameter(value, p, kind);
            r.Errors.AddRange(scratch.Errors);
            return parameter is null ? null : new ParameterOverride(target, slot.Path, parameter.Value, value.Position) { FixedReason = parameter.FixedReason };
        }

        string? text = r.Choice(value, p, slot.AllowedValues ?? [], "value");
        return text is null ? null : new SettingOverride(target, text, value.Position);
    }
}
