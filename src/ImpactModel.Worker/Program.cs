using ImpactModel.Worker.Cli;

namespace ImpactModel.Worker;

/// <summary>The <c>impact</c> executable: parses the verb, then runs it inside the Generic Host.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => ImpactCli.RunAsync(args, CliConsole.System);
}
