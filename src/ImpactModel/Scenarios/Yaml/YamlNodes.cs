namespace ImpactModel.Scenarios.Yaml;

/// <summary>Where a node starts: the file that holds it and its 1-based line and column.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// A YAML node that remembers where it starts, in whichever file holds it, so that any later
/// message (a range, a reference, a variant override) can point at the exact line and column.
/// </summary>
public abstract class YamlNode(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    /// <summary>A short name of the node's kind for messages: "a mapping", "a list", "text".</summary>
    public abstract string KindName { get; }
}

/// <summary>A scalar; <see cref="IsNull"/> for an empty value, <c>~</c> or <c>null</c> written plain.</summary>
public sealed class YamlScalar(SourcePosition position, string value, bool isPlain) : YamlNode(position)
{
    public string Value { get; } = value;

    public bool IsPlain { get; } = isPlain;

    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "an empty value" : $"'{Value}'";
}

/// <summary>A list.</summary>
public sealed class YamlSequence(SourcePosition position, IReadOnlyList<YamlNode> items) : YamlNode(position)
{
    public IReadOnlyList<YamlNode> Items { get; } = items;

    public override string KindName => "a list";
}

/// <summary>A mapping with scalar keys, in document order (duplicate keys are rejected while reading).</summary>
public sealed class YamlMapping(SourcePosition position, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> entries)
    : YamlNode(position)
{
    public IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries { get; } = entries;

    public override string KindName => "a mapping";

    public YamlNode? this[string key]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (entry.Key.Value == key)
                    return entry.Value;
            }

            return null;
        }
    }

    public YamlScalar? KeyNode(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Value == key)
                return entry.Key;
        }

        return null;
    }
}
