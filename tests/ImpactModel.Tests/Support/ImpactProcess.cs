using System.Collections.Concurrent;
using System.Diagnostics;

namespace ImpactModel.Tests.Support;

/// <summary>
/// A real <c>impact</c> process (<c>dotnet impact.dll ARGS</c>, or the published executable) that a test owns: disposing it kills
/// it and its children if they still run, so a failed assertion or a timeout never leaves a child
/// behind (one once ran on for an hour and grew to 16.8 GB). Use it with <c>using</c>.
/// </summary>
internal sealed class ImpactProcess : IDisposable
{
    /// <summary>How long a test waits for an event of a child process: enough for a machine with a load of 15 on 2 cores.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Task<string> _stdout;

    private ImpactProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stderr.Enqueue(e.Data);
        };
        _process.BeginErrorReadLine();
        _stdout = _process.StandardOutput.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Stderr so far, one line each.</summary>
    public IReadOnlyList<string> ErrorLines => [.. _stderr];

    /// <summary>Stdout, once the process has exited.</summary>
    public string Out => _stdout.Result;

    /// <summary>Stderr, whole.</summary>
    public string Error => string.Concat(_stderr.Select(l => l + "\n"));

    /// <summary>Starts <c>impact ARGS</c> in <paramref name="workingDirectory"/>.</summary>
    public static ImpactProcess Start(string workingDirectory, params string[] args) => new(Launch(workingDirectory, args));

    /// <summary>Starts <paramref name="executable"/> ARGS, or the <c>dotnet build</c> output's (<c>dotnet impact.dll ARGS</c>) when it is null.</summary>
    public static ImpactProcess StartExecutable(string? executable, string workingDirectory, params string[] args) =>
        new(Launch(executable, workingDirectory, args));

    /// <summary>Starts <c>impact ARGS</c> in <paramref name="workingDirectory"/> with <paramref name="environment"/> added to its environment.</summary>
    public static ImpactProcess StartWith(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] args) =>
        new(Launch(workingDirectory, args, environment));

    /// <summary>
    /// The published executable the process tests run instead of the <c>dotnet build</c> output, when
    /// <c>IMPACT_TEST_EXECUTABLE</c> names one (tests/run.sh publishes the native build and runs the
    /// process tests again against it); null for the build output. Only for the tests that run.sh runs
    /// with it: the pool's tests (WorkerPoolTests) need the queue, which the native build does not have.
    /// </summary>
    internal static string? Published => Environment.GetEnvironmentVariable("IMPACT_TEST_EXECUTABLE") is { Length: > 0 } path ? path : null;

    /// <summary>
    /// Starts <c>dotnet impact.dll ARGS</c> (or the <see cref="Published"/> executable) with both
    /// streams redirected (for every process helper of the tests).
    /// </summary>
    internal static Process Launch(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Launch(Published, workingDirectory, args, environment);

    /// <summary>Starts <paramref name="executable"/> ARGS, or <c>dotnet impact.dll ARGS</c> when it is null.</summary>
    internal static Process Launch(string? executable, string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (executable is null)
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "impact.dll"));
        foreach (string a in args)
            start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Kills <paramref name="process"/> and its children if still running, then disposes it: every path of every test ends here.</summary>
    internal static void End(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.Dispose();
    }

    /// <summary>Waits until a stderr line matches; false after <paramref name="timeout"/> or if the process ended first.</summary>
    public bool WaitForErrorLine(Func<string, bool> predicate, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!_stderr.Any(predicate))
        {
            if (clock.Elapsed > timeout || _process.HasExited)
                return _stderr.Any(predicate);
            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>Waits for the exit, then for the redirected streams to drain.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            return false;
        _process.WaitForExit();
        return true;
    }

    /// <summary>SIGKILL on Linux, to the process and its children: no chance to clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose() => End(_process);
}
