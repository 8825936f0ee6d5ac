using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Reading;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios;

/// <summary>
/// What loading a file produced: a scenario (a file with a top-level <c>strand:</c>), a shared
/// population file (without one), and every problem found in it and the files it references.
/// </summary>
public sealed record ScenarioLoadResult(Scenario? Scenario, PopulationSpec? Population, IReadOnlyList<ScenarioError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>A one-line description of a valid file.</summary>
    public string Summary => Scenario is { } s
        ? $"scenario '{s.Name}' ({s.Strand}): {s.Population.Groups.Length} groups, {s.DataSources.Length} data sources, " +
          $"{s.Safeguards.Length} safeguards, {s.Variants.Length} declared variants, declared population {s.Population.Size:N0}"
        : Population is { } p
            ? $"population file: {p.Areas.Length} areas, {p.Groups.Length} groups, declared population {p.Size:N0}"
            : "invalid";
}

/// <summary>Loads and validates scenario and shared population files, reporting every problem with its exact position.</summary>
public static class ScenarioLoader
{
    private static readonly string[] ScenarioKeys =
    [
        "strand", "name", "description", "purposes", "price_year", "horizon_years", "discount_rate", "uncertainty",
        "population", "data_sources", "linkage", "fraud", "tailored_services", "research", "safeguards", "pilot", "variants",
    ];

    /// <summary>The section each strand's model is declared in.</summary>
    private static readonly (string Strand, string Key)[] StrandSections =
    [
        (StrandIds.Fraud, "fraud"), (StrandIds.TailoredServices, "tailored_services"), (StrandIds.Research, "research"),
    ];

    private static readonly string[] PopulationFileKeys = ["population"];

    /// <summary>Reads and checks <paramref name="path"/> (and any population file it references) through <paramref name="files"/>.</summary>
    public static ScenarioLoadResult Load(string path, IScenarioFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var r = new NodeReader();
        YamlNode? root = ReadYaml(path, files, r.Errors);
        if (root is null)
            return new ScenarioLoadResult(null, null, r.Errors);

        if (root is not YamlMapping map)
        {
            r.Error(root, "", $"expected a mapping with 'strand:' (a scenario) or 'population:' (a shared population file), got {root.KindName}");
            return new ScenarioLoadResult(null, null, r.Errors);
        }

        if (map["strand"] is null)
        {
            if (map["package"] is not null)
            {
                r.Error(map.KeyNode("package")!, "package",
                    "this is a package of scenarios (top-level 'package:'): 'impact run' and 'impact validate' take it; here give one of its scenarios");
                return new ScenarioLoadResult(null, null, r.Errors);
            }

            if (map["population"] is null)
            {
                r.Error(map, "", "no top-level 'strand:' (a scenario) or 'population:' (a shared population file)");
                return new ScenarioLoadResult(null, null, r.Errors);
            }

            r.Mapping(map, "", PopulationFileKeys);
            PopulationSpec? population = PopulationReader.Read(r, map["population"]!, "population", files);
            CheckGroupReferences(r, population);
            return Result(null, population, r);
        }

        Scenario? scenario = ReadScenario(r, map, path, files);
        return Result(scenario, scenario?.Population, r);
    }

    /// <summary>Loads a scenario for running; throws <see cref="ScenarioException"/> with every problem if it is invalid.</summary>
    public static Scenario LoadScenario(string path, IScenarioFiles files)
    {
        ScenarioLoadResult result = Load(path, files);
        if (!result.IsValid)
            throw new ScenarioException(result.Errors);
        return result.Scenario ?? throw new ScenarioException(
            [new ScenarioError(path, 1, 1, "", "this is a shared population file (no top-level 'strand:'), not a scenario to run")]);
    }

    private static ScenarioLoadResult Result(Scenario? scenario, PopulationSpec? population, NodeReader r)
    {
        // Errors in file order, then by position, so the output reads top to bottom.
        var errors = r.Errors
            .Select((e, i) => (e, i))
            .OrderBy(x => x.e.File, StringComparer.Ordinal).ThenBy(x => x.e.Line).ThenBy(x => x.e.Column).ThenBy(x => x.i)
            .Select(x => x.e).Distinct().ToList();
        return errors.Count > 0 ? new ScenarioLoadResult(null, null, errors) : new ScenarioLoadResult(scenario, population, errors);
    }

    private static YamlNode? ReadYaml(string path, IScenarioFiles files, List<ScenarioError> errors)
    {
        ScenarioFileContent content = files.Read(path);
        if (content.Problem is { } problem)
        {
            errors.Add(new ScenarioError(path, 0, 0, "", problem));
            return null;
        }

        return YamlDocumentReader.Read(path, content.Bytes!, errors);
    }

    private static Scenario? ReadScenario(NodeReader r, YamlMapping map, string path, IScenarioFiles files)
    {
        r.Mapping(map, "", ScenarioKeys);
        string? strand = r.Choice(map["strand"], "strand", StrandIds.All, "strand");
        string? name = r.Id(r.Required(map, "", "name"), "name", "scenario name");
        string? description = r.Text(NodeReader.Optional(map, "description"), "description");
        ImmutableArray<string> purposes = Purposes(r, NodeReader.Optional(map, "purposes"));
        long? priceYear = r.WholeNumber(r.Required(map, "", "price_year"), "price_year", 1900, 2200, "price year");
        long? horizon = r.WholeNumber(r.Required(map, "", "horizon_years"), "horizon_years", 1, 100, "horizon in years");
        r.Spreads = r.ReadUncertainty(NodeReader.Optional(map, "uncertainty"), "uncertainty");
        UncertaintySettings spreads = r.Spreads;
        // A convention of appraisal (the Green Book's rate), not evidence: never spread by grade.
        Parameter discount = r.OptionalParameter(map, "", "discount_rate", ParameterKind.Probability, 0.035, ParameterTraits.Chosen);
        if (map["discount_rate"] is null)
            discount = discount with { Evidence = new Evidence("HM Treasury, The Green Book (2022), discount rate 3.5%", EvidenceGrade.PublishedStatistic) };

        var referenced = ImmutableArray.CreateBuilder<string>();
        referenced.Add(path);
        PopulationSpec? population = Population(r, r.Required(map, "", "population"), path, files, referenced);
        referenced.AddRange(r.DataFiles.Where(f => !referenced.Contains(f))); // the population's data tables

        ImmutableArray<DataSourceSpec> sources = SourcesReader.DataSources(r, NodeReader.Optional(map, "data_sources"), "data_sources");
        ImmutableArray<LinkageSpec> linkages = SourcesReader.Linkages(r, NodeReader.Optional(map, "linkage"), "linkage", sources);

        // Each strand has its own section; a section of another strand is an error, and with a
        // misspelt strand every section present is still checked so all problems show at once.
        foreach (var (sectionStrand, key) in StrandSections)
        {
            if (strand is not null && strand != sectionStrand && map.KeyNode(key) is { } foreign)
                r.Error(foreign, key, $"a '{key}' section belongs to strand '{sectionStrand}', not '{strand}'");
        }

        if (strand == StrandIds.Fraud)
        {
            r.Required(map, "", "data_sources");
            r.Required(map, "", "linkage");
        }
        else if (strand == StrandIds.TailoredServices)
        {
            r.Required(map, "", "data_sources");
        }

        YamlNode? Section(string sectionStrand, string key) =>
            strand == sectionStrand ? r.Required(map, "", key) : strand is null ? NodeReader.Optional(map, key) : null;

        FraudSpec? fraud = Section(StrandIds.Fraud, "fraud") is { } fraudNode
            ? FraudReader.Read(r, fraudNode, "fraud", sources, linkages)
            : null;
        TailoredServicesSpec? tailored = Section(StrandIds.TailoredServices, "tailored_services") is { } tsNode
            ? TailoredServicesReader.Read(r, tsNode, "tailored_services", linkages)
            : null;
        ResearchSpec? research = Section(StrandIds.Research, "research") is { } researchNode
            ? ResearchReader.Read(r, researchNode, "research", population)
            : null;

        if (tailored?.Need.LocalAuthorityVariation is { } needVariation && population is { LocalAuthorities.IsEmpty: true })
            r.Error(needVariation.Position, needVariation.Path, "local-authority effects need the population's 'local_authorities:' declared");

        ImmutableArray<SafeguardSpec> safeguards =
            SafeguardsReader.Safeguards(r, NodeReader.Optional(map, "safeguards"), "safeguards", strand);
        PilotSpec? pilot = NodeReader.Optional(map, "pilot") is { } pilotNode ? PilotReader.Read(r, pilotNode, "pilot") : null;
        ImmutableArray<VariantSpec> variants = SafeguardsReader.Variants(r, NodeReader.Optional(map, "variants"), "variants", safeguards);
        CheckGroupReferences(r, population);
        CheckCombinedLimits(r, linkages, variants);
        if (research is not null)
            ResearchReader.CheckVariantCells(r, research, variants);

        if (strand is null || name is null || priceYear is null || horizon is null || population is null || r.Errors.Count > 0)
            return null;
        return new Scenario(path, strand, name, description, purposes, (int)priceYear, (int)horizon, discount, population,
            sources, linkages, fraud, tailored, research, pilot, safeguards, variants, referenced.ToImmutable()) { Uncertainty = spreads };
    }

    private static ImmutableArray<string> Purposes(NodeReader r, YamlNode? node)
    {
        if (node is null)
            return [];
        if (node is not YamlSequence seq)
        {
            r.Error(node, "purposes", $"expected a list of declared purposes, got {node.KindName}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>();
        for (int i = 0; i < seq.Items.Count; i++)
        {
            if (r.Text(seq.Items[i], $"purposes[{i}]") is { } text)
                result.Add(text);
        }

        return result.ToImmutable();
    }

    /// <summary>Inline (a mapping) or from a shared file (a path relative to the scenario), whose own positions are kept.</summary>
    private static PopulationSpec? Population(NodeReader r, YamlNode? node, string scenarioPath, IScenarioFiles files,
        ImmutableArray<string>.Builder referenced)
    {
        if (node is null)
            return null;
        if (node is YamlMapping)
            return PopulationReader.Read(r, node, "population", files);
        if (r.Text(node, "population") is not { } relative)
            return null;

        string resolved = files.Resolve(scenarioPath, relative);
        var fileErrors = new List<ScenarioError>();
        YamlNode? root = ReadYaml(resolved, files, fileErrors);
        foreach (var e in fileErrors)
        {
            // A missing or unreadable population file is reported where the scenario names it.
            if (e.Line <= 0)
                r.Error(node, "population", $"population file '{relative}' ({resolved}): {e.Message}");
            else
                r.Errors.Add(e);
        }

        if (root is null)
            return null;

        referenced.Add(resolved);
        if (root is not YamlMapping fileMap || fileMap["population"] is null)
        {
            r.Error(root, "", $"a shared population file has a top-level 'population:' mapping (referenced from {scenarioPath})");
            return null;
        }

        if (fileMap["strand"] is not null)
        {
            r.Error(fileMap.KeyNode("strand")!, "strand",
                $"'{relative}' is a scenario, not a shared population file; reference a file with only 'population:'");
            return null;
        }

        r.Mapping(fileMap, "", PopulationFileKeys);
        // A shared file's values spread by its own settings or the engine's defaults, never by the
        // referencing scenario's: every scenario over the file draws the same persons.
        UncertaintySettings scenarios = r.Spreads;
        r.Spreads = UncertaintySettings.Default;
        try
        {
            return PopulationReader.Read(r, fileMap["population"]!, "population", files);
        }
        finally
        {
            r.Spreads = scenarios;
        }
    }

    /// <summary>
    /// A by-group value whose kind has a model limit must keep within it for persons in several
    /// groups too (the combined value is what the model checks), as declared and as each variant
    /// overrides it; reported at the <c>by_group</c> mapping, or at the variant's override.
    /// </summary>
    private static void CheckCombinedLimits(NodeReader r, ImmutableArray<LinkageSpec> linkages, ImmutableArray<VariantSpec> variants)
    {
        foreach (LinkageSpec linkage in linkages)
        {
            GroupValues values = linkage.CandidatesPerBlock;
            if (values.ByGroup.Length < 2)
                continue;
            string path = values.Base.Path.EndsWith(".base", StringComparison.Ordinal) ? values.Base.Path[..^".base".Length] : values.Base.Path;
            if (NodeReader.CombinedProblem(values, ParameterKind.PoissonMean, p => p.Value) is { } problem)
            {
                r.Error(values.ByGroup[0].Value.Position, NodeReader.Join(path, "by_group"), problem);
                continue;
            }

            foreach (VariantSpec variant in variants)
            {
                var overrides = variant.Overrides.OfType<ParameterOverride>().ToArray();
                Distribution Resolve(Parameter p) => overrides.LastOrDefault(o => o.Target == p.Path)?.Value ?? p.Value;
                if (overrides.FirstOrDefault(o => o.Target == values.Base.Path || values.ByGroup.Any(g => g.Value.Path == o.Target)) is { } at
                    && NodeReader.CombinedProblem(values, ParameterKind.PoissonMean, Resolve) is { } variantProblem)
                    r.Error(at.Position, NodeReader.Join($"variants.{variant.Id}.overrides", at.Path), $"with this override, {path}: {variantProblem}");
            }
        }
    }

    /// <summary>Every group named in a <c>by_group</c> or a screen must be one of the population's groups.</summary>
    private static void CheckGroupReferences(NodeReader r, PopulationSpec? population)
    {
        if (population is null && r.DeclaredIds("group").Count == 0)
            return;
        var known = r.DeclaredIds("group").ToArray();
        foreach (var (group, at, path) in r.GroupReferences)
        {
            if (!known.Contains(group))
                r.Error(at, path, Suggest.Unknown("group", group, known));
        }
    }
}
