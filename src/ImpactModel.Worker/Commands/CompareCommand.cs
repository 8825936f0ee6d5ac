using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ImpactModel.Reporting;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact compare SCENARIO-OR-RUN-FOLDER... --out DIR</c>: for working groups choosing between
/// proposals. A scenario file is run with the same options as <c>impact run</c> (its run folder kept
/// under <c>DIR/runs/</c>); a finished run folder is read, not rerun. Writes <c>compare.csv</c>
/// (<c>run</c>, then exactly the columns of results.csv: every compared run's status quo and proposal
/// rows, copied as they are), the comparison charts and <c>report.html</c>, into <c>DIR.partial-…</c>
/// renamed to DIR when complete. Every input is checked before anything runs.
/// </summary>
public static class CompareCommand
{
    /// <summary>The comparison's table.</summary>
    public const string CompareFile = "compare.csv";

    public static Command Create(CliConsole console)
    {
        var inputs = new Argument<string[]>("SCENARIO-OR-RUN-FOLDER")
        {
            Description = "Two or more scenario files (each run as 'impact run' would) or finished run folders (read, not rerun), in any mix.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out")
        {
            Description = "The comparison folder to write (compare.csv, charts/, report.html, and runs/ for the scenarios run). Refused (exit 2) if it exists.",
            HelpName = "DIR",
            Required = true,
        };
        var replicates = CommonOptions.Replicates($"Replicates for the scenarios run (default {RunCommand.DefaultReplicates}).");
        var seed = CommonOptions.Seed($"Random seed for the scenarios run (default {RunCommand.DefaultSeed}).");
        var population = CommonOptions.Population("Persons to simulate per replicate for the scenarios run (default as for 'impact run').");
        var threads = CommonOptions.Threads();
        var command = new Command("compare",
            "Compare proposals side by side: compare.csv (run, then the results.csv columns, for each run's status quo and proposal), " +
            "comparison charts and report.html. Scenarios are run; run folders are read.")
        {
            inputs, output, replicates, seed, population, threads,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            var configuration = host.Services.GetRequiredService<IConfiguration>();
            var options = new RunCommand.RunOptions(
                parse.GetRequiredValue(inputs),
                parse.GetRequiredValue(output),
                parse.GetValue(replicates) ?? CommonOptions.Setting(configuration, "Run:Replicates", Limits.MinReplicates, Limits.MaxReplicates) ?? RunCommand.DefaultReplicates,
                parse.GetValue(seed) ?? RunCommand.DefaultSeed,
                parse.GetValue(population) ?? CommonOptions.Setting(configuration, "Run:Population", Limits.MinPopulation, Limits.MaxPopulation),
                parse.GetValue(threads) ?? 0,
                Json: false,
                host.Services.GetRequiredService<StrandRegistry>())
            {
                ScenarioFiles = host.Services.GetRequiredService<DiskScenarioFiles>(),
                CommandLine = [.. parse.Tokens.Select(t => t.Value)],
            };
            return Task.FromResult(Compare(options, console, cancellationToken));
        });
        return command;
    }

    internal static int Compare(RunCommand.RunOptions options, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        string dir = options.Out ?? throw new UsageException("--out is required");
        if (options.Files.Length < 2)
            throw new UsageException($"compare needs at least two scenarios or run folders, got {options.Files.Length}");
        if (Directory.Exists(dir) || File.Exists(dir))
            throw new UsageException($"--out '{dir}' already exists; compare never overwrites a folder (choose another DIR)");

        // Every input checked first: folders read, scenarios loaded (all their problems at once).
        var files = new RememberingScenarioFiles(options.ScenarioFiles); // the scenarios run are kept as they were loaded
        var inputs = new List<(RunData? Folder, Scenario? Scenario)>();
        var errors = new List<ScenarioError>();
        foreach (string input in options.Files)
        {
            if (Directory.Exists(input) || input.Contains(".partial-", StringComparison.Ordinal))
            {
                try
                {
                    inputs.Add((RunFolderReader.Read(input, options.ScenarioFiles), null));
                }
                catch (RunFolderException e)
                {
                    throw new UsageException(e.Message);
                }

                continue;
            }

            ScenarioLoadResult loaded = ScenarioLoader.Load(input, files);
            errors.AddRange(loaded.Errors);
            if (loaded.IsValid && loaded.Scenario is null)
                throw new UsageException($"'{input}' is a population file, not a scenario or a run folder");
            inputs.Add((null, loaded.Scenario));
        }

        if (errors.Count > 0)
            throw new ScenarioException(errors);
        string[] names = RunNames([.. inputs.Select(i => i.Folder?.Name ?? i.Scenario!.Name)]);

        string partial = RunFolder.CreatePartial(dir);
        // As for a run: Ctrl-C or SIGTERM removes the partial folder (with the runs made in it) at once.
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => RunCommand.RemovePartial(partial));
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => RunCommand.RemovePartial(partial));
        try
        {
            var runs = new List<(string Run, RunData Data)>();
            for (int i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].Folder is { } folder)
                {
                    runs.Add((names[i], folder));
                    continue;
                }

                string runDir = Path.Combine(partial, "runs", names[i]);
                RunCommand.RunToFolder([inputs[i].Scenario!], runDir, options, files, console, cancellationToken, removeOnSignal: false);
                runs.Add((names[i], RunFolderReader.Read(runDir, options.ScenarioFiles)));
            }

            WriteCompareCsv(Path.Combine(partial, CompareFile), runs);
            IReadOnlyList<string> warnings = Warnings(runs);
            foreach (string warning in warnings)
                console.Error.WriteLine($"impact: warning: compare: {warning}");
            ReportWriter.WriteCompare(runs, partial, warnings);
            cancellationToken.ThrowIfCancellationRequested();
            Directory.Move(partial, dir);
        }
        catch
        {
            RunCommand.RemovePartial(partial);
            throw;
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compared {names.Length} runs: {string.Join(", ", names)}"));
        console.Out.WriteLine($"  table: {Path.Combine(dir, CompareFile)}");
        console.Out.WriteLine($"  report: {Path.Combine(dir, ReportWriter.ReportFile)}");
        return ExitCodes.Success;
    }

    /// <summary>Each run's name in compare.csv: its scenario's name, with -2, -3 … appended in argument order when a name repeats.</summary>
    internal static string[] RunNames(IReadOnlyList<string> scenarios)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new string[scenarios.Count];
        for (int i = 0; i < scenarios.Count; i++)
        {
            int n = seen[scenarios[i]] = seen.GetValueOrDefault(scenarios[i]) + 1;
            names[i] = n == 1 ? scenarios[i] : string.Create(CultureInfo.InvariantCulture, $"{scenarios[i]}-{n}");
        }

        // A suffixed name may equal another scenario's own name (a scenario called "x-2"): suffix further until unique.
        var taken = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            for (int k = 2; !taken.Add(name); k++)
                name = string.Create(CultureInfo.InvariantCulture, $"{names[i]}-{k}");
            names[i] = name;
        }

        return names;
    }

    /// <summary>compare.csv: <c>run</c>, then each run's results.csv lines for its status quo and proposal, exactly as that file has them.</summary>
    private static void WriteCompareCsv(string path, IReadOnlyList<(string Run, RunData Data)> runs)
    {
        using var writer = new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write), new UTF8Encoding(false), 1 << 16);
        writer.Write("run," + string.Join(',', RunFolderReader.ResultsColumns) + "\n");
        foreach ((string run, RunData data) in runs)
        {
            bool header = true;
            foreach (string line in File.ReadLines(Path.Combine(data.Folder, "results.csv")))
            {
                if (header)
                {
                    header = false;
                    continue;
                }

                // The variant is the third field; ids never need quoting (PRODUCT.md), so a split is exact.
                string variant = line.Split(',', 4)[2];
                if (variant is VariantBuilder.StatusQuo or VariantBuilder.Proposal)
                    writer.Write(run + "," + line + "\n");
            }
        }
    }

    /// <summary>What differs between the runs in a way a reader must know: seeds, populations, engine versions.</summary>
    internal static IReadOnlyList<string> Warnings(IReadOnlyList<(string Run, RunData Data)> runs)
    {
        var warnings = new List<string>();
        void Differ(string what, Func<RunManifest, string> value)
        {
            if (runs.Select(r => value(r.Data.Manifest)).Distinct(StringComparer.Ordinal).Count() > 1)
                warnings.Add($"the runs differ in {what} ({string.Join("; ", runs.Select(r => $"{r.Run}: {value(r.Data.Manifest)}"))}): differences between them are not only the proposals'");
        }

        Differ("the basis of their money (prices, horizon, discount rate)", m =>
            string.Create(CultureInfo.InvariantCulture, $"{m.Basis.PriceYear} prices, {m.Basis.HorizonYears} years at {m.Basis.DiscountRate}"));
        Differ("seed", m => m.Seed);
        Differ("declared population", m => m.DeclaredPopulation.ToString("N0", CultureInfo.InvariantCulture) + (m.Basis.Population is { } p ? $" ({p})" : ""));
        Differ("persons simulated", m => m.Population.ToString("N0", CultureInfo.InvariantCulture));
        Differ("engine version", m => m.EngineVersion + (m.EngineCommit is { } c ? $" ({c[..Math.Min(12, c.Length)]})" : ""));
        return warnings;
    }
}
