using System.Diagnostics;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImpactModel.Worker.Serve;

/// <summary>
/// The hosted worker of <c>impact serve</c>: watches the inbox and <c>inbox/pilots/</c> (a
/// file-system watcher on each, plus a scan every <see cref="ServeOptions.ScanSeconds"/> since
/// watchers miss events), claims each scenario file by renaming it into its folder's
/// <c>claimed/</c>, runs it with the runner of <c>impact run</c> into a run folder in the outbox
/// (or sizes its pilot as <c>impact pilot</c> does into <c>outbox/pilots/</c>: <see cref="ServeJob"/>),
/// and moves it to <c>done/</c> or <c>failed/</c>. One file at a time, the oldest of both folders
/// first; each uses every core. On shutdown it stops claiming, cancels the work (no folder is
/// left) and returns the file to where it was dropped.
/// </summary>
internal sealed class InboxWorker(IOptions<ServeOptions> options, IHostApplicationLifetime lifetime, ILogger<InboxWorker> logger, StrandRegistry strands,
    DiskScenarioFiles disk)
    : BackgroundService
{
    private readonly ServeOptions _options = options.Value;
    private readonly IReadOnlyList<ServeJob> _jobs = [ServeJob.Runs(options.Value, strands), ServeJob.Pilots(options.Value, strands)];
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopNow = new();

    /// <summary>Decisions on inbox files by (path, last write, length), so a population file is read once, not every scan.</summary>
    private readonly Dictionary<string, (DateTime LastWriteUtc, long Length, bool IsScenario)> _seen = new(StringComparer.Ordinal);

    /// <summary>Set when the worker stops for a reason other than shutdown (the inbox cannot be used); the verb then exits 1.</summary>
    public Exception? Fault { get; private set; }

    private ServeJob Runs => _jobs[0];

    private ServeJob Pilots => _jobs[1];

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
            foreach (ServeJob job in _jobs)
                job.Folders.Create();
            Runs.Folders.CreateOutbox(); // at once, so an unusable outbox stops the worker; the pilots' one is made with the first pilot
            using FileSystemWatcher runsWatcher = Watch(Runs.Folders.Inbox);
            using FileSystemWatcher pilotsWatcher = Watch(Pilots.Folders.Inbox);
            ServeLog.Watching(logger, WorkerId, Runs.Folders.Inbox, Runs.Folders.Outbox, Pilots.Folders.Inbox, Pilots.Folders.Outbox,
                _options.LeaseSeconds, _options.ScanSeconds);

            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (ServeJob job in _jobs)
                    ReturnExpired(job, own: null);
                TimeSpan wait = TimeSpan.FromSeconds(_options.ScanSeconds);
                bool ran = false;
                foreach (var (job, name, lastWriteUtc, length) in Candidates())
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

                    if (!IsScenario(job.Folders.InboxPath(name), lastWriteUtc, length) || !job.Folders.TryClaim(name, DateTime.UtcNow))
                        continue;
                    await Task.Run(() => Process(job, name, stoppingToken), CancellationToken.None).ConfigureAwait(false);
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

    private FileSystemWatcher Watch(string folder)
    {
        var watcher = new FileSystemWatcher(folder, "*.yaml")
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        watcher.Created += (_, _) => Wake();
        watcher.Renamed += (_, _) => Wake();
        watcher.Changed += (_, _) => Wake();
        watcher.Error += (_, _) => Wake();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>The <c>*.yaml</c> files of every kind's inbox, oldest first, so neither kind waits for the other's backlog.</summary>
    private List<(ServeJob Job, string Name, DateTime LastWriteUtc, long Length)> Candidates() =>
        _jobs.SelectMany(job => job.Folders.Candidates().Select(c => (job, c.Name, c.LastWriteUtc, c.Length)))
            .OrderBy(c => c.LastWriteUtc).ThenBy(c => c.job.Display(c.Name), StringComparer.Ordinal).ToList();

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

    private bool IsScenario(string path, DateTime lastWriteUtc, long length)
    {
        if (_seen.TryGetValue(path, out var seen) && seen.LastWriteUtc == lastWriteUtc && seen.Length == length)
            return seen.IsScenario;
        bool isScenario = InboxFolders.IsScenario(path);
        _seen[path] = (lastWriteUtc, length, isScenario);
        return isScenario;
    }

    private void PruneSeen()
    {
        if (_seen.Count == 0)
            return;
        var present = Candidates().Select(c => c.Job.Folders.InboxPath(c.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (string name in _seen.Keys.Where(n => !present.Contains(n)).ToList())
            _seen.Remove(name);
    }

    /// <summary>
    /// Settles the claims of one kind of <paramref name="job"/> whose workers stopped (lease ran out): a
    /// claim whose recorded run folder is complete went as far as the rename, so its file goes to
    /// <c>done/</c> and it is not run again; any other goes back to its inbox, its partial folders
    /// deleted first. Then removes partial folders whose process on this machine is gone, and orphan
    /// claim records.
    /// </summary>
    private void ReturnExpired(ServeJob job, string? own)
    {
        InboxFolders folders = job.Folders;
        DateTime now = DateTime.UtcNow;
        foreach (string name in folders.Expired(_options.Lease, now, own))
        {
            string? runFolder = folders.ReadClaim(name);
            if (runFolder is not null && folders.IsComplete(runFolder))
            {
                try
                {
                    folders.MoveToDone(name, now);
                    ServeLog.CompletedExpired(logger, job.Display(name), _options.LeaseSeconds, Path.Combine(folders.Outbox, runFolder));
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
                    foreach (string removed in folders.DeletePartials(runFolder))
                        ServeLog.RemovedPartial(logger, Path.Combine(folders.Outbox, removed));
                    // Before the return: once back in the inbox the file may be claimed again at once.
                    folders.DeleteClaim(name, runFolder);
                }

                if (folders.Return(name))
                    ServeLog.Expired(logger, job.Display(name), _options.LeaseSeconds);
                continue;
            }

            folders.DeleteClaim(name, runFolder);
        }

        foreach (string removed in folders.RemoveAbandonedPartials())
            ServeLog.RemovedPartial(logger, Path.Combine(folders.Outbox, removed));
        folders.RemoveOrphanClaims(_options.Lease, now);
    }

    /// <summary>Runs (or sizes) one claimed file to the end: done, failed, or (on shutdown) back where it was dropped.</summary>
    private void Process(ServeJob job, string name, CancellationToken stoppingToken)
    {
        InboxFolders folders = job.Folders;
        string inboxPath = folders.InboxPath(name);
        string file = job.Display(name);
        var clock = Stopwatch.StartNew();
        ServeLog.Started(logger, file);
        using var lease = new LeaseKeeper(folders, name, _options.Lease);
        string? dir = null;
        try
        {
            // The run folder is fixed when the file is claimed and recorded beside it, so whoever
            // settles this claim after a crash finds out whether the run finished (see ReturnExpired).
            folders.CreateOutbox();
            dir = folders.RunFolder(name, DateTime.UtcNow);
            folders.WriteClaim(name, dir);

            var files = new InboxScenarioFiles(inboxPath, folders.ClaimedPath(name), disk);
            ScenarioLoadResult loaded = ScenarioLoader.Load(inboxPath, files);
            if (!loaded.IsValid)
            {
                Fail(job, name, dir, clock, loaded.Errors.Select(e => e.ToString()).Distinct().ToList());
                return;
            }

            if (loaded.Scenario is not Scenario scenario)
            {
                Fail(job, name, dir, clock, [$"{inboxPath}: a shared population file (no top-level 'strand:'), not a scenario to run"]);
                return;
            }

            job.Write(scenario, inboxPath, dir, files, stoppingToken);
            lease.Dispose();
            folders.MoveToDone(name, DateTime.UtcNow);
            folders.DeleteClaim(name, dir);
            ServeLog.Finished(logger, file, clock.Elapsed.TotalSeconds, dir);
        }
        catch (Exception e) when (stoppingToken.IsCancellationRequested && IsCancellation(e))
        {
            lease.Dispose();
            if (dir is not null)
                folders.DeleteClaim(name, dir); // first: a file back in the inbox may be claimed again at once
            if (folders.Return(name))
                ServeLog.Interrupted(logger, file, clock.Elapsed.TotalSeconds);
            else
                ServeLog.CannotReturn(logger, file);
        }
        catch (ScenarioException e)
        {
            Fail(job, name, dir, clock, e.Errors.Select(x => x.ToString()).ToList());
        }
        catch (UsageException e)
        {
            Fail(job, name, dir, clock, [$"{inboxPath}: {e.Message}"]);
        }
#pragma warning disable CA1031 // one file's failure is written beside it; the worker goes on with the next
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            Fail(job, name, dir, clock, [$"{inboxPath}: error: {e.GetBaseException().Message}"]);
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> only says that the work was cancelled: an OperationCanceledException,
    /// or an AggregateException of nothing else (a parallel loop whose bodies saw the token before
    /// the loop did wraps theirs, as the pilot's replicate loop does).
    /// </summary>
    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || (e is AggregateException a && a.Flatten().InnerExceptions.All(i => i is OperationCanceledException));

    private void Fail(ServeJob job, string name, string? dir, Stopwatch clock, List<string> lines)
    {
        InboxFolders folders = job.Folders;
        string cause = lines.Count == 1 ? lines[0] : $"{lines.Count} problems, the first: {lines[0]}";
        try
        {
            folders.MoveToFailed(name, lines, DateTime.UtcNow);
            if (dir is not null)
                folders.DeleteClaim(name, dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cause += $" (and it could not be moved to failed/: {e.Message})";
        }

        ServeLog.Failed(logger, job.Display(name), clock.Elapsed.TotalSeconds, cause);
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
