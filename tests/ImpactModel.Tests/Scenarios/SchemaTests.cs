using System.Text.Json;
using System.Text.Json.Nodes;
using ImpactModel.Safeguards;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Scenarios.Reading;
using ImpactModel.Tests.Cli;
using Json.Schema;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// scenarios/scenario.schema.json is what editors check files with as they are typed; the loader is
/// what <c>impact validate</c> checks with. These tests hold the two to the same language: every
/// shipped file passes both, and the same damage (unknown keys, wrong types, out-of-range
/// probabilities) fails both.
/// </summary>
public class SchemaTests
{
    private const string Dir = "scenarios";

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json"))));

    /// <summary>Every shipped file, discovered at run time.</summary>
    public static TheoryData<string> ShippedFiles()
    {
        var data = new TheoryData<string>();
        string dir = Path.GetDirectoryName(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json"))!;
        foreach (string path in Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    private static string Shipped(string file) => File.ReadAllText(ValidateCommandTests.RepositoryFile(Dir, file));

    /// <summary>All shipped files in memory at <c>scenarios/</c>, with <paramref name="file"/> replaced by <paramref name="text"/>.</summary>
    private static MemoryFiles FilesWith(string file, string text)
    {
        var files = new MemoryFiles();
        foreach (string name in ShippedFiles())
            files.With($"{Dir}/{name}", Shipped(name));
        // The data tables the population file references (local authorities, single years of age).
        string data = Path.Combine(Path.GetDirectoryName(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json"))!, "data");
        foreach (string path in Directory.GetFiles(data, "*.csv"))
            files.With($"{Dir}/data/{Path.GetFileName(path)}", File.ReadAllText(path));
        return files.With($"{Dir}/{file}", text);
    }

    private static IReadOnlyList<ScenarioError> LoaderErrors(string file, string text) =>
        MutationTests.Load($"{Dir}/{file}", FilesWith(file, text)).Errors;

    /// <summary>The schema's complaints about <paramref name="yaml"/>, one per failing location.</summary>
    private static List<string> SchemaErrors(string yaml)
    {
        JsonNode? node = YamlToJson.Convert(yaml);
        using JsonDocument doc = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        EvaluationResults results = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
            return [];
        var errors = new List<string>();
        foreach (var detail in new[] { results }.Concat(results.Details ?? []))
        {
            foreach (var error in detail.Errors ?? new Dictionary<string, string>())
                errors.Add($"{detail.InstanceLocation}: {error.Key}: {error.Value}");
        }

        return errors.Count > 0 ? errors : ["(invalid, no message)"];
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_file_is_accepted_by_the_schema(string file)
    {
        List<string> errors = SchemaErrors(Shipped(file));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_file_is_accepted_by_the_loader(string file)
    {
        IReadOnlyList<ScenarioError> errors = LoaderErrors(file, Shipped(file));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_file_names_the_schema_on_its_first_line(string file) =>
        Assert.StartsWith("# yaml-language-server: $schema=scenario.schema.json\n", Shipped(file).ReplaceLineEndings("\n"), StringComparison.Ordinal);

    /// <summary>One damaging edit of a shipped file: replace the unique text <c>Old</c> with <c>New</c>.</summary>
    public sealed record Damage(string Name, string File, string Old, string New)
    {
        public override string ToString() => Name;
    }

    private const string FraudFile = "fraud-error-debt.yaml";
    private const string TailoredFile = "tailored-services.yaml";
    private const string ResearchFile = "research-statistics.yaml";
    private const string PopulationFile = "uk-population.yaml";

    private static readonly Damage[] Damages =
    [
        // Unknown keys, at several nesting levels.
        new("unknown key at the top of a scenario", FraudFile, "price_year: 2014\n", "price_year: 2014\ncolour: blue\n"),
        new("unknown key at the top of a population file", PopulationFile, "\npopulation:\n", "\nversion: 2\npopulation:\n"),
        new("unknown key in a population's attribute", PopulationFile, "      by_group:\n", "      by_groups:\n"),
        new("unknown key in a population's group", PopulationFile, "      income_gradient: -0.35\n", "      income_gradient: -0.35\n      income_gradiant: -0.3\n"),
        new("unknown key in fraud.matching", FraudFile, "    comparison: annual-average\n", "    comparison: annual-average\n    comparision: period-matched\n"),
        new("unknown key in a parameter's { value, source, grade }", FraudFile, "    detection_rate: { value: 0.5, grade: assumption }", "    detection_rate: { value: 0.5, grade: assumption, sorce: FRS }"),
        new("unknown key in a by-group value", TailoredFile, "  opt_out: { base: 0.02,", "  opt_out: { bass: 0.1, base: 0.02,"),
        new("a parameter of another safeguard type", ResearchFile, "    access_reduction:", "    catch_rate: 0.5\n    access_reduction:"),
        new("a key that does not apply to the pilot outcome's kind", TailoredFile, "metric: eligible_reached, minimum_effect: 0.1 }", "metric: eligible_reached, minimum_effect: 0.1, tolerance: 0.1 }"),
        new("unknown key in a quasi-identifier", ResearchFile, "      released: year\n", "      released: year\n      release: year\n"),

        // Wrong types.
        new("text where a whole number belongs", FraudFile, "horizon_years: 5", "horizon_years: five"),
        new("text where a money value belongs", FraudFile, "    letter_cost: { value: 5,", "    letter_cost: { value: five,"),
        new("text where the population size belongs", PopulationFile, "    value: 67596281", "    value: lots"),
        new("text where true/false belongs", TailoredFile, "    sensitive_inference: true", "    sensitive_inference: yes"),
        new("a list where a mapping belongs (release)", ResearchFile, "  release:\n    form: record-level-tre", "  release: [record-level-tre]"),
        new("a list where a mapping belongs (area odds ratios)", PopulationFile, "area_odds_ratios: { london: 3.0 }", "area_odds_ratios: [london, 3.0]"),
        new("a mapping where a list belongs", TailoredFile, "    sources: [dwp-benefits, voa-property]", "    sources: { dwp-benefits: 1 }"),
        new("text where a list belongs", ResearchFile, "  designs: [individually-randomised]", "  designs: individually-randomised"),

        // Out-of-range probabilities, in every form and place.
        new("probability above 1 in a by-group value", FraudFile, "no-fixed-address: 0.35, care-leaver: 0.55", "no-fixed-address: 1.35, care-leaver: 0.55"),
        new("probability above 1 in a by-group base", FraudFile, "      base: 0.97", "      base: 97"),
        new("probability above 1 in a by-group { base } with evidence", FraudFile, "      prevalence: { base: \"beta(7.5, 367.5)\"", "      prevalence: { base: 1.02"),
        new("probability above 1 in a safeguard parameter", ResearchFile, "    catch_rate: { value: 0.95,", "    catch_rate: { value: 1.95,"),
        new("negative probability in a safeguard parameter", TailoredFile, "    reduction: 0.8", "    reduction: -0.2"),
        new("population prevalence above 1", PopulationFile, "        value: 0.24\n", "        value: 2.4\n"),
        new("population prevalence as a uniform leaving [0, 1]", PopulationFile, "uniform(0.005, 0.011)", "uniform(0.005, 1.5)"),
        new("population prevalence as a normal, which can leave [0, 1]", PopulationFile, "value: beta(60, 940)", "value: normal(0.06, 0.01)"),
        new("area share above 1", PopulationFile, "share: { value: 0.131164", "share: { value: 1.131164"),
        new("discount rate above 1", FraudFile, "  value: 0.035\n", "  value: 3.5\n"),
        new("linkage m above 1", FraudFile, "{ field: nino, m: 0.98, u: 0.0001 }", "{ field: nino, m: 1.98, u: 0.0001 }"),
        new("pilot alpha above 1", ResearchFile, "  alpha: 0.05", "  alpha: 1.05"),

        // Other ranges and forms.
        new("negative money", FraudFile, "    cost_per_case: 15", "    cost_per_case: -15"),
        new("an id in capitals", ResearchFile, "  - id: tre", "  - id: TRE"),
        new("a misspelt setting", FraudFile, "    comparison: annual-average", "    comparison: annual-averages"),
        new("a lognormal with a zero mean", ResearchFile, "    threshold: { value: 10,", "    threshold: { value: \"lognormal(0, 3)\","),
    ];

    public static TheoryData<Damage> DamagedFiles()
    {
        var data = new TheoryData<Damage>();
        foreach (var d in Damages)
            data.Add(d);
        return data;
    }

    [Theory]
    [MemberData(nameof(DamagedFiles))]
    public void Loader_and_schema_both_reject_a_damaged_file(Damage damage)
    {
        ArgumentNullException.ThrowIfNull(damage);
        string text = ScenarioFixture.Replace(Shipped(damage.File), damage.Old, damage.New);

        IReadOnlyList<ScenarioError> loader = LoaderErrors(damage.File, text);
        List<string> schema = SchemaErrors(text);

        Assert.True(loader.Count > 0, $"the loader accepts: {damage.Name}");
        Assert.True(schema.Count > 0, $"the schema accepts: {damage.Name}; loader says: {string.Join("\n", loader)}");
    }

    [Fact]
    public void The_test_fixture_and_the_format_references_example_are_accepted_by_the_schema()
    {
        string doc = File.ReadAllText(ValidateCommandTests.RepositoryFile("docs", "scenario-format.md"));
        int section = doc.IndexOf("## Example", StringComparison.Ordinal);
        int start = doc.IndexOf("```yaml\n", section, StringComparison.Ordinal) + "```yaml\n".Length;
        string example = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];

        foreach (string yaml in new[] { ScenarioFixture.Scenario, ScenarioFixture.PopulationText, example })
        {
            List<string> errors = SchemaErrors(yaml);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }

    /// <summary>
    /// The schema says where each safeguard type acts three times (its description, its
    /// <c>strands</c> list, and each strand's list of accepted types); all three follow the catalogue,
    /// which the loader and the strands' mechanisms follow.
    /// </summary>
    [Fact]
    public void The_schema_places_each_safeguard_type_in_the_strands_of_the_catalogue()
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json")))!;
        foreach (SafeguardType type in SafeguardCatalogue.Types)
        {
            JsonNode block = root["$defs"]![$"safeguard-{type.Id}"]!;
            Assert.EndsWith($"Acts in: {string.Join(", ", type.Strands)}.", block["description"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(type.Strands, block["properties"]!["strands"]!["items"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        }

        var byStrand = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Walk(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                if (obj["description"] is JsonValue d && d.GetValue<string>() is var text
                    && text.StartsWith("Safeguards whose type has a mechanism in strand '", StringComparison.Ordinal))
                {
                    string strand = text.Split('\'')[1];
                    byStrand[strand] = [.. obj["items"]!["properties"]!["type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>())];
                }

                foreach (var (_, value) in obj)
                    Walk(value);
            }
            else if (node is JsonArray array)
            {
                foreach (JsonNode? item in array)
                    Walk(item);
            }
        }

        Walk(root);
        Assert.Equal(StrandIds.All.Order(StringComparer.Ordinal), byStrand.Keys.Order(StringComparer.Ordinal));
        foreach (var (strand, types) in byStrand)
            Assert.Equal(SafeguardCatalogue.Types.Where(t => t.Strands.Contains(strand)).Select(t => t.Id), types);
    }

    [Fact]
    public void Schema_file_is_valid_json_and_a_valid_2020_12_schema()
    {
        string text = File.ReadAllText(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json"));
        using JsonDocument doc = JsonDocument.Parse(text);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", doc.RootElement.GetProperty("$schema").GetString());
        Assert.NotNull(JsonSchema.FromText(text));
    }

    /// <summary>Editors show a property's description on hover, so every property has one (conditions under <c>if</c> excepted: they are never shown).</summary>
    [Fact]
    public void Every_property_in_the_schema_has_a_description()
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json")))!;
        var missing = new List<string>();
        int checkedCount = 0;

        void Walk(JsonNode? node, string at)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "if")
                            continue;
                        if (key == "properties" && value is JsonObject props)
                        {
                            foreach (var (name, property) in props)
                            {
                                checkedCount++;
                                if (property is not JsonObject p || p["description"] is not JsonValue d
                                    || string.IsNullOrWhiteSpace(d.GetValue<string>()))
                                    missing.Add($"{at}/properties/{name}");
                            }
                        }

                        Walk(value, $"{at}/{key}");
                    }

                    break;
                case JsonArray array:
                    for (int i = 0; i < array.Count; i++)
                        Walk(array[i], $"{at}/{i}");
                    break;
            }
        }

        Walk(root, "#");
        Assert.True(checkedCount > 100, $"only {checkedCount} properties found");
        Assert.True(missing.Count == 0, "no description: " + string.Join(", ", missing));
    }

    private static JsonNode Def(string name) =>
        JsonNode.Parse(File.ReadAllText(ValidateCommandTests.RepositoryFile(Dir, "scenario.schema.json")))!["$defs"]![name]!;

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(v => v!.GetValue<string>())];

    [Fact]
    public void Schema_enums_are_the_loaders_words()
    {
        Assert.Equal(StrandIds.All, Strings(Def("strand")["enum"]));
        Assert.Equal(Evidence.GradeIds, Strings(Def("grade")["enum"]));
        Assert.Equal(SafeguardCatalogue.Principles, Strings(Def("principle")["enum"]));
        Assert.Equal(PopulationReader.AreaLevels, Strings(Def("population")["properties"]!["area_level"]!["enum"]));
        Assert.Equal(SourcesReader.Methods, Strings(Def("linkage")["properties"]!["method"]!["enum"]));
        Assert.Equal(FraudReader.States, Strings(Def("fraud")["properties"]!["true_states"]!["items"]!["properties"]!["id"]!["enum"]));
        Assert.Equal(FraudReader.Comparisons, Strings(Def("fraud")["properties"]!["matching"]!["properties"]!["comparison"]!["enum"]));
        Assert.Equal(TailoredServicesReader.Actions, Strings(Def("tailored-services")["properties"]!["action"]!["properties"]!["type"]!["enum"]));
        Assert.Equal(ResearchReader.ReleaseForms, Strings(Def("research")["properties"]!["release"]!["properties"]!["form"]!["enum"]));
        Assert.Equal(PilotReader.Designs, Strings(Def("pilot")["properties"]!["designs"]!["items"]!["enum"]));
        Assert.Equal(PilotReader.OutcomeKinds, Strings(Def("pilot-outcome")["properties"]!["kind"]!["enum"]));
    }

    /// <summary>
    /// Each reader's list of allowed keys, and where the schema lists the same mapping's properties:
    /// a definition, then property names, "[]" stepping into a list's items.
    /// </summary>
    public static TheoryData<Type, string, string> KeyLists() => new()
    {
        { typeof(ScenarioLoader), "ScenarioKeys", "scenario" },
        { typeof(ScenarioLoader), "PopulationFileKeys", "population-file" },
        { typeof(NodeReader), "ParameterKeys", "probability-with-evidence" },
        { typeof(NodeReader), "GroupValueKeys", "probability-by-group/anyOf/1" },
        { typeof(PopulationReader), "Keys", "population" },
        { typeof(PopulationReader), "AreaKeys", "area" },
        { typeof(PopulationReader), "IncomeKeys", "income" },
        { typeof(PopulationReader), "GroupKeys", "group" },
        { typeof(PopulationReader), "OverlapKeys", "group/overlaps/[]" },
        { typeof(PopulationReader), "AttributeKeys", "categorical-attribute" },
        { typeof(PopulationReader), "CategoryKeys", "categorical-attribute/categories/[]" },
        { typeof(SourcesReader), "SourceKeys", "data-source" },
        { typeof(SourcesReader), "FieldKeys", "data-source/fields/[]" },
        { typeof(SourcesReader), "LinkageKeys", "linkage" },
        { typeof(SourcesReader), "LinkFieldKeys", "linkage/fields/[]" },
        { typeof(SourcesReader), "ReviewKeys", "linkage/clerical_review" },
        { typeof(FraudReader), "Keys", "fraud" },
        { typeof(FraudReader), "ClaimantKeys", "fraud/claimants" },
        { typeof(FraudReader), "StateKeys", "fraud/true_states/[]" },
        { typeof(FraudReader), "StatusQuoKeys", "fraud/status_quo" },
        { typeof(FraudReader), "CheckKeys", "fraud/status_quo/checks/[]" },
        { typeof(FraudReader), "MatchingKeys", "fraud/matching" },
        { typeof(FraudReader), "ActionKeys", "fraud/actions" },
        { typeof(FraudReader), "ResponseKeys", "fraud/responses" },
        { typeof(FraudReader), "HardshipKeys", "fraud/hardship" },
        { typeof(FraudReader), "RecoveryKeys", "fraud/recovery" },
        { typeof(TailoredServicesReader), "Keys", "tailored-services" },
        { typeof(TailoredServicesReader), "NeedKeys", "tailored-services/need" },
        { typeof(TailoredServicesReader), "StatusQuoKeys", "tailored-services/status_quo" },
        { typeof(TailoredServicesReader), "IdentificationKeys", "tailored-services/identification" },
        { typeof(TailoredServicesReader), "ActionKeys", "tailored-services/action" },
        { typeof(TailoredServicesReader), "ValueKeys", "tailored-services/values" },
        { typeof(ResearchReader), "Keys", "research" },
        { typeof(ResearchReader), "ExtractKeys", "research/extract" },
        { typeof(ResearchReader), "QiKeys", "research/quasi_identifiers/[]" },
        { typeof(ResearchReader), "AttributeKeys", "research/sensitive_attributes/[]" },
        { typeof(ResearchReader), "ReleaseKeys", "research/release" },
        { typeof(ResearchReader), "AttackKeys", "research/attack" },
        { typeof(ResearchReader), "QuestionKeys", "research/questions/[]" },
        { typeof(ResearchReader), "ValueKeys", "research/values" },
        { typeof(PilotReader), "Keys", "pilot" },
        { typeof(PilotReader), "OutcomeKeys", "pilot-outcome" },
        { typeof(SafeguardsReader), "VariantKeys", "variant" },
    };

    /// <summary>The unknown-key rule, checked list by list: the schema allows exactly the keys the reader allows.</summary>
    [Theory]
    [MemberData(nameof(KeyLists))]
    public void Schema_allows_exactly_the_keys_the_reader_allows(Type reader, string field, string schemaPath)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(schemaPath);
        var keys = (string[])reader.GetField(field, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        string[] parts = schemaPath.Split('/');
        JsonNode node = Def(parts[0]);
        for (int i = 1; i < parts.Length; i++)
        {
            node = parts[i] == "[]" ? node["items"]!
                : int.TryParse(parts[i], out int index) ? node.AsArray()[index]!
                : parts[i] == "anyOf" ? node["anyOf"]!
                : node["properties"]![parts[i]]!;
            if (node is JsonObject o && o["$ref"] is { } r)
                node = Def(r.GetValue<string>()["#/$defs/".Length..]);
        }

        Assert.False(node["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(keys.Order(StringComparer.Ordinal), node["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// <c>uncertainty:</c> (in a scenario and in a population) takes the loader's grades, each a
    /// spread up to the loader's limit; a recovery's timing is as long as the loader allows.
    /// </summary>
    [Fact]
    public void Schema_takes_the_loaders_spreads_by_grade_and_recovery_years()
    {
        JsonNode uncertainty = Def("uncertainty");
        Assert.False(uncertainty["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(UncertaintySettings.Keys, uncertainty["properties"]!.AsObject().Select(p => p.Key));
        foreach (string grade in UncertaintySettings.Keys)
        {
            Assert.Equal(0, uncertainty["properties"]![grade]!["minimum"]!.GetValue<double>());
            Assert.Equal(NodeReader.MaxSpread, uncertainty["properties"]![grade]!["maximum"]!.GetValue<double>());
        }

        Assert.Equal("#/$defs/uncertainty", Def("scenario")["properties"]!["uncertainty"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/$defs/uncertainty", Def("population")["properties"]!["uncertainty"]!["$ref"]!.GetValue<string>());
        Assert.Equal(FraudReader.MaxRecoveryYears, Def("fraud")["properties"]!["recovery"]!["properties"]!["timing"]!["maxItems"]!.GetValue<int>());
    }

    private static readonly string[] CommonSafeguardKeys =
        ["id", "type", "description", "enabled", "strands", "principles", "setup_cost", "annual_cost"];

    [Fact]
    public void Schema_knows_every_safeguard_type_with_its_parameters_strands_groups_and_levels()
    {
        Assert.Equal(SafeguardCatalogue.Types.Select(t => t.Id), Strings(Def("safeguard")["properties"]!["type"]!["enum"]));
        foreach (var type in SafeguardCatalogue.Types)
        {
            JsonNode def = Def($"safeguard-{type.Id}");
            string[] keys = [.. def["properties"]!.AsObject().Select(p => p.Key)];
            string[] required = Strings(def["required"]);
            foreach (var p in type.Parameters)
            {
                Assert.Contains(p.Name, keys);
                Assert.Equal(p.Required, required.Contains(p.Name));
                string kind = p.Kind switch
                {
                    ParameterKind.Probability => "probability",
                    ParameterKind.Money => "money",
                    ParameterKind.NonNegative => "non-negative",
                    ParameterKind.Ratio => "ratio",
                    _ => "real",
                };
                Assert.Equal($"#/$defs/{kind}", def["properties"]![p.Name]!["$ref"]!.GetValue<string>());
            }

            Assert.Equal(type.TakesGroups, keys.Contains("groups") && required.Contains("groups"));
            Assert.Equal(type.TakesLevels, keys.Contains("levels") && required.Contains("levels"));
            Assert.Equal(type.Strands, Strings(def["properties"]!["strands"]!["items"]!["enum"]));
            int common = CommonSafeguardKeys.Length;
            Assert.Equal(common + type.Parameters.Count + (type.TakesGroups ? 1 : 0) + (type.TakesLevels ? 1 : 0), keys.Length);
        }
    }
}
