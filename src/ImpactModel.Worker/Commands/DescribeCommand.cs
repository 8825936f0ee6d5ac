using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Output;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact describe SCENARIO</c>: the realised synthetic population next to what the scenario
/// declared, with standard errors, so users can check the population before trusting anything
/// built on it. The JSON is a pure function of the inputs (no timings, dates or paths).
/// </summary>
public static class DescribeCommand
{
    /// <summary>Persons simulated when --population is not given: enough for errors of a few in 10,000.</summary>
    public const long DefaultPersons = 1_000_000;

    public const ulong DefaultSeed = 1;

    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("SCENARIO") { Description = "A scenario file, or a shared population file." };
        var population = CommonOptions.Population(
            $"Persons to simulate (default: the declared population, at most {DefaultPersons:N0}). 67000000 is the UK.");
        var seed = CommonOptions.Seed($"Random seed (default {DefaultSeed}).");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json("Write exactly one JSON object to stdout (groups, areas, overlaps, income_deciles).");
        var command = new Command("describe",
            "Generate the synthetic population of a scenario and compare it with what the scenario declared: prevalence " +
            "by group, share by area, group overlaps and income deciles, each with the realised value, its standard " +
            "error and the difference in standard errors.")
        {
            file, population, seed, threads, json,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            return Task.FromResult(Run(parse.GetRequiredValue(file), parse.GetValue(population), parse.GetValue(seed) ?? DefaultSeed,
                parse.GetValue(threads) ?? 0, parse.GetValue(json), console, cancellationToken, host.Services.GetRequiredService<DiskScenarioFiles>()));
        });
        return command;
    }

    internal static int Run(string path, long? persons, ulong seed, int threads, bool json, CliConsole console, CancellationToken cancellationToken,
        IScenarioFiles? files = null)
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load(path, files ?? DiskScenarioFiles.Instance);
        if (!loaded.IsValid)
            throw new ScenarioException(loaded.Errors);
        PopulationSpec spec = loaded.Population!;
        long n = persons ?? Math.Min(spec.Size, DefaultPersons);
        long linkedPersons = Math.Min(n, LinkageDescription.MaxPersons);

        // The linkages are simulated beside the population, not after it: each has steps on one thread
        // (compiling, the figures after the tally) that the other fills. Each is a pure function of the
        // scenario and seed whatever the threads, so running them together changes nothing they print.
        using var linkageCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<IReadOnlyList<LinkageSection>> linking = loaded.Scenario is { } scenario
            ? Task.Run(() => LinkageDescription.Describe(scenario, seed, linkedPersons, threads, linkageCancel.Token), CancellationToken.None)
            : Task.FromResult<IReadOnlyList<LinkageSection>>([]);
        PopulationDescription description;
        try
        {
            description = console.IsTerminal && !json
                ? WithProgress(spec, seed, n, threads, cancellationToken)
                : PopulationDescription.Describe(spec, seed, n, threads, null, cancellationToken);
        }
        catch
        {
            // Nothing is left running: the linkages stop and are waited for before the failure goes on.
            linkageCancel.Cancel();
            try
            {
                linking.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // The population's failure is the one reported.
            }

            throw;
        }

        IReadOnlyList<LinkageSection> linkage = linking.GetAwaiter().GetResult();
        string name = loaded.Scenario?.Name ?? Path.GetFileNameWithoutExtension(path);
        if (json)
            console.Out.WriteLine(ToJson(name, loaded.Scenario?.Strand, description, linkage, linkedPersons));
        else if (console.IsTerminal)
            WriteTables(name, description, linkage, linkedPersons);
        else
            WriteLines(console.Out, name, description, linkage, linkedPersons);
        return ExitCodes.Success;
    }

    private static PopulationDescription WithProgress(PopulationSpec spec, ulong seed, long n, int threads, CancellationToken cancellationToken)
    {
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        PopulationDescription? result = null;
        stderr.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"generating {n:N0} persons", maxValue: n);
                var progress = new Progress<long>(done => task.Value = done);
                result = PopulationDescription.Describe(spec, seed, n, threads, progress, cancellationToken);
                task.Value = n;
            });
        return result!;
    }

    internal static string ToJson(string scenario, string? strand, PopulationDescription d, IReadOnlyList<LinkageSection> linkage, long linkedPersons)
    {
        var report = new PopulationReport(
            scenario,
            strand,
            d.Seed.ToString(CultureInfo.InvariantCulture),
            d.Replicate,
            d.DeclaredPopulation,
            d.SimulatedPopulation,
            d.Rest,
            [.. d.Groups.Select(PrevalenceFigure.From)],
            [.. d.Areas.Select(ShareFigure.From)],
            [.. d.Overlaps.Select(ShareFigure.From)],
            [.. d.IncomeDeciles.Select(ShareBelowFigure.From)],
            [.. d.AgeBands.Select(ShareFigure.From)],
            [.. d.Sex.Select(ShareFigure.From)],
            [.. d.HouseholdSizes.Select(ShareFigure.From)],
            [.. linkage.Select(section => new LinkageReport(section.Id, section.From, section.To, linkedPersons,
                [.. section.Rows.Select(LinkageGroup)]))])
        {
            LocalAuthorities = [.. d.LocalAuthorities.Select(ShareFigure.From)],
            GroupsByAgeBand = [.. d.GroupsByAgeBand.Select(ShareFigure.From)],
            Clustering = d.Clustering,
            AdultOnly = d.AdultOnly,
        };
        return JsonSerializer.Serialize(report, OutputJson.Default.PopulationReport);
    }

    private static LinkageGroupReport LinkageGroup(LinkageRow row)
    {
        var group = new LinkageGroupReport(row.Group, row.Processed);
        foreach (LinkageRate rate in row.Rates)
            group.Rates.Add(rate.Metric, new LinkageRateReport(rate.Simulated, rate.StandardError, rate.Expected, rate.Denominator));
        return group;
    }

    private static readonly (string Title, Func<PopulationDescription, IReadOnlyList<DescribedFigure>> Rows)[] Sections =
    [
        ("Peripheral groups: prevalence", d => d.Groups),
        ("Areas: share of persons", d => d.Areas),
        ("Overlaps: share of the first group also in the second", d => d.Overlaps),
        ("Income: share of persons below each declared decile boundary", d => d.IncomeDeciles),
        ("Age: share of persons in each band", d => d.AgeBands),
        ("Sex: share of persons who are female", d => d.Sex),
        ("Households: share of persons in households of each size", d => d.HouseholdSizes),
        ("Groups by age: prevalence in each age band next to the model's expectation", d => d.GroupsByAgeBand),
    ];

    /// <summary>Local authorities in one line: hundreds of rows belong in the JSON, not on a screen.</summary>
    private static string AuthoritiesSummary(PopulationDescription d)
    {
        var finite = d.LocalAuthorities.Where(f => double.IsFinite(f.Z)).ToList();
        double largest = finite.Count > 0 ? finite.Max(f => Math.Abs(f.Z)) : double.NaN;
        return $"{d.LocalAuthorities.Count} local authorities: realised shares within {Z(largest).TrimStart('+')} standard errors of declared " +
               $"(largest |z|; {finite.Count(f => Math.Abs(f.Z) > 4)} beyond 4; every share in the JSON output)";
    }

    private static string ClusteringText(AuthorityClustering c) =>
        $"sd {c.Sd.ToString("0.###", CultureInfo.InvariantCulture)}, prevalence by authority {P(c.Lowest)} to {P(c.Highest)} " +
        $"(5th-95th percentile {P(c.Percentile5)} to {P(c.Percentile95)}), ICC: model {P(c.IccModel)}, this replicate {P(c.IccReplicate)}, " +
        $"realised {P(c.IccRealised)} ± {P(c.IccStandardError)}";

    private static void WriteTables(string name, PopulationDescription d, IReadOnlyList<LinkageSection> linkage, long linkedPersons)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {d.SimulatedPopulation:N0} persons simulated " +
                               $"(declared {d.DeclaredPopulation:N0}), seed {d.Seed}, replicate {d.Replicate}; {d.Rest:N0} in no group");
        foreach (var (title, rows) in Sections)
        {
            if (rows(d).Count == 0)
                continue;
            var table = new Table().Border(TableBorder.Rounded).Title(title)
                .AddColumn("name").AddColumn(new TableColumn("declared").RightAligned()).AddColumn(new TableColumn("drawn").RightAligned())
                .AddColumn(new TableColumn("realised").RightAligned()).AddColumn(new TableColumn("std. error").RightAligned())
                .AddColumn(new TableColumn("z").RightAligned());
            foreach (var f in rows(d))
                table.AddRow(Markup.Escape(f.Name), P(f.Declared), P(f.Drawn), P(f.Realised), P(f.StandardError), Z(f.Z));
            AnsiConsole.Write(table);
        }

        if (d.LocalAuthorities.Count > 0)
            AnsiConsole.MarkupLine(Markup.Escape(AuthoritiesSummary(d)));
        if (d.Clustering.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title("Between local authorities: spread of each group's prevalence, and the intra-cluster correlation (ICC)")
                .AddColumn("group").AddColumn(new TableColumn("sd (logit)").RightAligned())
                .AddColumn(new TableColumn("lowest").RightAligned()).AddColumn(new TableColumn("5th pct").RightAligned())
                .AddColumn(new TableColumn("95th pct").RightAligned()).AddColumn(new TableColumn("highest").RightAligned())
                .AddColumn(new TableColumn("ICC model").RightAligned()).AddColumn(new TableColumn("ICC replicate").RightAligned())
                .AddColumn(new TableColumn("ICC realised ± se").RightAligned());
            foreach (AuthorityClustering c in d.Clustering)
                table.AddRow(Markup.Escape(c.Group), c.Sd.ToString("0.###", CultureInfo.InvariantCulture), P(c.Lowest), P(c.Percentile5),
                    P(c.Percentile95), P(c.Highest), P(c.IccModel), P(c.IccReplicate), $"{P(c.IccRealised)} ± {P(c.IccStandardError)}");
            AnsiConsole.Write(table);
        }

        foreach (AdultOnlyCheck check in d.AdultOnly)
            AnsiConsole.MarkupLine(Markup.Escape($"adults only: {check.Group}: {check.UnderSixteen:N0} of {check.Members:N0} members under 16"));

        foreach (LinkageSection section in linkage)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"Linkage {section.Id} ({section.From} to {section.To}): simulated on {linkedPersons:N0} persons, next to the calculator's expectation")
                .AddColumn("group").AddColumn(new TableColumn("processed").RightAligned());
            foreach (LinkageRate rate in section.Rows[0].Rates)
                table.AddColumn(new TableColumn(rate.Metric + "\nsimulated ± se (expected)").RightAligned());
            foreach (LinkageRow row in section.Rows)
                table.AddRow([Markup.Escape(row.Group), row.Processed.ToString("N0", CultureInfo.InvariantCulture), .. row.Rates.Select(RateText)]);
            AnsiConsole.Write(table);
        }
    }

    private static string RateText(LinkageRate r) =>
        $"{P(r.Simulated ?? double.NaN)} ± {P(r.StandardError ?? double.NaN)} ({P(r.Expected ?? double.NaN)})";

    private static void WriteLines(TextWriter output, string name, PopulationDescription d, IReadOnlyList<LinkageSection> linkage, long linkedPersons)
    {
        output.WriteLine($"{name}: {d.SimulatedPopulation} persons simulated (declared {d.DeclaredPopulation}), seed {d.Seed}, replicate {d.Replicate}, rest {d.Rest}");
        foreach (var (title, rows) in Sections)
        {
            foreach (var f in rows(d))
                output.WriteLine($"{title.Split(':')[0].ToLowerInvariant()}: {f.Name}: declared {P(f.Declared)}, drawn {P(f.Drawn)}, realised {P(f.Realised)} ± {P(f.StandardError)} (z {Z(f.Z)})");
        }

        if (d.LocalAuthorities.Count > 0)
            output.WriteLine($"local authorities: {AuthoritiesSummary(d)}");
        foreach (AuthorityClustering c in d.Clustering)
            output.WriteLine($"between local authorities: {c.Group}: {ClusteringText(c)}");
        foreach (AdultOnlyCheck check in d.AdultOnly)
            output.WriteLine($"adults only: {check.Group}: {check.UnderSixteen} of {check.Members} members under 16");

        foreach (LinkageSection section in linkage)
        {
            foreach (LinkageRow row in section.Rows)
            {
                output.WriteLine($"linkage {section.Id} ({linkedPersons} persons simulated): {row.Group}: " +
                                 string.Join(", ", row.Rates.Select(r => $"{r.Metric} {RateText(r)}")));
            }
        }
    }

    private static string P(double x) => double.IsFinite(x) ? x.ToString("0.000000", CultureInfo.InvariantCulture) : "undefined";

    private static string Z(double z) => double.IsFinite(z) ? z.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) : "undefined";
}
