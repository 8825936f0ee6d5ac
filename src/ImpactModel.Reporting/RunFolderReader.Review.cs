using System.Text;

namespace ImpactModel.Reporting;

/// <summary>The review view's files (PRODUCT.md, "Run folder"; issue 21): each optional, each read whole.</summary>
public static partial class RunFolderReader
{
    public const string SafeguardsFile = "safeguards.csv";
    public const string PrinciplesFile = "principles.csv";
    public const string SensitivityFile = "sensitivity.csv";
    public const string EvidenceFile = "evidence.csv";

    /// <summary>The columns of safeguards.csv, in order.</summary>
    public static readonly string[] SafeguardsColumns =
        ["scenario", "strand", "safeguard", "effect", "group", "metric", "mean", "ci_low", "ci_high", "replicates"];

    /// <summary>The columns of principles.csv, in order.</summary>
    public static readonly string[] PrinciplesColumns = ["scenario", "principle", "safeguard"];

    /// <summary>The columns of sensitivity.csv, in order.</summary>
    public static readonly string[] SensitivityColumns =
        ["scenario", "strand", "parameter", "metric", "low", "high", "swing", "rank", "spearman", "switching_value"];

    /// <summary>The columns of evidence.csv, in order.</summary>
    public static readonly string[] EvidenceColumns = ["scenario", "parameter", "value", "source", "grade", "sensitivity_rank"];

    /// <summary>
    /// Reads the review files of the run folder <paramref name="folder"/> of scenario <paramref name="scenario"/>:
    /// a file the folder lacks is null; a row that does not parse is a <see cref="RunFolderException"/> naming its file and line.
    /// </summary>
    public static ReviewData ReadReview(string folder, string scenario)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(scenario);
        return new ReviewData(
            Optional(folder, SafeguardsFile, SafeguardsColumns, scenario, SafeguardRows),
            Optional(folder, PrinciplesFile, PrinciplesColumns, scenario, PrincipleRows),
            Optional(folder, SensitivityFile, SensitivityColumns, scenario, SensitivityRows),
            Optional(folder, EvidenceFile, EvidenceColumns, scenario, EvidenceRows));
    }

    internal delegate T RowReader<out T>(string[] fields, string path, int line);

    private static List<T>? Optional<T>(string folder, string file, string[] columns, string scenario, Func<string, string[], string, List<T>> read)
    {
        string path = Path.Combine(folder, file);
        return File.Exists(path) ? read(path, columns, scenario) : null;
    }

    private static List<SafeguardLine> SafeguardRows(string path, string[] columns, string scenario)
    {
        var seen = new HashSet<(string, string, string, string)>();
        return Rows(path, columns, scenario, (f, p, line) =>
        {
            if (f[3] is not (SafeguardLine.Marginal or SafeguardLine.Solo))
                throw new RunFolderException($"{p}:{line}: effect '{f[3]}' is neither '{SafeguardLine.Marginal}' nor '{SafeguardLine.Solo}'");
            Id(f[2], "safeguard", p, line);
            Id(f[4], "group", p, line);
            Id(f[5], "metric", p, line);
            if (!seen.Add((f[2], f[3], f[4], f[5])))
                throw new RunFolderException($"{p}:{line}: a second row for safeguard '{f[2]}', effect '{f[3]}', group '{f[4]}', metric '{f[5]}'");
            return new SafeguardLine(f[2], f[3], f[4], f[5], Number(f[6], p, line), Number(f[7], p, line), Number(f[8], p, line),
                Count(f[9], "replicates", p, line) ?? 0);
        });
    }

    private static List<PrincipleLine> PrincipleRows(string path, string[] columns, string scenario) =>
        Rows(path, columns, scenario, (f, p, line) =>
        {
            Id(f[1], "principle", p, line);
            return new PrincipleLine(f[1], f[2].Length == 0 ? null : f[2]);
        });

    private static List<SensitivityLine> SensitivityRows(string path, string[] columns, string scenario) =>
        Rows(path, columns, scenario, (f, p, line) =>
        {
            Id(f[2], "parameter", p, line);
            Id(f[3], "metric", p, line);
            double? spearman = Number(f[8], p, line);
            if (spearman is < -1 or > 1)
                throw new RunFolderException($"{p}:{line}: spearman '{f[8]}' is outside −1 to 1");
            return new SensitivityLine(f[2], f[3], Number(f[4], p, line), Number(f[5], p, line), Number(f[6], p, line),
                Rank(f[7], "rank", p, line), spearman, Number(f[9], p, line));
        });

    private static List<EvidenceLine> EvidenceRows(string path, string[] columns, string scenario) =>
        Rows(path, columns, scenario, (f, p, line) =>
        {
            Id(f[1], "parameter", p, line);
            Id(f[4], "grade", p, line);
            return new EvidenceLine(f[1], f[2], f[3].Length == 0 ? null : f[3], f[4], Rank(f[5], "sensitivity_rank", p, line));
        });

    /// <summary>
    /// Every record after the header, checked for its field count and scenario (the first column: a
    /// package's name in package.csv), made into a row by
    /// <paramref name="read"/>. <paramref name="scenario"/>: the manifest's; null when the file has no
    /// manifest to agree with (pilot.csv), and then every row must name the first row's.
    /// </summary>
    internal static List<T> Rows<T>(string path, string[] columns, string? scenario, RowReader<T> read)
    {
        var rows = new List<T>();
        try
        {
            using var reader = new StreamReader(path);
            bool header = true;
            string? first = null;
            foreach ((int line, string[] fields) in Records(reader, path))
            {
                if (header)
                {
                    if (!fields.SequenceEqual(columns))
                        throw new RunFolderException($"{path}:1: expected the header '{string.Join(',', columns)}'");
                    header = false;
                    continue;
                }

                if (fields.Length != columns.Length)
                    throw new RunFolderException($"{path}:{line}: expected {columns.Length} fields, found {fields.Length}");
                if (first is null && scenario is null)
                    first = fields[0];
                if (fields[0] != (scenario ?? first))
                {
                    throw new RunFolderException(scenario is null
                        ? $"{path}:{line}: {columns[0]} '{Shown(fields[0])}' is not the first row's '{Shown(first!)}'"
                        : $"{path}:{line}: {columns[0]} '{Shown(fields[0])}' is not the manifest's '{scenario}'");
                }

                rows.Add(read(fields, path, line));
            }

            if (header)
                throw new RunFolderException($"{path}:1: expected the header '{string.Join(',', columns)}'");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"'{path}': cannot be read: {Line(e.Message)}");
        }

        return rows;
    }

    /// <summary>
    /// The records of an RFC 4180 file, each with the line it starts on: a field in double quotes may
    /// hold commas, doubled quotes and line breaks (kept as <c>\n</c>); an unquoted field is taken as it is.
    /// </summary>
    internal static IEnumerable<(int Line, string[] Fields)> Records(TextReader reader, string path)
    {
        int line = 0;
        // One list and one builder for every record, and each name read once: a run's review files are
        // thousands of rows of the same few ids, and reading them back is on the way to the report.
        var fields = new List<string>();
        var field = new StringBuilder();
        var names = new FieldNames();
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            int start = ++line;
            fields.Clear();
            int i = 0;
            while (true)
            {
                if (i < text.Length && text[i] == '"')
                {
                    // A quoted field: up to the lone closing quote, across lines if need be.
                    i++;
                    while (true)
                    {
                        int quote = text.IndexOf('"', i);
                        if (quote < 0)
                        {
                            field.Append(text, i, text.Length - i);
                            text = reader.ReadLine() ?? throw new RunFolderException($"{path}:{start}: a quoted field is not closed before the end of the file");
                            line++;
                            field.Append('\n');
                            i = 0;
                            continue;
                        }

                        field.Append(text, i, quote - i);
                        if (quote + 1 < text.Length && text[quote + 1] == '"')
                        {
                            field.Append('"');
                            i = quote + 2;
                            continue;
                        }

                        i = quote + 1;
                        break;
                    }

                    if (i < text.Length && text[i] != ',')
                        throw new RunFolderException($"{path}:{line}: text after a closing quote (a quoted field must end at a comma)");
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    int comma = text.IndexOf(',', i);
                    int end = comma < 0 ? text.Length : comma;
                    if (text.AsSpan(i, end - i).Contains('"'))
                        throw new RunFolderException($"{path}:{line}: a quote inside an unquoted field");
                    fields.Add(names.Of(text.AsSpan(i, end - i)));
                    i = end;
                }


                if (i >= text.Length)
                    break;
                i++; // the comma
                if (i == text.Length)
                {
                    fields.Add(""); // a trailing comma: an empty last field
                    break;
                }
            }

            yield return (start, [.. fields]);
        }
    }

    /// <summary>
    /// The text of unquoted fields, each distinct name made into a string once (a number is made each
    /// time: numbers seldom repeat, and a name starts with a letter). At most <see cref="Limit"/> names
    /// are kept, so a file of distinct names costs what it did before.
    /// </summary>
    internal sealed class FieldNames
    {
        private const int Limit = 4096;
        private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public FieldNames() => _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();

        public string Of(ReadOnlySpan<char> text)
        {
            if (text.IsEmpty)
                return "";
            if (!char.IsAsciiLetter(text[0]))
                return text.ToString();
            if (_lookup.TryGetValue(text, out string? name))
                return name;
            name = text.ToString();
            if (_names.Count < Limit)
                _names.Add(name, name);
            return name;
        }
    }

    internal static void Id(string text, string column, string path, int line)
    {
        if (text.Length == 0)
            throw new RunFolderException($"{path}:{line}: the {column} is empty");
    }

    internal static int? Count(string text, string column, string path, int line)
    {
        long? value = Whole(text, path, line);
        return value is null ? null
            : value is < 0 or > int.MaxValue ? throw new RunFolderException($"{path}:{line}: {column} '{text}' is out of range")
            : (int)value;
    }

    private static int? Rank(string text, string column, string path, int line)
    {
        int? rank = Count(text, column, path, line);
        return rank == 0 ? throw new RunFolderException($"{path}:{line}: {column} '{text}' is not a rank (ranks start at 1)") : rank;
    }

    // A field quoted in a message: one line, and not so long that it hides the message.
    internal static string Shown(string field)
    {
        string one = Line(field);
        return one.Length > 80 ? one[..80] + "…" : one;
    }
}
