using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads <c>data_sources:</c> and <c>linkage:</c>.</summary>
public static class SourcesReader
{
    private static readonly string[] SourceKeys = ["id", "body", "description", "coverage", "stale_share", "stale_months", "fields"];
    private static readonly string[] FieldKeys = ["id", "description", "error_rate", "missing_rate"];
    private static readonly string[] LinkageKeys =
        ["id", "from", "to", "method", "fields", "upper_threshold", "lower_threshold", "clerical_review", "candidates_per_block"];
    private static readonly string[] LinkFieldKeys = ["field", "m", "u", "chance_agreement", "term_frequency"];
    private static readonly string[] ReviewKeys = ["accuracy", "cost_per_pair"];
    public static readonly IReadOnlyList<string> Methods = ["exact", "probabilistic"];
    private static readonly string[] ProbabilisticFieldKeys = ["m", "u", "chance_agreement"];
    private static readonly string[] ProbabilisticLinkKeys = ["upper_threshold", "lower_threshold", "clerical_review"];

    public static ImmutableArray<DataSourceSpec> DataSources(NodeReader r, YamlNode? node, string path)
    {
        ImmutableArray<DataSourceSpec> sources = r.List(node, path, (item, p) =>
        {
            YamlMapping? map = r.Mapping(item, p, SourceKeys);
            string? id = r.Id(r.Required(map, p, "id"), NodeReader.Join(p, "id"), "data source id");
            r.Declare("data source", id);
            string? body = r.Text(r.Required(map, p, "body"), NodeReader.Join(p, "body"));
            string? description = r.Text(NodeReader.Optional(map, "description"), NodeReader.Join(p, "description"));
            GroupValues coverage = r.OptionalByGroup(map, p, "coverage", ParameterKind.Probability, 1);
            GroupValues stale = r.OptionalByGroup(map, p, "stale_share", ParameterKind.Probability, 0);
            Parameter staleMonths = r.OptionalParameter(map, p, "stale_months", ParameterKind.NonNegative, 0, ParameterTraits.Chosen);
            string fieldsPath = NodeReader.Join(p, "fields");
            ImmutableArray<FieldSpec> fields = r.List(r.Required(map, p, "fields"), fieldsPath, (f, fp) =>
            {
                YamlMapping? fm = r.Mapping(f, fp, FieldKeys);
                string? fid = r.Id(r.Required(fm, fp, "id"), NodeReader.Join(fp, "id"), "field id");
                string? fdesc = r.Text(NodeReader.Optional(fm, "description"), NodeReader.Join(fp, "description"));
                GroupValues error = r.OptionalByGroup(fm, fp, "error_rate", ParameterKind.Probability, 0);
                GroupValues missing = r.OptionalByGroup(fm, fp, "missing_rate", ParameterKind.Probability, 0);
                return fid is null || fm is null ? null : new FieldSpec(fid, fdesc, error, missing, fm.Position);
            });
            r.Unique(fields, f => f.Id, f => f.Position, fieldsPath, "field");
            return id is null || body is null || map is null
                ? null
                : new DataSourceSpec(id, body, description, coverage, stale, staleMonths, fields, map.Position);
        });
        r.Unique(sources, s => s.Id, s => s.Position, path, "data source");
        return sources;
    }

    public static ImmutableArray<LinkageSpec> Linkages(NodeReader r, YamlNode? node, string path, ImmutableArray<DataSourceSpec> sources)
    {
        var sourceIds = r.DeclaredIds("data source").ToArray();
        ImmutableArray<LinkageSpec> linkages = r.List(node, path, (item, p) =>
        {
            YamlMapping? map = r.Mapping(item, p, LinkageKeys);
            string? id = r.Id(r.Required(map, p, "id"), NodeReader.Join(p, "id"), "linkage id");
            r.Declare("linkage", id);
            string? from = SourceRef(r, r.Required(map, p, "from"), NodeReader.Join(p, "from"), sourceIds);
            string? to = SourceRef(r, r.Required(map, p, "to"), NodeReader.Join(p, "to"), sourceIds);
            if (from is not null && from == to)
                r.Error(map!["to"]!, NodeReader.Join(p, "to"), "a linkage joins two different data sources");
            string? methodText = r.Choice(r.Required(map, p, "method"), NodeReader.Join(p, "method"), Methods, "linkage method");
            LinkageMethod method = methodText == "exact" ? LinkageMethod.Exact : LinkageMethod.Probabilistic;
            bool probabilistic = method == LinkageMethod.Probabilistic;

            string fieldsPath = NodeReader.Join(p, "fields");
            YamlNode? fieldsNode = r.Required(map, p, "fields");
            ImmutableArray<LinkFieldSpec> fields = r.List(fieldsNode, fieldsPath, (f, _) =>
            {
                YamlMapping? fm = r.Mapping(f, fieldsPath, LinkFieldKeys);
                string? field = r.Id(r.Required(fm, fieldsPath, "field"), fieldsPath, "field id");
                string fp = field is null ? fieldsPath : NodeReader.Join(fieldsPath, field);
                Parameter? m = null, u = null;
                GroupValues? chance = null;
                if (probabilistic)
                {
                    m = r.RequiredParameter(fm, fp, "m", ParameterKind.Probability, ParameterTraits.Chosen);
                    u = r.RequiredParameter(fm, fp, "u", ParameterKind.Probability, ParameterTraits.Chosen);
                    chance = NodeReader.Optional(fm, "chance_agreement") is { } ca
                        ? r.ByGroup(ca, NodeReader.Join(fp, "chance_agreement"), ParameterKind.Probability)
                        : null;
                    if (m is not null && u is not null && m.Mean <= u.Mean)
                        r.Error(m.Position, m.Path, $"m ({m.Mean}) must exceed u ({u.Mean}): agreement must be likelier for the same person than by chance");
                }
                else
                {
                    foreach (string key in ProbabilisticFieldKeys)
                    {
                        if (fm?.KeyNode(key) is { } k)
                            r.Error(k, NodeReader.Join(fp, key), $"'{key}' applies to probabilistic linkage only; exact linkage compares the key fields");
                    }
                }

                bool tf = NodeReader.Optional(fm, "term_frequency") is { } t && (r.Bool(t, NodeReader.Join(fp, "term_frequency")) ?? false);
                return field is null || fm is null ? null : new LinkFieldSpec(field, m, u, chance, tf, fm.Position);
            });
            if (fieldsNode is YamlSequence { Items.Count: 0 })
                r.Error(fieldsNode, fieldsPath, "at least one field is compared");
            else if (fieldsNode is YamlSequence { Items.Count: > Linkage.CompiledLinkage.MaxFields } tooMany)
                r.Error(tooMany, fieldsPath, $"a linkage compares at most {Linkage.CompiledLinkage.MaxFields} fields, got {tooMany.Items.Count}");
            r.Unique(fields, f => f.Field, f => f.Position, fieldsPath, "compared field");

            Parameter? upper = null, lower = null;
            ClericalReviewSpec? review = null;
            if (probabilistic)
            {
                upper = r.RequiredParameter(map, p, "upper_threshold", ParameterKind.Real, ParameterTraits.Chosen);
                lower = r.RequiredParameter(map, p, "lower_threshold", ParameterKind.Real, ParameterTraits.Chosen);
                if (upper is not null && lower is not null && lower.Mean > upper.Mean)
                    r.Error(lower.Position, lower.Path, $"the lower threshold ({lower.Mean}) is above the upper ({upper.Mean})");
                if (NodeReader.Optional(map, "clerical_review") is { } cr)
                {
                    string crPath = NodeReader.Join(p, "clerical_review");
                    YamlMapping? crMap = r.Mapping(cr, crPath, ReviewKeys);
                    Parameter? accuracy = r.RequiredParameter(crMap, crPath, "accuracy", ParameterKind.Probability);
                    Parameter? cost = r.RequiredParameter(crMap, crPath, "cost_per_pair", ParameterKind.Money);
                    review = accuracy is null || cost is null ? null : new ClericalReviewSpec(accuracy, cost);
                }
            }
            else
            {
                foreach (string key in ProbabilisticLinkKeys)
                {
                    if (map?.KeyNode(key) is { } k)
                        r.Error(k, NodeReader.Join(p, key), $"'{key}' applies to probabilistic linkage only");
                }
            }

            GroupValues candidates = r.OptionalByGroup(map, p, "candidates_per_block", ParameterKind.PoissonMean, 0);
            if (id is null || from is null || to is null || map is null || methodText is null)
                return null;
            CheckFieldsExist(r, fields, sources, from, to, fieldsPath);
            return new LinkageSpec(id, from, to, method, fields, upper, lower, review, candidates, map.Position);
        });
        r.Unique(linkages, l => l.Id, l => l.Position, path, "linkage");
        return linkages;
    }

    private static string? SourceRef(NodeReader r, YamlNode? node, string path, string[] known)
    {
        string? id = r.Id(node, path, "data source id");
        if (id is not null && !known.Contains(id))
        {
            r.Error(node!, path, Suggest.Unknown("data source", id, known));
            return null;
        }

        return id;
    }

    private static void CheckFieldsExist(NodeReader r, ImmutableArray<LinkFieldSpec> fields, ImmutableArray<DataSourceSpec> sources,
        string from, string to, string path)
    {
        foreach (string sourceId in new[] { from, to })
        {
            DataSourceSpec? source = sources.FirstOrDefault(s => s.Id == sourceId);
            if (source is null)
                continue;
            var known = source.Fields.Select(f => f.Id).ToArray();
            foreach (var field in fields)
            {
                if (!known.Contains(field.Field))
                    r.Error(field.Position, NodeReader.Join(path, field.Field),
                        Suggest.Unknown($"field of data source '{sourceId}'", field.Field, known));
            }
        }
    }
}
