using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;
using Microsoft.VisualBasic.FileIO;

namespace ImpactModel.Scenarios.Reading;

/// <summary>
/// Reads the committed data tables a population file references (<c>{ file, source, grade }</c>):
/// CSV with a header row, <c>#</c> comment lines (where the table's own provenance is written) and
/// RFC 4180 quoting (ONS names hold commas: "Bristol, City of"). Parsing is the BCL's
/// <see cref="TextFieldParser"/>; what the columns mean is ours. Every problem is reported at the
/// table's own line, with the scenario path of the key that named the table.
/// </summary>
internal static class DataTableReader
{
    private static readonly string[] ReferenceKeys = ["file", "source", "grade"];

    /// <summary>One data row: its line in the file and its fields.</summary>
    public readonly record struct Row(int Line, string[] Fields);

    /// <summary>
    /// Reads the table named by <paramref name="node"/> (a <c>{ file, source, grade }</c> mapping),
    /// checking its header is exactly <paramref name="header"/>. Null (with errors reported) when it
    /// cannot be read; otherwise its rows, file path and evidence.
    /// </summary>
    public static (string File, IReadOnlyList<Row> Rows, Evidence Evidence)? Read(NodeReader r, YamlNode node, string path,
        IScenarioFiles? files, IReadOnlyList<string> header)
    {
        YamlMapping? map = r.Mapping(node, path, ReferenceKeys);
        if (map is null)
            return null;
        string? relative = r.Text(r.Required(map, path, "file"), NodeReader.Join(path, "file"));
        string? source = r.Text(NodeReader.Optional(map, "source"), NodeReader.Join(path, "source"));
        string? grade = NodeReader.Optional(map, "grade") is { } g
            ? r.Choice(g, NodeReader.Join(path, "grade"), Evidence.GradeIds, "evidence grade")
            : null;
        if (relative is null)
            return null;
        YamlNode fileNode = map["file"]!;
        if (files is null)
        {
            r.Error(fileNode, NodeReader.Join(path, "file"), "data files cannot be read here (no file access was given to the reader)");
            return null;
        }

        string resolved = files.Resolve(node.Position.File, relative);
        ScenarioFileContent content = files.Read(resolved);
        if (content.Bytes is null)
        {
            r.Error(fileNode, NodeReader.Join(path, "file"), $"data file '{relative}' ({resolved}): {content.Problem}");
            return null;
        }

        if (!r.DataFiles.Contains(resolved))
            r.DataFiles.Add(resolved);

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content.Bytes);
        }
        catch (DecoderFallbackException)
        {
            r.Error(new SourcePosition(resolved, 1, 1), path, "the data file is not UTF-8 text");
            return null;
        }

        var rows = new List<Row>();
        using var parser = new TextFieldParser(new StringReader(text.TrimStart('\uFEFF')))
        {
            TextFieldType = FieldType.Delimited,
            HasFieldsEnclosedInQuotes = true,
            TrimWhiteSpace = true,
            CommentTokens = ["#"],
        };
        parser.SetDelimiters(",");
        bool headerSeen = false;
        while (!parser.EndOfData)
        {
            long line = parser.LineNumber;
            string[]? fields;
            try
            {
                fields = parser.ReadFields();
            }
            catch (MalformedLineException e)
            {
                r.Error(new SourcePosition(resolved, (int)Math.Max(1, e.LineNumber), 1), path, "malformed CSV line (an unclosed or misplaced quote)");
                return null;
            }

            if (fields is null || fields.All(f => f.Length == 0))
                continue;
            int at = (int)Math.Max(1, line);
            if (!headerSeen)
            {
                headerSeen = true;
                if (!fields.SequenceEqual(header, StringComparer.Ordinal))
                {
                    r.Error(new SourcePosition(resolved, at, 1), path,
                        $"expected the header '{string.Join(',', header)}', got '{string.Join(',', fields)}'");
                    return null;
                }

                continue;
            }

            if (fields.Length != header.Count)
            {
                r.Error(new SourcePosition(resolved, at, 1), path, $"expected {header.Count} fields ({string.Join(',', header)}), got {fields.Length}");
                return null;
            }

            rows.Add(new Row(at, fields));
        }

        if (!headerSeen)
        {
            r.Error(new SourcePosition(resolved, 1, 1), path, $"the data file is empty; expected the header '{string.Join(',', header)}' and rows");
            return null;
        }

        return (resolved, rows, new Evidence(source, grade is null ? EvidenceGrade.Unstated : NodeReader.ParseGrade(grade)));
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>] from a field (digits only; thousands separators refused).</summary>
    public static long? Count(NodeReader r, string file, Row row, int field, string path, string what, long min, long max)
    {
        string text = row.Fields[field];
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            r.Error(new SourcePosition(file, row.Line, 1), path,
                $"{what} must be a whole number from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)} (digits only), got '{text}'");
            return null;
        }

        return value;
    }

    /// <summary>The local authorities of <c>local_authorities: { file: … }</c> (columns code, name, region, population).</summary>
    public static ImmutableArray<LocalAuthoritySpec> LocalAuthorities(NodeReader r, string file, IReadOnlyList<Row> rows, string path,
        IReadOnlyCollection<string> areaIds)
    {
        var result = ImmutableArray.CreateBuilder<LocalAuthoritySpec>(rows.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Row row in rows)
        {
            var at = new SourcePosition(file, row.Line, 1);
            string id = row.Fields[0].ToLowerInvariant();
            string rowPath = NodeReader.IsId(id) ? NodeReader.Join(path, id) : $"{path}[line {row.Line}]";
            if (!NodeReader.IsId(id))
            {
                r.Error(at, rowPath, $"local authority code '{row.Fields[0]}' must be letters and digits starting with a letter (e.g. E06000001)");
                continue;
            }

            if (!seen.Add(id))
            {
                r.Error(at, rowPath, $"local authority '{row.Fields[0]}' appears twice");
                continue;
            }

            string area = row.Fields[2];
            if (!areaIds.Contains(area))
            {
                r.Error(at, NodeReader.Join(rowPath, "region"), Suggest.Unknown("area", area, [.. areaIds]));
                continue;
            }

            if (Count(r, file, row, 3, NodeReader.Join(rowPath, "population"), "a local authority's population", 1, Limits.MaxPopulation) is not { } population)
                continue;
            result.Add(new LocalAuthoritySpec(id, row.Fields[1], area, population, at));
        }

        return result.ToImmutable();
    }

    /// <summary>Persons by single year of age from <c>single_year_ages: { file: … }</c> (columns age, population; ages 0 to 90 in order).</summary>
    public static ImmutableArray<long> SingleYearAges(NodeReader r, string file, IReadOnlyList<Row> rows, string path)
    {
        int levels = PopulationSpec.OpenAge + 1;
        var counts = ImmutableArray.CreateBuilder<long>(levels);
        foreach (Row row in rows)
        {
            int expected = counts.Count;
            if (expected >= levels)
            {
                r.Error(new SourcePosition(file, row.Line, 1), path, $"expected ages 0 to {PopulationSpec.OpenAge} ({PopulationSpec.OpenAge} meaning {PopulationSpec.OpenAge} or over), one row each; this row is beyond them");
                return [];
            }

            if (Count(r, file, row, 0, path, "an age", 0, PopulationSpec.OpenAge) is not { } age)
                return [];
            if (age != expected)
            {
                r.Error(new SourcePosition(file, row.Line, 1), path, $"ages must run 0, 1, ... {PopulationSpec.OpenAge} in order: expected {expected}, got {age}");
                return [];
            }

            if (Count(r, file, row, 1, $"{path}.{age}", "a population", 0, Limits.MaxPopulation) is not { } persons)
                return [];
            counts.Add(persons);
        }

        if (counts.Count != levels)
        {
            r.Error(new SourcePosition(file, rows.Count > 0 ? rows[^1].Line : 1, 1), path,
                $"expected {levels} rows (ages 0 to {PopulationSpec.OpenAge}), got {counts.Count}");
            return [];
        }

        if (counts.Sum() <= 0)
        {
            r.Error(new SourcePosition(file, rows[0].Line, 1), path, "the single-year counts sum to 0");
            return [];
        }

        return counts.MoveToImmutable();
    }
}
