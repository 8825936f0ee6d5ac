using System.Globalization;
using System.Text;
using System.Text.Json;
using ImpactModel.Worker.Cli;
using Spectre.Console;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// One answer of <c>impact power</c>: ordered fields, each with its JSON name, a label for people and a
/// value (a number, a count, text or null), plus warnings. Written as exactly one JSON object with
/// <c>--json</c> (a pure function of the inputs: no times, paths or machine names), as a small table
/// on a terminal, and as plain "label: value" lines otherwise. Warnings always go to stderr as well.
/// </summary>
public sealed class PowerReport
{
    private readonly List<(string Key, string Label, object? Value)> _fields = [];
    private readonly List<string> _warnings = [];

    public PowerReport Add(string key, string label, object? value)
    {
        if (value is double d && !double.IsFinite(d))
            throw new InvalidOperationException($"'{key}' is not finite; refusing to print NaN or infinity");
        _fields.Add((key, label, value));
        return this;
    }

    public PowerReport Warn(string warning)
    {
        _warnings.Add(warning);
        return this;
    }

    public PowerReport WarnAll(IEnumerable<string> warnings)
    {
        _warnings.AddRange(warnings);
        return this;
    }

    public int Write(CliConsole console, bool json)
    {
        foreach (string warning in _warnings)
            console.Error.WriteLine($"impact: warning: {warning}");
        if (json)
            console.Out.WriteLine(ToJson());
        else if (console.IsTerminal)
            WriteTable(console.Out);
        else
            foreach ((_, string label, object? value) in _fields)
                console.Out.WriteLine($"{label}: {Human(value)}");
        return ExitCodes.Success;
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach ((string key, _, object? value) in _fields)
            {
                switch (value)
                {
                    case null: writer.WriteNull(key); break;
                    case double d: writer.WriteNumber(key, d); break;
                    case long l: writer.WriteNumber(key, l); break;
                    case int i: writer.WriteNumber(key, i); break;
                    case string s: writer.WriteString(key, s); break;
                    default: throw new InvalidOperationException($"unsupported value for '{key}'");
                }
            }

            writer.WriteStartArray("warnings");
            foreach (string warning in _warnings)
                writer.WriteStringValue(warning);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WriteTable(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
        });
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Quantity").AddColumn(new TableColumn("Value").RightAligned());
        foreach ((_, string label, object? value) in _fields)
            table.AddRow(Markup.Escape(label), Markup.Escape(Human(value)));
        console.Write(table);
    }

    /// <summary>Numbers for people: counts as integers, other values to 6 significant digits.</summary>
    private static string Human(object? value) => value switch
    {
        null => "none",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
