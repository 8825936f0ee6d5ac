using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads the <c>research:</c> section of a research and statistics scenario.</summary>
public static class ResearchReader
{
    private static readonly string[] Keys =
        ["extract", "quasi_identifiers", "sensitive_attributes", "release", "attack", "questions", "values"];
    private static readonly string[] ExtractKeys = ["sample_fraction", "source"];
    private static readonly string[] QiKeys = ["id", "levels", "released"];
    private static readonly string[] AttributeKeys = ["id", "description", "prevalence"];
    private static readonly string[] ReleaseKeys = ["form"];
    private static readonly string[] AttackKeys = ["attacker", "attempts_per_year", "knows", "success_if_unique"];
    private static readonly string[] QuestionKeys = ["id", "attribute", "groups"];
    private static readonly string[] ValueKeys = ["reidentification_valuation"];

    public static readonly IReadOnlyList<string> ReleaseForms = ["record-level-tre", "public-tables"];

    public static ResearchSpec? Read(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, Keys);
        if (map is null)
            return null;
        string J(string key) => NodeReader.Join(path, key);

        string ep = J("extract");
        YamlMapping? extractMap = r.Mapping(r.Required(map, path, "extract"), ep, ExtractKeys);
        Parameter fraction = r.OptionalParameter(extractMap, ep, "sample_fraction", ParameterKind.Probability, 1, ParameterTraits.Chosen);
        string? source = NodeReader.Optional(extractMap, "source") is { } sn ? r.Reference(sn, NodeReader.Join(ep, "source"), "data source") : null;

        string qp = J("quasi_identifiers");
        YamlNode? qiNode = r.Required(map, path, "quasi_identifiers");
        ImmutableArray<QuasiIdentifierSpec> qis = r.List(qiNode, qp, (item, p) => QuasiIdentifier(r, item, p));
        r.Unique(qis, q => q.Id, q => q.Position, qp, "quasi-identifier");
        if (qiNode is YamlSequence { Items.Count: 0 })
            r.Error(qiNode, qp, "list at least one quasi-identifier released in the extract");

        string ap = J("sensitive_attributes");
        ImmutableArray<SensitiveAttributeSpec> attributes = r.List(r.Required(map, path, "sensitive_attributes"), ap, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, AttributeKeys);
            string? id = r.Id(r.Required(m, p, "id"), NodeReader.Join(p, "id"), "attribute id");
            r.Declare("sensitive attribute", id);
            string? description = r.Text(NodeReader.Optional(m, "description"), NodeReader.Join(p, "description"));
            GroupValues? prevalence = r.RequiredByGroup(m, p, "prevalence", ParameterKind.Probability);
            return id is null || prevalence is null || m is null ? null : new SensitiveAttributeSpec(id, description, prevalence, m.Position);
        });
        r.Unique(attributes, a => a.Id, a => a.Position, ap, "sensitive attribute");

        string rp = J("release");
        YamlMapping? releaseMap = r.Mapping(r.Required(map, path, "release"), rp, ReleaseKeys);
        YamlNode? formNode = r.Required(releaseMap, rp, "form");
        string? form = r.Choice(formNode, NodeReader.Join(rp, "form"), ReleaseForms, "release form");
        r.Setting(NodeReader.Join(rp, "form"), ReleaseForms, formNode);

        string kp = J("attack");
        YamlMapping? attackMap = r.Mapping(r.Required(map, path, "attack"), kp, AttackKeys);
        string? attacker = r.Text(r.Required(attackMap, kp, "attacker"), NodeReader.Join(kp, "attacker"));
        Parameter? attempts = r.RequiredParameter(attackMap, kp, "attempts_per_year", ParameterKind.NonNegative);
        ImmutableArray<string> knows = r.References(r.Required(attackMap, kp, "knows"), NodeReader.Join(kp, "knows"), "quasi-identifier");
        Parameter? success = r.RequiredParameter(attackMap, kp, "success_if_unique", ParameterKind.Probability);

        string questionsPath = J("questions");
        ImmutableArray<ResearchQuestionSpec> questions = r.List(r.Required(map, path, "questions"), questionsPath, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, QuestionKeys);
            string? id = r.Id(r.Required(m, p, "id"), NodeReader.Join(p, "id"), "question id");
            string? attribute = r.Reference(r.Required(m, p, "attribute"), NodeReader.Join(p, "attribute"), "sensitive attribute");
            ImmutableArray<string> groups = r.GroupList(NodeReader.Optional(m, "groups"), NodeReader.Join(p, "groups"));
            return id is null || attribute is null || m is null ? null : new ResearchQuestionSpec(id, attribute, groups, m.Position);
        });
        r.Unique(questions, q => q.Id, q => q.Position, questionsPath, "question");

        Parameter? valuation = null;
        if (NodeReader.Optional(map, "values") is { } valuesNode)
        {
            YamlMapping? valuesMap = r.Mapping(valuesNode, J("values"), ValueKeys);
            valuation = NodeReader.Optional(valuesMap, "reidentification_valuation") is { } v
                ? r.Parameter(v, NodeReader.Join(J("values"), "reidentification_valuation"), ParameterKind.Money)
                : null;
            TailoredServicesReader.RequireSource(r, valuation, "re-identification");
        }

        if (form is null || attacker is null || attempts is null || success is null)
            return null;
        return new ResearchSpec(fraction, source, qis, attributes,
            form == "public-tables" ? ReleaseForm.PublicTables : ReleaseForm.RecordLevelTre,
            new AttackSpec(attacker, attempts, knows, success), questions, valuation, map.Position);
    }

    private static QuasiIdentifierSpec? QuasiIdentifier(NodeReader r, YamlNode item, string p)
    {
        YamlMapping? m = r.Mapping(item, p, QiKeys);
        string? id = r.Id(r.Required(m, p, "id"), NodeReader.Join(p, "id"), "quasi-identifier id");
        r.Declare("quasi-identifier", id);
        string lp = NodeReader.Join(p, "levels");
        YamlNode? levelsNode = r.Required(m, p, "levels");
        var levels = ImmutableArray.CreateBuilder<DetailLevel>();
        if (levelsNode is YamlMapping levelsMap)
        {
            foreach (var entry in levelsMap.Entries)
            {
                string levelPath = NodeReader.Join(lp, entry.Key.Value);
                string? level = r.Id(entry.Key, levelPath, "level id");
                long? categories = r.WholeNumber(entry.Value, levelPath, 1, 1_000_000_000, "number of distinct values");
                if (level is not null && categories is not null)
                    levels.Add(new DetailLevel(level, categories.Value));
                if (id is not null)
                    r.Declare($"level of {id}", level);
            }

            if (levelsMap.Entries.Count == 0)
                r.Error(levelsMap, lp, "list at least one level of detail with its number of distinct values");
        }
        else if (levelsNode is not null)
        {
            r.Error(levelsNode, lp, $"expected a mapping of level of detail to its number of distinct values (e.g. {{ year: 91, 5-year: 19 }}), got {levelsNode.KindName}");
        }

        string relPath = NodeReader.Join(p, "released");
        YamlNode? releasedNode = r.Required(m, p, "released");
        var levelIds = levels.Select(l => l.Id).ToArray();
        string? released = levelIds.Length == 0 ? r.Id(releasedNode, relPath, "level id") : r.Choice(releasedNode, relPath, levelIds, "level of detail");
        if (levelIds.Length > 0)
            r.Setting(relPath, levelIds, releasedNode);
        return id is null || released is null || m is null ? null : new QuasiIdentifierSpec(id, levels.ToImmutable(), released, m.Position);
    }
}
