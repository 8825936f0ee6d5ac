using System.Text;
using System.Text.RegularExpressions;

namespace ImpactModel.Tests.Scenarios;

/// <summary>The kinds of damage a <see cref="ScenarioMutator"/> does to a file.</summary>
public enum EditKind
{
    DeleteLine,
    SwapLines,
    DuplicateLines,
    DuplicateKey,
    NumberToText,
    OutOfRange,
    Truncate,
    BreakIndentation,
    InsertTab,
    UnknownId,
    WrongType,
    YamlPunctuation,
    RandomBytes,
    Empty,
    DeepNesting,
    AliasChain,
    RemoveReferencedFile,
}

/// <summary>
/// One damaged set of files: <see cref="Files"/> holds every shipped file, the target replaced by its
/// damaged bytes (a removed file is absent). <see cref="Seed"/> alone rebuilds it, so a failure can be
/// replayed with <c>new ScenarioMutator(shipped).Mutate(target, seed)</c>.
/// </summary>
public sealed record Mutation(string Target, int Seed, IReadOnlyList<EditKind> Kinds, IReadOnlyList<string> Edits,
    IReadOnlyDictionary<string, byte[]> Files)
{
    public string Description => $"{Target} seed {Seed}: {string.Join("; then ", Edits)}";
}

/// <summary>
/// Random damaging edits to scenario files, each a pure function of (target, seed). Text is handled
/// as Latin-1 so that every byte is one char: byte-level damage (truncation inside a multi-byte
/// character, random bytes) and line-level damage compose without decoding errors.
/// </summary>
public sealed partial class ScenarioMutator(IReadOnlyDictionary<string, byte[]> shipped)
{
    private static readonly EditKind[] AllKinds = Enum.GetValues<EditKind>();

    private static readonly string[] NotNumbers =
        ["ten", "abc", "1,5", "yes", "''", "0x1F", "12%", "1.2.3", "true", "~", "\"0.5\"", "one half", "5e", "--1", "NaN"];

    private static readonly string[] OutsideUnit = ["1.5", "-0.2", "2", "-1", "1e9", ".nan", ".inf", "1.0000001", "-0"];

    private static readonly string[] OutsideLarge =
        ["-1", "0", "-0.5", "1e300", "99999999999999999999999", "1e400", "-.inf", "0.5", "-9223372036854775809", "9223372036854775807"];

    private static readonly string[] WrongTypes =
        ["[1, 2]", "{ a: 1 }", "", "[]", "{}", "\"text\"", "~", "|\n  block", "- item", "[[[]]]", "!!binary AAAA", "&a { b: *a }", "*nowhere"];

    private static readonly string[] Punctuation =
        ["[", "]", "{", "}", "\"", "'", "&a ", "*a", "!!int ", "!x ", "%", "@", "`", "| ", "> ", "\n---\n", "\n...\n", "? ", ": ", "- ",
         "#", ",", "\\", "<<: *a\n", "&a [*a, *a]", "\u00e9", "\r", "\r\n", "\u0085", "\u2028", "\u00ff\u00fe"];

    public IReadOnlyDictionary<string, byte[]> Shipped { get; } = shipped;

    /// <summary>Applies one edit (three times in four) or two or three stacked edits to <paramref name="target"/>.</summary>
    public Mutation Mutate(string target, int seed)
    {
        var random = new System.Random(seed);
        var files = new Dictionary<string, byte[]>(Shipped, StringComparer.Ordinal);
        string text = Encoding.Latin1.GetString(Shipped[target]);
        int count = random.Next(4) == 0 ? random.Next(2, 4) : 1;
        var kinds = new List<EditKind>();
        var edits = new List<string>();
        for (int n = 0; n < count; n++)
        {
            EditKind kind = AllKinds[random.Next(AllKinds.Length)];
            kinds.Add(kind);
            if (kind == EditKind.RemoveReferencedFile)
            {
                edits.Add(RemoveReferenced(target, files));
                continue;
            }

            (text, string edit) = Apply(kind, text, random);
            edits.Add(edit);
        }

        if (files.ContainsKey(target))
            files[target] = Encoding.Latin1.GetBytes(text);
        return new Mutation(target, seed, kinds, edits, files);
    }

    /// <summary>Removes the population files <paramref name="target"/> references; a population file removes itself.</summary>
    private string RemoveReferenced(string target, Dictionary<string, byte[]> files)
    {
        var removed = References(target).Where(files.Remove).ToList();
        if (removed.Count == 0 && files.Remove(target))
            removed.Add(target);
        return removed.Count == 0 ? "remove referenced file: nothing left to remove" : $"remove file {string.Join(", ", removed)}";
    }

    /// <summary>The shipped files that <paramref name="target"/> names with <c>population: FILE.yaml</c>.</summary>
    public IEnumerable<string> References(string target)
    {
        string dir = target.Contains('/', StringComparison.Ordinal) ? target[..(target.LastIndexOf('/') + 1)] : "";
        string text = Encoding.UTF8.GetString(Shipped[target]);
        foreach (Match m in PopulationReference().Matches(text))
        {
            string path = dir + m.Groups[1].Value;
            if (Shipped.ContainsKey(path))
                yield return path;
        }
    }

    /// <summary>Shipped files that reference <paramref name="target"/> (scenarios sharing a damaged population file).</summary>
    public IEnumerable<string> Referrers(string target) =>
        Shipped.Keys.Where(k => k != target && References(k).Contains(target)).Order(StringComparer.Ordinal);

    private static (string Text, string Edit) Apply(EditKind kind, string text, System.Random random)
    {
        string[] lines = text.Split('\n');
        switch (kind)
        {
            case EditKind.DeleteLine:
            {
                int i = random.Next(lines.Length);
                return (JoinLines(lines.Where((_, k) => k != i)), $"delete line {i + 1} {Show(lines[i])}");
            }

            case EditKind.SwapLines:
            {
                if (lines.Length < 2)
                    return (text, "swap lines: fewer than two lines");
                int i = random.Next(lines.Length), j = random.Next(lines.Length - 1);
                if (j >= i)
                    j++;
                (lines[i], lines[j]) = (lines[j], lines[i]);
                return (JoinLines(lines), $"swap lines {i + 1} and {j + 1}");
            }

            case EditKind.DuplicateLines:
            {
                int i = random.Next(lines.Length), n = Math.Min(random.Next(1, 7), lines.Length - i);
                var copy = lines.Take(i + n).Concat(lines.Skip(i).Take(n)).Concat(lines.Skip(i + n));
                return (JoinLines(copy), $"duplicate lines {i + 1}-{i + n} after themselves");
            }

            case EditKind.DuplicateKey:
                return DuplicateKey(text, lines, random);

            case EditKind.NumberToText:
            {
                var numbers = NumberToken().Matches(text);
                if (numbers.Count == 0)
                    return (text, "number to text: no number");
                Match m = numbers[random.Next(numbers.Count)];
                string word = NotNumbers[random.Next(NotNumbers.Length)];
                return (Splice(text, m.Index, m.Length, word), $"number '{m.Value}' at {Where(text, m.Index)} to '{word}'");
            }

            case EditKind.OutOfRange:
            {
                var numbers = NumberToken().Matches(text);
                if (numbers.Count == 0)
                    return (text, "out of range: no number");
                Match m = numbers[random.Next(numbers.Count)];
                bool unit = double.TryParse(m.Value, System.Globalization.CultureInfo.InvariantCulture, out double v) && v is >= 0 and <= 1;
                string[] choices = unit ? OutsideUnit : OutsideLarge;
                string value = choices[random.Next(choices.Length)];
                return (Splice(text, m.Index, m.Length, value), $"number '{m.Value}' at {Where(text, m.Index)} out of range to '{value}'");
            }

            case EditKind.Truncate:
            {
                int at = random.Next(Math.Max(1, text.Length));
                return (text[..Math.Min(at, text.Length)], $"truncate at byte {at} ({Where(text, at)})");
            }

            case EditKind.BreakIndentation:
            {
                int i = NonBlankLine(lines, random);
                int n = random.Next(1, 4);
                int leading = lines[i].Length - lines[i].TrimStart(' ').Length;
                if (random.Next(2) == 0 && leading > 0)
                {
                    n = Math.Min(n, leading);
                    lines[i] = lines[i][n..];
                    return (JoinLines(lines), $"remove {n} leading spaces from line {i + 1} {Show(lines[i])}");
                }

                lines[i] = new string(' ', n) + lines[i];
                return (JoinLines(lines), $"add {n} leading spaces to line {i + 1} {Show(lines[i])}");
            }

            case EditKind.InsertTab:
            {
                int i = NonBlankLine(lines, random);
                int leading = lines[i].Length - lines[i].TrimStart(' ').Length;
                int at = random.Next(leading + 1);
                bool replace = at < leading && random.Next(2) == 0;
                lines[i] = Splice(lines[i], at, replace ? 1 : 0, "\t");
                return (JoinLines(lines), $"{(replace ? "replace a space by" : "insert")} a tab at line {i + 1} column {at + 1}");
            }

            case EditKind.UnknownId:
                return UnknownId(text, random);

            case EditKind.WrongType:
            {
                var values = KeyValueLine().Matches(text);
                if (values.Count == 0)
                    return (text, "wrong type: no key: value line");
                Match m = values[random.Next(values.Count)];
                Group value = m.Groups["value"];
                string replacement = WrongTypes[random.Next(WrongTypes.Length)];
                if (replacement.Contains('\n', StringComparison.Ordinal))
                    replacement = replacement.Replace("\n", "\n" + m.Groups["indent"].Value + "  ", StringComparison.Ordinal);
                return (Splice(text, value.Index, value.Length, replacement),
                    $"value of '{m.Groups["key"].Value}' at {Where(text, value.Index)} to {Show(replacement)}");
            }

            case EditKind.YamlPunctuation:
            {
                int at = random.Next(text.Length + 1);
                string p = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(Punctuation[random.Next(Punctuation.Length)]));
                return (Splice(text, at, 0, p), $"insert {Show(p)} at byte {at} ({Where(text, at)})");
            }

            case EditKind.RandomBytes:
            {
                int at = random.Next(text.Length + 1), n = random.Next(1, 7);
                var bytes = new char[n];
                for (int k = 0; k < n; k++)
                    bytes[k] = (char)random.Next(256);
                if (random.Next(2) == 0)
                    bytes[random.Next(n)] = '\0';
                string inserted = new(bytes);
                return (Splice(text, at, 0, inserted),
                    $"insert bytes [{string.Join(' ', bytes.Select(b => ((int)b).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)))}] at byte {at}");
            }

            case EditKind.Empty:
            {
                string[] empties = ["", "\n\n", "# only a comment\n", "---\n", "\u00ef\u00bb\u00bf", "   ", "...\n", "---\n...\n"];
                string empty = empties[random.Next(empties.Length)];
                return (empty, $"replace the whole file by {Show(empty)}");
            }

            case EditKind.DeepNesting:
            {
                // A key held down on '[' or '{': the reader recurses once per level.
                int at = random.Next(text.Length + 1), n = random.Next(50, 5000);
                string open = random.Next(2) == 0 ? "[" : "{ a: ";
                return (Splice(text, at, 0, string.Concat(Enumerable.Repeat(open, n))), $"insert {n} x '{open}' at byte {at} ({Where(text, at)})");
            }

            case EditKind.AliasChain:
            {
                // "Billion laughs": each anchor a list of two aliases of the one before, plus a duplicate
                // key so that the whole tree is walked to name it.
                int n = random.Next(10, 40);
                var chain = new StringBuilder("laugh0: &l0 [ha, ha]\n");
                for (int k = 1; k <= n; k++)
                    chain.Append(System.Globalization.CultureInfo.InvariantCulture, $"laugh{k}: &l{k} [*l{k - 1}, *l{k - 1}]\n");
                chain.Append("laugh0: again\n");
                string body = text.EndsWith('\n') ? text : text + "\n";
                return (body + chain, $"append a chain of {n} doubling aliases and a duplicate key");
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a text edit");
        }
    }

    /// <summary>Copies a <c>key: value</c> line right after itself (a list item's key without its dash), or a key inside a flow mapping.</summary>
    private static (string, string) DuplicateKey(string text, string[] lines, System.Random random)
    {
        if (random.Next(3) == 0)
        {
            var flow = FlowEntry().Matches(text);
            if (flow.Count > 0)
            {
                Match m = flow[random.Next(flow.Count)];
                return (Splice(text, m.Index + m.Length, 0, ", " + m.Value),
                    $"duplicate flow key '{m.Value}' at {Where(text, m.Index)}");
            }
        }

        var candidates = new List<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (BlockKey().IsMatch(lines[i]))
                candidates.Add(i);
        }

        if (candidates.Count == 0)
            return (text, "duplicate key: no key line");
        int at = candidates[random.Next(candidates.Count)];
        Match key = BlockKey().Match(lines[at]);
        string indent = key.Groups["indent"].Value + (key.Groups["dash"].Success ? "  " : "");
        string copy = indent + key.Groups["rest"].Value;
        var result = lines.Take(at + 1).Append(copy).Concat(lines.Skip(at + 1));
        return (JoinLines(result), $"duplicate key line {at + 1} {Show(lines[at])} as {Show(copy)}");
    }

    /// <summary>Replaces one occurrence of a declared id (where declared or where referenced) by an unknown, misspelt or invalid one.</summary>
    private static (string, string) UnknownId(string text, System.Random random)
    {
        var ids = DeclaredId().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
            return (text, "unknown id: no id");
        string id = ids[random.Next(ids.Count)];
        var uses = new Regex($"(?<![a-z0-9-]){Regex.Escape(id)}(?![a-z0-9-])", RegexOptions.CultureInvariant).Matches(text);
        Match use = uses[random.Next(uses.Count)];
        string replacement = random.Next(3) switch
        {
            0 => "no-such-" + id,
            1 => id.Length > 1 ? id.Remove(random.Next(id.Length), 1) : "x",
            _ => id.ToUpperInvariant(),
        };
        return (Splice(text, use.Index, use.Length, replacement), $"id '{id}' at {Where(text, use.Index)} to '{replacement}'");
    }

    private static int NonBlankLine(string[] lines, System.Random random)
    {
        var nonBlank = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim().Length > 0).ToList();
        return nonBlank.Count == 0 ? random.Next(lines.Length) : nonBlank[random.Next(nonBlank.Count)];
    }

    private static string JoinLines(IEnumerable<string> lines) => string.Join('\n', lines);

    private static string Splice(string text, int at, int length, string insert) =>
        string.Concat(text.AsSpan(0, at), insert, text.AsSpan(at + length));

    /// <summary>"line L column C" of a char (byte) index.</summary>
    private static string Where(string text, int index)
    {
        int line = 1, start = 0;
        for (int i = 0; i < index && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                start = i + 1;
            }
        }

        return $"line {line} column {index - start + 1}";
    }

    private static string Show(string s)
    {
        var b = new StringBuilder("'");
        foreach (char c in s.Length > 60 ? s[..60] + "..." : s)
            b.Append(c is < ' ' or > '~' ? $"\\x{(int)c:x2}" : c.ToString());
        return b.Append('\'').ToString();
    }

    [GeneratedRegex(@"^population:\s*([A-Za-z0-9_./-]+\.ya?ml)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PopulationReference();

    [GeneratedRegex(@"(?<![A-Za-z0-9_.-])-?[0-9]+(\.[0-9]+)?(?![A-Za-z0-9_.])", RegexOptions.CultureInvariant)]
    private static partial Regex NumberToken();

    [GeneratedRegex(@"^(?<indent> *)(?<dash>- )?(?<rest>[A-Za-z_][A-Za-z0-9_.-]*:( .*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex BlockKey();

    [GeneratedRegex(@"(?<=[{,] )[A-Za-z_][A-Za-z0-9_-]*: [^,{}\[\]\n]+?(?= ?[,}])", RegexOptions.CultureInvariant)]
    private static partial Regex FlowEntry();

    [GeneratedRegex(@"^(?<indent> *)(- )?(?<key>[A-Za-z_][A-Za-z0-9_.-]*): (?<value>[^\n{\[#][^\n]*)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValueLine();

    // A declared id, or a package's id (a package declares no other).
    [GeneratedRegex(@"\b(?:id|package): ([a-z][a-z0-9-]*)", RegexOptions.CultureInvariant)]
    private static partial Regex DeclaredId();
}
