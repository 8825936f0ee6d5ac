using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ImpactModel.Scenarios.Yaml;

/// <summary>
/// Turns a file's bytes into one <see cref="YamlNode"/> tree with positions, from YamlDotNet's
/// parser events. Everything a user can get wrong in YAML itself (tabs, duplicate keys, a
/// truncated file, binary content, several documents) becomes a positioned error, never an exception.
/// </summary>
public static class YamlDocumentReader
{
    /// <summary>Reads the single document in <paramref name="bytes"/>; null when it could not be read (errors say why).</summary>
    public static YamlNode? Read(string file, byte[] bytes, List<ScenarioError> errors)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(errors);
        string? text = DecodeText(file, bytes, errors);
        if (text is null)
            return null;

        if (!FindTabs(file, text, errors))
            return null;

        var scanner = new Scanner(new StringReader(text), skipComments: true);
        try
        {
            var parser = new Parser(scanner);
            var builder = new Builder(file, parser, errors);
            YamlNode? root = builder.ReadStream();
            if (root is not null)
                builder.ReportDuplicates(root, "");
            return root;
        }
        catch (YamlException e)
        {
            errors.Add(new ScenarioError(file, (int)e.Start.Line, (int)e.Start.Column, "",
                $"YAML syntax: {Describe(e)}"));
            return null;
        }
        catch (InvalidOperationException e) when (ThrownByYamlDotNet(e))
        {
            // YamlDotNet 18.1 throws this instead of a YamlException on some broken flow collections,
            // e.g. '{ val{ue: 4, ... }' (MutationTests found it); report where its scanner stopped.
            Mark at = scanner.CurrentPosition;
            errors.Add(new ScenarioError(file, Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column), "",
                "YAML syntax: cannot read past here (is a bracket or quote left open?)"));
            return null;
        }
    }

    /// <summary>
    /// True when YamlDotNet's own code threw <paramref name="e"/> (the innermost frame of its stack trace
    /// is YamlDotNet's), not ours: read from the trace's text, which the JIT-compiled and the native
    /// build both give (<see cref="Exception.TargetSite"/> needs reflection data the native build does not keep).
    /// </summary>
    internal static bool ThrownByYamlDotNet(Exception e)
    {
        string? trace = e.StackTrace;
        if (trace is null)
            return false;
        int end = trace.IndexOf('\n', StringComparison.Ordinal);
        ReadOnlySpan<char> first = (end < 0 ? trace.AsSpan() : trace.AsSpan(0, end)).TrimStart();
        return first.StartsWith("at YamlDotNet.", StringComparison.Ordinal);
    }

    private static string Describe(YamlException e)
    {
        string message = e.Message;
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we print our own position.
        int cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            message = message[(cut + 3)..];
        message = message.TrimEnd('.');
        if (message.Contains("end of stream", StringComparison.OrdinalIgnoreCase)
            || message.Contains("did not find expected", StringComparison.OrdinalIgnoreCase))
            message += " (is the file truncated, or a bracket or quote left open?)";
        return message;
    }

    private static string? DecodeText(string file, byte[] bytes, List<ScenarioError> errors)
    {
        if (WideEncoding(bytes) is { } wide)
        {
            errors.Add(new ScenarioError(file, 0, 0, "", $"the file is {wide}; save it as UTF-8"));
            return null;
        }

        int nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            errors.Add(At(file, bytes, nul,
                $"is not a text file (a zero byte at offset {nul}); scenarios are UTF-8 YAML"));
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            int offset = BadByteOffset(bytes, e.Index);
            errors.Add(At(file, bytes, offset,
                $"is not valid UTF-8 text (bad byte at offset {offset}); save scenarios as UTF-8 YAML"));
            return null;
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];

        // Old Mac files end lines with CR alone; YAML counts CR, LF and CRLF as one line break each,
        // and so do positions here, so every form becomes LF before parsing (columns do not change).
        if (text.Contains('\r', StringComparison.Ordinal))
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

        if (IsBlank(text))
        {
            errors.Add(new ScenarioError(file, 1, 1, "",
                "the file is empty; a scenario needs at least 'strand:' and 'name:', a population file 'population:'"));
            return null;
        }

        return text;
    }

    /// <summary>
    /// UTF-16 or UTF-32, by its byte order mark or else by the zero bytes that ASCII text has in
    /// those encodings (every other byte, or three of four); null for anything else.
    /// </summary>
    private static string? WideEncoding(byte[] bytes)
    {
        ReadOnlySpan<byte> b = bytes;
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0]))
            return "UTF-32 (little-endian)";
        if (b.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]))
            return "UTF-32 (big-endian)";
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            return "UTF-16 (little-endian)";
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return "UTF-16 (big-endian)";
        if (b.Length < 4)
            return null;
        if (b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
            return "UTF-32 (little-endian)";
        if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0)
            return "UTF-32 (big-endian)";
        if (b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0)
            return "UTF-16 (little-endian)";
        if (b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0)
            return "UTF-16 (big-endian)";
        return null;
    }

    /// <summary>The offset of the first byte that is not part of valid UTF-8 (the decoder's own index is relative to its block).</summary>
    private static int BadByteOffset(byte[] bytes, int reported)
    {
        var chars = new char[bytes.Length];
        return System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out int read, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done
            ? reported
            : read;
    }

    /// <summary>
    /// An error about the byte at <paramref name="offset"/>, at its line and column when the bytes
    /// before it are UTF-8 text (lines end at CR, LF or CRLF), else at the file.
    /// </summary>
    private static ScenarioError At(string file, byte[] bytes, int offset, string message)
    {
        string before;
        try
        {
            before = new UTF8Encoding(false, true).GetString(bytes, 0, offset);
        }
        catch (DecoderFallbackException)
        {
            return new ScenarioError(file, 0, 0, "", message);
        }

        int line = 1, column = 1;
        for (int i = 0; i < before.Length; i++)
        {
            char c = before[i];
            if (c == '\uFEFF' && i == 0)
                continue;
            if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < before.Length && before[i + 1] == '\n')
                    i++;
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new ScenarioError(file, line, column, "", message);
    }

    private static bool IsBlank(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#' && trimmed != "---" && trimmed != "...")
                return false;
        }

        return true;
    }

    /// <summary>
    /// YAML forbids tabs in indentation; say so where the tab is instead of the parser's riddle. NEL,
    /// LS and PS (U+0085, U+2028, U+2029) are line breaks to YamlDotNet (YAML 1.1) but not to editors,
    /// so every later position would name the wrong line: reject them where they are.
    /// </summary>
    private static bool FindTabs(string file, string text, List<ScenarioError> errors)
    {
        int before = errors.Count;
        int line = 1, column = 1;
        bool indentation = true;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                line++;
                column = 1;
                indentation = true;
                continue;
            }

            if (c == '\t' && indentation)
            {
                errors.Add(new ScenarioError(file, line, column, "", "a tab in indentation; YAML indents with spaces only"));
                indentation = false;
            }
            else if (c is '\u0085' or '\u2028' or '\u2029')
            {
                errors.Add(new ScenarioError(file, line, column, "",
                    $"a Unicode line separator (U+{(int)c:X4}); YAML parsers count it as a line break, editors do not; use a plain new line or a space"));
            }
            else if (c is not (' ' or '-'))
            {
                indentation = false;
            }

            column++;
        }

        return errors.Count == before;
    }

    private sealed class Builder(string file, IParser parser, List<ScenarioError> errors)
    {
        /// <summary>Scenarios nest about eight levels; ReadNode recurses once per level, and a stack overflow cannot be caught.</summary>
        private const int MaxDepth = 100;

        private readonly Dictionary<string, YamlNode> _anchors = new(StringComparer.Ordinal);
        private int _depth;
        private readonly List<(YamlScalar Key, YamlScalar First)> _duplicates = [];
        private readonly Dictionary<YamlScalar, YamlMapping> _duplicateOwners = [];

        /// <summary>
        /// Duplicate keys are reported once the tree is complete, so that their path can name list
        /// items by id (<c>population.groups.disabled.prevalence</c>) as every other message does.
        /// </summary>
        public void ReportDuplicates(YamlNode root, string path)
        {
            if (_duplicates.Count == 0)
                return;
            var paths = new Dictionary<YamlMapping, string>(ReferenceEqualityComparer.Instance);
            Walk(root, path, paths, new HashSet<YamlSequence>(ReferenceEqualityComparer.Instance));
            foreach (var (key, first) in _duplicates)
            {
                string owner = _duplicateOwners.TryGetValue(key, out var map) && paths.TryGetValue(map, out var p) ? p : "";
                errors.Add(new ScenarioError(file, key.Position.Line, key.Position.Column,
                    Reading.NodeReader.Join(owner, key.Value),
                    $"duplicate key '{key.Value}' (first at line {first.Position.Line}, column {first.Position.Column})"));
            }
        }

        /// <summary>Each node once: aliases share nodes, and nested aliases would otherwise be walked exponentially often.</summary>
        private static void Walk(YamlNode node, string path, Dictionary<YamlMapping, string> paths, HashSet<YamlSequence> lists)
        {
            switch (node)
            {
                case YamlMapping map:
                    if (!paths.TryAdd(map, path))
                        return;
                    foreach (var entry in map.Entries)
                        Walk(entry.Value, Reading.NodeReader.Join(path, entry.Key.Value), paths, lists);
                    break;
                case YamlSequence seq:
                    if (!lists.Add(seq))
                        return;
                    for (int i = 0; i < seq.Items.Count; i++)
                        Walk(seq.Items[i], Reading.NodeReader.ItemPath(path, i, seq.Items[i]), paths, lists);
                    break;
            }
        }

        private SourcePosition At(ParsingEvent e) => new(file, (int)e.Start.Line, (int)e.Start.Column);

        public YamlNode? ReadStream()
        {
            parser.Consume<StreamStart>();
            YamlNode? root = null;
            int documents = 0;
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                documents++;
                YamlNode node = ReadNode();
                parser.Consume<DocumentEnd>();
                if (documents == 1)
                    root = node;
                else
                    errors.Add(new ScenarioError(file, (int)start.Start.Line, (int)start.Start.Column, "",
                        "a second YAML document ('---'); a file holds one scenario or one population"));
            }

            parser.Consume<StreamEnd>();
            return root;
        }

        private YamlNode ReadNode()
        {
            ParsingEvent current = parser.Current ?? throw new InvalidOperationException("parser has no current event");
            if (current is SequenceStart or MappingStart && _depth >= MaxDepth)
                throw new YamlException(current.Start, current.End, $"lists and mappings nested more than {MaxDepth} deep (is a bracket left open?)");
            _depth++;
            try
            {
                return ReadNodeAt(current);
            }
            finally
            {
                _depth--;
            }
        }

        private YamlNode ReadNodeAt(ParsingEvent current)
        {
            switch (current)
            {
                case AnchorAlias alias:
                    parser.MoveNext();
                    if (_anchors.TryGetValue(alias.Value.Value, out var target))
                        return target;
                    errors.Add(new ScenarioError(file, (int)alias.Start.Line, (int)alias.Start.Column, "",
                        $"unknown alias '*{alias.Value.Value}'"));
                    return new YamlScalar(At(alias), "", isPlain: true);

                case Scalar scalar:
                    parser.MoveNext();
                    var s = new YamlScalar(At(scalar), scalar.Value, scalar.Style == ScalarStyle.Plain);
                    Remember(scalar.Anchor, s);
                    return s;

                case SequenceStart start:
                {
                    parser.MoveNext();
                    var items = new List<YamlNode>();
                    while (!parser.TryConsume<SequenceEnd>(out _))
                        items.Add(ReadNode());
                    var seq = new YamlSequence(At(start), items);
                    Remember(start.Anchor, seq);
                    return seq;
                }

                case MappingStart start:
                {
                    parser.MoveNext();
                    var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
                    var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
                    var duplicatesHere = new List<YamlScalar>();
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        YamlNode keyNode = ReadNode();
                        YamlNode value = ReadNode();
                        if (keyNode is not YamlScalar key)
                        {
                            errors.Add(new ScenarioError(file, keyNode.Position.Line, keyNode.Position.Column, "",
                                "a key must be plain text, not a list or mapping"));
                            continue;
                        }

                        if (seen.TryGetValue(key.Value, out var first))
                        {
                            _duplicates.Add((key, first));
                            duplicatesHere.Add(key);
                            continue;
                        }

                        seen.Add(key.Value, key);
                        entries.Add(new(key, value));
                    }

                    var map = new YamlMapping(At(start), entries);
                    foreach (var duplicate in duplicatesHere)
                        _duplicateOwners[duplicate] = map;
                    Remember(start.Anchor, map);
                    return map;
                }

                default:
                    throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
            }
        }

        private void Remember(AnchorName anchor, YamlNode node)
        {
            if (!anchor.IsEmpty)
                _anchors[anchor.Value] = node;
        }
    }
}
