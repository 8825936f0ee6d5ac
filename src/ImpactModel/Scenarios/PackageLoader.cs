using System.Collections.Immutable;
using System.Security.Cryptography;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Reading;
using ImpactModel.Scenarios.Yaml;
using ImpactModel.Simulation;

namespace ImpactModel.Scenarios;

/// <summary>One scenario of a package: the scenario, the variant whose persons the package counts, and where the package names it.</summary>
/// <param name="Scenario">The loaded scenario.</param>
/// <param name="Variant">The variant the package counts (<c>proposal</c> unless the package names another).</param>
/// <param name="Reference">The path as the package writes it (relative to the package file).</param>
/// <param name="Position">Where the package names the scenario.</param>
public sealed record PackageEntry(Scenario Scenario, string Variant, string Reference, SourcePosition Position)
{
    /// <summary>The scenario's name: the package's id for it (metric qualifiers, folder names).</summary>
    public string Name => Scenario.Name;
}

/// <summary>
/// A package: several scenarios over one population file, so that person 1234 is the same person
/// in each of them and the package can count the cumulative burden on the same people.
/// </summary>
/// <param name="File">The package file.</param>
/// <param name="Id">The package id.</param>
/// <param name="Description">What the package proposes, for the report.</param>
/// <param name="Scenarios">Its scenarios, in the package's order.</param>
/// <param name="PopulationFile">The population file every scenario references (the first scenario's path to it).</param>
/// <param name="PopulationSha256">SHA-256, lower-case hex, over the population file and then each data table it references, each as its length (8 bytes, little-endian) and its bytes: equal exactly when the persons drawn are the same (not the output of sha256sum on the file).</param>
public sealed record Package(string File, string Id, string? Description, ImmutableArray<PackageEntry> Scenarios, string PopulationFile, string PopulationSha256)
{
    /// <summary>The declared population the scenarios share.</summary>
    public long DeclaredPopulation => Scenarios[0].Scenario.Population.Size;
}

/// <summary>What loading a package produced: the package, or every problem in it and in its scenarios.</summary>
public sealed record PackageLoadResult(Package? Package, IReadOnlyList<ScenarioError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Loads and validates a package file (<c>package:</c>, <c>description:</c>, <c>scenarios:</c>) and
/// every scenario it names, with exact positions: a scenario over another population (a different
/// file whose bytes differ), an inline population, an unknown variant or a repeated scenario name is
/// one line at the package's entry for it.
/// </summary>
public static class PackageLoader
{
    /// <summary>Most scenarios in a package: the burden counts every subset of them (2^8 per group and replicate).</summary>
    public const int MaxScenarios = 8;

    private static readonly string[] PackageKeys = ["package", "description", "scenarios"];
    private static readonly string[] EntryKeys = ["path", "variant"];

    /// <summary>True when <paramref name="path"/> is YAML whose top level is a mapping with a <c>package:</c> key (a package file); false for anything else, readable or not.</summary>
    public static bool IsPackage(string path, IScenarioFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        ScenarioFileContent content = files.Read(path);
        if (content.Problem is not null || content.Bytes is null)
            return false;
        var errors = new List<ScenarioError>();
        return YamlDocumentReader.Read(path, content.Bytes, errors) is YamlMapping map && map["package"] is not null && map["strand"] is null;
    }

    /// <summary>Reads and checks the package at <paramref name="path"/> and the scenarios it names, through <paramref name="files"/>.</summary>
    public static PackageLoadResult Load(string path, IScenarioFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var r = new NodeReader();
        ScenarioFileContent content = files.Read(path);
        if (content.Problem is { } problem)
            return new PackageLoadResult(null, [new ScenarioError(path, 0, 0, "", problem)]);
        YamlNode? root = YamlDocumentReader.Read(path, content.Bytes!, r.Errors);
        if (root is null)
            return new PackageLoadResult(null, r.Errors);
        if (r.Mapping(root, "", PackageKeys) is not { } map)
            return new PackageLoadResult(null, r.Errors);

        string? id = r.Id(r.Required(map, "", "package"), "package", "package id");
        string? description = r.Text(NodeReader.Optional(map, "description"), "description");
        var entries = ImmutableArray.CreateBuilder<PackageEntry>();
        var scenarioErrors = new List<ScenarioError>();
        (string File, string Hash, string Reference)? population = null;
        if (r.Required(map, "", "scenarios") is { } listNode)
        {
            if (listNode is not YamlSequence list)
                r.Error(listNode, "scenarios", $"expected a list of scenario files (at least 2), got {listNode.KindName}");
            else if (list.Items.Count < 2 || list.Items.Count > MaxScenarios)
                r.Error(list, "scenarios", $"a package names 2 to {MaxScenarios} scenarios, not {list.Items.Count}");
            else
            {
                for (int i = 0; i < list.Items.Count; i++)
                {
                    if (Entry(r, path, list.Items[i], $"scenarios[{i}]", files, scenarioErrors) is not { } entry)
                        continue;
                    string at = $"scenarios[{i}]";
                    if (entries.FirstOrDefault(e => e.Name == entry.Entry.Name) is { } same)
                    {
                        r.Error(entry.Entry.Position, at, $"scenario '{entry.Entry.Name}' is named twice in the package (also at {same.Position}); each scenario's run folder is named after it");
                        continue;
                    }

                    if (entry.Population is not { } own)
                    {
                        r.Error(entry.Entry.Position, at, $"scenario '{entry.Entry.Name}' declares its population inline; a package's scenarios share one population file (population: FILE)");
                        continue;
                    }

                    if (population is { } first && first.Hash != own.Hash)
                    {
                        r.Error(entry.Entry.Position, at,
                            $"scenario '{entry.Entry.Name}' references population file '{own.Reference}' ({own.File}, sha256 {own.Hash[..12]}…), not the package's " +
                            $"'{first.Reference}' ({first.File}, sha256 {first.Hash[..12]}…): every scenario of a package runs over the same persons");
                        continue;
                    }

                    population ??= own;
                    entries.Add(entry.Entry);
                }
            }
        }

        List<ScenarioError> errors = [.. scenarioErrors, .. r.Errors];
        if (errors.Count > 0 || id is null || population is null)
            return new PackageLoadResult(null, Ordered(errors));
        return new PackageLoadResult(new Package(path, id, description, entries.ToImmutable(), population.Value.File, population.Value.Hash), []);
    }

    private static List<ScenarioError> Ordered(List<ScenarioError> errors) =>
        [.. errors.Select((e, i) => (e, i)).OrderBy(x => x.e.File, StringComparer.Ordinal).ThenBy(x => x.e.Line).ThenBy(x => x.e.Column).ThenBy(x => x.i)
            .Select(x => x.e).Distinct()];

    private static (PackageEntry Entry, (string File, string Hash, string Reference)? Population)? Entry(NodeReader r, string packagePath, YamlNode node,
        string at, IScenarioFiles files, List<ScenarioError> scenarioErrors)
    {
        YamlNode? pathNode = node;
        YamlNode? variantNode = null;
        if (node is YamlMapping)
        {
            YamlMapping? map = r.Mapping(node, at, EntryKeys);
            pathNode = r.Required(map, at, "path");
            variantNode = NodeReader.Optional(map, "variant");
        }

        string? reference = r.Text(pathNode, node is YamlMapping ? $"{at}.path" : at);
        string? variant = variantNode is null ? "proposal" : r.Id(variantNode, $"{at}.variant", "variant");
        if (reference is null || pathNode is null || variant is null)
            return null;

        string resolved = files.Resolve(packagePath, reference);
        ScenarioLoadResult loaded = ScenarioLoader.Load(resolved, files);
        if (!loaded.IsValid)
        {
            // A missing or unreadable scenario is reported where the package names it; its own problems at their own positions.
            foreach (ScenarioError e in loaded.Errors)
            {
                if (e.Line <= 0)
                    r.Error(pathNode, at, $"scenario file '{reference}' ({resolved}): {e.Message}");
                else
                    scenarioErrors.Add(e);
            }

            return null;
        }

        if (loaded.Scenario is not { } scenario)
        {
            r.Error(pathNode, at, $"'{reference}' is a population file, not a scenario (it has no 'strand:')");
            return null;
        }

        // Names are joined by '--' in the package's metrics (harmed_by_pair.a--b, contradiction.p--safeguard--e).
        if (!Joinable(scenario.Name))
        {
            r.Error(pathNode, at, $"scenario name '{scenario.Name}' has '--' in it or ends in '-': in a package, names are joined by '--' in metric names (rename it)");
            return null;
        }

        foreach (SafeguardSpec safeguard in scenario.Safeguards.Where(g => !Joinable(g.Id)))
        {
            r.Error(safeguard.Position, "safeguards", $"safeguard id '{safeguard.Id}' has '--' in it or ends in '-': in a package, ids are joined by '--' in metric names (rename it)");
            return null;
        }

        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(scenario);
        if (!variants.Any(v => v.Id == variant))
        {
            string? closest = Suggest.Closest(variant, [.. variants.Select(v => v.Id)]);
            r.Error(variantNode!, $"{at}.variant", $"scenario '{scenario.Name}' has no variant '{variant}'" +
                (closest is null ? $"; its variants are: {string.Join(", ", variants.Select(v => v.Id))}" : $"; did you mean '{closest}'?"));
            return null;
        }

        return (new PackageEntry(scenario, variant, reference, pathNode.Position), PopulationOf(scenario, files));
    }

    private static bool Joinable(string id) => !id.Contains("--", StringComparison.Ordinal) && !id.EndsWith('-');

    /// <summary>The shared population file a scenario references and the hash of its bytes and data tables; null for an inline population.</summary>
    private static (string File, string Hash, string Reference)? PopulationOf(Scenario scenario, IScenarioFiles files)
    {
        ScenarioFileContent content = files.Read(scenario.File);
        if (content.Bytes is null || YamlDocumentReader.Read(scenario.File, content.Bytes, []) is not YamlMapping map
            || map["population"] is not YamlScalar { IsNull: false } reference)
            return null;
        string file = files.Resolve(scenario.File, reference.Value);
        // The scenario's referenced files: itself, its population file, then the population's data tables.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string part in scenario.ReferencedFiles.Skip(1))
        {
            byte[] bytes = files.Read(part).Bytes ?? [];
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length));
            hash.AppendData(bytes);
        }

        return (file, Convert.ToHexStringLower(hash.GetHashAndReset()), reference.Value);
    }
}
