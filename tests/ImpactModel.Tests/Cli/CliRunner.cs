using ImpactModel.Worker.Cli;

namespace ImpactModel.Tests.Cli;

/// <summary>Runs the <c>impact</c> command tree in-process and captures both streams.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static CliRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = ImpactCli.RunAsync(args, new CliConsole(output, error, IsTerminal: false)).GetAwaiter().GetResult();
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
