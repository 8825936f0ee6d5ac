using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ImpactModel.Tests.Support;

namespace ImpactModel.Tests.Serve;

/// <summary>A real <c>impact serve</c> process (<c>dotnet impact.dll serve …</c>) with its stderr log lines collected.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServeProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Log => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>impact serve ARGS</c> in <paramref name="workingDirectory"/> and waits until it watches the inbox.</summary>
    public static ServeProcess Start(string workingDirectory, params string[] args)
    {
        var serve = new ServeProcess(ImpactProcess.Launch(workingDirectory, ["serve", .. args]));
        try
        {
            serve._process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    serve._lines.Enqueue(e.Data);
            };
            serve._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    serve._lines.Enqueue("stdout: " + e.Data);
            };
            serve._process.BeginErrorReadLine();
            serve._process.BeginOutputReadLine();
            serve.WaitForLine(l => l.Contains("serve: worker", StringComparison.Ordinal), ImpactProcess.Patience);
        }
        catch
        {
            serve.Dispose(); // the worker must not outlive a test that failed to start it
            throw;
        }

        return serve;
    }

    /// <summary>Waits for a log line; fails the test with the log so far if none comes.</summary>
    public string WaitForLine(Func<string, bool> predicate, TimeSpan timeout)
    {
        string? line = null;
        Assert.True(Poll.Until(() => (line = _lines.FirstOrDefault(predicate)) is not null, timeout),
            $"no such log line within {timeout.TotalSeconds} s; log:\n{Log}");
        return line!;
    }

    /// <summary>Sends a signal with kill(1), e.g. <c>TERM</c> or <c>INT</c>.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(kill.WaitForExit(ImpactProcess.Patience));
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL on Linux: no chance to clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            return false;
        _process.WaitForExit(); // drain the redirected streams
        return true;
    }

    public void Dispose() => ImpactProcess.End(_process);
}

/// <summary>Polling with a timeout: file-system outcomes of another process have no event to await.</summary>
internal static class Poll
{
    public static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
                return false;
            Thread.Sleep(50);
        }

        return true;
    }
}
