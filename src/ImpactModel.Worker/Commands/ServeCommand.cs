using System.CommandLine;
using System.Globalization;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Pool;
using ImpactModel.Worker.Serve;
using ImpactModel.Worker.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact serve [--inbox DIR] [--outbox DIR] [--replicates N] [--population N]</c>: the hosted
/// worker, running the scenarios dropped in the inbox and sizing the pilots of those dropped in
/// <c>inbox/pilots/</c>. Runs until SIGTERM or Ctrl-C, then stops claiming, cancels the current
/// run or pilot (leaving no folder), returns its file and exits 0. See docs/serve.md.
/// </summary>
public static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var inbox = new Option<string?>("--inbox")
        {
            Description = "The folder watched for scenario files (default: the Serve:Inbox setting, ./inbox).",
            HelpName = "DIR",
        };
        var outbox = new Option<string?>("--outbox")
        {
            Description = "Where run folders are written, and pilot folders in its pilots/ (default: the Serve:Outbox setting, ./outbox).",
            HelpName = "DIR",
        };
        var replicates = CommonOptions.Replicates(
            $"Replicates per run (default: the Serve:Replicates or Run:Replicates setting, else {RunCommand.DefaultReplicates}).");
        var population = CommonOptions.Population(
            $"Persons to simulate per replicate (default: the Serve:Population or Run:Population setting, else the declared population, at most {RunCommand.DefaultPersons:N0}).");
        var db = StoreAccess.Db();
        var command = new Command("serve",
            "Run as a worker: every scenario file (a YAML file with a top-level 'strand:') dropped in the inbox is claimed, run, " +
            "and moved to inbox/done/ with its run folder in the outbox, or to inbox/failed/ with <name>.error.txt beside it. " +
            "A scenario dropped in inbox/pilots/ has its pilot sized as 'impact pilot' would, its pilot folder in outbox/pilots/. " +
            "Stops on SIGTERM or Ctrl-C, returning an unfinished file to the inbox. Several workers may share the folders. " +
            "With the results store (--db or ConnectionStrings:Impact) it is also a worker of the pool: it takes the shards of runs queued by " +
            "'impact submit', one at a time, and merges a run when its last shard is done.")
        {
            inbox, outbox, replicates, population, db,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            HostApplicationBuilder builder = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []);
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(inbox) is { } i)
                overrides["Serve:Inbox"] = i;
            if (parse.GetValue(outbox) is { } o)
                overrides["Serve:Outbox"] = o;
            if (parse.GetValue(replicates) is { } r)
                overrides["Serve:Replicates"] = r.ToString(CultureInfo.InvariantCulture);
            if (parse.GetValue(population) is { } p)
                overrides["Serve:Population"] = p.ToString(CultureInfo.InvariantCulture);
            builder.Configuration.AddInMemoryCollection(overrides);
            builder.Services.AddSystemd();
            builder.Services.AddImpactServe();
            if (StoreAccess.ConnectionString(parse.GetValue(db), builder.Configuration) is { } connection)
            {
                ShardPool.RequireQueue("serve with a results store");
                int shutdown = builder.Configuration.GetValue<int?>("Serve:ShutdownSeconds") ?? 10;
                int lease = builder.Configuration.GetValue<int?>(ShardPool.LeaseSetting) ?? (int)ShardPool.Invisibility.TotalSeconds;
                if (lease is < 10 or > 3600)
                    throw new UsageException($"configuration: {ShardPool.LeaseSetting} must be 10 to 3,600 seconds, not {lease}");
                builder.Services.AddImpactShardPool(connection, TimeSpan.FromSeconds(shutdown), TimeSpan.FromSeconds(lease));
            }

            return await Run(builder, console, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> Run(HostApplicationBuilder builder, CliConsole console, CancellationToken cancellationToken)
    {
        IHost host;
        try
        {
            host = builder.Build(); // resolves HostOptions, so the Serve settings are checked here already
        }
        catch (Exception e) when (InvalidOptions(e) is { } invalid)
        {
            throw Invalid(invalid);
        }

        using (host)
            return await Run(host, console, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> Run(IHost host, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            // Not cancellable: the worker must start so that it can stop cleanly.
            await host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (InvalidOptions(e) is { } invalid)
        {
            throw Invalid(invalid);
        }

        // SIGTERM and Ctrl-C cancel the token (System.CommandLine), which cancels the current run
        // at once, on the signal's thread, and stops the host within Serve:ShutdownSeconds (its
        // ShutdownTimeout); the worker returns its file. The cancellation must not wait on a thread
        // pool that the run keeps busy. (System.CommandLine's own end-of-process timeout is set past
        // the largest ShutdownSeconds in ImpactCli, so the host's bound is the one that applies.)
        InboxWorker worker = host.Services.GetRequiredService<InboxWorker>();
        using (cancellationToken.Register(worker.StopNow))
            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (worker.Fault is { } fault)
        {
            console.Error.WriteLine($"impact: error: serve: {fault.Message}");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>A bad Serve setting is invalid input: one line, exit 2.</summary>
    private static UsageException Invalid(OptionsValidationException e) =>
        new($"configuration: {string.Join("; ", e.Failures)}");

    /// <summary>The options validation failure inside what the host threw (it may wrap it in an AggregateException).</summary>
    private static OptionsValidationException? InvalidOptions(Exception e) => e switch
    {
        OptionsValidationException v => v,
        AggregateException a => a.InnerExceptions.Select(InvalidOptions).FirstOrDefault(v => v is not null),
        { InnerException: { } inner } => InvalidOptions(inner),
        _ => null,
    };
}
