using System.Text.RegularExpressions;
using ImpactModel.Population;
using ImpactModel.Safeguards;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Strands;
using ImpactModel.Strands.Fraud;
using ImpactModel.Strands.Research;
using ImpactModel.Strands.TailoredServices;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Tests.Strands.Fraud;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Simulation;

/// <summary>The strand seam's guards: registry, counters, attribute reads, safeguard dispatch and layering.</summary>
public partial class SeamTests
{
    /// <summary>
    /// The built-in registry without the research strand: every shipped strand has a model now, so
    /// the fallback (the population and linkage model, with a warning) is tested on a registry that
    /// lacks one.
    /// </summary>
    internal static StrandRegistry WithoutResearch { get; } = new StrandRegistry(scenario => [new PopulationLinkageModel(scenario)])
        .With(StrandIds.Fraud, scenario => [new PopulationLinkageModel(scenario, linkEveryone: false), new FraudModel(scenario)])
        .With(StrandIds.TailoredServices, scenario => [new PopulationLinkageModel(scenario, linkEveryone: false), new TailoredServicesModel(scenario)]);

    internal static Scenario ShippedResearch()
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load(ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml"), DiskScenarioFiles.Instance);
        return loaded.Scenario ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
    }

    [Fact]
    public void A_strand_without_a_model_runs_the_population_and_says_so_in_one_warning()
    {
        Scenario research = ShippedResearch();
        StrandModels models = WithoutResearch.For(research);
        Assert.IsType<PopulationLinkageModel>(Assert.Single(models.Models));
        string warning = Assert.Single(models.Warnings);
        Assert.Contains("strand 'research-statistics' has no model yet", warning, StringComparison.Ordinal);

        RunResult run = SimulationRunner.Run(research, new RunSettings(1, 1, 5_000), WithoutResearch);
        Assert.Equal(warning, run.Warnings[0]);
    }

    [Fact]
    public void A_registered_strand_runs_its_own_model_with_no_warning()
    {
        Scenario fraud = FraudStrandTests.ShippedScenario();
        StrandModels models = BuiltInStrands.Registry.For(fraud);
        Assert.Collection(models.Models, m => Assert.IsType<PopulationLinkageModel>(m), m => Assert.IsType<FraudModel>(m));
        Assert.Empty(models.Warnings);
        Assert.Equal(StrandIds.All.Order(StringComparer.Ordinal), BuiltInStrands.Registry.Strands);

        StrandModels research = BuiltInStrands.Registry.For(ShippedResearch());
        Assert.Collection(research.Models, m => Assert.IsType<PopulationLinkageModel>(m), m => Assert.IsType<ResearchModel>(m));
        Assert.Empty(research.Warnings);
    }

    [Fact]
    public void A_strand_is_registered_once_and_only_under_a_known_id()
    {
        Assert.Throws<ArgumentException>(() => BuiltInStrands.Registry.With(StrandIds.Fraud, s => []));
        Assert.Throws<ArgumentException>(() => BuiltInStrands.Registry.With("frud", s => []));
    }

    [Fact]
    public void The_fraud_strand_marks_as_harmed_exactly_the_persons_it_counts_as_wrongfully_acted_on()
    {
        Scenario fraud = FraudStrandTests.ShippedScenario();
        var variants = VariantBuilder.Build(fraud);
        var observers = new List<TwoPassStrandTests.HarmCounter>();
        RunResult run = SimulationRunner.Run(fraud, new RunSettings(3, 1, 100_000, 2, 1000), BuiltInStrands.Registry, observe: _ =>
        {
            var o = new TwoPassStrandTests.HarmCounter(variants.Count);
            lock (observers)
                observers.Add(o);
            return o;
        });

        long total = 0;
        for (int v = 0; v < variants.Count; v++)
        {
            double scaled = run.Series.Single(x => x.Variant == variants[v].Id && x.Group == "all" && x.Metric == "wrongful_adverse_actions").Values[0]!.Value;
            long harmed = observers.Sum(o => o.Harmed[v]);
            Assert.Equal(Math.Round(scaled / run.ScaleFactor), harmed);
            total += harmed;
        }

        Assert.True(total > 0, "the run has wrongful adverse actions to mark");
    }

    [Fact]
    public void Counter_names_derive_from_the_enum_in_snake_case()
    {
        CounterSet set = CounterSet.Of<CellSizeStrand.Counter>();
        Assert.Equal(["persons", "uniques", "small_class_persons", "class_size_sum"], set.Names.ToArray());
        Assert.Equal(2, CounterSet.IndexOf(CellSizeStrand.Counter.SmallClassPersons));
        CounterSet withLinks = set.Then("link", LinkCounters.Set);
        Assert.Equal(4 + 6, withLinks.Count);
        Assert.Equal(4, withLinks.IndexOf("link.processed"));
    }

    private enum Gappy
    {
        First = 0,
        Second = 2,
    }

    [Fact]
    public void Counters_numbered_with_a_gap_or_named_twice_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CounterSet.Of<Gappy>());
        Assert.Throws<ArgumentException>(() => CounterSet.Of(["a", "b", "a"]));
    }

    [Fact]
    public void A_counter_outside_the_strand_slice_fails_instead_of_writing_into_the_next_strand()
    {
        Assert.True(EngineChecks.Enabled, "the suite runs with the engine checks on (Support/EngineChecksOn.cs)");
        var table = new TallyTable(variants: 2, groups: 3, counters: 10);
        var slice = new StrandTally(table, offset: 4, count: 3);
        slice.Add(1, 0b101, 2, 5);
        Assert.Equal(5, table[1, 0, 6]);
        Assert.Throws<InvalidOperationException>(() => slice.Add(1, 0, 3, 1)); // would be counter 7: the next strand's
        Assert.Throws<InvalidOperationException>(() => table.Add(0, 0, 10, 1));
        Assert.Throws<InvalidOperationException>(() => table.Add(2, 0, 0, 1));
        Assert.Throws<InvalidOperationException>(() => table.Add(0, 0b1000, 0, 1)); // a fourth group the table does not have
        Assert.Equal(5, table[1, 0, 6]);
    }

    /// <summary>A model that declares no optional attributes but reads age.</summary>
    private sealed class ReadsUndeclaredAge : IStrandModel
    {
        public CounterSet Counters { get; } = CounterSet.Of(["persons"]);

        public PersonAttributes Reads => PersonAttributes.None;

        public IReadOnlyList<string> SharedParameters => [];

        public IReadOnlyList<MetricDefinition> Metrics { get; } = [new("persons", MetricUnit.Persons, 0)];

        public IStrandReplicate Compile(ReplicateContext context) => new Replicate();

        private sealed class Replicate : IStrandReplicate, IChunkEvaluator
        {
            public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity) => this;

            public void Complete(StrandTally total)
            {
            }

            public void Evaluate(PersonChunk persons, in ChunkOutput output) =>
                output.Tally.Add(0, 0, 0, persons.Age[0]);
        }
    }

    [Fact]
    public void An_evaluator_reading_an_attribute_its_model_does_not_declare_fails_loudly()
    {
        Scenario fraud = FraudStrandTests.ShippedScenario();
        // The fraud model reads age, so age is generated in this run: the check is per model, not per run.
        // The chunk loop rethrows a worker's exception as it was thrown (ChunkLoop.Run), not wrapped.
        var e = Assert.Throws<InvalidOperationException>(() => SimulationRunner.Run(fraud, new RunSettings(1, 1, 2_000),
            [new FraudModel(fraud), new ReadsUndeclaredAge()]));
        Assert.Contains("Age was read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fraud_strand_has_a_mechanism_for_exactly_the_safeguard_types_the_catalogue_lists_for_it()
    {
        string[] catalogued = [.. SafeguardCatalogue.Types.Where(t => t.Strands.Contains(StrandIds.Fraud)).Select(t => t.Id).Order(StringComparer.Ordinal)];
        Assert.Equal(catalogued, FraudReplicate.SafeguardTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Safeguard_mechanisms_that_differ_from_the_catalogue_are_refused()
    {
        var byType = new Dictionary<string, SafeguardMechanism<object>>
        {
            ["human-review"] = SafeguardMechanisms.CostOnly<object>(),
            ["noise"] = SafeguardMechanisms.CostOnly<object>(),
        };
        var e = Assert.Throws<InvalidOperationException>(() => new SafeguardMechanisms<object>(StrandIds.Fraud, byType));
        Assert.Contains("catalogued without a mechanism: higher-threshold", e.Message, StringComparison.Ordinal);
        Assert.Contains("the catalogue does not list for the strand: noise", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_safeguard_type_with_no_mechanism_in_the_strand_is_refused_at_load_with_its_position()
    {
        string text = ScenarioFixture.Replace(ScenarioFixture.Scenario, "type: vulnerability-screen\n    groups: [disabled, no-fixed-address]\n    detection_rate: 0.5",
            "type: data-minimisation\n    reduction: 0.5");
        string error = ScenarioFixture.SingleError(ScenarioFixture.Load(text));
        Assert.StartsWith(ScenarioFixture.At(ScenarioFixture.ScenarioPath, text, "data-minimisation"), error, StringComparison.Ordinal);
        Assert.Contains("a data-minimisation safeguard has no mechanism in this scenario's strand 'fraud-error-debt'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_parameter_path_a_model_declares_shared_names_parameters_of_the_shipped_scenario()
    {
        // The prefixes are written by hand: a misspelt one ("linkages" for "linkage") would let an
        // override of something every variant shares pass as if it acted.
        Scenario fraud = FraudStrandTests.ShippedScenario();
        string[] paths = [.. ScenarioParameters.All(fraud).Select(p => p.Path)];
        foreach (IStrandModel model in BuiltInStrands.Registry.For(fraud).Models)
        {
            foreach (string prefix in model.SharedParameters)
                Assert.True(paths.Any(p => VariantBuilder.IsUnder(p, prefix)), $"{model.GetType().Name}: '{prefix}' names no parameter");
        }
    }

    [GeneratedRegex(@"^\s*using\s+(static\s+)?ImpactModel\.(Strands|StrandKit)\b", RegexOptions.Multiline)]
    private static partial Regex StrandImport();

    [Fact]
    public void The_engine_core_imports_no_strand_no_strand_kit_and_no_reflection()
    {
        string core = ValidateCommandTests.RepositoryFile("src", "ImpactModel", "Simulation");
        var offenders = Directory.GetFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f) is var text
                        && (StrandImport().IsMatch(text) || text.Contains("ImpactModel.Strands", StringComparison.Ordinal)
                            || text.Contains("ImpactModel.StrandKit", StringComparison.Ordinal)
                            || text.Contains("System.Reflection", StringComparison.Ordinal)))
            .Select(Path.GetFileName).ToList();
        Assert.Empty(offenders);
        Assert.NotEmpty(Directory.GetFiles(core, "*.cs"));
    }

    [Fact]
    public void Strands_draw_parameters_only_through_the_kit()
    {
        // Drawn any other way, a variant's override would be lost and the read would go unrecorded.
        string[] bypasses = ["ParameterSampler.", "PersonDistribution.Of(", "CompiledLinkage.Compile(", "GroupValueTable.Build("];
        string strands = ValidateCommandTests.RepositoryFile("src", "ImpactModel", "Strands");
        var offenders = Directory.GetFiles(strands, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => bypasses.Where(b => File.ReadAllText(f).Contains(b, StringComparison.Ordinal)).Select(b => $"{Path.GetFileName(f)}: {b}"))
            .ToList();
        Assert.Empty(offenders);
    }
}
