namespace ImpactModel.Scenarios;

/// <summary>
/// One problem in user input, printed as <c>file:line:column: path.to.field: message</c>.
/// Line and column are 1-based; a problem with the file itself (missing, a directory) has no
/// position and prints as <c>file: message</c>.
/// </summary>
public sealed record ScenarioError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary>The most characters of the user's text an error quotes; a longer run is cut with its total length.</summary>
    public const int MaxQuoted = 200;

    /// <summary>The dotted path of the field, which may hold a user's key: cut like any quote.</summary>
    public string Path { get; init; } = Excerpt(Path);

    /// <summary>
    /// The message, with each quoted run of the user's text (between ' or " marks) cut to
    /// <see cref="MaxQuoted"/> characters: one place, so no message can echo a 20-million-character line.
    /// </summary>
    public string Message { get; init; } = ShortenQuotes(Message);

    /// <summary>At most <paramref name="max"/> characters of <paramref name="text"/>, then "… (N characters)" when it is longer.</summary>
    public static string Excerpt(string text, int max = MaxQuoted)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
            return text;
        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return $"{text.AsSpan(0, cut)}… ({text.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters)";
    }

    /// <summary>
    /// Cuts every quoted run longer than <see cref="MaxQuoted"/>. The runs between quotes are the
    /// message's own words (lists of allowed keys run to a few hundred characters); they are cut only
    /// far beyond that, in case a quote mark inside the user's text has swapped quoted and unquoted.
    /// </summary>
    private static string ShortenQuotes(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length <= MaxQuoted)
            return message;
        var b = new System.Text.StringBuilder();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i <= message.Length; i++)
        {
            if (i < message.Length && (message[i] is not ('\'' or '"') || IsApostrophe(message, i)))
                continue;
            b.Append(Excerpt(message[start..i], quoted ? MaxQuoted : 5 * MaxQuoted));
            quoted = !quoted;
            if (i < message.Length)
                b.Append(message[i]);
            start = i + 1;
        }

        return b.ToString();
    }

    /// <summary>A ' between two letters (group's) is an apostrophe, not a quote mark.</summary>
    private static bool IsApostrophe(string text, int i) =>
        text[i] == '\'' && i > 0 && i + 1 < text.Length && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1]);

    public override string ToString()
    {
        if (Line <= 0)
            return $"{File}: {OneLine(Message)}";
        return string.IsNullOrEmpty(Path)
            ? $"{File}:{Line}:{Column}: {OneLine(Message)}"
            : $"{File}:{Line}:{Column}: {OneLine(Path)}: {OneLine(Message)}";
    }

    /// <summary>Messages quote the user's text, which may hold line breaks (a block scalar); print one line per problem.</summary>
    private static string OneLine(string text)
    {
        if (!text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
            return text;
        var b = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            b.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return b.ToString();
    }
}

/// <summary>
/// Thrown for mistakes in user input only (the host prints every error and exits 2);
/// bugs stay ordinary exceptions.
/// </summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException(IReadOnlyList<ScenarioError> errors)
        : base(errors.Count == 0 ? "invalid scenario" : errors[0].ToString()) => Errors = errors;

    public IReadOnlyList<ScenarioError> Errors { get; }
}
