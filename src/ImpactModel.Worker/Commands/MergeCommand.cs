using System.CommandLine;
using System.Collections.Immutable;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact merge SHARDS [--out DIR] [--threads N] [--json]</c>: checks that the shared folder holds
/// every shard of every phase of one run (one scenario, seed, replicates, persons and engine), each
/// whole, and writes the run folder through the same code as <c>impact run</c>, from the shards'
/// integer tallies: <c>results.csv</c> byte-identical to one process with the same seed. A missing,
/// damaged or mismatched shard is one line naming it (all of them at once), exit 2, and nothing is written.
/// </summary>
internal static class MergeCommand
{
    public static Command Create(CliConsole console)
    {
        var shards = new Argument<string>("SHARDS") { Description = "The shared folder the shards were written into (impact run SCENARIO --shard I/N --out SHARDS)." };
        var output = new Option<string?>("--out")
        {
            Description = "The run folder (default runs/<scenario>-<yyyyMMdd-HHmmss>). Refused (exit 2) if it exists.",
            HelpName = "DIR",
        };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json("Write exactly one JSON object to stdout: the run folder and headline metrics with intervals.");
        var command = new Command("merge",
            "Merge every shard of a run from the shared folder into its run folder, byte-identical to one process with the same seed.")
        {
            shards, output, threads, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            return Task.FromResult(Merge(parse.GetRequiredValue(shards), parse.GetValue(output), parse.GetValue(threads) ?? 0, parse.GetValue(json),
                host.Services.GetRequiredService<StrandRegistry>(), parse.GetValue(ImpactCli.Verbose), console, cancellationToken));
        });
        return command;
    }

    internal static int Merge(string folder, string? output, int threads, bool json, StrandRegistry strands, bool verbose, CliConsole console,
        CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
            throw new UsageException($"SHARDS '{folder}' is not a folder");
        (ShardHeader? reference, List<string> problems) = Survey(folder);
        if (reference is null || problems.Count > 0)
        {
            foreach (string problem in problems)
                console.Error.WriteLine($"impact: {problem}");
            return ExitCodes.InvalidInput;
        }

        var files = new InputFiles(Path.Combine(Path.GetFullPath(folder), RunFolder.InputsFolder), reference.Inputs);
        Scenario scenario = ShardCommand.LoadScenario(files.Scenario, files);
        IReadOnlyList<IStrandModel> models = strands.For(scenario).Models;
        var settings = new RunSettings(reference.Seed, reference.Replicates, reference.Persons);
        ShardPlan plan = ShardPlan.Create(reference.Shards, reference.Replicates, reference.Persons);
        ShardHeader ours = ShardCommand.Header(scenario, files, settings, models, plan.Shard(1), 1, ShardRunner.Phases(models));
        if (ours.RunKey != (reference with { Shard = 1, Phase = 1 }).RunKey)
        {
            console.Error.WriteLine($"impact: {folder}: the shards cannot be merged by this engine ({FolderShards.Difference(ours, reference)})");
            return ExitCodes.InvalidInput;
        }

        var options = new RunCommand.RunOptions([files.Scenario], output, reference.Replicates, reference.Seed, reference.Persons, threads, json, strands)
        {
            Verbose = verbose,
            ScenarioFiles = files,
            CommandLine = ["merge", folder, .. output is null ? Array.Empty<string>() : ["--out", output]],
        };
        string dir = output ?? Path.Combine("runs", $"{scenario.Name}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}");
        using var source = new FolderShards(folder);
        IReadOnlyList<RunResult> results = RunCommand.RunToFolder([scenario], dir, options, files, console, cancellationToken,
            produce: (s, run, store) => ShardRunner.Merge(s, run with { Threads = threads }, models, plan, source, store, cancellationToken));
        return RunCommand.Summarise(dir, [scenario], results, options, console);
    }

    /// <summary>
    /// Reads every shard file's header and checksum: the run they are of (the header of the first
    /// whole file, in name order) and every problem as one line — a damaged file, a file of another
    /// run, each missing shard and phase.
    /// </summary>
    private static (ShardHeader? Reference, List<string> Problems) Survey(string folder)
    {
        var problems = new List<string>();
        string[] paths = ShardFiles(folder);
        if (paths.Length == 0)
        {
            problems.Add($"{folder}: no shard files (shard-…{ShardHeader.Extension}); run impact run SCENARIO --shard I/N --out {folder} first");
            return (null, problems);
        }

        var headers = new List<(string Path, ShardHeader Header)>();
        foreach (string path in paths)
        {
            try
            {
                using FileStream stream = File.OpenRead(path);
                if (!ShardFormat.Verify(stream, out string? damaged))
                {
                    problems.Add($"{path}: {damaged}; run that shard again");
                    continue;
                }

                stream.Position = 0;
                headers.Add((path, ShardFormat.ReadHeader(stream)));
            }
            catch (Exception e) when (e is ShardFormatException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{path}: {e.Message}");
            }
        }

        if (headers.Count == 0)
            return (null, problems);
        // The run most files are of (the first in name order on a tie): the others are the mismatched ones.
        var (referencePath, reference) = headers.GroupBy(h => h.Header.RunKey, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).First().First();
        var present = new HashSet<(int, int)>();
        foreach ((string path, ShardHeader header) in headers)
        {
            if (header.RunKey != reference.RunKey)
                problems.Add($"{path}: of another run than {referencePath} ({FolderShards.Difference(reference, header)})");
            else if (Path.GetFileName(path) != ShardHeader.FileName(header.Shard, header.Shards, header.Phase))
                problems.Add($"{path}: holds {header.Name}, whose file is {ShardHeader.FileName(header.Shard, header.Shards, header.Phase)}");
            else
                present.Add((header.Shard, header.Phase));
        }

        for (int phase = 1; phase <= reference.Phases; phase++)
        {
            for (int shard = 1; shard <= reference.Shards; shard++)
            {
                if (!present.Contains((shard, phase)))
                    problems.Add($"{folder}: {(reference with { Shard = shard, Phase = phase }).Name} of '{reference.Scenario}' (seed {reference.Seed}) is missing " +
                                 $"({ShardHeader.FileName(shard, reference.Shards, phase)})");
            }
        }

        return (reference, problems);
    }

    /// <summary>The shard files in <paramref name="folder"/>, in name order (a shard being written is a dot-file, not among them).</summary>
    internal static string[] ShardFiles(string folder) =>
        [.. Directory.GetFiles(folder, "shard-*" + ShardHeader.Extension).Order(StringComparer.Ordinal)];

    /// <summary>The scenario's files as a shard keeps them, under a folder that does not exist on disk (<c>SHARDS/inputs</c>).</summary>
    private sealed class InputFiles : IScenarioFiles
    {
        private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

        public InputFiles(string root, ImmutableArray<ShardInput> inputs)
        {
            foreach (ShardInput input in inputs)
                _files[Path.GetFullPath(Path.Combine(root, input.Path))] = [.. input.Bytes];
            Scenario = Path.GetFullPath(Path.Combine(root, inputs[0].Path));
        }

        /// <summary>The scenario's path (the first input).</summary>
        public string Scenario { get; }

        public string Resolve(string referencingFile, string relativePath) =>
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(referencingFile) ?? "", relativePath));

        public ScenarioFileContent Read(string path) =>
            _files.TryGetValue(Path.GetFullPath(path), out byte[]? bytes) ? ScenarioFileContent.Of(bytes)
                : ScenarioFileContent.Failed("not among the files the shards kept");
    }
}
