using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ImpactModel.Postgres;
using ImpactModel.Reporting;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Review;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Output;
using ImpactModel.Worker.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact run SCENARIO... [--out DIR] [--replicates N] [--seed N] [--population N] [--threads N] [--json]</c>:
/// runs every variant of each scenario over replicates and writes a run folder (PRODUCT.md,
/// "Run folder"). The folder is written to <c>DIR.partial-…</c> and renamed to DIR only when
/// complete; an existing DIR is refused (exit 2); Ctrl-C stops at the next chunk, leaves no folder
/// and exits 130.
/// </summary>
public static class RunCommand
{
    /// <summary>Replicates when neither --replicates nor the <c>Run:Replicates</c> setting is given.</summary>
    public const int DefaultReplicates = 40;

    /// <summary>Most persons simulated when neither --population nor <c>Run:Population</c> is given (the declared size if smaller).</summary>
    public const long DefaultPersons = 200_000;

    /// <summary>
    /// Persons per replicate when neither --population nor a setting says: the declared population,
    /// at most <see cref="DefaultPersons"/>; for the research strand the whole declared population,
    /// since class sizes (and so every re-identification risk) shrink in a sample and the strand
    /// is fast enough to pass over everyone (docs/metrics.md, "Estimating class sizes").
    /// </summary>
    public static long DefaultPersonsOf(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.Strand == StrandIds.Research ? scenario.Population.Size : Math.Min(scenario.Population.Size, DefaultPersons);
    }

    public const ulong DefaultSeed = 1;

    public static Command Create(CliConsole console)
    {
        var files = new Argument<string[]>("SCENARIO") { Description = "One or more scenario files.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out")
        {
            Description = "The run folder (default runs/<scenario>-<yyyyMMdd-HHmmss>; with several scenarios runs/<yyyyMMdd-HHmmss>, " +
                          "holding one folder per scenario). Missing parent folders are created. Refused (exit 2) if it exists, or if it " +
                          "cannot be created there (a parent that is a file, no permission, an empty path).",
            HelpName = "DIR",
        };
        var replicates = CommonOptions.Replicates($"Replicates: parameters are drawn once per replicate (default {DefaultReplicates}, or the Run:Replicates setting).");
        var seed = CommonOptions.Seed($"Random seed (default {DefaultSeed}).");
        var population = CommonOptions.Population(
            $"Persons to simulate per replicate (default: the declared population, at most {DefaultPersons:N0} except for the research strand, or the Run:Population setting). " +
            "Counts and money are scaled to the declared population.");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json("Write exactly one JSON object to stdout: the run folder and headline metrics with intervals.");
        var noReplicatesCsv = new Option<bool>("--no-replicates-csv")
        {
            Description = "Do not write replicates.csv (one row per replicate, variant, group and metric: about 0.75 MB a replicate for the " +
                          "shipped fraud scenario, 75 GB for 100,000 replicates); keep the per-replicate values as replicates.bin " +
                          "(8 bytes a value, described by replicates-columns.csv) instead.",
        };
        var sensitivity = new Option<bool>("--sensitivity")
        {
            Description = "Also evaluate each uncertain parameter's swing on the headline metrics (its 10th and 90th percentiles, every other " +
                          "parameter at its median, on the same random numbers) and the switching values of the net benefit: two to about " +
                          "twenty extra runs of the status quo and the proposal per parameter, one replicate each. Without it sensitivity.csv " +
                          "holds the rank correlations over the replicates alone.",
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run only shard I of N (I/N, 1-based) and write its integer tallies into the shared folder --out SHARDS, for " +
                          "'impact merge SHARDS' once every shard is there. auto/N takes I from a Kubernetes indexed job (JOB_COMPLETION_INDEX + 1) " +
                          "or a Slurm array submitted with --array=1-N (SLURM_ARRAY_TASK_ID). Every shard of a run takes the same --seed, " +
                          "--replicates and --population.",
            HelpName = "I/N",
        };
        var phase = CommonOptions.Whole("--phase",
            "With --shard, for a scenario whose strand passes over the persons twice: run every shard with --phase 1, then every shard " +
            "with --phase 2 (each reads every shard's phase 1 from SHARDS), then merge. Default 1 for a scenario that needs one phase.",
            "P", 1, 9);
        var db = StoreAccess.Db();
        var command = new Command("run",
            "Run every variant of a scenario (status quo, proposal, each safeguard removed and alone, no safeguards, declared variants) " +
            "on common random numbers over replicates, and write the run folder: manifest.json, results.csv, replicates.csv, parameters.csv.")
        {
            files, output, replicates, seed, population, threads, json, noReplicatesCsv, sensitivity, shard, phase, db,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            var configuration = host.Services.GetRequiredService<IConfiguration>();
            var options = new RunOptions(
                parse.GetRequiredValue(files),
                parse.GetValue(output),
                parse.GetValue(replicates) ?? CommonOptions.Setting(configuration, "Run:Replicates", Limits.MinReplicates, Limits.MaxReplicates) ?? DefaultReplicates,
                parse.GetValue(seed) ?? DefaultSeed,
                parse.GetValue(population) ?? CommonOptions.Setting(configuration, "Run:Population", Limits.MinPopulation, Limits.MaxPopulation),
                parse.GetValue(threads) ?? 0,
                parse.GetValue(json),
                host.Services.GetRequiredService<StrandRegistry>(),
                ReplicatesCsv: !parse.GetValue(noReplicatesCsv))
            {
                Verbose = parse.GetValue(ImpactCli.Verbose),
                // Each file read once: whether it is a package is seen from the bytes that are then run.
                ScenarioFiles = new RememberingScenarioFiles(host.Services.GetRequiredService<DiskScenarioFiles>()),
                CommandLine = StoreAccess.Redacted([.. parse.Tokens.Select(t => t.Value)]),
                Sensitivity = parse.GetValue(sensitivity),
            };
            // A package is written to files only: --db is refused, a configured store left alone.
            if (options.Files.Any(f => PackageLoader.IsPackage(f, options.ScenarioFiles)))
            {
                if (parse.GetValue(db) is not null)
                    throw new UsageException("--db: a package is written to files only; run its scenarios one by one to store them");
                if (parse.GetValue(shard) is not null || parse.GetValue(phase) is not null)
                    throw new UsageException("--shard: a package runs in one process; shard its scenarios one by one");
                return Task.FromResult(Run(options, console, cancellationToken));
            }

            using ResultStore? store = StoreAccess.OpenIfConfigured(parse.GetValue(db), configuration);
            options = options with { Store = store };
            if (parse.GetValue(shard) is { } which)
                return Task.FromResult(ShardCommand.Run(options, ShardCommand.Parse(which, Environment.GetEnvironmentVariables()), parse.GetValue(phase), console,
                    cancellationToken));
            if (parse.GetValue(phase) is not null)
                throw new UsageException("--phase is given with --shard only");
            return Task.FromResult(Run(options, console, cancellationToken));
        });
        return command;
    }

    /// <summary>The verb's inputs after parsing, and which model runs each strand (<c>Strands</c>: the host's <see cref="StrandRegistry"/>).</summary>
    internal sealed record RunOptions(string[] Files, string? Out, int Replicates, ulong Seed, long? Persons, int Threads, bool Json, StrandRegistry Strands,
        int ChunkSize = Population.PersonChunk.DefaultCapacity, bool ReplicatesCsv = true)
    {
        /// <summary>With <c>--verbose</c>: the full listing of headline figures (every group) before the summary.</summary>
        public bool Verbose { get; init; }

        /// <summary>The command line as typed (arguments after the executable), for the manifest; null when the run was not made from one.</summary>
        public IReadOnlyList<string>? CommandLine { get; init; }

        /// <summary>How scenario files are read (the host's, with its size limit).</summary>
        public IScenarioFiles ScenarioFiles { get; init; } = DiskScenarioFiles.Instance;

        /// <summary>With <c>--sensitivity</c>: the swings and switching values are evaluated, not only the rank correlations.</summary>
        public bool Sensitivity { get; init; }

        /// <summary>The results store (<c>--db</c> or the configured one): a finished run is stored in it, and a shard without --out is written to it; null: files only.</summary>
        public ResultStore? Store { get; init; }
    }

    internal static int Run(RunOptions options, CliConsole console, CancellationToken cancellationToken)
    {
        // The charts' drawing machinery loads on the idle core while the scenario loads and the first
        // replicate compiles on this one (docs/performance.md, issue 26).
        _ = ReportWriter.WarmUp();
        // Every file's problems at once, before anything runs. The bytes loaded are the ones the run
        // folder hashes and keeps, whatever happens to the files on disk meanwhile (each file is read once).
        var files = new RememberingScenarioFiles(options.ScenarioFiles);
        if (options.Files.Any(f => PackageLoader.IsPackage(f, files)))
        {
            if (options.Files.Length > 1)
                throw new UsageException("a package runs alone: give its file only (its scenarios are named inside it)");
            if (options.Sensitivity)
                throw new UsageException("--sensitivity is given for a scenario; run a package's scenario alone to see its sensitivity");
            return PackageCommand.Run(options.Files[0], options, files, console, cancellationToken);
        }

        var errors = new List<ScenarioError>();
        var scenarios = new List<Scenario>();
        foreach (string file in options.Files)
        {
            ScenarioLoadResult loaded = ScenarioLoader.Load(file, files);
            errors.AddRange(loaded.Errors);
            if (loaded.IsValid && loaded.Scenario is null)
                throw new UsageException($"'{file}' is a population file, not a scenario (it has no 'strand:')");
            if (loaded.Scenario is { } s)
                scenarios.Add(s);
        }

        if (errors.Count > 0)
            throw new ScenarioException(errors);
        string? duplicate = scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new UsageException($"two scenarios are named '{duplicate}'; a run folder holds one folder per scenario name");

        // What each report needs of its scenario alone is simulated on the idle core while the first replicate compiles.
        foreach (Scenario scenario in scenarios)
            ReportWriter.Prepare(scenario, options.Seed);
        DateTime started = DateTime.UtcNow;
        string stamp = started.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string dir = options.Out ?? Path.Combine("runs", scenarios.Count == 1 ? $"{scenarios[0].Name}-{stamp}" : stamp);
        IReadOnlyList<RunResult> results = RunToFolder(scenarios, dir, options, files, console, cancellationToken);
        if (options.Store is { } store)
        {
            for (int i = 0; i < scenarios.Count; i++)
            {
                var settings = results[i].Settings;
                long runId = store.CreateLocalRun(StoredRuns.NewRun(StoredRuns.SaveScenario(store, scenarios[i], files), scenarios[i], settings, 1, 1), started);
                StoredRuns.SaveFinished(store, runId, results[i], scenarios.Count == 1 ? dir : Path.Combine(dir, scenarios[i].Name));
                console.Error.WriteLine($"impact: {scenarios[i].Name} stored as run {runId} in the results store at {store.Endpoint}");
            }
        }

        return Summarise(dir, scenarios, results, options, console);
    }

    /// <summary>
    /// The review files each report read, by the result its folder was written from: the terminal summary
    /// takes them from here rather than reading the folder's files a second time (they do not change).
    /// Weak: an entry goes with its result.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RunResult, ReviewData> WrittenReviews = new();

    /// <summary>What a finished run says on stdout: the JSON summary with <c>--json</c>, else the listing (<c>--verbose</c>) and the terminal summary.</summary>
    internal static int Summarise(string dir, IReadOnlyList<Scenario> scenarios, IReadOnlyList<RunResult> results, RunOptions options, CliConsole console)
    {
        // RunToFolder returns one result per scenario, in the scenarios' order.
        MoneyBasis[] money = [.. scenarios.Select(MoneyBasis.Of)];
        if (options.Json)
        {
            console.Out.WriteLine(SummaryJson(dir, results, money));
            return ExitCodes.Success;
        }

        if (options.Verbose)
            WriteListing(console.Out, results, money);
        TerminalSummary.Part[] parts = [.. results.Select((result, i) => TerminalSummary.Of(result, money[i],
            results.Count == 1 ? dir : Path.Combine(dir, result.Scenario),
            scenarios[i].Population.Groups.ToDictionary(g => g.Id, g => g.Name ?? g.Id, StringComparer.Ordinal),
            WrittenReviews.TryGetValue(result, out ReviewData? review) ? review : null))];
        if (console.IsTerminal)
            TerminalSummary.WriteTables(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) }), parts);
        else
            TerminalSummary.WritePlain(console.Out, parts);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Runs loaded <paramref name="scenarios"/> and writes the run folder <paramref name="dir"/>
    /// (one folder per scenario inside it when there are several): written to <c>DIR.partial-…</c>
    /// and renamed only when complete, so a failure or cancellation leaves nothing. An existing
    /// DIR, or one where no folder can be created (<see cref="RunFolder.CreatePartial"/>), is refused
    /// (<see cref="UsageException"/>) before anything runs. <paramref name="files"/> reads the scenario
    /// and its references for the manifest's hash. Also used by <c>impact serve</c>. With
    /// <c>removeOnSignal</c> (<c>impact run</c>) Ctrl-C or SIGTERM removes the partial folder at once;
    /// <c>impact serve</c> passes false: its host stops a run gracefully on SIGTERM, and it removes
    /// partial folders of gone writers itself.
    /// </summary>
    /// <remarks><c>produce</c> makes a scenario's result in place of simulating it (<c>impact merge</c>: from every shard's tallies); null simulates.</remarks>
    internal static IReadOnlyList<RunResult> RunToFolder(IReadOnlyList<Scenario> scenarios, string dir, RunOptions options,
        IScenarioFiles files, CliConsole console, CancellationToken cancellationToken, bool removeOnSignal = true,
        Func<Scenario, RunSettings, IReplicateStore, RunResult>? produce = null)
    {
        if (Directory.Exists(dir) || File.Exists(dir))
            throw new UsageException($"--out '{dir}' already exists; a run never overwrites a run folder (choose another DIR)");
        var runs = new List<RunResult>();
        // Each scenario's per-replicate values are spilled into its folder as they are made, so the
        // folder exists from the start: a sibling partial folder, renamed only when complete.
        // An --out that cannot hold a run folder is refused here, before the run (exit 2 with the path and reason).
        string partial = RunFolder.CreatePartial(dir);
        // Ctrl-C or SIGTERM may end the process before the catch below runs (the runtime's default
        // action): the partial folder is removed from the signal itself, so an interrupted run leaves nothing.
        using PosixSignalRegistration? onInterrupt = removeOnSignal ? PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => RemovePartial(partial)) : null;
        using PosixSignalRegistration? onTerminate = removeOnSignal ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => RemovePartial(partial)) : null;
        try
        {
            foreach (Scenario scenario in scenarios)
            {
                string folder = scenarios.Count == 1 ? partial : Path.Combine(partial, scenario.Name);
                Directory.CreateDirectory(folder);
                long persons = options.Persons ?? DefaultPersonsOf(scenario);
                var settings = new RunSettings(options.Seed, options.Replicates, persons, options.Threads, options.ChunkSize);
                var clock = Stopwatch.StartNew();
                DateTime scenarioStarted = DateTime.UtcNow;
                using var store = new FileReplicateStore(Path.Combine(folder, RunFolder.SpillFile));
                RunResult result = produce is not null ? produce(scenario, settings, store)
                    : console.IsTerminal && !options.Json
                    ? WithProgressBar(scenario, settings, options.Strands, store, cancellationToken)
                    : SimulationRunner.Run(scenario, settings, options.Strands, new LogProgress(console.Error, scenario.Name), store: store,
                        cancellationToken: cancellationToken);
                WriteScenario(folder, scenario, result, store, options, files, console, scenarioStarted, clock.Elapsed.TotalSeconds, cancellationToken);
                runs.Add(result);
            }

            cancellationToken.ThrowIfCancellationRequested();
            Directory.Move(partial, dir);
        }
        catch
        {
            RemovePartial(partial);
            throw;
        }

        return runs;
    }

    /// <summary>
    /// Writes a scenario's run folder from its result (whose values are in <paramref name="store"/>): the
    /// run's files, the review, the charts and report.html; with <c>--replicates-csv</c> the spill file
    /// then goes. The same for a scenario run alone and one run in a package.
    /// </summary>
    internal static void WriteScenario(string folder, Scenario scenario, RunResult result, FileReplicateStore store, RunOptions options,
        IScenarioFiles files, CliConsole console, DateTime started, double elapsedSeconds, CancellationToken cancellationToken)
    {
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        foreach (string warning in result.Warnings)
            console.Error.WriteLine($"impact: warning: {scenario.Name}: {warning}"); // also in the manifest's warnings
        var info = new RunInfo(RunFolder.ScenarioHash(scenario, files), RunFolder.EngineVersion, threads, started, elapsedSeconds,
            MoneyBasis.Of(scenario))
        {
            CommandLine = options.CommandLine,
            InputsScenario = RunFolder.KeepInputs(folder, scenario, files),
        };
        // The review reads the per-replicate values while the other files are written from them (both only read the store now).
        IReadOnlyList<IStrandModel> models = options.Strands.For(scenario).Models;
        Task<RunReview> review = Task.Run(() => RunReview.Of(scenario, result, models, options.Sensitivity,
            new SensitivityLog(console.Error, scenario.Name), cancellationToken), cancellationToken);
        try
        {
            RunFolder.Write(folder, result, info, options.ReplicatesCsv);
        }
        catch
        {
            WaitQuietly(review); // never leave it reading a store about to be disposed; the write's error stands
            throw;
        }

        RunFolder.WriteReview(folder, result, review.GetAwaiter().GetResult());
        // Charts and report.html, from the files just written (the scenario as loaded: the bytes its kept copy holds).
        RunData written = ReportWriter.WriteRun(folder, files, beingWritten: true, keptScenario: scenario);
        WrittenReviews.AddOrUpdate(result, written.Review);
        if (options.ReplicatesCsv)
        {
            store.Dispose(); // replicates.csv holds the values now: the spill file goes
            File.Delete(store.Path);
        }
    }

    /// <summary>Waits for <paramref name="task"/> to end, whatever its outcome (a caller's own error is the one to report).</summary>
    private static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Its failure is not the one to report.
        }
    }

    /// <summary>Removes a partial run folder if it is still there (from a signal handler or a failed run; either may come first).</summary>
    internal static void RemovePartial(string partial)
    {
        try
        {
            if (Directory.Exists(partial))
                Directory.Delete(partial, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already going, or being written as it goes: nothing more to do here; the caller's own error stands.
        }
    }

    /// <summary>
    /// On a terminal: a Spectre.Console progress bar on stderr (never stdout) with the persons done, the
    /// rate and the time remaining, redrawn at most ten times a second whatever the workers report.
    /// </summary>
    private static RunResult WithProgressBar(Scenario scenario, RunSettings settings, StrandRegistry strands, IReplicateStore store,
        CancellationToken cancellationToken)
    {
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        RunResult? result = null;
        int variants = VariantBuilder.Build(scenario).Count;
        Progress bar = stderr.Progress().AutoClear(true).AutoRefresh(true);
        bar.RefreshRate = TimeSpan.FromMilliseconds(100);
        bar
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new PersonsColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                double total = (double)settings.Replicates * settings.Persons;
                var task = context.AddTask(
                    Markup.Escape($"{scenario.Name}: {variants} variants × {settings.Replicates} replicates × {settings.Persons:N0} persons"), maxValue: total);
                var progress = new SynchronousProgress<RunProgress>(p => task.Value = p.PersonsDone);
                result = SimulationRunner.Run(scenario, settings, strands, progress, store: store, cancellationToken: cancellationToken);
                task.Value = total;
            });
        return result!;
    }

    /// <summary>Persons done (each through every variant) and persons a second.</summary>
    private sealed class PersonsColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture,
                $"{task.Value:N0} persons{(task.Speed is { } speed and > 0 ? $", {speed:N0}/s" : "")}"));
    }

    /// <summary>The sensitivity analysis' evaluations on stderr: a line at start and at every tenth of the planned evaluations.</summary>
    private sealed class SensitivityLog(TextWriter error, string name) : IProgress<SensitivityProgress>
    {
        private int _tenths = -1;

        public void Report(SensitivityProgress value)
        {
            int tenths = (int)(10L * value.Evaluations / Math.Max(1, value.Planned));
            if (tenths <= _tenths)
                return;
            _tenths = tenths;
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"impact: sensitivity {name}: {value.Evaluations} of about {value.Planned} evaluations done (status quo and proposal, one replicate each)"));
        }
    }

    /// <summary>Without a terminal: one plain line on stderr per completed replicate.</summary>
    internal sealed class LogProgress(TextWriter error, string name) : IProgress<RunProgress>
    {
        private readonly Lock _gate = new();
        private int _printed;

        public void Report(RunProgress value)
        {
            lock (_gate)
            {
                if (value.ReplicatesDone <= _printed)
                    return;
                _printed = value.ReplicatesDone;
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"impact: run {name}: replicate {value.ReplicatesDone}/{value.Replicates} done ({value.PersonsDone:N0} of {value.PersonsTotal:N0} persons)"));
            }
        }
    }

    /// <summary>Calls the handler on the reporting thread (Progress&lt;T&gt; would post it later, after the run).</summary>
    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate)
                handler(value);
        }
    }

    /// <summary>Headline rows: variants status-quo and proposal, every group, the strands' headline metrics.</summary>
    private static IEnumerable<ResultRow> Headline(RunResult result) =>
        result.Rows.Where(r => r.Variant is VariantBuilder.StatusQuo or VariantBuilder.Proposal
                               && result.HeadlineMetrics.Contains(r.Metric));

    /// <summary>
    /// The full listing (<c>--verbose</c>): per scenario a header line, then each headline figure of the
    /// status quo and the proposal in every group with its unit in words and its 95% interval in the
    /// same form, or "unreliable" in place of a figure resting on fewer than
    /// <see cref="MetricUnits.ReliableEvents"/> simulated events (<see cref="MetricUnits.Figure"/>).
    /// </summary>
    private static void WriteListing(TextWriter output, IReadOnlyList<RunResult> results, MoneyBasis[] money)
    {
        for (int i = 0; i < results.Count; i++)
        {
            RunResult result = results[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Scenario} ({result.Strand}): {result.Variants.Count} variants, {result.Settings.Replicates} replicates of {result.Settings.Persons:N0} persons " +
                $"(declared {result.DeclaredPopulation:N0}; counts scaled by {result.ScaleFactor:G6}), seed {result.Settings.Seed}"));
            output.WriteLine($"  basis: {MetricUnits.BasisLine(money[i])}");
            if (result.Uncertainty is { } u)
                output.WriteLine($"  uncertainty: {MetricUnits.UncertaintyLine(u)}");
            foreach (string finding in result.Findings)
                output.WriteLine($"  finding: {finding}");
            foreach (ResultRow row in Headline(result))
            {
                string figure = MetricUnits.Figure(row, MetricUnits.Find(result, row.Metric), money[i], result.Settings.Replicates);
                output.WriteLine($"  {row.Variant} {row.Group} {row.Metric}: {figure}");
            }
        }
    }

    internal static string SummaryJson(string dir, IReadOnlyList<RunResult> results, MoneyBasis[] money)
    {
        var summary = new RunSummary(dir, [.. results.Select((result, i) => new RunSummaryEntry(
            result.Scenario,
            result.Strand,
            results.Count == 1 ? dir : Path.Combine(dir, result.Scenario),
            result.Settings.Seed.ToString(CultureInfo.InvariantCulture),
            result.Settings.Replicates,
            result.Settings.Persons,
            result.DeclaredPopulation,
            [.. result.Variants.Select(v => v.Id)],
            [.. Headline(result).Select(row => new HeadlineFigure(row.Variant, row.Group, row.Metric,
                row.Summary.Mean, row.Summary.Low, row.Summary.High, row.Summary.Replicates, row.Summary.McSe, row.Events,
                MetricUnits.Unit(MetricUnits.Find(result, row.Metric), money[i])))],
            result.Warnings))]);
        return JsonSerializer.Serialize(summary, OutputJson.Relaxed.RunSummary);
    }
}
