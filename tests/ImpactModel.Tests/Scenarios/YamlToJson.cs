using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// Turns a YAML document into JSON the way an editor's YAML language server does before it checks
/// the file against a JSON Schema: YAML 1.2 core schema resolution of plain scalars (numbers become
/// JSON numbers, true/false booleans, empty, ~ and null become null); quoted and block scalars, and
/// plain scalars that are none of these, stay strings.
/// </summary>
public static partial class YamlToJson
{
    // YAML 1.2 core schema, https://yaml.org/spec/1.2.2/#1032-tag-resolution
    [GeneratedRegex("^(?:~|null|Null|NULL|)$", RegexOptions.CultureInvariant)]
    private static partial Regex NullPattern();

    [GeneratedRegex("^(?:true|True|TRUE|false|False|FALSE)$", RegexOptions.CultureInvariant)]
    private static partial Regex BoolPattern();

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>The single document in <paramref name="yaml"/> as JSON (null for an empty document).</summary>
    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Node(stream.Documents[0].RootNode);
    }

    private static JsonNode? Node(YamlNode node) => node switch
    {
        YamlMappingNode map => Mapping(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Node).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

    private static JsonObject Mapping(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            string name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
            result[name] = Node(value);
        }

        return result;
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Tag.IsEmpty;
        if (!plain)
            return JsonValue.Create(text);
        if (NullPattern().IsMatch(text))
            return null;
        if (BoolPattern().IsMatch(text))
            return JsonValue.Create(text.StartsWith('t') || text.StartsWith('T'));
        if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
            return JsonValue.Create(whole);
        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real)
            && double.IsFinite(real))
            return JsonValue.Create(real);
        // .inf and .nan are numbers in YAML but have no JSON form; they stay text, as the loader reads them.
        return JsonValue.Create(text);
    }
}
