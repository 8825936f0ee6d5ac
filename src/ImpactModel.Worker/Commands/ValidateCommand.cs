using System.CommandLine;
using ImpactModel.Scenarios;
using ImpactModel.Simulation;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace ImpactModel.Worker.Commands;

/// <summary><c>impact validate FILE...</c>: every problem in every file at once; exit 2 if any file is invalid.</summary>
public static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var files = new Argument<string[]>("FILE")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Scenario files (with a top-level 'strand:') or shared population files (without one).",
        };
        var command = new Command("validate",
            "Check scenario and population files: YAML syntax, types, ranges, references, ids and distributions. " +
            "Prints every problem as file:line:column: path: message and exits 2 if any file is invalid.")
        {
            files,
        };
        command.SetAction(parse =>
        {
            using IHost host = ImpactHost.CreateBuilder(parse.GetValue(ImpactCli.Settings) ?? []).Build();
            return Run(parse.GetRequiredValue(files), console, host.Services.GetRequiredService<StrandRegistry>(),
                host.Services.GetRequiredService<DiskScenarioFiles>());
        });
        return command;
    }

    /// <summary>
    /// Validates every file; for a valid scenario also warns (stderr, exit 0) of what would not act in
    /// a run: a strand with no model yet, and each variant override no model reads or that every
    /// variant shares, at its position.
    /// </summary>
    internal static int Run(IReadOnlyList<string> paths, CliConsole console, StrandRegistry strands, IScenarioFiles? files = null)
    {
        // Each file read once: a package is recognised, then loaded, from the same bytes (a pipe can be read only once).
        files = new RememberingScenarioFiles(files ?? DiskScenarioFiles.Instance);
        int invalid = 0;
        // A shared population file's problems would otherwise repeat under every scenario that references it.
        var printed = new HashSet<string>(StringComparer.Ordinal);
        var valid = new List<(string Path, string Summary)>();
        foreach (string path in paths)
        {
            if (PackageLoader.IsPackage(path, files))
            {
                PackageLoadResult package = PackageLoader.Load(path, files);
                foreach (ScenarioError error in package.Errors)
                {
                    if (printed.Add(error.ToString()))
                        console.Error.WriteLine(error.ToString());
                }

                if (package.Package is { } p)
                {
                    valid.Add((path, $"package '{p.Id}': {p.Scenarios.Length} scenarios ({string.Join(", ", p.Scenarios.Select(e => $"{e.Name} {e.Variant}"))}) " +
                                     $"over one population file ({p.PopulationFile}), declared population {p.DeclaredPopulation:N0}"));
                }
                else
                    invalid++;
                continue;
            }

            ScenarioLoadResult result = ScenarioLoader.Load(path, files);
            if (result.Errors.Count > 0)
            {
                invalid++;
                foreach (ScenarioError error in result.Errors)
                {
                    if (printed.Add(error.ToString()))
                        console.Error.WriteLine(error.ToString());
                }
            }
            else
            {
                valid.Add((path, result.Summary));
                if (result.Scenario is { } scenario)
                {
                    StrandModels models = strands.For(scenario);
                    foreach (string warning in models.Warnings.Concat(VariantBuilder.Warnings(scenario, models.Models)))
                        console.Error.WriteLine($"impact: warning: {scenario.Name}: {warning}");
                }
            }
        }

        if (console.IsTerminal && valid.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("file").AddColumn("valid");
            foreach (var (path, summary) in valid)
                table.AddRow(Markup.Escape(path), Markup.Escape(summary));
            AnsiConsole.Write(table);
        }
        else
        {
            foreach (var (path, summary) in valid)
                console.Out.WriteLine($"{path}: ok: {summary}");
        }

        if (invalid > 0 && paths.Count > 1)
            console.Error.WriteLine($"impact: {invalid} of {paths.Count} files invalid");
        return invalid > 0 ? ExitCodes.InvalidInput : ExitCodes.Success;
    }
}
