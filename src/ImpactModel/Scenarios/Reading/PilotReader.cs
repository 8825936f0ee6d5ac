using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads the <c>pilot:</c> section, which any strand may have.</summary>
public static class PilotReader
{
    private static readonly string[] Keys = ["areas", "designs", "duration_months", "outcomes", "power", "alpha", "evaluation_cost_per_area"];
    private static readonly string[] OutcomeKeys = ["id", "kind", "metric", "minimum_effect", "group", "tolerance", "safeguard"];

    public static readonly IReadOnlyList<string> Designs = ["cluster-randomised", "individually-randomised"];
    public static readonly IReadOnlyList<string> OutcomeKinds = ["benefit", "harm-tolerance", "safeguard-efficacy"];

    public static PilotSpec? Read(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, Keys);
        if (map is null)
            return null;
        string J(string key) => NodeReader.Join(path, key);

        YamlNode? areasNode = r.Required(map, path, "areas");
        ImmutableArray<string> areas = r.References(areasNode, J("areas"), "area");
        if (areasNode is YamlSequence { Items.Count: 0 })
            r.Error(areasNode, J("areas"), "name at least one candidate area");

        var designs = ImmutableArray.CreateBuilder<string>();
        YamlNode? designsNode = r.Required(map, path, "designs");
        if (designsNode is YamlSequence ds)
        {
            for (int i = 0; i < ds.Items.Count; i++)
            {
                if (r.Choice(ds.Items[i], $"{J("designs")}[{i}]", Designs, "pilot design") is { } d)
                    designs.Add(d);
            }

            if (ds.Items.Count == 0)
                r.Error(ds, J("designs"), $"name at least one design: {string.Join(", ", Designs)}");
        }
        else if (designsNode is not null)
        {
            r.Error(designsNode, J("designs"), $"expected a list of designs ({string.Join(", ", Designs)}), got {designsNode.KindName}");
        }

        var durations = ImmutableArray.CreateBuilder<long>();
        YamlNode? durationsNode = r.Required(map, path, "duration_months");
        if (durationsNode is YamlSequence seq)
        {
            for (int i = 0; i < seq.Items.Count; i++)
            {
                if (r.WholeNumber(seq.Items[i], $"{J("duration_months")}[{i}]", 1, 120, "pilot duration in months") is { } months)
                    durations.Add(months);
            }

            if (seq.Items.Count == 0)
                r.Error(seq, J("duration_months"), "name at least one duration in months");
        }
        else if (r.WholeNumber(durationsNode, J("duration_months"), 1, 120, "pilot duration in months") is { } single)
        {
            durations.Add(single);
        }

        string op = J("outcomes");
        YamlNode? outcomesNode = r.Required(map, path, "outcomes");
        ImmutableArray<PilotOutcomeSpec> outcomes = r.List(outcomesNode, op, (item, p) => Outcome(r, item, p));
        r.Unique(outcomes, o => o.Id, o => o.Position, op, "outcome");
        if (outcomesNode is YamlSequence { Items.Count: 0 })
            r.Error(outcomesNode, op, "name at least one outcome the pilot must detect");

        Parameter power = r.OptionalParameter(map, path, "power", ParameterKind.Probability, 0.8, ParameterTraits.Chosen);
        Parameter alpha = r.OptionalParameter(map, path, "alpha", ParameterKind.Probability, 0.05, ParameterTraits.Chosen);
        if (power.Mean <= alpha.Mean)
            r.Error(power.Position, power.Path, $"target power ({power.Mean}) must be above alpha ({alpha.Mean})");
        if (alpha.Mean <= 0 || alpha.Mean >= 0.5)
            r.Error(alpha.Position, alpha.Path, $"alpha must be in (0, 0.5), got {alpha.Mean}");

        Parameter? evaluation = map.Entries.Any(e => e.Key.Value == "evaluation_cost_per_area")
            ? r.OptionalParameter(map, path, "evaluation_cost_per_area", ParameterKind.Money, 0)
            : null;
        return new PilotSpec(areas, designs.ToImmutable(), durations.ToImmutable(), outcomes, power, alpha, map.Position) { EvaluationCostPerArea = evaluation };
    }

    private static PilotOutcomeSpec? Outcome(NodeReader r, YamlNode item, string p)
    {
        YamlMapping? m = r.Mapping(item, p, OutcomeKeys);
        if (m is null)
            return null;
        string J(string key) => NodeReader.Join(p, key);
        string? id = r.Id(r.Required(m, p, "id"), J("id"), "outcome id");
        string? kindText = r.Choice(r.Required(m, p, "kind"), J("kind"), OutcomeKinds, "outcome kind");
        PilotOutcomeKind kind = kindText switch
        {
            "harm-tolerance" => PilotOutcomeKind.HarmTolerance,
            "safeguard-efficacy" => PilotOutcomeKind.SafeguardEfficacy,
            _ => PilotOutcomeKind.Benefit,
        };

        string? metric = null, group = null, safeguard = null;
        Parameter? effect = null, tolerance = null;
        var allowedForKind = kind switch
        {
            PilotOutcomeKind.Benefit => new[] { "metric", "minimum_effect" },
            PilotOutcomeKind.HarmTolerance => ["metric", "group", "tolerance"],
            _ => ["safeguard", "minimum_effect"],
        };
        foreach (var entry in m.Entries)
        {
            string key = entry.Key.Value;
            if (kindText is not null && key is "metric" or "minimum_effect" or "group" or "tolerance" or "safeguard" && !allowedForKind.Contains(key))
                r.Error(entry.Key, J(key), $"'{key}' does not apply to a {kindText} outcome; it takes: {string.Join(", ", allowedForKind)}");
        }

        if (kindText is null)
            return null;
        switch (kind)
        {
            case PilotOutcomeKind.Benefit:
                metric = Metric(r, r.Required(m, p, "metric"), J("metric"));
                effect = r.RequiredParameter(m, p, "minimum_effect", ParameterKind.Probability, ParameterTraits.Chosen);
                break;
            case PilotOutcomeKind.HarmTolerance:
                metric = Metric(r, r.Required(m, p, "metric"), J("metric"));
                if (r.Required(m, p, "group") is { } g && r.Id(g, J("group"), "group id") is { } gid)
                {
                    group = gid;
                    r.GroupReferences.Add((gid, g.Position, J("group")));
                }

                tolerance = r.RequiredParameter(m, p, "tolerance", ParameterKind.Probability, ParameterTraits.Chosen);
                break;
            default:
                safeguard = r.Reference(r.Required(m, p, "safeguard"), J("safeguard"), "safeguard");
                effect = r.RequiredParameter(m, p, "minimum_effect", ParameterKind.Probability, ParameterTraits.Chosen);
                break;
        }

        return id is null ? null : new PilotOutcomeSpec(id, kind, metric, effect, group, tolerance, safeguard, m.Position);
    }

    /// <summary>Metric names match <c>^[a-z][a-z0-9_]*(\.[a-z0-9-]+)?$</c> (PRODUCT.md).</summary>
    private static string? Metric(NodeReader r, YamlNode? node, string path)
    {
        string? text = r.Text(node, path);
        if (text is null || node is null)
            return null;
        if (!System.Text.RegularExpressions.Regex.IsMatch(text, @"^[a-z][a-z0-9_]*(\.[a-z0-9-]+)?$"))
        {
            r.Error(node, path, $"metric name '{text}' must match ^[a-z][a-z0-9_]*(\\.[a-z0-9-]+)?$ (e.g. wrongful_suspensions or link_recall.earnings)");
            return null;
        }

        return text;
    }
}
