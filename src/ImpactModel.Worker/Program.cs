using ImpactModel.Worker.Cli;

namespace ImpactModel.Worker;

/// <summary>The <c>impact</c> executable: parses the verb, then runs it inside the Generic Host.</summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        // The engine keeps every core busy with Parallel.For; a few spare pool threads make sure that
        // Ctrl-C and SIGTERM handlers (dispatched on the thread pool) run at once even then.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount + 4), io);
        return ImpactCli.RunAsync(args, CliConsole.System);
    }
}
