using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads the <c>tailored_services:</c> section of a tailored public services scenario.</summary>
public static class TailoredServicesReader
{
    private static readonly string[] Keys =
        ["service", "need", "status_quo", "identification", "unidentifiable_groups", "identifiable_recall", "action", "opt_out", "values"];
    private static readonly string[] NeedKeys = ["description", "prevalence", "income_gradient", "area_odds_ratios", "local_authority_variation"];
    private static readonly string[] StatusQuoKeys = ["take_up", "cost_per_application"];
    private static readonly string[] IdentificationKeys =
        ["sources", "linkages", "proxy", "sensitivity", "false_positive_rate", "sensitive_inference"];
    private static readonly string[] ActionKeys = ["type", "response", "cost_per_contact"];
    private static readonly string[] ValueKeys = ["benefit_per_person_reached", "annual_running_cost", "intrusion_valuation"];

    public static readonly IReadOnlyList<string> Actions = ["proactive-contact", "automatic-enrolment"];

    public static TailoredServicesSpec? Read(NodeReader r, YamlNode node, string path, ImmutableArray<LinkageSpec> declaredLinkages = default)
    {
        YamlMapping? map = r.Mapping(node, path, Keys);
        if (map is null)
            return null;
        string J(string key) => NodeReader.Join(path, key);
        string? service = r.Text(r.Required(map, path, "service"), J("service"));

        string np = J("need");
        YamlMapping? needMap = r.Mapping(r.Required(map, path, "need"), np, NeedKeys);
        string? needDescription = r.Text(r.Required(needMap, np, "description"), NodeReader.Join(np, "description"));
        GroupValues? prevalence = r.RequiredByGroup(needMap, np, "prevalence", ParameterKind.Probability);
        Parameter gradient = r.OptionalParameter(needMap, np, "income_gradient", ParameterKind.Real, 0);
        ImmutableArray<AreaOddsRatio> areaOdds = AreaOdds(r, NodeReader.Optional(needMap, "area_odds_ratios"), NodeReader.Join(np, "area_odds_ratios"));
        Parameter? needVariation = NodeReader.Optional(needMap, "local_authority_variation") is { } lav
            ? r.Parameter(lav, NodeReader.Join(np, "local_authority_variation"), ParameterKind.NonNegative)
            : null;

        string sp = J("status_quo");
        YamlMapping? sqMap = r.Mapping(r.Required(map, path, "status_quo"), sp, StatusQuoKeys);
        GroupValues? takeUp = r.RequiredByGroup(sqMap, sp, "take_up", ParameterKind.Probability);
        Parameter applicationCost = r.OptionalParameter(sqMap, sp, "cost_per_application", ParameterKind.Money, 0);

        string ip = J("identification");
        YamlMapping? idMap = r.Mapping(r.Required(map, path, "identification"), ip, IdentificationKeys);
        YamlNode? sourcesNode = r.Required(idMap, ip, "sources");
        ImmutableArray<string> sources = r.References(sourcesNode, NodeReader.Join(ip, "sources"), "data source");
        if (sourcesNode is YamlSequence { Items.Count: 0 })
            r.Error(sourcesNode, NodeReader.Join(ip, "sources"), "name at least one data source the rule reads");
        YamlNode? linkagesNode = NodeReader.Optional(idMap, "linkages");
        ImmutableArray<string> linkages = r.References(linkagesNode, NodeReader.Join(ip, "linkages"), "linkage");
        // A rule finds a person through a linkage only if they have a record at both its ends: both
        // must be among the sources the rule reads, or the linkage would run over persons it cannot use.
        // (Only when every source named is known: a misspelt one is already an error of its own.)
        if (linkagesNode is YamlSequence linkageItems && !declaredLinkages.IsDefault
            && sourcesNode is YamlSequence sourceItems && sourceItems.Items.Count == sources.Length)
        {
            for (int i = 0; i < linkageItems.Items.Count && i < linkages.Length; i++)
            {
                if (declaredLinkages.FirstOrDefault(l => l.Id == linkages[i]) is not { } l)
                    continue;
                string[] missing = [.. new[] { l.From, l.To }.Where(s => !sources.Contains(s)).Distinct()];
                if (missing.Length > 0)
                {
                    r.Error(linkageItems.Items[i], $"{NodeReader.Join(ip, "linkages")}[{i}]",
                        $"linkage '{l.Id}' links '{l.From}' to '{l.To}', but the rule does not read {string.Join(" and ", missing.Select(m => $"'{m}'"))}: add it to identification.sources");
                }
            }
        }
        string? proxy = r.Text(r.Required(idMap, ip, "proxy"), NodeReader.Join(ip, "proxy"));
        GroupValues? sensitivity = r.RequiredByGroup(idMap, ip, "sensitivity", ParameterKind.Probability);
        GroupValues falsePositive = r.OptionalByGroup(idMap, ip, "false_positive_rate", ParameterKind.Probability, 0);
        bool sensitive = NodeReader.Optional(idMap, "sensitive_inference") is { } si
                         && (r.Bool(si, NodeReader.Join(ip, "sensitive_inference")) ?? false);

        ImmutableArray<string> unidentifiable = r.GroupList(NodeReader.Optional(map, "unidentifiable_groups"), J("unidentifiable_groups"));
        Parameter identifiable = r.OptionalParameter(map, path, "identifiable_recall", ParameterKind.Probability, 0.05, ParameterTraits.Chosen);

        string ap = J("action");
        YamlMapping? actionMap = r.Mapping(r.Required(map, path, "action"), ap, ActionKeys);
        YamlNode? typeNode = r.Required(actionMap, ap, "type");
        string? action = r.Choice(typeNode, NodeReader.Join(ap, "type"), Actions, "action");
        r.Setting(NodeReader.Join(ap, "type"), Actions, typeNode);
        GroupValues? response = r.RequiredByGroup(actionMap, ap, "response", ParameterKind.Probability);
        Parameter contactCost = r.OptionalParameter(actionMap, ap, "cost_per_contact", ParameterKind.Money, 0);

        GroupValues optOut = r.OptionalByGroup(map, path, "opt_out", ParameterKind.Probability, 0);

        string vp = J("values");
        YamlMapping? valuesMap = r.Mapping(r.Required(map, path, "values"), vp, ValueKeys);
        Parameter? benefit = r.RequiredParameter(valuesMap, vp, "benefit_per_person_reached", ParameterKind.Money);
        Parameter running = r.OptionalParameter(valuesMap, vp, "annual_running_cost", ParameterKind.Money, 0);
        Parameter? intrusion = NodeReader.Optional(valuesMap, "intrusion_valuation") is { } iv
            ? r.Parameter(iv, NodeReader.Join(vp, "intrusion_valuation"), ParameterKind.Money)
            : null;
        RequireSource(r, intrusion, "intrusion");

        if (service is null || needDescription is null || prevalence is null || takeUp is null || proxy is null
            || sensitivity is null || action is null || response is null || benefit is null)
            return null;
        return new TailoredServicesSpec(service, new NeedSpec(needDescription, prevalence, gradient, areaOdds) { LocalAuthorityVariation = needVariation },
            takeUp, applicationCost,
            new IdentificationSpec(sources, linkages, proxy, sensitivity, falsePositive, sensitive), unidentifiable,
            action == "automatic-enrolment" ? ServiceAction.AutomaticEnrolment : ServiceAction.ProactiveContact,
            response, contactCost, optOut, benefit, running, intrusion, map.Position) { IdentifiableRecall = identifiable.Mean };
    }

    /// <summary>A harm given in money must say where the value comes from; otherwise it stays a count.</summary>
    internal static void RequireSource(NodeReader r, Parameter? valuation, string harm, string? otherwise = null)
    {
        if (valuation is not null && string.IsNullOrWhiteSpace(valuation.Evidence.Source))
            r.Error(valuation.Position, valuation.Path,
                $"a money value for {harm} needs a source ({{ value: ..., source: ..., grade: ... }}); without one, {otherwise ?? harm + " stays a count"}");
    }

    /// <summary>Area (or local-authority) ids to odds ratios; each id must name a declared area.</summary>
    internal static ImmutableArray<AreaOddsRatio> AreaOdds(NodeReader r, YamlNode? node, string path) =>
        PopulationReader.OddsRatios(r, node, path, "area id", (key, p, ratio) => r.Reference(key, p, "area") is { } area ? new AreaOddsRatio(area, ratio) : null);
}
