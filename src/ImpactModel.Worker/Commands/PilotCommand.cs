using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ImpactModel.Pilot.Simulation;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Output;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact pilot SCENARIO</c>: sizes the scenario's pilot by simulating it many times with the
/// engine (<see cref="PilotStudy"/>) and writes a pilot folder (<c>pilot.csv</c>, <c>manifest.json</c>,
/// <c>summary.txt</c>, <c>charts/power-curves*</c>) as <c>DIR.partial-…</c>, renamed when complete.
/// docs/pilot-design.md says what each column means and how to read it.
/// </summary>
public static class PilotCommand
{
    public const int DefaultSimulations = 1000;
    public const ulong DefaultSeed = 1;
    public const string PilotFile = "pilot.csv";
    public const string SummaryFile = "summary.txt";

    public static readonly string[] PilotColumns =
        ["scenario", "design", "outcome", "group", "months", "areas_per_arm", "persons", "power", "power_se", "bias", "bias_se", "coverage", "mde", "icc", "analytic_power"];

    /// <summary>What a pilot is asked for.</summary>
    public sealed record PilotOptions(string File, string? Out, int Simulations, ImmutableArray<int>? AreasPerArm, ulong Seed, double? Fraction, int Threads, bool Json,
        StrandRegistry Registry)
    {
        public IScenarioFiles ScenarioFiles { get; init; } = DiskScenarioFiles.Instance;

        public IReadOnlyList<string> CommandLine { get; init; } = [];
    }

    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("SCENARIO") { Description = "A scenario file with a pilot section." };
        var output = new Option<string?>("--out") { Description = "The pilot folder to write (default pilots/<scenario>-<yyyyMMdd-HHmmss>); it must not exist.", HelpName = "DIR" };
        var simulations = CommonOptions.Whole("--simulations",
            $"Simulated pilots per design point (default {DefaultSimulations:N0}; at least {PilotStudy.MinimumSimulations}). The Monte Carlo error of a power is √(p(1 − p)/N).",
            "N", PilotStudy.MinimumSimulations, 100_000, DefaultSimulations);
        var areas = new Option<string?>("--areas-per-arm")
        {
            Description = $"Local authorities per arm to try, comma-separated (default 2 to {PilotStudy.DefaultLargestArm}, bounded by the candidate areas).",
            HelpName = "LIST",
        };
        var fraction = CommonOptions.Real("--fraction",
            $"Share of each pilot local authority's persons to simulate, in (0, 1] (default: {PilotStudy.PersonsBudget:N0} persons over all candidates, at most 1). Stated in the output.", "F");
        var seed = CommonOptions.Seed($"Random seed (default {DefaultSeed}).");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json("Write exactly one JSON object to stdout (the rows, the summary and the folder).");
        var command = new Command("pilot",
            "Size the scenario's pilot by simulating it: draw pilot local authorities from the candidate areas, run the proposal in " +
            "treated units and the status quo in controls with the engine itself, analyse each simulated pilot as the real one would, " +
            "and report power (with its Monte Carlo error), bias, coverage and the detectable effect for each design, duration and size, " +
            "next to the analytic answer. See docs/pilot-design.md.")
        {
            file, output, simulations, areas, fraction, seed, threads, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            var options = new PilotOptions(parse.GetRequiredValue(file), parse.GetValue(output), parse.GetValue(simulations), ParseGrid(parse.GetValue(areas)),
                parse.GetValue(seed) ?? DefaultSeed, parse.GetValue(fraction), parse.GetValue(threads) ?? 0, parse.GetValue(json),
                host.Services.GetRequiredService<StrandRegistry>())
            {
                ScenarioFiles = host.Services.GetRequiredService<DiskScenarioFiles>(),
                CommandLine = [.. parse.Tokens.Select(t => t.Value)],
            };
            return Task.FromResult(Run(options, console, cancellationToken));
        });
        return command;
    }

    /// <summary>The <c>--areas-per-arm</c> list: whole numbers from 2, comma-separated.</summary>
    internal static ImmutableArray<int>? ParseGrid(string? text)
    {
        if (text is null)
            return null;
        var sizes = ImmutableArray.CreateBuilder<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 2 || k > 10_000)
                throw new UsageException($"--areas-per-arm: '{ScenarioError.Excerpt(part)}' is not a whole number from 2 to 10,000 (a list such as 2,4,8)");
            sizes.Add(k);
        }

        return sizes.ToImmutable();
    }

    internal static int Run(PilotOptions options, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Fraction is { } f && !(f > 0 && f <= 1))
            throw new UsageException($"--fraction: {f.ToString("R", CultureInfo.InvariantCulture)} is not in (0, 1]");
        var files = new RememberingScenarioFiles(options.ScenarioFiles);
        ScenarioLoadResult loaded = ScenarioLoader.Load(options.File, files);
        if (!loaded.IsValid)
            throw new ScenarioException(loaded.Errors);
        Scenario scenario = loaded.Scenario ?? throw new UsageException($"'{options.File}' is a population file, not a scenario (it has no 'strand:')");
        DateTime started = DateTime.UtcNow;
        string dir = options.Out ?? Path.Combine("pilots", $"{scenario.Name}-{started.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        PilotStudyResult study = SizeToFolder(scenario, dir, options, files, console, removeOnSignal: true, cancellationToken);
        IReadOnlyList<string> summary = PilotSummary.Of(study);
        foreach (string warning in study.Warnings)
            console.Error.WriteLine($"impact: warning: {scenario.Name}: {warning}"); // PRODUCT.md: warnings go to stderr; also in summary.txt and the JSON
        if (options.Json)
        {
            console.Out.WriteLine(Json(study, summary, dir, null));
            return ExitCodes.Success;
        }

        console.Out.WriteLine(Heading(study));
        foreach (string line in summary)
            console.Out.WriteLine(line);
        console.Out.WriteLine($"  table: {Path.Combine(dir, PilotFile)}");
        console.Out.WriteLine($"  chart: {Path.Combine(dir, "charts", "power-curves.png")}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Sizes the pilot of a loaded <paramref name="scenario"/> and writes the folder <paramref name="dir"/>,
    /// written as <c>DIR.partial-…</c> and renamed only when complete. An existing DIR is refused
    /// (<see cref="UsageException"/>); the scenario's problems are refused before anything is written.
    /// </summary>
    internal static PilotStudyResult SizeToFolder(Scenario scenario, string dir, PilotOptions options, IScenarioFiles files, CliConsole console,
        bool removeOnSignal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<IStrandModel> models = options.Registry.For(scenario).Models;
        var request = new PilotRequest(options.Seed, options.Simulations, options.AreasPerArm, options.Fraction, options.Threads);
        PilotStudy.Prepare(scenario, models, request); // every problem of the scenario, before any folder exists
        if (Directory.Exists(dir) || File.Exists(dir))
            throw new UsageException($"--out '{dir}' already exists; a pilot never overwrites a folder (choose another DIR)");
        DateTime started = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string partial = RunFolder.CreatePartial(dir);
        using PosixSignalRegistration? onInterrupt = removeOnSignal ? PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => RunCommand.RemovePartial(partial)) : null;
        using PosixSignalRegistration? onTerminate = removeOnSignal ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => RunCommand.RemovePartial(partial)) : null;
        try
        {
            PilotStudyResult study = console.IsTerminal && !options.Json
                ? WithProgress(scenario, models, request, cancellationToken)
                : PilotStudy.Run(scenario, models, request, null, cancellationToken);
            RunFolder.WriteFile(Path.Combine(partial, PilotFile), writer => WriteRows(study, writer));
            IReadOnlyList<string> summary = PilotSummary.Of(study);
            RunFolder.WriteFile(Path.Combine(partial, SummaryFile), writer =>
            {
                writer.Write(Heading(study) + "\n");
                foreach (string line in summary)
                    writer.Write(line + "\n");
                foreach (string warning in study.Warnings)
                    writer.Write($"warning: {warning}\n");
            });
            PilotCharts.Write(partial, study);
            var manifest = new Manifest(RunFolder.ScenarioHash(scenario, files), RunFolder.EngineVersion, RunFolder.EngineCommit, options.CommandLine,
                options.Threads > 0 ? options.Threads : Environment.ProcessorCount, started, clock.Elapsed.TotalSeconds);
            RunFolder.WriteFile(Path.Combine(partial, "manifest.json"), writer => writer.Write(Json(study, summary, null, manifest) + "\n"));
            cancellationToken.ThrowIfCancellationRequested();
            Directory.Move(partial, dir);
            return study;
        }
        catch
        {
            RunCommand.RemovePartial(partial);
            throw;
        }
    }

    private static PilotStudyResult WithProgress(Scenario scenario, IReadOnlyList<IStrandModel> models, PilotRequest request, CancellationToken cancellationToken)
    {
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        PilotStudyResult? result = null;
        stderr.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"simulating {request.Simulations:N0} pilots", maxValue: request.Simulations);
                int done = 0;
                result = PilotStudy.Run(scenario, models, request, _ => task.Value = Interlocked.Increment(ref done), cancellationToken);
                task.Value = request.Simulations;
            });
        return result!;
    }

    private static string Heading(PilotStudyResult study) => string.Create(CultureInfo.InvariantCulture,
        $"pilot of {study.Setup.Scenario.Name}: {study.Settings.Simulations:N0} simulated pilots per point, {study.Setup.Units.Length} candidate {(study.Setup.ByAuthority ? "local authorities" : "areas")} in {string.Join(", ", study.Setup.Spec.Areas)}, each unit's persons simulated at a {study.Fraction:0.#####} share; target power {study.Setup.Spec.Power.Mean}, alpha {study.Setup.Spec.Alpha.Mean}");

    /// <summary>Writes <c>pilot.csv</c>: one row per design × duration × size × outcome, in that order.</summary>
    internal static void WriteRows(PilotStudyResult study, TextWriter writer)
    {
        var csv = new CsvWriter(writer);
        csv.Header(PilotColumns);
        foreach (PilotRow row in study.Rows)
        {
            csv.Text(study.Setup.Scenario.Name).Text(row.Design).Text(row.Outcome).Text(row.Group).Count(row.Months).Count(row.AreasPerArm).Count(row.Persons)
                .Number(row.Power).Number(row.PowerSe).Number(row.Bias).Number(row.BiasSe).Number(row.Coverage).Number(row.Mde).Number(row.Icc)
                .Number(row.AnalyticPower).EndRow();
        }
    }

    /// <summary>What the manifest adds to the JSON of the study.</summary>
    private sealed record Manifest(string ScenarioSha256, string EngineVersion, string? EngineCommit, IReadOnlyList<string> CommandLine, int Threads,
        DateTime Started, double ElapsedSeconds);

    /// <summary>The study as JSON: the manifest's fields (with <paramref name="manifest"/>) or stdout's (with the folder).</summary>
    private static string Json(PilotStudyResult study, IReadOnlyList<string> summary, string? dir, Manifest? manifest)
    {
        PilotSetup setup = study.Setup;
        var o = new OrderedDictionary<string, object?>
        {
            ["scenario"] = setup.Scenario.Name,
            ["strand"] = setup.Scenario.Strand,
        };
        if (manifest is not null)
        {
            o["scenario_sha256"] = manifest.ScenarioSha256;
            o["engine_version"] = manifest.EngineVersion;
            o["engine_commit"] = manifest.EngineCommit;
            o["command_line"] = manifest.CommandLine.ToArray();
            o["threads"] = manifest.Threads;
            o["started_utc"] = manifest.Started.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            o["elapsed_seconds"] = Math.Round(manifest.ElapsedSeconds, 3);
        }
        else
        {
            o["folder"] = dir;
        }

        o["seed"] = study.Settings.Seed.ToString(CultureInfo.InvariantCulture);
        o["simulations"] = study.Settings.Simulations;
        o["target_power"] = setup.Spec.Power.Mean;
        o["alpha"] = setup.Spec.Alpha.Mean;
        o["units"] = setup.ByAuthority ? "local authorities" : "areas";
        o["candidate_areas"] = setup.Spec.Areas.ToArray();
        o["candidate_units"] = setup.Units.Select(u => u.Id).ToArray();
        o["fraction"] = study.Fraction;
        o["persons_per_replicate"] = study.Enrolment.Persons;
        o["areas_per_arm"] = study.Settings.AreasPerArm.Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        o["counts_a_year"] = study.Settings.YearlyOutcomes ? "yes: a pilot of m months sees m/12 of a year's events" : "no: a pilot sees every event whatever its length";
        o["outcomes"] = study.Outcomes.Select(x => new OrderedDictionary<string, object?>
        {
            ["id"] = x.Spec.Id,
            ["kind"] = x.Spec.Kind switch { PilotOutcomeKind.Benefit => "benefit", PilotOutcomeKind.HarmTolerance => "harm-tolerance", _ => "safeguard-efficacy" },
            ["metric"] = x.Metric,
            ["group"] = x.Group,
            ["safeguard"] = x.Spec.Safeguard,
            [x.Spec.Kind == PilotOutcomeKind.HarmTolerance ? "tolerance" : "minimum_effect"] = x.Target,
        }).ToList();
        o["rows"] = study.Rows.Select(r => new OrderedDictionary<string, object?>
        {
            ["design"] = r.Design,
            ["outcome"] = r.Outcome,
            ["group"] = r.Group,
            ["months"] = r.Months,
            ["areas_per_arm"] = r.AreasPerArm,
            ["persons"] = r.Persons,
            ["power"] = r.Power,
            ["power_se"] = r.PowerSe,
            ["bias"] = r.Bias,
            ["bias_se"] = r.BiasSe,
            ["coverage"] = r.Coverage,
            ["mde"] = r.Mde,
            ["icc"] = r.Icc,
            ["analytic_power"] = r.AnalyticPower,
            ["true_effect"] = r.TrueEffect,
            ["estimates"] = r.Estimates,
            ["added_cost_gbp"] = r.Cost,
        }).ToList();
        o["summary"] = summary.ToArray();
        o["warnings"] = study.Warnings.ToArray();
        return JsonSerializer.Serialize(o, OutputJson.Relaxed.Fields);
    }
}

/// <summary>The pilot folder's charts, drawn from its own <c>pilot.csv</c> as a report is from a run folder's files.</summary>
internal static class PilotCharts
{
    public static IReadOnlyList<Reporting.RenderedChart> Write(string folder, PilotStudyResult study) =>
        Reporting.Charts.PowerCurvesChart.Write(Reporting.PilotTable.Read(Path.Combine(folder, PilotCommand.PilotFile)), study.Setup.Spec.Power.Mean,
            Path.Combine(folder, "charts"));
}
