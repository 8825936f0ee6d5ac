using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ImpactModel.Reporting;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Packages;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Output;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact run PACKAGE</c>: every scenario of a package with all its variants on the same persons
/// (<see cref="PackageRunner"/>), each scenario's own run folder under the package's (its
/// <c>results.csv</c> byte-identical to running it alone with the same settings), and the package's
/// <c>package.csv</c>, <c>manifest.json</c>, <c>charts/package-burden</c> and <c>report.html</c>.
/// </summary>
internal static class PackageCommand
{
    /// <summary>The columns of <c>package.csv</c> (PRODUCT.md, "Interfaces").</summary>
    public static readonly string[] Columns = ["package", "group", "metric", "mean", "ci_low", "ci_high", "replicates"];

    /// <param name="file">The package file.</param>
    /// <param name="options">The run's options (a package is written to files: no store).</param>
    /// <param name="files">Reads the package and its scenarios once each: the bytes run are the bytes kept.</param>
    /// <param name="console">Where the summary and warnings go.</param>
    /// <param name="cancellationToken">Stops the run between chunks; the partial folder is removed.</param>
    internal static int Run(string file, RunCommand.RunOptions options, IScenarioFiles files, CliConsole console, CancellationToken cancellationToken)
    {
        PackageLoadResult loaded = PackageLoader.Load(file, files);
        if (!loaded.IsValid)
            throw new ScenarioException(loaded.Errors);
        Package package = loaded.Package!;
        // Every scenario's strand needs its model: a package of population-only runs would report no one harmed.
        var modelless = package.Scenarios.Where(e => !options.Strands.For(e.Scenario).Warnings.IsEmpty).ToList();
        if (modelless.Count > 0)
        {
            throw new ScenarioException([.. modelless.Select(e => new ScenarioError(e.Position.File, e.Position.Line, e.Position.Column, "scenarios",
                $"scenario '{e.Name}' is of strand '{e.Scenario.Strand}', which has no model in this engine: a package counts what each strand marks"))]);
        }

        // The package's default population is the largest of its scenarios' own defaults.
        long persons = options.Persons ?? package.Scenarios.Max(e => RunCommand.DefaultPersonsOf(e.Scenario));
        var settings = new RunSettings(options.Seed, options.Replicates, persons, options.Threads, options.ChunkSize);
        DateTime started = DateTime.UtcNow;
        string stamp = started.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string dir = options.Out ?? Path.Combine("runs", $"{package.Id}-{stamp}");
        if (Directory.Exists(dir) || File.Exists(dir))
            throw new UsageException($"--out '{dir}' already exists; a run never overwrites a run folder (choose another DIR)");

        string partial = RunFolder.CreatePartial(dir);
        using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => RunCommand.RemovePartial(partial));
        using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => RunCommand.RemovePartial(partial));
        PackageManifest manifest;
        PackageBurden? burden = null;
        try
        {
            var stores = new List<FileReplicateStore>();
            try
            {
                foreach (PackageEntry entry in package.Scenarios)
                {
                    string folder = Path.Combine(partial, entry.Name);
                    Directory.CreateDirectory(folder);
                    stores.Add(new FileReplicateStore(Path.Combine(folder, RunFolder.SpillFile)));
                }

                var clock = Stopwatch.StartNew();
                PackageRun run = PackageRunner.Run(package, settings, options.Strands, stores, new RunCommand.LogProgress(console.Error, package.Id),
                    cancellationToken);
                double elapsed = clock.Elapsed.TotalSeconds;
                for (int s = 0; s < package.Scenarios.Length; s++)
                {
                    PackageEntry entry = package.Scenarios[s];
                    RunCommand.WriteScenario(Path.Combine(partial, entry.Name), entry.Scenario, run.Results[s], stores[s], options, files, console, started,
                        elapsed, cancellationToken);
                }

                burden = run.Burden;
                manifest = Manifest(package, run, settings, options, started, clock.Elapsed.TotalSeconds);
                RunFolder.WriteFile(Path.Combine(partial, "package.csv"), w => WriteCsv(package, run.Burden, w));
                RunFolder.WriteFile(Path.Combine(partial, "manifest.json"), w => w.Write(JsonSerializer.Serialize(manifest, OutputJson.Relaxed.PackageManifest) + "\n"));
                ReportWriter.WritePackage(partial, beingWritten: true); // charts and report.html, from the two files just written
            }
            finally
            {
                foreach (FileReplicateStore store in stores)
                    store.Dispose();
            }

            cancellationToken.ThrowIfCancellationRequested();
            Directory.Move(partial, dir);
        }
        catch
        {
            RunCommand.RemovePartial(partial);
            throw;
        }

        foreach (string warning in (manifest.Warnings ?? []).Where(w => !package.Scenarios.Any(e => w.StartsWith(e.Name + ": ", StringComparison.Ordinal))))
            console.Error.WriteLine($"impact: warning: {package.Id}: {warning}"); // the scenarios' own warnings were printed as their folders were written
        if (options.Json)
        {
            var summary = new PackageSummary(dir, package.Id, [.. package.Scenarios.Select(e => Path.Combine(dir, e.Name))], manifest.Contradictions ?? [], manifest.Warnings ?? []);
            console.Out.WriteLine(JsonSerializer.Serialize(summary, OutputJson.Relaxed.PackageSummary));
            return ExitCodes.Success;
        }

        WritePlain(console.Out, dir, package, manifest, burden!);
        return ExitCodes.Success;
    }

    /// <summary>Writes <c>package.csv</c>: every group's metrics, summarised over replicates.</summary>
    internal static void WriteCsv(Package package, PackageBurden burden, TextWriter writer)
    {
        var csv = new CsvWriter(writer);
        csv.Header(Columns);
        foreach (PackageRow row in burden.Rows)
        {
            csv.Text(package.Id).Text(row.Group).Text(row.Metric).Number(row.Summary.Mean).Number(row.Summary.Low).Number(row.Summary.High)
                .Count(row.Summary.Replicates).EndRow();
        }
    }

    private static PackageManifest Manifest(Package package, PackageRun run, RunSettings settings, RunCommand.RunOptions options, DateTime started,
        double elapsed)
    {
        var groups = package.Scenarios[0].Scenario.Population.Groups;
        var names = groups.ToDictionary(g => g.Id, g => g.Name ?? g.Id, StringComparer.Ordinal);
        var scenarios = new List<PackageScenario>();
        IReadOnlyList<IReadOnlyList<PersonMark>> marks = run.Marks;
        for (int i = 0; i < package.Scenarios.Length; i++)
        {
            PackageEntry entry = package.Scenarios[i];
            IReadOnlyList<PersonMark> own = marks[i];
            string? Meaning(PersonOutcome o) => own.FirstOrDefault(m => m.Outcome == o)?.Meaning;
            scenarios.Add(new PackageScenario(entry.Name, entry.Scenario.Strand, entry.Reference.Replace('\\', '/'), entry.Variant, entry.Name,
                Meaning(PersonOutcome.Harmed), Meaning(PersonOutcome.Benefited), Meaning(PersonOutcome.Exposed), Meaning(PersonOutcome.Protected)));
        }

        var contradictions = new List<PackageContradiction>();
        foreach (Contradiction c in run.Burden.Contradictions)
        {
            string exposes = scenarios.First(s => s.Name == c.Exposing).Exposes ?? "exposed";
            contradictions.Add(new PackageContradiction(c.Protecting, c.Safeguard, c.Exposing, c.Metric,
                new PackageInterval(c.Persons.Mean, c.Persons.Low, c.Persons.High, c.Persons.Replicates), Sentence(c, names, exposes), c.SafeguardType, c.Groups, c.Found));
        }

        List<string> warnings = [.. contradictions.Where(c => c.Found).Select(c => c.Sentence)];
        for (int s = 0; s < package.Scenarios.Length; s++)
        {
            // A mark made only when the declared population is simulated (research's uniques) is absent below it.
            if (settings.Persons < package.DeclaredPopulation && marks[s].FirstOrDefault(m => m.WholePopulationOnly) is { } whole)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{package.Scenarios[s].Name} marks persons {Kind(whole.Outcome)} ({whole.Meaning}) only when the declared population is simulated; " +
                    $"at {settings.Persons:N0} of {package.DeclaredPopulation:N0} persons it marks none, so the package counts none: run with --population {package.DeclaredPopulation}"));
            }
        }

        foreach ((RunResult result, PackageEntry entry) in run.Results.Zip(package.Scenarios))
            warnings.AddRange(result.Warnings.Select(w => $"{entry.Name}: {w}"));
        string population = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(package.File)) ?? ".", Path.GetFullPath(package.PopulationFile)).Replace('\\', '/');
        return new PackageManifest(
            package.Id,
            package.Description,
            RunFolder.EngineVersion,
            settings.Seed.ToString(CultureInfo.InvariantCulture),
            settings.Replicates,
            settings.Persons,
            package.DeclaredPopulation,
            started.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            Math.Round(elapsed, 3),
            new PackagePopulation(population, package.PopulationSha256),
            scenarios,
            [.. groups.Select(g => new PackageGroup(g.Id, g.Name ?? g.Id))],
            contradictions,
            warnings,
            ["package.csv", "manifest.json", "charts/package-burden.png", "charts/package-burden.svg", "report.html", .. package.Scenarios.Select(e => e.Name + "/")],
            options.CommandLine,
            options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
            ReplicateStatistics.IntervalDescription);
    }

    private static string Kind(PersonOutcome outcome) => outcome switch
    {
        PersonOutcome.Harmed => "harmed",
        PersonOutcome.Benefited => "benefited",
        PersonOutcome.Exposed => "exposed",
        _ => "protected",
    };

    /// <summary>One plain sentence: who the safeguard withholds, and how many of them the other scenario exposes.</summary>
    internal static string Sentence(Contradiction c, IReadOnlyDictionary<string, string> groupNames, string exposes)
    {
        string who = c.SafeguardType switch
        {
            "sensitive-category-exclusion" => "members of " + string.Join(" and ", c.Groups.Select(g => groupNames.TryGetValue(g, out string? n) ? n : g)),
            "opt-out" => "people who opt out",
            "consent" => "people who do not consent",
            _ => "people who opt out or do not consent",
        };
        string figure = c.Persons.Mean is { } mean
            ? string.Create(CultureInfo.InvariantCulture, $"about {mean:N0} persons")
              + (c.Persons is { Low: { } low, High: { } high } ? string.Create(CultureInfo.InvariantCulture, $" (95% interval {low:N0} to {high:N0})") : "")
            : "no persons";
        return $"{c.Protecting}'s safeguard '{c.Safeguard}' withholds {who}, yet {c.Exposing} exposes {figure} of them ({exposes})";
    }

    /// <summary>The terminal summary: where the folders are, the cumulative burden by group, and the contradictions.</summary>
    private static void WritePlain(TextWriter output, string dir, Package package, PackageManifest manifest, PackageBurden data)
    {
        output.WriteLine($"package {package.Id}: {package.Scenarios.Length} scenarios on the same {manifest.Persons:N0} persons a replicate, {manifest.Replicates} replicates (scaled to {manifest.DeclaredPopulation:N0})");
        foreach (PackageScenario s in manifest.Scenarios)
            output.WriteLine($"  {s.Name} ({s.Variant}): {Path.Combine(dir, s.Folder)}; harm: {s.Harms ?? "none marked"}; benefit: {s.Benefits ?? "none marked"}");
        output.WriteLine("share of each group harmed by at least one, two or more, and all of the package's scenarios (mean, 95% interval):");
        string[] rows = ["all", .. manifest.Groups.Select(g => g.Id), "rest"];
        foreach (string group in rows)
        {
            string label = manifest.Groups.FirstOrDefault(g => g.Id == group)?.Name ?? group;
            output.WriteLine($"  {label}: any {Rate(data, group, "harmed_by_any_rate")}, two or more {Rate(data, group, "harmed_by_two_or_more_rate")}, " +
                             $"all {Rate(data, group, "harmed_by_all_rate")}");
        }

        var found = (manifest.Contradictions ?? []).Where(c => c.Found).ToList();
        output.WriteLine(found.Count == 0 ? "contradictions: none found" : $"contradictions: {found.Count}");
        foreach (PackageContradiction c in found)
            output.WriteLine("  " + c.Sentence);
        output.WriteLine($"package folder: {dir} (package.csv, report.html)");
    }

    private static string Rate(PackageBurden data, string group, string metric)
    {
        if (data.Of(group, metric) is not { Mean: { } mean } figure)
            return "undefined";
        string text = string.Create(CultureInfo.InvariantCulture, $"{mean * 100:0.###}%");
        return figure is { Low: { } low, High: { } high } ? text + string.Create(CultureInfo.InvariantCulture, $" ({low * 100:0.###}–{high * 100:0.###}%)") : text;
    }
}
