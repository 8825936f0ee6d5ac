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
    private readonly List<(string Key, string Label, object? Value, bool Exact)> _fields = [];
    private readonly List<string> _warnings = [];

    /// <summary>A field whose number is printed for people as <see cref="HumanNumber"/> decides.</summary>
    public PowerReport Add(string key, string label, object? value) => Add(key, label, value, exact: false);

    /// <summary>
    /// A value the user gave (or a setting): printed in full for people too, the shortest text that reads
    /// back as exactly the value used, so an --alpha of 0.0499999999 never reads as 0.05.
    /// </summary>
    public PowerReport Input(string key, string label, object? value) => Add(key, label, value, exact: true);

    private PowerReport Add(string key, string label, object? value, bool exact)
    {
        if (value is double d && !double.IsFinite(d))
            throw new InvalidOperationException($"'{key}' is not finite; refusing to print NaN or infinity");
        if (value is not (null or double or long or int or string))
            throw new InvalidOperationException($"unsupported value for '{key}': {value.GetType().Name}");
        _fields.Add((key, label, value, exact));
        return this;
    }

    /// <summary>
    /// What a design detects at a target power (every sizing reports it the same way): the target
    /// (<c>target_power</c>, as given), the smallest detectable effect (<c>mde</c>) and the value at which
    /// it is reached (<paramref name="key"/>); null values where nothing within range is detected.
    /// </summary>
    /// <param name="targetPower">The target power.</param>
    /// <param name="of">What is detected, in words (<c>difference</c>, <c>rate</c>).</param>
    /// <param name="mdeLabel">The detectable effect, in words.</param>
    /// <param name="key">The key of the detectable value (<c>p2_detectable</c>).</param>
    /// <param name="label">The detectable value, in words.</param>
    /// <param name="mde">The smallest detectable effect.</param>
    /// <param name="detectable">The value at which it is reached.</param>
    public PowerReport Detectable(double targetPower, string of, string mdeLabel, string key, string label, double? mde, double? detectable) =>
        Input("target_power", $"Target power for the detectable {of}", targetPower).Add("mde", mdeLabel, mde).Add(key, label, detectable);

    /// <summary><see cref="Detectable"/> for two proportions: the smallest detectable |p2 − p1| and the p2 at which it is reached.</summary>
    public PowerReport DetectableP2(double targetPower, double? mde, double? p2) =>
        Detectable(targetPower, "difference", "Smallest detectable difference |p2 - p1|", "p2_detectable", "Smallest detectable p2", mde, p2);

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
            foreach ((_, string label, object? value, bool exact) in _fields)
                console.Out.WriteLine($"{label}: {Human(value, exact)}");
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
        foreach ((string key, _, object? value, _) in _fields)
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
        foreach ((_, string label, object? value, bool exact) in _fields)
            table.AddRow(Markup.Escape(label), Markup.Escape(Human(value, exact)));
        console.Write(table);
    }

    /// <summary>
    /// Numbers for people: counts as integers; other values to 6 significant digits, unless that rounding
    /// would change how the value compares with a whole number or with another number in the same answer
    /// (an ICC of 0.9999999 would read as 1, which the checks refuse; a power of 0.79999999 would read as
    /// the target 0.8). Then the value is printed in full: the shortest text that reads back as exactly
    /// the value used. JSON always carries that full form.
    /// </summary>
    private string Human(object? value, bool exact) => value switch
    {
        null => "none",
        double d when exact => d.ToString("R", CultureInfo.InvariantCulture),
        double d => HumanNumber(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private string HumanNumber(double value)
    {
        string rounded = value.ToString("G6", CultureInfo.InvariantCulture);
        double shown = double.Parse(rounded, CultureInfo.InvariantCulture);
        if (shown == value)
            return rounded;
        string full = value.ToString("R", CultureInfo.InvariantCulture);
        if (Math.Floor(shown) != Math.Floor(value) || Math.Ceiling(shown) != Math.Ceiling(value))
            return full; // rounding reached or crossed a whole number (0, 1, a size of 2, …)
        foreach ((_, _, object? other, _) in _fields)
        {
            double? landmark = other switch { double d => d, long l => l, int i => i, _ => null };
            if (landmark is { } mark && mark != value && Math.Sign(shown - mark) != Math.Sign(value - mark))
                return full; // rounding reached or crossed another number of this answer
        }

        return rounded;
    }
}
