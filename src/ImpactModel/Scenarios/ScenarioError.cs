namespace ImpactModel.Scenarios;

/// <summary>
/// One problem in user input, printed as <c>file:line:column: path.to.field: message</c>.
/// Line and column are 1-based; a problem with the file itself (missing, a directory) has no
/// position and prints as <c>file: message</c>.
/// </summary>
public sealed record ScenarioError(string File, int Line, int Column, string Path, string Message)
{
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
