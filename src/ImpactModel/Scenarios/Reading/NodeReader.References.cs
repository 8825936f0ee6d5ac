using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

public sealed partial class NodeReader
{
    /// <summary>An id that must name something already declared of <paramref name="kind"/> ("data source", "area" ...).</summary>
    public string? Reference(YamlNode? node, string path, string kind)
    {
        string? id = Id(node, path, $"{kind} id");
        if (id is null || node is null)
            return null;
        var known = DeclaredIds(kind);
        if (!known.Contains(id))
        {
            Error(node, path, Suggest.Unknown(kind, id, known));
            return null;
        }

        return id;
    }

    /// <summary>A list of references to declared ids of <paramref name="kind"/>.</summary>
    public ImmutableArray<string> References(YamlNode? node, string path, string kind)
    {
        if (node is null)
            return [];
        if (node is not YamlSequence seq)
        {
            Error(node, path, $"expected a list of {kind} ids, got {node.KindName}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>();
        for (int i = 0; i < seq.Items.Count; i++)
        {
            if (Reference(seq.Items[i], $"{path}[{i}]", kind) is { } id)
                result.Add(id);
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// A list of group ids, checked once the population's groups are known (groups may be
    /// declared in a population file read after this section).
    /// </summary>
    public ImmutableArray<string> GroupList(YamlNode? node, string path)
    {
        ImmutableArray<string> groups = IdList(node, path, "group id");
        if (node is YamlSequence seq)
        {
            for (int i = 0; i < seq.Items.Count && i < groups.Length; i++)
            {
                if (seq.Items[i] is YamlScalar s && s.Value == groups[i])
                    GroupReferences.Add((groups[i], s.Position, $"{path}[{i}]"));
            }
        }

        return groups;
    }
}
