namespace ImpactModel.Worker.Cli;

/// <summary>
/// Where a verb writes: stdout carries results (exactly one JSON object with <c>--json</c>),
/// stderr carries logs, progress, warnings and diagnostics. Tests pass string writers.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    public static CliConsole System => new(Console.Out, Console.Error,
        !Console.IsOutputRedirected && !Console.IsErrorRedirected);
}
