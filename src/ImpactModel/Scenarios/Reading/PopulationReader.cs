using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Reads a <c>population:</c> section, inline in a scenario or in a shared population file.</summary>
public static partial class PopulationReader
{
    /// <summary>PRODUCT.md's limit on the declared (and simulated) population.</summary>
    public const long MaxPopulation = Limits.MaxPopulation;

    private static readonly string[] Keys =
        ["name", "description", "size", "area_level", "areas", "area_variation", "local_authorities", "local_authority_variation",
         "income", "age", "single_year_ages", "female_share", "household_size", "groups", "attributes", "uncertainty"];
    private static readonly string[] LocalAuthorityHeader = ["code", "name", "region", "population"];
    private static readonly string[] AgeHeader = ["age", "population"];

    /// <summary>
    /// The most local authorities a population may declare (a person's authority is a 16-bit index,
    /// and a membership cell is authority × age band × income decile, at most 65,536).
    /// </summary>
    public const int MaxLocalAuthorities = 4096;

    /// <summary>The most membership cells: local authorities (or areas) × age bands a group depends on × 10 income deciles.</summary>
    public const int MaxCells = 1 << 16;
    private static readonly string[] AgeBandKeys = ["from", "to", "share"];
    private static readonly string[] HouseholdKeys = ["size", "share"];
    private static readonly string[] AreaKeys = ["id", "name", "share"];
    private static readonly string[] IncomeKeys = ["measure", "deciles", "source", "grade"];
    private static readonly string[] GroupKeys =
        ["id", "name", "description", "prevalence", "adult_only", "income_gradient", "area_variation", "local_authority_variation",
         "area_odds_ratios", "age_odds_ratios", "overlaps"];
    private static readonly string[] OverlapKeys = ["with", "share"];
    public static readonly IReadOnlyList<string> AreaLevels = ["country", "itl1-region", "local-authority"];

    /// <summary>Reads the section at <paramref name="node"/>; <paramref name="files"/> reads the data tables it references.</summary>
    public static PopulationSpec? Read(NodeReader r, YamlNode node, string path, IScenarioFiles? files = null)
    {
        YamlMapping? map = r.Mapping(node, path, Keys);
        if (map is null)
            return null;

        // A population's single numbers spread by its own settings when it declares them, else by
        // the reader's current ones (the scenario's for an inline population; the engine's defaults
        // for a shared file, which the loader sets: every scenario over a shared file draws the same persons).
        UncertaintySettings scenarios = r.Spreads;
        if (NodeReader.Optional(map, "uncertainty") is { } own)
            r.Spreads = r.ReadUncertainty(own, NodeReader.Join(path, "uncertainty"));
        try
        {
            return Read(r, map, path, files);
        }
        finally
        {
            r.Spreads = scenarios;
        }
    }

    private static PopulationSpec? Read(NodeReader r, YamlMapping map, string path, IScenarioFiles? files)
    {

        string? name = r.Text(NodeReader.Optional(map, "name"), NodeReader.Join(path, "name"));
        string? description = r.Text(NodeReader.Optional(map, "description"), NodeReader.Join(path, "description"));
        (long? size, Evidence sizeEvidence) = Size(r, map, path);
        string areaLevel = NodeReader.Optional(map, "area_level") is { } level
            ? r.Choice(level, NodeReader.Join(path, "area_level"), AreaLevels, "area level") ?? "itl1-region"
            : "itl1-region";

        string areasPath = NodeReader.Join(path, "areas");
        ImmutableArray<AreaSpec> areas = r.List(r.Required(map, path, "areas"), areasPath, (item, p) => Area(r, item, p));
        r.Unique(areas, a => a.Id, a => a.Position, areasPath, "area");
        if (map["areas"] is YamlSequence { Items.Count: 0 } emptyAreas)
            r.Error(emptyAreas, areasPath, "at least one area is needed");
        CheckShares(r, areas, map["areas"], areasPath);

        Parameter areaVariation = r.OptionalParameter(map, path, "area_variation", ParameterKind.NonNegative, 0);
        string laPath = NodeReader.Join(path, "local_authorities");
        (ImmutableArray<LocalAuthoritySpec> authorities, Evidence authoritiesEvidence) = NodeReader.Optional(map, "local_authorities") is { } laNode
            ? LocalAuthorities(r, laNode, laPath, files, areas)
            : ([], Evidence.None);
        Parameter? laVariation = NodeReader.Optional(map, "local_authority_variation") is { } lav
            ? r.Parameter(lav, NodeReader.Join(path, "local_authority_variation"), ParameterKind.NonNegative)
            : null;
        if (laVariation is not null && authorities.IsEmpty && map["local_authorities"] is null)
            r.Error(map["local_authority_variation"]!, NodeReader.Join(path, "local_authority_variation"), "local-authority effects need 'local_authorities:' declared");
        IncomeSpec? income = NodeReader.Optional(map, "income") is { } incomeNode
            ? Income(r, incomeNode, NodeReader.Join(path, "income"))
            : null;

        ImmutableArray<AgeBand> ages = AgeBands(r, NodeReader.Optional(map, "age"), NodeReader.Join(path, "age"));
        (ImmutableArray<long> singleYears, Evidence singleYearsEvidence) = NodeReader.Optional(map, "single_year_ages") is { } syNode
            ? SingleYears(r, syNode, NodeReader.Join(path, "single_year_ages"), files, ages, map["age"])
            : ([], Evidence.None);

        string groupsPath = NodeReader.Join(path, "groups");
        ImmutableArray<GroupSpec> groups = r.List(r.Required(map, path, "groups"), groupsPath, (item, p) => Group(r, item, p));
        r.Unique(groups, g => g.Id, g => g.Position, groupsPath, "group");
        foreach (var g in groups)
        {
            if (g.Id is "all" or "rest")
                r.Error(g.Position, NodeReader.Join(groupsPath, g.Id),
                    $"'{g.Id}' is reserved for results (all persons; persons in no peripheral group); choose another id");
        }

        CheckGroupReferences(r, groups, areas, authorities, ages, groupsPath);
        CheckCells(r, groups, areas, authorities, ages, map, groupsPath);
        if (groups.Length > Population.GroupValueTable.MaxGroups && map["groups"] is { } groupsNode)
            r.Error(groupsNode, groupsPath, $"at most {Population.GroupValueTable.MaxGroups} peripheral groups, got {groups.Length}");
        CheckOverlapParents(r, groups, groupsPath);

        Parameter? female = NodeReader.Optional(map, "female_share") is { } fs
            ? r.Parameter(fs, NodeReader.Join(path, "female_share"), ParameterKind.Probability)
            : null;
        ImmutableArray<HouseholdSizeShare> households = HouseholdSizes(r, NodeReader.Optional(map, "household_size"), NodeReader.Join(path, "household_size"));
        ImmutableArray<CategoricalAttributeSpec> attributes = Attributes(r, NodeReader.Optional(map, "attributes"), NodeReader.Join(path, "attributes"));

        if (size is null || areas.IsDefault)
            return null;
        return new PopulationSpec(map.Position.File, name, description, size.Value, sizeEvidence, areaLevel,
            areas, areaVariation, income, groups)
        {
            AgeBands = ages,
            FemaleShare = female,
            HouseholdSizes = households,
            LocalAuthorities = authorities,
            LocalAuthoritiesEvidence = authoritiesEvidence,
            LocalAuthorityVariation = laVariation,
            SingleYearAges = singleYears,
            SingleYearAgesEvidence = singleYearsEvidence,
            Attributes = attributes,
        };
    }

    private static (ImmutableArray<LocalAuthoritySpec>, Evidence) LocalAuthorities(NodeReader r, YamlNode node, string path,
        IScenarioFiles? files, ImmutableArray<AreaSpec> areas)
    {
        if (DataTableReader.Read(r, node, path, files, LocalAuthorityHeader) is not { } table)
            return ([], Evidence.None);
        string[] areaIds = areas.IsDefault ? [] : [.. areas.Select(a => a.Id)];
        ImmutableArray<LocalAuthoritySpec> authorities = DataTableReader.LocalAuthorities(r, table.File, table.Rows, path, areaIds);
        var at = new SourcePosition(table.File, 1, 1);
        if (authorities.Length > MaxLocalAuthorities)
        {
            r.Error(at, path, $"at most {MaxLocalAuthorities:N0} local authorities, got {authorities.Length:N0}");
            return ([], Evidence.None);
        }

        foreach (string area in areaIds)
        {
            if (!authorities.Any(a => a.Area == area))
                r.Error(at, path, $"area '{area}' has no local authority in the table; every area needs at least one");
        }

        foreach (var authority in authorities)
        {
            if (areaIds.Contains(authority.Id))
                r.Error(authority.Position, NodeReader.Join(path, authority.Id), $"local authority id '{authority.Id}' is also an area id; ids must differ");
            // Wherever a scenario names an area (a pilot's candidates, odds ratios), it may name an authority.
            r.Declare("area", authority.Id);
        }

        return (authorities, table.Evidence);
    }

    /// <summary>
    /// Single years of age, which refine the declared bands: the bands must end at the open age
    /// (90, meaning 90 or over), and each band's share must be its years' share within ±0.001.
    /// </summary>
    private static (ImmutableArray<long>, Evidence) SingleYears(NodeReader r, YamlNode node, string path, IScenarioFiles? files,
        ImmutableArray<AgeBand> bands, YamlNode? bandsNode)
    {
        if (DataTableReader.Read(r, node, path, files, AgeHeader) is not { } table)
            return ([], Evidence.None);
        ImmutableArray<long> counts = DataTableReader.SingleYearAges(r, table.File, table.Rows, path);
        if (counts.IsEmpty)
            return ([], Evidence.None);
        if (bands.IsDefaultOrEmpty || bandsNode is null)
        {
            r.Error(node, path, "single years of age refine the age bands: declare 'age:' bands too (whole years, 0 to 90)");
            return ([], Evidence.None);
        }

        if (bands[^1].To != PopulationSpec.OpenAge)
        {
            r.Error(bandsNode, NodeReader.Join(path.Replace("single_year_ages", "age", StringComparison.Ordinal), $"{bands[^1].From}-{bands[^1].To}"),
                $"with single years of age the last band ends at {PopulationSpec.OpenAge} (meaning {PopulationSpec.OpenAge} or over), not {bands[^1].To}");
            return ([], Evidence.None);
        }

        double total = counts.Sum();
        foreach (AgeBand band in bands)
        {
            double share = counts.Skip(band.From).Take(band.To - band.From + 1).Sum() / total;
            if (Math.Abs(share - band.Share.Mean) > ShareTolerance)
                r.Error(band.Share.Position, band.Share.Path,
                    $"the band's share {band.Share.Mean:0.######} differs from its single years' share {share:0.######} (tolerance ±{ShareTolerance})");
        }

        return (counts, table.Evidence);
    }

    /// <summary>
    /// Membership is drawn from a table by cell (local authority or area × the age bands any group
    /// depends on × 10 income deciles); the table's size has a limit.
    /// </summary>
    private static void CheckCells(NodeReader r, ImmutableArray<GroupSpec> groups, ImmutableArray<AreaSpec> areas,
        ImmutableArray<LocalAuthoritySpec> authorities, ImmutableArray<AgeBand> bands, YamlMapping map, string groupsPath)
    {
        if (groups.IsDefault || areas.IsDefault)
            return;
        bool byAuthority = !authorities.IsEmpty;
        long units = byAuthority ? authorities.Length : areas.Length;
        long ageCells = groups.Any(g => g.DependsOnAge) && !bands.IsDefaultOrEmpty ? bands.Length : 1;
        long cells = units * ageCells * 10;
        if (cells > MaxCells && map["groups"] is { } at)
            r.Error(at, groupsPath,
                $"{units:N0} {(byAuthority ? "local authorities" : "areas")} × {ageCells} age bands × 10 income deciles is {cells:N0} membership cells; the engine's limit is {MaxCells:N0} (fewer age bands, or no age dependence)");
    }

    private static (long?, Evidence) Size(NodeReader r, YamlMapping map, string path)
    {
        string p = NodeReader.Join(path, "size");
        YamlNode? node = r.Required(map, path, "size");
        if (node is YamlMapping sizeMap)
        {
            r.Mapping(sizeMap, p, ["value", "source", "grade"]);
            long? value = r.WholeNumber(r.Required(sizeMap, p, "value"), NodeReader.Join(p, "value"), 1, MaxPopulation, "population size");
            string? source = r.Text(NodeReader.Optional(sizeMap, "source"), NodeReader.Join(p, "source"));
            string? grade = NodeReader.Optional(sizeMap, "grade") is { } g
                ? r.Choice(g, NodeReader.Join(p, "grade"), Evidence.GradeIds, "evidence grade")
                : null;
            return (value, new Evidence(source, grade is null ? EvidenceGrade.Unstated : NodeReader.ParseGrade(grade)));
        }

        return (r.WholeNumber(node, p, 1, MaxPopulation, "population size"), Evidence.None);
    }

    /// <summary>Contiguous whole-year bands from 0 upward (e.g. 0-15, 16-24 ...), shares summing to 1.</summary>
    private static ImmutableArray<AgeBand> AgeBands(NodeReader r, YamlNode? node, string path)
    {
        if (node is null)
            return [];
        ImmutableArray<AgeBand> bands = r.List(node, path, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, AgeBandKeys);
            long? from = r.WholeNumber(r.Required(m, p, "from"), NodeReader.Join(p, "from"), 0, 120, "first age of the band");
            long? to = r.WholeNumber(r.Required(m, p, "to"), NodeReader.Join(p, "to"), 0, 120, "last age of the band");
            string sharePath = from is null || to is null ? NodeReader.Join(p, "share") : $"{path}.{from}-{to}.share";
            Parameter? share = r.Parameter(r.Required(m, p, "share"), sharePath, ParameterKind.Probability);
            if (from is not null && to is not null && to < from)
                r.Error(m!["to"]!, NodeReader.Join(p, "to"), $"the band ends ({to}) before it starts ({from})");
            return from is null || to is null || share is null ? null : new AgeBand((int)from, (int)to, share);
        });
        if (node is YamlSequence seq && bands.Length == seq.Items.Count)
        {
            int expected = 0;
            for (int i = 0; i < bands.Length; i++)
            {
                if (bands[i].From != expected)
                {
                    r.Error(seq.Items[i], $"{path}[{i}]", $"age bands must be contiguous from 0: this band starts at {bands[i].From}, expected {expected}");
                    break;
                }

                expected = bands[i].To + 1;
            }

            CheckSum(r, bands.Select(b => b.Share), seq, path, "age band shares");
        }

        return bands;
    }

    /// <summary>Household sizes 1, 2, 3 ... in increasing order (the last one means "or more"), shares summing to 1.</summary>
    private static ImmutableArray<HouseholdSizeShare> HouseholdSizes(NodeReader r, YamlNode? node, string path)
    {
        if (node is null)
            return [];
        ImmutableArray<HouseholdSizeShare> sizes = r.List(node, path, (item, p) =>
        {
            YamlMapping? m = r.Mapping(item, p, HouseholdKeys);
            long? size = r.WholeNumber(r.Required(m, p, "size"), NodeReader.Join(p, "size"), 1, 30, "household size");
            Parameter? share = r.Parameter(r.Required(m, p, "share"), size is null ? NodeReader.Join(p, "share") : $"{path}.{size}.share", ParameterKind.Probability);
            return size is null || share is null ? null : new HouseholdSizeShare((int)size, share);
        });
        if (node is YamlSequence seq && sizes.Length == seq.Items.Count)
        {
            for (int i = 1; i < sizes.Length; i++)
            {
                if (sizes[i].Size <= sizes[i - 1].Size)
                {
                    r.Error(seq.Items[i], $"{path}[{i}]", $"household sizes must increase: {sizes[i].Size} follows {sizes[i - 1].Size}");
                    break;
                }
            }

            CheckSum(r, sizes.Select(s => s.Share), seq, path, "household size shares");
        }

        return sizes;
    }

    private static void CheckSum(NodeReader r, IEnumerable<Parameter> shares, YamlNode at, string path, string what)
    {
        double sum = shares.Sum(s => s.Mean);
        if (Math.Abs(sum - 1) > ShareTolerance)
            r.Error(at, path, $"{what} sum to {sum:0.######}, not 1 (tolerance ±{ShareTolerance})");
    }

    private static AreaSpec? Area(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, AreaKeys);
        string? id = r.Id(r.Required(map, path, "id"), NodeReader.Join(path, "id"), "area id");
        r.Declare("area", id);
        string? name = r.Text(NodeReader.Optional(map, "name"), NodeReader.Join(path, "name"));
        Parameter? share = r.RequiredParameter(map, path, "share", ParameterKind.Probability);
        return id is null || share is null || map is null ? null : new AreaSpec(id, name, share, map.Position);
    }

    /// <summary>Area shares must sum to 1 within <see cref="ShareTolerance"/> (rounding in published tables).</summary>
    public const double ShareTolerance = 0.001;

    private static void CheckShares(NodeReader r, ImmutableArray<AreaSpec> areas, YamlNode? at, string path)
    {
        if (areas.IsDefaultOrEmpty || at is null)
            return;
        double sum = 0;
        foreach (var a in areas)
            sum += a.Share.Mean;
        if (Math.Abs(sum - 1) > ShareTolerance)
            r.Error(at, path, $"area shares sum to {sum:0.######}, not 1 (tolerance ±{ShareTolerance}); shares are fractions of the population");
    }

    private static IncomeSpec? Income(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, IncomeKeys);
        if (map is null)
            return null;
        string measure = r.Text(NodeReader.Optional(map, "measure"), NodeReader.Join(path, "measure"))
                         ?? "equivalised household disposable income, GBP per year";
        string? source = r.Text(NodeReader.Optional(map, "source"), NodeReader.Join(path, "source"));
        string? grade = NodeReader.Optional(map, "grade") is { } g
            ? r.Choice(g, NodeReader.Join(path, "grade"), Evidence.GradeIds, "evidence grade")
            : null;
        string decilesPath = NodeReader.Join(path, "deciles");
        YamlNode? decilesNode = r.Required(map, path, "deciles");
        if (decilesNode is null)
            return null;
        if (decilesNode is not YamlSequence seq)
        {
            r.Error(decilesNode, decilesPath, $"expected a list of 9 decile boundaries in GBP, got {decilesNode.KindName}");
            return null;
        }

        if (seq.Items.Count != 9)
        {
            r.Error(seq, decilesPath, $"expected the 9 decile boundaries (10th to 90th percentile), got {seq.Items.Count}");
            return null;
        }

        var deciles = ImmutableArray.CreateBuilder<double>(9);
        double previous = 0;
        for (int i = 0; i < 9; i++)
        {
            string p = $"{decilesPath}[{i}]";
            string? text = r.Text(seq.Items[i], p);
            if (text is null)
                return null;
            if (!DistributionParser.TryNumber(text, out double value) || value <= 0)
            {
                r.Error(seq.Items[i], p, $"a decile boundary must be a positive amount in GBP, got '{text}'");
                return null;
            }

            if (value <= previous)
            {
                r.Error(seq.Items[i], p, $"decile boundaries must increase; {value} is not above the previous {previous}");
                return null;
            }

            previous = value;
            deciles.Add(value);
        }

        return new IncomeSpec(measure, deciles.MoveToImmutable(),
            new Evidence(source, grade is null ? EvidenceGrade.Unstated : NodeReader.ParseGrade(grade)), map.Position);
    }

    private static GroupSpec? Group(NodeReader r, YamlNode node, string path)
    {
        YamlMapping? map = r.Mapping(node, path, GroupKeys);
        if (map is null)
            return null;
        string? id = r.Id(r.Required(map, path, "id"), NodeReader.Join(path, "id"), "group id");
        r.Declare("group", id);
        string? name = r.Text(NodeReader.Optional(map, "name"), NodeReader.Join(path, "name"));
        string? description = r.Text(NodeReader.Optional(map, "description"), NodeReader.Join(path, "description"));
        Parameter? prevalence = r.RequiredParameter(map, path, "prevalence", ParameterKind.Probability);
        Parameter gradient = r.OptionalParameter(map, path, "income_gradient", ParameterKind.Real, 0);
        Parameter? areaVariation = NodeReader.Optional(map, "area_variation") is { } av
            ? r.Parameter(av, NodeReader.Join(path, "area_variation"), ParameterKind.NonNegative)
            : null;
        Parameter? laVariation = NodeReader.Optional(map, "local_authority_variation") is { } lav
            ? r.Parameter(lav, NodeReader.Join(path, "local_authority_variation"), ParameterKind.NonNegative)
            : null;
        bool adultOnly = NodeReader.Optional(map, "adult_only") is { } adultNode && r.Bool(adultNode, NodeReader.Join(path, "adult_only")) == true;

        ImmutableArray<AgeOddsRatio> ageRatios = OddsRatios(r, NodeReader.Optional(map, "age_odds_ratios"), NodeReader.Join(path, "age_odds_ratios"),
            "age band ('from-to')", (key, p, ratio) =>
            {
                if (TryBand(key.Value, out int from, out int to))
                    return new AgeOddsRatio(from, to, ratio);
                r.Error(key, p, $"expected an age band as 'from-to' (e.g. 16-24, one of the declared bands), got '{key.Value}'");
                return null;
            });
        ImmutableArray<AreaOddsRatio> oddsRatios = OddsRatios(r, NodeReader.Optional(map, "area_odds_ratios"), NodeReader.Join(path, "area_odds_ratios"),
            "area id", (key, p, ratio) => r.Id(key, p, "area id") is { } area ? new AreaOddsRatio(area, ratio) : null);

        string overlapsPath = NodeReader.Join(path, "overlaps");
        ImmutableArray<GroupOverlap> overlaps = r.List(NodeReader.Optional(map, "overlaps"), overlapsPath, (item, p) =>
        {
            YamlMapping? o = r.Mapping(item, p, OverlapKeys);
            string? with = r.Id(r.Required(o, p, "with"), NodeReader.Join(p, "with"), "group id");
            string sharePath = with is null ? NodeReader.Join(p, "share") : NodeReader.Join(NodeReader.Join(overlapsPath, with), "share");
            Parameter? share = r.Parameter(r.Required(o, p, "share"), sharePath, ParameterKind.Probability);
            return with is null || share is null || o is null ? null : new GroupOverlap(with, share, o.Position);
        });

        return id is null || prevalence is null
            ? null
            : new GroupSpec(id, name, description, prevalence, gradient, areaVariation, oddsRatios, overlaps, map.Position)
            {
                LocalAuthorityVariation = laVariation,
                AgeOddsRatios = ageRatios,
                AdultOnly = adultOnly,
            };
    }

    /// <summary>
    /// The population draws a later-declared group conditionally on one earlier group it overlaps
    /// with; two overlaps tying a group to two different earlier groups cannot both hold exactly.
    /// </summary>
    private static void CheckOverlapParents(NodeReader r, ImmutableArray<GroupSpec> groups, string path)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Length; i++)
            index.TryAdd(groups[i].Id, i);
        var parent = new Dictionary<int, (int Parent, GroupOverlap Overlap, string Owner)>();
        for (int a = 0; a < groups.Length; a++)
        {
            foreach (var overlap in groups[a].Overlaps)
            {
                if (!index.TryGetValue(overlap.With, out int b) || b == a)
                    continue;
                int earlier = Math.Min(a, b), later = Math.Max(a, b);
                if (parent.TryGetValue(later, out var same) && same.Parent == earlier)
                {
                    r.Error(overlap.Position, NodeReader.Join(NodeReader.Join(NodeReader.Join(path, groups[a].Id), "overlaps"), overlap.With),
                        $"the overlap of '{groups[earlier].Id}' and '{groups[later].Id}' is declared twice (also under '{same.Owner}')");
                    continue;
                }

                if (parent.TryGetValue(later, out var existing) && existing.Parent != earlier)
                {
                    r.Error(overlap.Position, NodeReader.Join(NodeReader.Join(NodeReader.Join(path, groups[a].Id), "overlaps"), overlap.With),
                        $"'{groups[later].Id}' already overlaps with '{groups[existing.Parent].Id}'; a group can overlap with only one group declared before it " +
                        "(declare the overlap on the other side, or reorder the groups)");
                    continue;
                }

                parent[later] = (earlier, overlap, groups[a].Id);
            }
        }
    }

    /// <summary>A mapping of keys (areas, age bands) to odds ratios; <paramref name="make"/> checks a key and makes its item (null: refused).</summary>
    internal static ImmutableArray<T> OddsRatios<T>(NodeReader r, YamlNode? node, string path, string keys, Func<YamlScalar, string, Parameter, T?> make)
        where T : class
    {
        if (node is null)
            return [];
        if (node is not YamlMapping map)
        {
            r.Error(node, path, $"expected a mapping of {keys} to odds ratio, got {node.KindName}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<T>();
        foreach (var entry in map.Entries)
        {
            string p = NodeReader.Join(path, entry.Key.Value);
            if (r.Parameter(entry.Value, p, ParameterKind.Ratio) is { } ratio && make(entry.Key, p, ratio) is { } item)
                result.Add(item);
        }

        return result.ToImmutable();
    }

    /// <summary>"16-24" as (16, 24).</summary>
    private static bool TryBand(string text, out int from, out int to)
    {
        from = to = 0;
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && int.TryParse(text.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from)
            && int.TryParse(text.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out to);
    }

    /// <summary>The share of persons aged <see cref="PopulationSpec.AdultAge"/> and over, from the declared bands (1 without bands).</summary>
    public static double AdultShare(ImmutableArray<AgeBand> bands) =>
        bands.IsDefaultOrEmpty ? 1 : bands.Where(b => b.From >= PopulationSpec.AdultAge).Sum(b => b.Share.Mean) / bands.Sum(b => b.Share.Mean);

    /// <summary>
    /// Overlaps name known groups and respect the Fréchet bounds; odds ratios name known areas or
    /// local authorities, and declared age bands; a group that depends on age needs age bands (for
    /// adults only, one that starts at 16).
    /// </summary>
    private static void CheckGroupReferences(NodeReader r, ImmutableArray<GroupSpec> groups, ImmutableArray<AreaSpec> areas,
        ImmutableArray<LocalAuthoritySpec> authorities, ImmutableArray<AgeBand> bands, string path)
    {
        var byId = new Dictionary<string, GroupSpec>(StringComparer.Ordinal);
        foreach (var g in groups)
            byId.TryAdd(g.Id, g);
        var areaIds = areas.IsDefault ? [] : areas.Select(a => a.Id).ToArray();
        var placeIds = new HashSet<string>(areaIds, StringComparer.Ordinal);
        placeIds.UnionWith(authorities.Select(a => a.Id));
        double adults = AdultShare(bands);
        double Whole(GroupSpec g) => g.Prevalence.Mean * (g.AdultOnly ? adults : 1);

        foreach (var g in groups)
        {
            foreach (var ratio in g.AreaOddsRatios)
            {
                if (!placeIds.Contains(ratio.Area))
                    r.Error(ratio.OddsRatio.Position, ratio.OddsRatio.Path,
                        Suggest.Unknown(authorities.IsEmpty ? "area" : "area or local authority", ratio.Area, [.. areaIds, .. authorities.Select(a => a.Id)]));
            }

            if (g.LocalAuthorityVariation is { } lav && authorities.IsEmpty)
                r.Error(lav.Position, lav.Path, "local-authority effects need the population's 'local_authorities:' declared");
            foreach (var ratio in g.AgeOddsRatios.GroupBy(x => (x.From, x.To)).Where(x => x.Count() > 1).Select(x => x.Last()))
                r.Error(ratio.OddsRatio.Position, ratio.OddsRatio.Path, $"age band {ratio.From}-{ratio.To} has two odds ratios");
            foreach (var ratio in g.AgeOddsRatios)
            {
                if (bands.IsDefaultOrEmpty)
                    r.Error(ratio.OddsRatio.Position, ratio.OddsRatio.Path, "age odds ratios need the population's 'age:' bands");
                else if (!bands.Any(b => b.From == ratio.From && b.To == ratio.To))
                    r.Error(ratio.OddsRatio.Position, ratio.OddsRatio.Path,
                        Suggest.Unknown("age band", $"{ratio.From}-{ratio.To}", [.. bands.Select(b => $"{b.From}-{b.To}")]));
            }

            if (g.AdultOnly && (bands.IsDefaultOrEmpty || !bands.Any(b => b.From == PopulationSpec.AdultAge)))
                r.Error(g.Position, NodeReader.Join(NodeReader.Join(path, g.Id), "adult_only"),
                    $"adults only needs the population's 'age:' bands with one starting at {PopulationSpec.AdultAge}");

            foreach (var overlap in g.Overlaps)
            {
                string p = NodeReader.Join(NodeReader.Join(NodeReader.Join(path, g.Id), "overlaps"), overlap.With);
                if (overlap.With == g.Id)
                {
                    r.Error(overlap.Position, p, "a group cannot overlap with itself");
                    continue;
                }

                if (!byId.TryGetValue(overlap.With, out var other))
                {
                    r.Error(overlap.Position, p, Suggest.Unknown("group", overlap.With, byId.Keys.ToArray()));
                    continue;
                }

                // Fréchet bounds on P(A and B) = share * P(A): max(0, pA + pB - 1) <= P(A and B) <= min(pA, pB).
                // Shares of the whole population; of adults when both groups hold adults alone (the
                // bounds are tighter there: two groups of 60% of adults must share a fifth of adults).
                bool adultBasis = g.AdultOnly && other.AdultOnly;
                double pa = adultBasis ? g.Prevalence.Mean : Whole(g), pb = adultBasis ? other.Prevalence.Mean : Whole(other), s = overlap.Share.Mean;
                if (pa <= 0)
                    continue;
                double upper = Math.Min(1, pb / pa), lower = Math.Max(0, (pa + pb - 1) / pa);
                // A later group of adults only drawn on an earlier group of all ages (with no age
                // dependence) takes its share from that group's adults: P(later | earlier) must fit there.
                int gi = groups.IndexOf(g), oi = groups.IndexOf(other);
                GroupSpec later = gi > oi ? g : other, earlier = gi > oi ? other : g;
                if (!adultBasis && later.AdultOnly && !earlier.DependsOnAge && pa > 0 && pb > 0 && adults > 0)
                {
                    double conditional = gi < oi ? s : s * pa / pb; // P(later | earlier)
                    if (conditional / adults > 1 + 1e-12)
                        r.Error(overlap.Share.Position, overlap.Share.Path,
                            $"impossible overlap: '{later.Id}' holds adults only, so at most {adults:0.####} of '{earlier.Id}' (its adults) can be in it, " +
                            $"but this overlap puts {conditional:0.####} of '{earlier.Id}' in '{later.Id}'");
                }

                if (s > upper + 1e-12 || s < lower - 1e-12)
                {
                    r.Error(overlap.Share.Position, overlap.Share.Path,
                        $"impossible overlap: {s:0.####} of '{g.Id}' (prevalence {pa:0.####}) in '{other.Id}' (prevalence {pb:0.####}) " +
                        $"is outside the Fréchet bounds [{lower:0.####}, {upper:0.####}]");
                }
            }
        }
    }
}
