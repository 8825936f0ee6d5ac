using System.Globalization;
using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Strands.Research;
using ImpactModel.Tests.Cli;
using ImpactModel.Worker.Commands;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// The research tests share one collection: <see cref="ResearchReplicate.CompactPath"/> is a static
/// switch, so no research test may run while a test has it off.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResearchSerial
{
    public const string Name = "research strand (static switches)";
}

/// <summary>Scenarios, runs and direct drives of the research strand for its tests.</summary>
internal static class ResearchFixture
{
    /// <summary>An inline scenario is served at this path, beside the shipped scenarios, so <c>population: uk-population.yaml</c> reads the shipped population.</summary>
    private static readonly string InlinePath = ValidateCommandTests.RepositoryFile("scenarios", "research-test-inline.yaml");

    /// <summary>
    /// The shipped population released at four quasi-identifiers (age by year, sex, local authority,
    /// accommodation type: 131,404 cells), an attacker who knows all but accommodation, and every
    /// safeguard that changes what is released: two generalisations (age to five-year bands; area to
    /// region and accommodation to nothing), suppression below 5, output checking, noise; and a
    /// public-tables variant, and one at full detail without suppression (checked and noised). <paramref name="fraction"/> of the persons are in the extract.
    /// </summary>
    public static string Detail(double fraction = 1) => Invariant($$"""
        strand: research-statistics
        name: detail
        price_year: 2023
        horizon_years: 5
        population: uk-population.yaml
        research:
          extract: { sample_fraction: {{fraction:R}} }
          quasi_identifiers:
            - { id: age, levels: { year: 91, five-year: 19, ten-year: 10 }, released: year }
            - { id: sex, levels: { sex: 2 }, released: sex }
            - { id: area, levels: { local-authority: 361, itl1-region: 12 }, released: local-authority }
            - { id: accommodation, levels: { type: 2, none: 1 }, released: type }
          sensitive_attributes:
            - { id: benefit-receipt, prevalence: { base: 0.15, by_group: { disabled: 0.35, no-fixed-address: 0.6 } } }
            - { id: disability-benefit, prevalence: { base: 0.01, by_group: { disabled: 0.3 } } }
          release:
            form: record-level-tre
          attack:
            attacker: an insider
            attempts_per_year: 20
            knows: [age, sex, area]
            success_if_unique: 0.9
          questions:
            - { id: benefit, attribute: benefit-receipt, groups: [disabled, no-fixed-address] }
            - { id: disability, attribute: disability-benefit }
        safeguards:
          - { id: coarse-age, type: generalisation, levels: { age: five-year } }
          - { id: coarse-place, type: generalisation, levels: { area: itl1-region, accommodation: none } }
          - { id: suppress, type: suppression, threshold: {{SuppressionThreshold}} }
          - { id: check, type: output-checking, catch_rate: 0.5 }
          - { id: noise, type: noise, epsilon: 1 }
        variants:
          - id: tables
            overrides:
              research.release.form: public-tables
          - id: tables-detailed
            overrides:
              research.release.form: public-tables
              safeguards.coarse-age.enabled: false
              safeguards.coarse-place.enabled: false
              safeguards.suppress.enabled: false
        """);

    /// <summary>The suppression threshold of <see cref="Detail"/>.</summary>
    public const int SuppressionThreshold = 5;

    /// <summary>Loads <paramref name="text"/> as a scenario file; <paramref name="population"/>, when given, is its <c>pop.yaml</c>.</summary>
    public static Scenario Load(string text, string? population = null)
    {
        var files = new Overlay(InlinePath, text, population);
        ScenarioLoadResult result = ScenarioLoader.Load(InlinePath, files);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    /// <summary>The scenario with its declared population set to <paramref name="size"/> persons (to simulate all of a small population: exact class sizes).</summary>
    public static Scenario Declare(Scenario s, long size) => s with { Population = s.Population with { Size = size } };

    public static Scenario Shipped()
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load(ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml"), DiskScenarioFiles.Instance);
        return loaded.Scenario ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
    }

    public static RunResult Run(Scenario s, ulong seed = 7, int replicates = 1, long? persons = null, int threads = 0, int chunk = 4096) =>
        SimulationRunner.Run(s, new RunSettings(seed, replicates, persons ?? s.Population.Size, threads, chunk), BuiltInStrands.Registry);

    public static MetricSeries Series(RunResult r, string variant, string group, string metric) =>
        r.Series.Single(x => x.Variant == variant && x.Group == group && x.Metric == metric);

    public static double Value(RunResult r, string variant, string group, string metric, int replicate = 0) =>
        Series(r, variant, group, metric).Values[replicate] ?? throw new InvalidOperationException($"{variant}/{group}/{metric} is undefined in replicate {replicate}");

    public static string ResultsCsv(RunResult r)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        RunFolder.WriteResults(r, w);
        return w.ToString();
    }

    public static string Invariant(FormattableString s) => FormattableString.Invariant(s);

    /// <summary>
    /// Replicate <paramref name="replicate"/> of the strand driven by hand over persons 0 … <paramref name="persons"/> − 1:
    /// pass 0 counted and ended, so <see cref="ResearchReplicate.RecordValues"/> can be read, and every person in one chunk.
    /// </summary>
    public static Driven Drive(Scenario s, long persons, ulong seed = 7, int replicate = 0)
    {
        var model = new ResearchModel(s);
        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(s);
        CompiledPopulation population = CompiledPopulation.Compile(s.Population, seed, replicate);
        var r = (ResearchReplicate)model.Compile(new ReplicateContext(s, variants, population, seed, replicate, persons));
        const int Chunk = 4096;
        var output = ChunkOutput.Alone(model, variants.Count, population.GroupIds.Count, Chunk);
        IChunkEvaluator counter = r.CreateEvaluator(0, Chunk);
        var chunk = new PersonChunk(Chunk);
        for (long first = 0; first < persons; first += Chunk)
        {
            int n = (int)Math.Min(Chunk, persons - first);
            population.Generate(chunk, first, n, model.Reads);
            counter.Evaluate(chunk, output);
        }

        r.EndPass(0, output.Accumulators);
        var all = new PersonChunk((int)persons);
        population.Generate(all, 0, (int)persons, model.Reads);
        return new Driven(model, r, variants, population, all);
    }

    /// <summary>A replicate after pass 0 and every person it counted.</summary>
    public sealed record Driven(ResearchModel Model, ResearchReplicate Replicate, IReadOnlyList<SimulationVariant> Variants, CompiledPopulation Population,
        PersonChunk Persons)
    {
        public int Variant(string id)
        {
            for (int v = 0; v < Variants.Count; v++)
            {
                if (Variants[v].Id == id)
                    return v;
            }

            throw new ArgumentException($"no variant '{id}'; variants: {string.Join(", ", Variants.Select(x => x.Id))}", nameof(id));
        }

        /// <summary>Each person's (released, prosecutor, journalist) in variant <paramref name="id"/>: released in units of 2^-24, −1 outside the extract; the risks in units of 2^-40.</summary>
        public (long[] Released, long[] Prosecutor, long[] Journalist) Values(string id)
        {
            int n = Persons.Count;
            var released = new long[n];
            var prosecutor = new long[n];
            var journalist = new long[n];
            Replicate.RecordValues(Variant(id), Persons, released, prosecutor, journalist);
            return (released, prosecutor, journalist);
        }
    }

    /// <summary>One file held in memory at an absolute path (and an optional <c>pop.yaml</c> beside it); every other path is read from disk.</summary>
    private sealed class Overlay(string path, string text, string? population) : IScenarioFiles
    {
        public string Resolve(string referencingFile, string relativePath) => DiskScenarioFiles.Instance.Resolve(referencingFile, relativePath);

        public ScenarioFileContent Read(string p)
        {
            if (p == path)
                return ScenarioFileContent.Of(System.Text.Encoding.UTF8.GetBytes(text));
            if (population is not null && Path.GetFileName(p) == "pop.yaml")
                return ScenarioFileContent.Of(System.Text.Encoding.UTF8.GetBytes(population));
            return DiskScenarioFiles.Instance.Read(p);
        }
    }
}
