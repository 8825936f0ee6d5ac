using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>
/// What a variant override may name: a parameter (with its kind) or a setting with allowed values.
/// <see cref="Path"/> is the path of the <see cref="Parameter"/> an override replaces (for
/// <c>x.base</c> of a value declared once for everyone, the value's own path <c>x</c>).
/// </summary>
public sealed record OverrideTarget(string Path, ParameterKind? Kind, IReadOnlyList<string>? AllowedValues, SourcePosition Position);

/// <summary>
/// Typed, positioned access to a YAML tree. Every problem is collected (never thrown) with the
/// node's file, line and column and the dotted path of the field, so <c>validate</c> can report
/// all of them at once. Every parameter read is registered by path as a target for overrides.
/// </summary>
public sealed partial class NodeReader
{
    [GeneratedRegex(@"^[a-z][a-z0-9-]*\z", RegexOptions.CultureInvariant)] // \z: '$' would accept a trailing new line
    private static partial Regex IdPattern();

    public List<ScenarioError> Errors { get; } = [];

    /// <summary>Every data file read so far (resolved paths, in reading order): files the scenario references, for its hash and a run folder's inputs.</summary>
    public List<string> DataFiles { get; } = [];

    /// <summary>
    /// Every id declared so far by kind ("group", "linkage" ...), even where the rest of its item
    /// was wrong, so that references to it do not cascade into further errors.
    /// </summary>
    public Dictionary<string, List<string>> Declared { get; } = new(StringComparer.Ordinal);

    public void Declare(string kind, string? id)
    {
        if (id is null)
            return;
        if (!Declared.TryGetValue(kind, out var list))
            Declared[kind] = list = [];
        if (!list.Contains(id))
            list.Add(id);
    }

    public IReadOnlyCollection<string> DeclaredIds(string kind) => Declared.TryGetValue(kind, out var list) ? list : [];

    public Dictionary<string, OverrideTarget> Targets { get; } = new(StringComparer.Ordinal);

    public static bool IsId(string text) => IdPattern().IsMatch(text);

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public void Error(YamlNode node, string path, string message) =>
        Errors.Add(new ScenarioError(node.Position.File, node.Position.Line, node.Position.Column, path, message));

    public void Error(SourcePosition at, string path, string message) =>
        Errors.Add(new ScenarioError(at.File, at.Line, at.Column, path, message));

    /// <summary>The node as a mapping whose keys are all known (unknown keys reported with a suggestion); null if not a mapping.</summary>
    public YamlMapping? Mapping(YamlNode? node, string path, IReadOnlyCollection<string> allowedKeys)
    {
        if (node is null)
            return null;
        if (node is not YamlMapping map)
        {
            Error(node, path, $"expected a mapping (key: value lines), got {node.KindName}");
            return null;
        }

        foreach (var entry in map.Entries)
        {
            // An empty value is most likely an unfinished line; say so rather than treat it as absent.
            if (entry.Value is YamlScalar { IsNull: true } empty && allowedKeys.Contains(entry.Key.Value))
                Error(entry.Key, Join(path, entry.Key.Value), "missing value (give it a value or delete the key)");

            // A key such as '6)' is the tail of a distribution cut at its comma in a flow mapping; the value's own message says so.
            if (!allowedKeys.Contains(entry.Key.Value) && !entry.Key.Value.EndsWith(')'))
            {
                string? closest = Suggest.Closest(entry.Key.Value, allowedKeys);
                Error(entry.Key, Join(path, entry.Key.Value), closest is null
                    ? $"unknown key '{entry.Key.Value}'; expected one of: {string.Join(", ", allowedKeys)}"
                    : $"unknown key '{entry.Key.Value}'; did you mean '{closest}'?");
            }
        }

        return map;
    }

    /// <summary>The value of a required key, or an error at the mapping saying it is missing.</summary>
    public YamlNode? Required(YamlMapping? map, string path, string key)
    {
        if (map is null)
            return null;
        YamlNode? value = map[key];
        if (value is null)
            Error(map, path, $"missing required key '{key}'");
        else if (value is YamlScalar { IsNull: true })
            return null; // reported by Mapping() at the key

        return value;
    }

    public static YamlNode? Optional(YamlMapping? map, string key) =>
        map?[key] is { } node && node is not YamlScalar { IsNull: true } ? node : null;

    public string? Text(YamlNode? node, string path)
    {
        if (node is null)
            return null;
        if (node is YamlScalar { IsNull: false } s)
            return s.Value;
        Error(node, path, $"expected text, got {node.KindName}");
        return null;
    }

    public string? Id(YamlNode? node, string path, string what = "id")
    {
        string? text = Text(node, path);
        if (text is null || node is null)
            return null;
        if (!IsId(text))
        {
            Error(node, path, $"{what} '{text}' must match ^[a-z][a-z0-9-]*$ (lower-case letters, digits and hyphens, starting with a letter)");
            return null;
        }

        return text;
    }

    /// <summary>One of a fixed set of words, with a suggestion when it is not.</summary>
    public string? Choice(YamlNode? node, string path, IReadOnlyList<string> allowed, string what)
    {
        string? text = Text(node, path);
        if (text is null || node is null)
            return null;
        if (!allowed.Contains(text))
        {
            Error(node, path, Suggest.Unknown(what, text, (IReadOnlyCollection<string>)allowed));
            return null;
        }

        return text;
    }

    public long? WholeNumber(YamlNode? node, string path, long min, long max, string what)
    {
        string? text = Text(node, path);
        if (text is null || node is null)
            return null;
        if (node is YamlScalar { IsPlain: false })
        {
            Error(node, path, $"expected a whole number ({what}), got the text \"{text}\"; remove the quotes");
            return null;
        }

        string plain = text.Replace("_", "", StringComparison.Ordinal);
        if (!long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            Error(node, path, $"expected a whole number ({what}), got '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(node, path, $"{what} must be between {min.ToString("N0", CultureInfo.InvariantCulture)} and {max.ToString("N0", CultureInfo.InvariantCulture)}, got {value.ToString("N0", CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    public bool? Bool(YamlNode? node, string path)
    {
        string? text = Text(node, path);
        if (text is null || node is null)
            return null;
        // YAML 1.2 core schema spellings.
        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            return text[0] is 't' or 'T';
        Error(node, path, $"expected true or false, got '{text}'");
        return null;
    }

    /// <summary>A list of items, each read by <paramref name="item"/> with its own path (its id when it has one).</summary>
    public ImmutableArray<T> List<T>(YamlNode? node, string path, Func<YamlNode, string, T?> item)
        where T : class
    {
        if (node is null)
            return [];
        if (node is not YamlSequence seq)
        {
            Error(node, path, $"expected a list ('- ' items), got {node.KindName}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<T>(seq.Items.Count);
        for (int i = 0; i < seq.Items.Count; i++)
        {
            T? value = item(seq.Items[i], ItemPath(path, i, seq.Items[i]));
            if (value is not null)
                result.Add(value);
        }

        return result.ToImmutable();
    }

    /// <summary>A list item's path: <c>path.id</c> when the item declares a valid id, else <c>path[index]</c>.</summary>
    public static string ItemPath(string path, int index, YamlNode item) =>
        item is YamlMapping map && map["id"] is YamlScalar { IsNull: false } id && IsId(id.Value)
            ? Join(path, id.Value)
            : $"{path}[{index}]";

    /// <summary>A list of ids (e.g. <c>strands: [fraud-error-debt]</c>).</summary>
    public ImmutableArray<string> IdList(YamlNode? node, string path, string what)
    {
        if (node is null)
            return [];
        if (node is not YamlSequence seq)
        {
            Error(node, path, $"expected a list of {what}s, got {node.KindName}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>();
        for (int i = 0; i < seq.Items.Count; i++)
        {
            if (Id(seq.Items[i], $"{path}[{i}]", what) is { } id)
                result.Add(id);
        }

        return result.ToImmutable();
    }

    /// <summary>Reports ids declared twice in one list.</summary>
    public void Unique<T>(IEnumerable<T> items, Func<T, string> id, Func<T, SourcePosition> at, string path, string what)
    {
        var seen = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        foreach (T item in items)
        {
            string key = id(item);
            if (seen.TryGetValue(key, out var first))
                Error(at(item), Join(path, key), $"{what} '{key}' is declared twice (first at line {first.Line})");
            else
                seen.Add(key, at(item));
        }
    }
}
