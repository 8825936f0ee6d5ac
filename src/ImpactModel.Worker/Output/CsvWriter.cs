using System.Globalization;

namespace ImpactModel.Worker.Output;

/// <summary>
/// Writes CSV straight to a <see cref="TextWriter"/>, one cell at a time, so a table of any size
/// (replicates.csv can be gigabytes) streams without being held in memory. The rules are the run
/// folder's (PRODUCT.md, "Run folder"): "\n" line ends; numbers in invariant culture with
/// round-trip precision ("R"); an undefined value (null, NaN or an infinity) is an empty cell,
/// never NaN; text holding a comma, quote or line break is quoted as RFC 4180 says (ids never
/// need it, but a parameter's source may).
/// </summary>
public sealed class CsvWriter(TextWriter writer)
{
    /// <summary>Long enough for any double in "R" form (<c>-1.7976931348623157E+308</c> is 24 characters).</summary>
    private const int NumberChars = 32;

    private readonly TextWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));
    private bool _lineStarted;

    /// <summary>Writes a header line of <paramref name="columns"/>.</summary>
    public void Header(IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (string column in columns)
            Text(column);
        EndRow();
    }

    /// <summary>A text cell; null is empty.</summary>
    public CsvWriter Text(string? value)
    {
        Separate();
        if (value is null)
            return this;
        if (value.AsSpan().IndexOfAny(",\"\n\r") < 0)
        {
            _writer.Write(value);
            return this;
        }

        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        _writer.Write('"');
        return this;
    }

    /// <summary>A number with round-trip precision; null or non-finite is empty.</summary>
    public CsvWriter Number(double? value)
    {
        Separate();
        if (value is not { } v || !double.IsFinite(v))
            return this;
        Span<char> text = stackalloc char[NumberChars];
        if (!v.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"{NumberChars} characters do not hold {v:R}");
        _writer.Write(text[..length]);
        return this;
    }

    /// <summary>A whole number.</summary>
    public CsvWriter Count(long value)
    {
        Separate();
        Span<char> text = stackalloc char[NumberChars];
        value.TryFormat(text, out int length, default, CultureInfo.InvariantCulture);
        _writer.Write(text[..length]);
        return this;
    }

    /// <summary>Ends the current line.</summary>
    public void EndRow()
    {
        _writer.Write('\n');
        _lineStarted = false;
    }

    private void Separate()
    {
        if (_lineStarted)
            _writer.Write(',');
        _lineStarted = true;
    }
}
