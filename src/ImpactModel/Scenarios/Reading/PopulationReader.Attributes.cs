using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

public static partial class PopulationReader
{
    private static readonly string[] AttributeKeys = ["id", "name", "description", "categories", "by_group"];
    private static readonly string[] CategoryKeys = ["id", "share"];

    /// <summary>
    /// Categorical attributes: ids not reserved for the engine's quasi-identifiers, at most
    /// <see cref="PopulationSpec.MaxAttributes"/>; each with unique categories whose marginal shares sum
    /// to 1, and shares by group naming declared groups and the attribute's categories, summing to at most 1.
    /// Read after the groups, so that a group named here is known.
    /// </summary>
    private static ImmutableArray<CategoricalAttributeSpec> Attributes(NodeReader r, YamlNode? node, string path)
    {
        if (node is null)
            return [];
        ImmutableArray<CategoricalAttributeSpec> attributes = r.List(node, path, (item, p) => Attribute(r, item, p));
        r.Unique(attributes, a => a.Id, a => a.Position, path, "attribute");
        if (node is YamlSequence seq && seq.Items.Count > PopulationSpec.MaxAttributes)
            r.Error(seq, path, $"at most {PopulationSpec.MaxAttributes} attributes, got {seq.Items.Count}");
        return attributes;
    }

    private static CategoricalAttributeSpec? Attribute(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, AttributeKeys);
        if (map is null)
            return null;
        YamlNode? idNode = r.Required(map, path, "id");
        string? id = r.Id(idNode, NodeReader.Join(path, "id"), "attribute id");
        if (id is not null && PopulationSpec.ReservedAttributeIds.Contains(id))
        {
            r.Error(idNode!, NodeReader.Join(path, "id"),
                $"attribute id '{id}' is reserved for the engine's own quasi-identifier ({string.Join(", ", PopulationSpec.ReservedAttributeIds)}); choose another id");
            id = null;
        }

        string? name = r.Text(NodeReader.Optional(map, "name"), NodeReader.Join(path, "name"));
        string? description = r.Text(NodeReader.Optional(map, "description"), NodeReader.Join(path, "description"));

        string categoriesPath = NodeReader.Join(path, "categories");
        YamlNode? categoriesNode = r.Required(map, path, "categories");
        ImmutableArray<AttributeCategory> categories = r.List(categoriesNode, categoriesPath, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, CategoryKeys);
            string? category = r.Id(r.Required(m, p, "id"), NodeReader.Join(p, "id"), "category id");
            Parameter? share = r.RequiredParameter(m, p, "share", ParameterKind.Probability);
            return category is null || share is null || m is null ? null : new AttributeCategory(category, share, m.Position);
        });
        r.Unique(categories, c => c.Id, c => c.Position, categoriesPath, "category");
        if (categoriesNode is YamlSequence categoryList)
        {
            if (categoryList.Items.Count > PopulationSpec.MaxCategories)
                r.Error(categoryList, categoriesPath, $"at most {PopulationSpec.MaxCategories} categories, got {categoryList.Items.Count}");
            else if (categories.Length == categoryList.Items.Count)
                CheckSum(r, categories.Select(c => c.Share), categoryList, categoriesPath, "category shares");
        }

        ImmutableArray<GroupCategoryShares> byGroup = ByGroup(r, NodeReader.Optional(map, "by_group"), NodeReader.Join(path, "by_group"), categories);
        return id is null || categories.IsDefault
            ? null
            : new CategoricalAttributeSpec(id, name, description, categories, byGroup, map.Position);
    }

    /// <summary>
    /// <c>by_group:</c> group id → (category id → share among the group's members). The order is kept:
    /// a person in two listed groups takes the first one's shares.
    /// </summary>
    private static ImmutableArray<GroupCategoryShares> ByGroup(NodeReader r, YamlNode? node, string path, ImmutableArray<AttributeCategory> categories)
    {
        if (node is null)
            return [];
        if (node is not YamlMapping map)
        {
            r.Error(node, path, $"expected a mapping of group id to (category id: share), got {node.KindName}");
            return [];
        }

        IReadOnlyCollection<string> groups = r.DeclaredIds("group");
        string[] categoryIds = [.. categories.Select(c => c.Id)];
        var result = ImmutableArray.CreateBuilder<GroupCategoryShares>();
        foreach (var entry in map.Entries)
        {
            string group = entry.Key.Value;
            string groupPath = NodeReader.Join(path, group);
            bool known = groups.Contains(group);
            if (!known)
                r.Error(entry.Key, groupPath, Suggest.Unknown("group", group, groups));
            if (entry.Value is not YamlMapping sharesMap)
            {
                r.Error(entry.Value, groupPath, $"expected a mapping of category id to the share of the group's members in it, got {entry.Value.KindName}");
                continue;
            }

            var shares = ImmutableArray.CreateBuilder<CategoryShare>();
            foreach (var share in sharesMap.Entries)
            {
                string category = share.Key.Value;
                string sharePath = NodeReader.Join(groupPath, category);
                Parameter? value = r.Parameter(share.Value, sharePath, ParameterKind.Probability);
                if (!categoryIds.Contains(category))
                {
                    r.Error(share.Key, sharePath, Suggest.Unknown("category", category, categoryIds));
                    continue;
                }

                if (value is not null)
                    shares.Add(new CategoryShare(category, value, share.Key.Position));
            }

            ImmutableArray<CategoryShare> listed = shares.ToImmutable();
            r.Unique(listed, s => s.Category, s => s.Position, groupPath, "category");
            double sum = listed.Sum(s => s.Share.Mean);
            if (sum > 1 + ShareTolerance)
                r.Error(entry.Key, groupPath,
                    $"the shares listed for '{group}' sum to {sum:0.######}, more than 1 (tolerance ±{ShareTolerance}); the categories not listed share what remains");
            if (known)
                result.Add(new GroupCategoryShares(group, listed, entry.Key.Position));
        }

        r.Unique(result, g => g.Group, g => g.Position, path, "group");
        return result.ToImmutable();
    }
}
