using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Worker.Serve;

/// <summary>
/// A kind of work <c>impact serve</c> takes: runs, from the inbox to the outbox, and pilots, from
/// <c>inbox/pilots/</c> to <c>outbox/pilots/</c>. Each kind has folders of its own (its inbox with
/// <c>claimed/</c>, <c>done/</c> and <c>failed/</c>, and its outbox), so <see cref="InboxWorker"/>
/// claims, leases, fails and recovers both with the same code; only the folder written differs.
/// </summary>
internal sealed class ServeJob
{
    /// <summary>The subfolder of the inbox, and of the outbox, for pilots.</summary>
    public const string PilotsFolder = "pilots";

    private readonly string _prefix;
    private readonly Writer _write;

    private ServeJob(string prefix, InboxFolders folders, Writer write)
    {
        _prefix = prefix;
        Folders = folders;
        _write = write;
    }

    /// <summary>
    /// Writes the folder <c>dir</c> for a loaded scenario, as <c>dir.partial-…</c> renamed when
    /// complete; throws <see cref="ScenarioException"/> for a problem of the scenario and
    /// <see cref="OperationCanceledException"/> (leaving no folder) when cancelled.
    /// </summary>
    public delegate void Writer(Scenario scenario, string inboxPath, string dir, IScenarioFiles files, CancellationToken cancellationToken);

    public InboxFolders Folders { get; }

    /// <summary>A file of this kind as the log names it, relative to the inbox: <c>x.yaml</c>, <c>pilots/x.yaml</c>.</summary>
    public string Display(string name) => Path.Combine(_prefix, name);

    public void Write(Scenario scenario, string inboxPath, string dir, IScenarioFiles files, CancellationToken cancellationToken) =>
        _write(scenario, inboxPath, dir, files, cancellationToken);

    /// <summary>A scenario in the inbox is run as <c>impact run</c> runs it, into a run folder in the outbox.</summary>
    public static ServeJob Runs(ServeOptions options, StrandRegistry strands) =>
        new("", new InboxFolders(options.Inbox, options.Outbox), (scenario, inboxPath, dir, files, cancellationToken) =>
        {
            var run = new RunCommand.RunOptions([inboxPath], dir, options.Replicates ?? RunCommand.DefaultReplicates,
                options.Seed, options.Population, options.Threads, Json: true, strands);
            RunCommand.RunToFolder([scenario], dir, run, files, Quiet(), cancellationToken, removeOnSignal: false);
        });

    /// <summary>
    /// A scenario in <c>inbox/pilots/</c> is sized as <c>impact pilot</c> sizes it with its defaults
    /// (every size up to its largest arm, the fraction it chooses), with the worker's seed, threads
    /// and <see cref="ServeOptions.PilotSimulations"/>, into a pilot folder in <c>outbox/pilots/</c>.
    /// </summary>
    public static ServeJob Pilots(ServeOptions options, StrandRegistry strands) =>
        new(PilotsFolder, new InboxFolders(Path.Combine(options.Inbox, PilotsFolder), Path.Combine(options.Outbox, PilotsFolder)),
            (scenario, inboxPath, dir, files, cancellationToken) =>
            {
                var pilot = new PilotCommand.PilotOptions(inboxPath, dir, options.PilotSimulations, AreasPerArm: null, options.Seed, Fraction: null,
                    options.Threads, Json: false, strands)
                {
                    ScenarioFiles = files,
                };
                PilotCommand.SizeToFolder(scenario, dir, pilot, files, Quiet(), removeOnSignal: false, cancellationToken);
            });

    /// <summary>The worker writes nothing to the console but its log.</summary>
    private static CliConsole Quiet() => new(TextWriter.Null, TextWriter.Null, IsTerminal: false);
}
