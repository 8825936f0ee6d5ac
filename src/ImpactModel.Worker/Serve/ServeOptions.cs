using System.ComponentModel.DataAnnotations;
using ImpactModel.Pilot.Simulation;

namespace ImpactModel.Worker.Serve;

/// <summary>
/// The <c>Serve</c> configuration section of <c>impact serve</c> (appsettings.json, then
/// <c>IMPACT_Serve__Inbox=…</c> environment variables, then <c>--set Serve:Inbox=…</c>, then the
/// verb's own options). Validated when the host starts: a bad value stops it before any file is claimed.
/// </summary>
public sealed class ServeOptions
{
    public const string Section = "Serve";

    /// <summary>
    /// The folder watched for scenario files to run; <c>claimed/</c>, <c>done/</c> and <c>failed/</c> are made inside it,
    /// and <c>pilots/</c>, watched for scenarios to size, with the same three inside.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Inbox { get; set; } = "inbox";

    /// <summary>Where run folders are written, one per scenario file run; pilot folders go in its <c>pilots/</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Outbox { get; set; } = "outbox";

    /// <summary>
    /// Seconds after its claimed file was last touched that a worker is taken to be dead and the
    /// file is returned to the inbox. A live worker touches its claimed file every quarter lease.
    /// </summary>
    [Range(1, 7 * 24 * 3600)]
    public double LeaseSeconds { get; set; } = 300;

    /// <summary>Seconds between scans of the inbox (the file-system watcher wakes the worker sooner; it can miss events).</summary>
    [Range(0.05, 3600)]
    public double ScanSeconds { get; set; } = 5;

    /// <summary>A file is claimed only once it has not been written for this many seconds (it may still be being copied in).</summary>
    [Range(0, 3600)]
    public double SettleSeconds { get; set; } = 1;

    /// <summary>Replicates per run (default: the <c>Run:Replicates</c> setting, else the run verb's default).</summary>
    [Range(Limits.MinReplicates, Limits.MaxReplicates)]
    public int? Replicates { get; set; }

    /// <summary>Persons simulated per replicate (default: the <c>Run:Population</c> setting, else the declared size up to the run verb's default).</summary>
    [Range(Limits.MinPopulation, Limits.MaxPopulation)]
    public long? Population { get; set; }

    /// <summary>Simulated pilots per design point for a scenario in <c>inbox/pilots/</c> (<c>impact pilot --simulations</c>, with its bounds).</summary>
    [Range(PilotStudy.MinimumSimulations, 100_000)]
    public int PilotSimulations { get; set; } = Commands.PilotCommand.DefaultSimulations;

    /// <summary>The random seed of every run and pilot.</summary>
    public ulong Seed { get; set; } = Commands.RunCommand.DefaultSeed;

    /// <summary>Worker threads per run or pilot (0: every core).</summary>
    [Range(0, Limits.MaxThreads)]
    public int Threads { get; set; }

    /// <summary>How long the host waits, on SIGTERM or Ctrl-C, for the current run to stop and its file to go back (HostOptions.ShutdownTimeout).</summary>
    [Range(1, 600)]
    public double ShutdownSeconds { get; set; } = 10;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}
