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
            return $"{File}: {Message}";
        return string.IsNullOrEmpty(Path)
            ? $"{File}:{Line}:{Column}: {Message}"
            : $"{File}:{Line}:{Column}: {Path}: {Message}";
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
