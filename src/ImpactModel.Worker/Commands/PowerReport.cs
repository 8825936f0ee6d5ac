using System.Globalization;
using System.Text.Json;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Output;
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
        if (value is not (null or double or long or int or string))
            throw new InvalidOperationException($"unsupported value for '{key}': {value.GetType().Name}");
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

    /// <summary>
    /// The JSON object: each field under its key in the order added, then <c>warnings</c>. The
    /// fields differ by design and by what was solved for, so they are a keyed list rather than a
    /// record per design; the values are numbers, counts, text or null, which the serializer
    /// writes from the types registered on <see cref="OutputJson"/>.
    /// </summary>
    public string ToJson()
    {
        var fields = new OrderedDictionary<string, object?>(_fields.Count + 1, StringComparer.Ordinal);
        foreach ((string key, _, object? value) in _fields)
            fields.Add(key, value);
        fields.Add("warnings", _warnings.ToArray());
        return JsonSerializer.Serialize(fields, OutputJson.Default.Fields);
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
