using System.Diagnostics;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;
using ImpactModel.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImpactModel.Worker.Serve;

/// <summary>
/// The hosted worker of <c>impact serve</c>: watches the inbox (a file-system watcher, plus a scan
/// every <see cref="ServeOptions.ScanSeconds"/> since watchers miss events), claims each scenario
/// file by renaming it into <c>claimed/</c>, runs it with the runner of <c>impact run</c> into a
/// run folder in the outbox, and moves it to <c>done/</c> or <c>failed/</c>. One file at a time;
/// each run uses every core. On shutdown it stops claiming, cancels the run (no run folder is
/// left) and returns the file to the inbox.
/// </summary>
internal sealed class InboxWorker(IOptions<ServeOptions> options, IHostApplicationLifetime lifetime, ILogger<InboxWorker> logger, StrandRegistry strands,
    DiskScenarioFiles disk)
    : BackgroundService
{
    private readonly ServeOptions _options = options.Value;
    private readonly InboxFolders _folders = new(options.Value.Inbox, options.Value.Outbox);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopNow = new();

    /// <summary>Decisions on inbox files by (name, last write, length), so a population file is read once, not every scan.</summary>
    private readonly Dictionary<string, (DateTime LastWriteUtc, long Length, bool IsScenario)> _seen = new(StringComparer.Ordinal);

    /// <summary>Set when the worker stops for a reason other than shutdown (the inbox cannot be used); the verb then exits 1.</summary>
    public Exception? Fault { get; private set; }

    private static string WorkerId => $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Cancels the current run at once, on the calling thread. The host's own stopping path goes
    /// through thread-pool continuations, which a run that keeps every pool thread busy delays
    /// by seconds; the verb calls this straight from the signal.
    /// </summary>
    public void StopNow()
    {
        try
        {
            _stopNow.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already stopped
        }
    }

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, _stopNow.Token);
        CancellationToken stoppingToken = stopping.Token;
        await Task.Yield(); // let the host finish starting
        try
        {
            _folders.Create();
            using var watcher = new FileSystemWatcher(_folders.Inbox, "*.yaml")
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
                IncludeSubdirectories = false,
            };
            watcher.Created += (_, _) => Wake();
            watcher.Renamed += (_, _) => Wake();
            watcher.Changed += (_, _) => Wake();
            watcher.Error += (_, _) => Wake();
            watcher.EnableRaisingEvents = true;
            ServeLog.Watching(logger, WorkerId, _folders.Inbox, _folders.Outbox, _options.LeaseSeconds, _options.ScanSeconds);

            while (!stoppingToken.IsCancellationRequested)
            {
                ReturnExpired(own: null);
                TimeSpan wait = TimeSpan.FromSeconds(_options.ScanSeconds);
                bool ran = false;
                foreach (var (name, lastWriteUtc, length) in _folders.Candidates())
                {
                    if (stoppingToken.IsCancellationRequested)
                        break;
                    TimeSpan age = DateTime.UtcNow - lastWriteUtc;
                    TimeSpan settle = TimeSpan.FromSeconds(_options.SettleSeconds);
                    if (age < settle)
                    {
                        // Still being written, perhaps: look again once it has settled.
                        wait = TimeSpan.FromTicks(Math.Min(wait.Ticks, (settle - age).Ticks + TimeSpan.TicksPerMillisecond * 50));
                        continue;
                    }

                    if (!IsScenario(name, lastWriteUtc, length) || !_folders.TryClaim(name, DateTime.UtcNow))
                        continue;
                    await Task.Run(() => Process(name, stoppingToken), CancellationToken.None).ConfigureAwait(false);
                    ran = true;
                    break; // list the inbox again: it has changed while the run went on
                }

                if (ran)
                    continue;
                PruneSeen();
                try
                {
                    await _wake.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            ServeLog.Stopped(logger);
        }
#pragma warning disable CA1031 // the inbox cannot be used (missing rights, a file where a folder should be): stop, exit 1
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Fault = e;
            ServeLog.Fault(logger, e.GetBaseException().Message);
            lifetime.StopApplication();
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
                _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
        catch (ObjectDisposedException)
        {
            // stopping
        }
    }

    private bool IsScenario(string name, DateTime lastWriteUtc, long length)
    {
        if (_seen.TryGetValue(name, out var seen) && seen.LastWriteUtc == lastWriteUtc && seen.Length == length)
            return seen.IsScenario;
        bool isScenario = InboxFolders.IsScenario(_folders.InboxPath(name));
        _seen[name] = (lastWriteUtc, length, isScenario);
        return isScenario;
    }

    private void PruneSeen()
    {
        if (_seen.Count == 0)
            return;
        var present = _folders.Candidates().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in _seen.Keys.Where(n => !present.Contains(n)).ToList())
            _seen.Remove(name);
    }

    /// <summary>
    /// Settles the claims of workers that stopped (lease ran out): a claim whose recorded run folder
    /// is complete went as far as the rename, so its file goes to <c>done/</c> and it is not run
    /// again; any other goes back to the inbox, its partial folders deleted first. Then removes
    /// partial folders whose process on this machine is gone, and orphan claim records.
    /// </summary>
    private void ReturnExpired(string? own)
    {
        DateTime now = DateTime.UtcNow;
        foreach (string name in _folders.Expired(_options.Lease, now, own))
        {
            string? runFolder = _folders.ReadClaim(name);
            if (runFolder is not null && _folders.IsComplete(runFolder))
            {
                try
                {
                    _folders.MoveToDone(name, now);
                    ServeLog.CompletedExpired(logger, name, _options.LeaseSeconds, Path.Combine(_folders.Outbox, runFolder));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // another worker settled it first
                }
            }
            else
            {
                if (runFolder is not null)
                {
                    foreach (string removed in _folders.DeletePartials(runFolder))
                        ServeLog.RemovedPartial(logger, Path.Combine(_folders.Outbox, removed));
                    // Before the return: once back in the inbox the file may be claimed again at once.
                    _folders.DeleteClaim(name, runFolder);
                }

                if (_folders.Return(name))
                    ServeLog.Expired(logger, name, _options.LeaseSeconds);
                continue;
            }

            _folders.DeleteClaim(name, runFolder);
        }

        foreach (string removed in _folders.RemoveAbandonedPartials())
            ServeLog.RemovedPartial(logger, Path.Combine(_folders.Outbox, removed));
        _folders.RemoveOrphanClaims(_options.Lease, now);
    }

    /// <summary>Runs one claimed file to the end: done, failed, or (on shutdown) back in the inbox.</summary>
    private void Process(string name, CancellationToken stoppingToken)
    {
        string inboxPath = _folders.InboxPath(name);
        var clock = Stopwatch.StartNew();
        ServeLog.Started(logger, name);
        using var lease = new LeaseKeeper(_folders, name, _options.Lease);
        string? dir = null;
        try
        {
            // The run folder is fixed when the file is claimed and recorded beside it, so whoever
            // settles this claim after a crash finds out whether the run finished (see ReturnExpired).
            dir = _folders.RunFolder(name, DateTime.UtcNow);
            _folders.WriteClaim(name, dir);

            var files = new InboxScenarioFiles(inboxPath, _folders.ClaimedPath(name), disk);
            ScenarioLoadResult loaded = ScenarioLoader.Load(inboxPath, files);
            if (!loaded.IsValid)
            {
                Fail(name, dir, clock, loaded.Errors.Select(e => e.ToString()).Distinct().ToList());
                return;
            }

            if (loaded.Scenario is not Scenario scenario)
            {
                Fail(name, dir, clock, [$"{inboxPath}: a shared population file (no top-level 'strand:'), not a scenario to run"]);
                return;
            }

            var run = new RunCommand.RunOptions([inboxPath], dir, _options.Replicates ?? RunCommand.DefaultReplicates,
                _options.Seed, _options.Population, _options.Threads, Json: true, strands);
            RunCommand.RunToFolder([scenario], dir, run, files, new CliConsole(TextWriter.Null, TextWriter.Null, IsTerminal: false), stoppingToken,
                removeOnSignal: false);
            lease.Dispose();
            _folders.MoveToDone(name, DateTime.UtcNow);
            _folders.DeleteClaim(name, dir);
            ServeLog.Finished(logger, name, clock.Elapsed.TotalSeconds, dir);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            lease.Dispose();
            if (dir is not null)
                _folders.DeleteClaim(name, dir); // first: a file back in the inbox may be claimed again at once
            if (_folders.Return(name))
                ServeLog.Interrupted(logger, name, clock.Elapsed.TotalSeconds);
            else
                ServeLog.CannotReturn(logger, name);
        }
        catch (ScenarioException e)
        {
            Fail(name, dir, clock, e.Errors.Select(x => x.ToString()).ToList());
        }
        catch (UsageException e)
        {
            Fail(name, dir, clock, [$"{inboxPath}: {e.Message}"]);
        }
#pragma warning disable CA1031 // one file's failure is written beside it; the worker goes on with the next
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            Fail(name, dir, clock, [$"{inboxPath}: error: {e.GetBaseException().Message}"]);
        }
    }

    private void Fail(string name, string? dir, Stopwatch clock, List<string> lines)
    {
        string cause = lines.Count == 1 ? lines[0] : $"{lines.Count} problems, the first: {lines[0]}";
        try
        {
            _folders.MoveToFailed(name, lines, DateTime.UtcNow);
            if (dir is not null)
                _folders.DeleteClaim(name, dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cause += $" (and it could not be moved to failed/: {e.Message})";
        }

        ServeLog.Failed(logger, name, clock.Elapsed.TotalSeconds, cause);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _stopNow.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Touches the claimed file every quarter lease on a thread of its own (the runner keeps the
    /// thread pool busy), so no other worker takes a long run for a dead one.
    /// </summary>
    private sealed class LeaseKeeper : IDisposable
    {
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private bool _disposed;

        public LeaseKeeper(InboxFolders folders, string name, TimeSpan lease)
        {
            TimeSpan every = lease / 4;
            _thread = new Thread(() =>
            {
                while (!_stop.Wait(every))
                    folders.Touch(name, DateTime.UtcNow);
            })
            {
                IsBackground = true,
                Name = "impact serve lease",
            };
            _thread.Start();
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _stop.Set();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
