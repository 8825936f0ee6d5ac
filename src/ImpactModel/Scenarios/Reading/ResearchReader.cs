using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;
using ImpactModel.Strands.Research;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads the <c>research:</c> section of a research and statistics scenario.</summary>
public static class ResearchReader
{
    private static readonly string[] Keys =
        ["extract", "quasi_identifiers", "sensitive_attributes", "release", "attack", "questions", "high_risk_threshold", "values"];
    private static readonly string[] ExtractKeys = ["sample_fraction", "source"];
    private static readonly string[] QiKeys = ["id", "levels", "released"];
    private static readonly string[] AttributeKeys = ["id", "description", "prevalence"];
    private static readonly string[] ReleaseKeys = ["form", "releases_per_year"];
    private static readonly string[] AttackKeys = ["attacker", "attempts_per_year", "knows", "success_if_unique"];
    private static readonly string[] QuestionKeys = ["id", "attribute", "kind", "groups"];
    private static readonly string[] ValueKeys = ["reidentification_valuation", "research_value"];

    /// <summary>Most sensitive attributes a release may hold (each person's are drawn from one random block and kept as bits).</summary>
    public const int MaxSensitiveAttributes = 3;

    /// <summary>
    /// Most cells the released quasi-identifiers may make: the strand counts integers per cell, not
    /// per person, so memory follows the cells (the shipped release has 262,808).
    /// </summary>
    public const int MaxCells = 1_000_000;

    /// <summary>Most counts the cells of a release may hold (cells × counts per cell): with two threads and the merges, about 400 MB at the limit.</summary>
    public const int MaxCounts = 16_000_000;

    /// <summary>What a research question may estimate.</summary>
    public static readonly IReadOnlyList<string> QuestionKinds = ["prevalence", "difference"];

    public static readonly IReadOnlyList<string> ReleaseForms = ["record-level-tre", "public-tables"];

    /// <param name="r">The reader.</param>
    /// <param name="node">The <c>research:</c> mapping.</param>
    /// <param name="path">Its path.</param>
    /// <param name="population">The scenario's population when it was read without error: each quasi-identifier's levels are checked against it.</param>
    public static ResearchSpec? Read(NodeReader r, YamlNode node, string path, PopulationSpec? population = null)
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
        ImmutableArray<QuasiIdentifierSpec> qis = r.List(qiNode, qp, (item, p) => QuasiIdentifier(r, item, p, population));
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
        if (attributes.Length > MaxSensitiveAttributes && map["sensitive_attributes"] is { } attributesNode)
            r.Error(attributesNode, ap, $"at most {MaxSensitiveAttributes} sensitive attributes per release (this one lists {attributes.Length})");
        if (population is not null && qiNode is not null)
        {
            double cells = 1;
            foreach (QuasiIdentifierSpec qi in qis)
                cells *= qi.Levels.FirstOrDefault(l => l.Id == qi.Released)?.Categories ?? 1;
            double counts = cells * (2 + attributes.Length + (population.Groups.Length + 1) * (1 + attributes.Length));
            if (cells > MaxCells)
                r.Error(qiNode, qp, $"the released quasi-identifiers make {cells:N0} cells, more than the {MaxCells:N0} this strand counts (release a coarser level of one of them)");
            else if (counts > MaxCounts)
                r.Error(qiNode, qp, $"the released quasi-identifiers make {cells:N0} cells of {counts / cells:N0} counts each (persons, and members and holders of each group and sensitive attribute): " +
                                    $"{counts:N0} counts, more than the {MaxCounts:N0} this strand keeps (release a coarser level, or fewer sensitive attributes)");
        }

        string rp = J("release");
        YamlMapping? releaseMap = r.Mapping(r.Required(map, path, "release"), rp, ReleaseKeys);
        YamlNode? formNode = r.Required(releaseMap, rp, "form");
        string? form = r.Choice(formNode, NodeReader.Join(rp, "form"), ReleaseForms, "release form");
        r.Setting(NodeReader.Join(rp, "form"), ReleaseForms, formNode);
        Parameter releases = r.OptionalParameter(releaseMap, rp, "releases_per_year", ParameterKind.NonNegative, 1, ParameterTraits.Chosen);
        Parameter highRisk = r.OptionalParameter(map, path, "high_risk_threshold", ParameterKind.Probability, ResearchSpec.DefaultHighRiskThreshold,
            ParameterTraits.Chosen);

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
            string kind = NodeReader.Optional(m, "kind") is { } kindNode
                ? r.Choice(kindNode, NodeReader.Join(p, "kind"), QuestionKinds, "question kind") ?? "prevalence"
                : "prevalence";
            return id is null || attribute is null || m is null
                ? null
                : new ResearchQuestionSpec(id, attribute, groups, m.Position) { Kind = kind == "difference" ? QuestionKind.Difference : QuestionKind.Prevalence };
        });
        r.Unique(questions, q => q.Id, q => q.Position, questionsPath, "question");

        Parameter? valuation = null, researchValue = null;
        if (NodeReader.Optional(map, "values") is { } valuesNode)
        {
            YamlMapping? valuesMap = r.Mapping(valuesNode, J("values"), ValueKeys);
            valuation = NodeReader.Optional(valuesMap, "reidentification_valuation") is { } v
                ? r.Parameter(v, NodeReader.Join(J("values"), "reidentification_valuation"), ParameterKind.Money)
                : null;
            TailoredServicesReader.RequireSource(r, valuation, "re-identification");
            researchValue = NodeReader.Optional(valuesMap, "research_value") is { } rv
                ? r.Parameter(rv, NodeReader.Join(J("values"), "research_value"), ParameterKind.Money)
                : null;
            TailoredServicesReader.RequireSource(r, researchValue, "research", "no research value or net benefit is reported");
        }

        if (form is null || attacker is null || attempts is null || success is null)
            return null;
        return new ResearchSpec(fraction, source, qis, attributes,
            form == "public-tables" ? ReleaseForm.PublicTables : ReleaseForm.RecordLevelTre,
            new AttackSpec(attacker, attempts, knows, success), questions, valuation, map.Position)
        {
            ReleasesPerYear = releases,
            HighRiskThreshold = highRisk,
            ResearchValue = researchValue,
        };
    }

    /// <summary>
    /// A declared variant that releases a quasi-identifier at a finer level than declared must still
    /// stay within <see cref="MaxCells"/>: refused at the override that breaks it.
    /// </summary>
    public static void CheckVariantCells(NodeReader r, ResearchSpec research, ImmutableArray<VariantSpec> variants)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(research);
        foreach (VariantSpec variant in variants)
        {
            double cells = 1;
            SettingOverride? finer = null;
            foreach (QuasiIdentifierSpec qi in research.QuasiIdentifiers)
            {
                SettingOverride? o = variant.Overrides.OfType<SettingOverride>().LastOrDefault(x => x.Path == $"research.quasi_identifiers.{qi.Id}.released");
                long declared = qi.Levels.FirstOrDefault(l => l.Id == qi.Released)?.Categories ?? 1;
                long count = o is null ? declared : qi.Levels.FirstOrDefault(l => l.Id == o.Value)?.Categories ?? 1;
                if (count > declared)
                    finer = o;
                cells *= count;
            }

            if (cells > MaxCells && finer is not null)
                r.Error(finer.Position, $"variants.{variant.Id}.overrides.{finer.Path}",
                    $"with this override the released quasi-identifiers make {cells:N0} cells, more than the {MaxCells:N0} this strand counts");
        }
    }

    private static QuasiIdentifierSpec? QuasiIdentifier(NodeReader r, YamlNode item, string p, PopulationSpec? population)
    {
        YamlMapping? m = r.Mapping(item, p, QiKeys);
        YamlNode? idNode = r.Required(m, p, "id");
        string? id = r.Id(idNode, NodeReader.Join(p, "id"), "quasi-identifier id");
        r.Declare("quasi-identifier", id);
        if (id is not null && idNode is not null && population is not null && !ReleaseLevels.Known(population, id))
            r.Error(idNode, NodeReader.Join(p, "id"), Suggest.Unknown("quasi-identifier", id, ReleaseLevels.Identifiers(population)));
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
                {
                    levels.Add(new DetailLevel(level, categories.Value));
                    if (id is not null && population is not null && ReleaseLevels.Problem(population, id, level, categories.Value) is { } problem)
                        r.Error(entry.Key, levelPath, problem);
                }
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
