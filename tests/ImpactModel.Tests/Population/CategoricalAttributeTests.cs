using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Worker.Hosting;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Population;

/// <summary>
/// Categorical attributes tied to group membership: the declared shares hold overall and within the
/// listed groups, the first listed group decides, the persons do not depend on chunking, and the
/// attribute changes nothing else. Statistical checks use 4 standard errors derived below: a correct
/// build fails one such check about once in 16,000 runs.
/// </summary>
public class CategoricalAttributeTests
{
    private const string Housing = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: north, share: 0.4 }
            - { id: south, share: 0.6 }
          groups:
            - id: homeless
              prevalence: 0.05
              income_gradient: -0.5
              overlaps:
                - { with: poor, share: 0.6 }
            - id: poor
              prevalence: 0.2
              area_odds_ratios: { south: 2 }
          attributes:
            - id: housing
              categories:
                - { id: owner, share: 0.6 }
                - { id: renter, share: 0.3 }
                - { id: none, share: 0.1 }
              by_group:
                homeless: { none: 0.7 }
                poor: { renter: 0.6, none: 0.15 }
        """;

    private static PopulationSpec Load(string text)
    {
        ScenarioLoadResult result = ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text));
        return result.Population ?? throw new InvalidOperationException(string.Join("\n", result.Errors));
    }

    private static readonly PopulationSpec Uk = ScenarioLoader.Load(
        ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml"), DiskScenarioFiles.Instance).Population!;

    /// <summary>Persons [first, first + count) generated in chunks of <paramref name="chunkSize"/>: (group mask, category) per person.</summary>
    private static (uint[] Masks, byte[][] Categories) Generate(CompiledPopulation population, long first, int count, int chunkSize,
        PersonAttributes wanted = PersonAttributes.All)
    {
        var masks = new uint[count];
        byte[][] categories = [.. Enumerable.Range(0, population.CategoricalAttributes).Select(_ => new byte[count])];
        var chunk = new PersonChunk(chunkSize);
        for (int start = 0; start < count; start += chunkSize)
        {
            int n = Math.Min(chunkSize, count - start);
            population.Generate(chunk, first + start, n, wanted);
            Array.Copy(chunk.GroupMask, 0, masks, start, n);
            for (int a = 0; a < categories.Length; a++)
                Array.Copy(chunk.Categorical(a), 0, categories[a], start, n);
        }

        return (masks, categories);
    }

    private static double Sigma(double p, long n) => Math.Sqrt(p * (1 - p) / n);

    [Fact, Trait("Category", "Statistical")]
    public void Marginal_shares_hold_over_a_million_persons_within_4_standard_errors_including_the_calibrations_own()
    {
        var population = CompiledPopulation.Compile(Load(Housing), seed: 20240601, replicate: 0);
        CategoricalAttributeDraw draw = Assert.Single(population.CategoricalDraws);
        Assert.False(draw.Clamped);
        Assert.Equal(CompiledPopulation.CategoricalCalibrationPersons, draw.CalibrationPersons);
        const int N = 1_000_000;
        (_, byte[][] categories) = Generate(population, 0, N, PersonChunk.DefaultCapacity);
        int n = draw.CalibrationPersons;
        for (int k = 0; k < draw.Categories.Count; k++)
        {
            long count = categories[0].Count(c => c == k);
            double s = draw.Marginal[k];
            // Given the memberships, the realised share has binomial variance at most s(1 − s)/N about
            // Σ_g Q_g d_gk + (1 − Σ Q_g) rest_k, where Q are the shares deciding by each group among the
            // N persons; rest was solved with the shares q of the first n persons, so that mean is
            // s_k + Σ_g (Q_g − q_g)(d_gk − rest_k), the mean over persons of X = d_{G,k} − rest_k (G the
            // person's deciding group, rest: 0) over N persons minus that over the n among them:
            // (1 − n/N)(mean over the other N − n − mean over the n), of variance (1 − n/N) Var(X) / n.
            double meanX = 0, meanX2 = 0;
            for (int g = 0; g < draw.Groups.Count; g++)
            {
                double x = draw.ByGroup[g][k] - draw.Rest[k];
                meanX += draw.DecidingShares[g] * x;
                meanX2 += draw.DecidingShares[g] * x * x;
            }

            double calibration = (1 - n / (double)N) * (meanX2 - meanX * meanX) / n;
            double se = Math.Sqrt(s * (1 - s) / N + calibration);
            Assert.InRange(count / (double)N, s - 4 * se, s + 4 * se);
        }

        // The solved distributions give the marginal exactly in expectation over the calibration persons.
        for (int k = 0; k < draw.Categories.Count; k++)
            Assert.Equal(draw.Marginal[k], draw.Expected[k], 12);
        Assert.Equal([0.6, 0.3, 0.1], draw.Marginal.Select(x => Math.Round(x, 12)));
    }

    [Fact, Trait("Category", "Statistical")]
    public void Within_a_listed_group_its_shares_hold_and_the_first_listed_group_decides_for_a_member_of_both()
    {
        var population = CompiledPopulation.Compile(Load(Housing), seed: 7, replicate: 1);
        CategoricalAttributeDraw draw = population.CategoricalDraws[0];
        Assert.Equal(["homeless", "poor"], draw.Groups);
        // homeless: none 0.7; owner and renter share 0.3 in proportion 0.6 : 0.3.
        Assert.Equal([0.2, 0.1, 0.7], draw.ByGroup[0].Select(x => Math.Round(x, 12)));
        // poor: renter 0.6, none 0.15, owner the remaining 0.25.
        Assert.Equal([0.25, 0.6, 0.15], draw.ByGroup[1].Select(x => Math.Round(x, 12)));

        (uint[] masks, byte[][] categories) = Generate(population, 0, 1_000_000, PersonChunk.DefaultCapacity);
        uint homeless = 1, poor = 2;
        void Holds(Func<uint, bool> select, IReadOnlyList<double> expected, string what)
        {
            long n = 0;
            var counts = new long[expected.Count];
            for (int i = 0; i < masks.Length; i++)
            {
                if (!select(masks[i]))
                    continue;
                n++;
                counts[categories[0][i]]++;
            }

            Assert.True(n > 10_000, $"{what}: only {n} persons");
            for (int k = 0; k < expected.Count; k++)
            {
                double p = expected[k];
                Assert.True(Math.Abs(counts[k] / (double)n - p) <= 4 * Sigma(p, n), $"{what}, category {k}: {counts[k]} of {n}, expected share {p}");
            }
        }

        Holds(m => (m & homeless) != 0 && (m & poor) == 0, draw.ByGroup[0], "homeless only");
        Holds(m => (m & homeless) != 0 && (m & poor) != 0, draw.ByGroup[0], "homeless and poor: homeless is listed first");
        Holds(m => (m & homeless) == 0 && (m & poor) != 0, draw.ByGroup[1], "poor only");
        Holds(m => m == 0, draw.Rest, "in no listed group");
    }

    [Fact]
    public void The_persons_are_the_same_for_any_chunk_size_and_thread_count()
    {
        PopulationSpec spec = Load(Housing);
        CategoricalAttributeSpec housing = spec.Attributes[0];
        // Six attributes: the fifth and sixth take the words of the second block (2 + a / 4 = 3).
        spec = spec with { Attributes = [.. Enumerable.Range(0, 6).Select(a => housing with { Id = $"housing-{a}" })] };
        var population = CompiledPopulation.Compile(spec, seed: 3, replicate: 2);
        const long First = 123_457;
        var reference = Generate(population, First, 5_000, 1024);
        foreach (int size in new[] { 1, 7, 333, 5_000 })
        {
            var other = Generate(CompiledPopulation.Compile(spec, seed: 3, replicate: 2), First, 5_000, size);
            Assert.Equal(reference.Masks, other.Masks);
            for (int a = 0; a < 6; a++)
                Assert.Equal(reference.Categories[a], other.Categories[a]);
        }

        // Attributes with the same declaration draw different words, so they differ as persons.
        Assert.NotEqual(reference.Categories[0], reference.Categories[4]);

        long[] Counts(ChunkLoopOptions options)
        {
            IReadOnlyList<long[]> states = ChunkLoop.Run(CompiledPopulation.Compile(spec, seed: 3, replicate: 2), PersonAttributes.Categorical, 0, 200_000,
                options, () => new long[6 * 3 * 4], (counts, persons) =>
                {
                    for (int a = 0; a < 6; a++)
                    {
                        byte[] category = persons.Categorical(a);
                        for (int i = 0; i < persons.Count; i++)
                            counts[(a * 3 + category[i]) * 4 + (int)persons.GroupMask[i]]++;
                    }
                });
            var total = new long[6 * 3 * 4];
            foreach (long[] state in states)
            {
                for (int j = 0; j < total.Length; j++)
                    total[j] += state[j];
            }

            return total;
        }

        Assert.Equal(Counts(new ChunkLoopOptions(Threads: 1, ChunkSize: 1000)), Counts(new ChunkLoopOptions(Threads: 4, ChunkSize: 4096, ChunksPerItem: 1)));
    }

    [Fact]
    public void Generating_categorical_attributes_changes_no_other_attribute()
    {
        PopulationSpec without = Uk with { Attributes = [] };
        Assert.NotEmpty(Uk.Attributes);
        var withAttributes = CompiledPopulation.Compile(Uk, seed: 11, replicate: 0);
        var plain = CompiledPopulation.Compile(without, seed: 11, replicate: 0);
        var a = new PersonChunk(2048);
        var b = new PersonChunk(2048);
        var c = new PersonChunk(2048);
        for (long first = 0; first < 40_000; first += 2048)
        {
            withAttributes.Generate(a, first, 2048, PersonAttributes.All);
            withAttributes.Generate(b, first, 2048, PersonAttributes.All & ~PersonAttributes.Categorical);
            plain.Generate(c, first, 2048, PersonAttributes.All);
            foreach (PersonChunk other in new[] { b, c })
            {
                Assert.Equal(a.GroupMask, other.GroupMask);
                Assert.Equal(a.Area, other.Area);
                Assert.Equal(a.IncomeDecile, other.IncomeDecile);
                Assert.Equal(a.Income, other.Income);
                Assert.Equal(a.Age, other.Age);
                Assert.Equal(a.Female, other.Female);
                Assert.Equal(a.HouseholdSize, other.HouseholdSize);
                Assert.Equal(a.LocalAuthority, other.LocalAuthority);
            }

            Assert.Contains(a.Categorical(0), x => x == 1); // some persons in communal establishments
            Assert.All(b.CategoricalStorage(0), x => Assert.Equal(0, x)); // not wanted: read as 0
        }
    }

    [Fact]
    public void Reading_a_categorical_attribute_that_was_not_generated_fails_with_engine_checks_on()
    {
        Assert.True(EngineChecks.Enabled, "the suite runs with the engine checks on (Support/EngineChecksOn.cs)");
        var population = CompiledPopulation.Compile(Load(Housing), seed: 1, replicate: 0);
        var chunk = new PersonChunk(16);
        population.Generate(chunk, 0, 16, PersonAttributes.Age);
        Assert.Contains("Categorical was read but not generated", Assert.Throws<InvalidOperationException>(() => chunk.Categorical(0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_shares_that_exceed_the_marginal_are_clamped_and_said_so()
    {
        // All of a 5% group in 'none', whose marginal share is 1%: the rest would need a negative share.
        string text = Housing.Replace("homeless: { none: 0.7 }", "homeless: { none: 1 }", StringComparison.Ordinal)
            .Replace("{ id: owner, share: 0.6 }", "{ id: owner, share: 0.69 }", StringComparison.Ordinal)
            .Replace("{ id: none, share: 0.1 }", "{ id: none, share: 0.01 }", StringComparison.Ordinal);
        CategoricalAttributeDraw draw = CompiledPopulation.Compile(Load(text), seed: 1, replicate: 0).CategoricalDraws[0];
        Assert.True(draw.Clamped);
        Assert.Equal(0, draw.Rest[2]);
        Assert.Equal(1, draw.Rest.Sum(), 12);
    }

    [Fact]
    public void The_shipped_UK_population_declares_accommodation_and_its_shares_solve_without_clamping()
    {
        CategoricalAttributeSpec accommodation = Assert.Single(Uk.Attributes);
        Assert.Equal("accommodation", accommodation.Id);
        Assert.Equal(["private-household", "communal-or-none"], accommodation.Categories.Select(c => c.Id));
        Assert.Equal("no-fixed-address", Assert.Single(accommodation.ByGroup).Group);
        for (int replicate = 0; replicate < 3; replicate++)
        {
            CategoricalAttributeDraw draw = CompiledPopulation.Compile(Uk, seed: 20140227, replicate).CategoricalDraws[0];
            Assert.False(draw.Clamped);
            Assert.InRange(draw.ByGroup[0][1], 0.43, 0.51);
            Assert.InRange(draw.DecidingShares[0], 0.001, 0.01);
            Assert.Equal(draw.Marginal[1], draw.Expected[1], 12);
        }
    }

    // Reader errors: the fixture's population with an attribute appended, damaged one token at a time.

    private const string P = PopulationPath;

    private const string Attribute = """

          attributes:
            - id: housing
              categories:
                - { id: owner, share: 0.6 }
                - { id: renter, share: 0.3 }
                - { id: none, share: 0.1 }
              by_group:
                no-fixed-address: { none: 0.7 }
                disabled: { renter: 0.4, none: 0.05 }
        """;

    private static readonly string WithAttribute = PopulationText + Attribute;

    /// <summary>The line of the first appearance of <paramref name="token"/>.</summary>
    private static int Line(string text, string token) => int.Parse(At(P, text, token).Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static string Error(string population) => SingleError(ScenarioFixture.Load(population: population));

    [Fact]
    public void The_fixture_with_an_attribute_is_valid()
    {
        ScenarioLoadResult result = ScenarioFixture.Load(population: WithAttribute);
        Assert.Empty(result.Errors);
        Assert.Equal("housing", Assert.Single(result.Scenario!.Population.Attributes).Id);
    }

    [Fact]
    public void Category_shares_that_do_not_sum_to_one_are_refused_at_the_list()
    {
        string text = Replace(WithAttribute, "{ id: none, share: 0.1 }", "{ id: none, share: 0.2 }");
        Assert.Equal($"{At(P, text, "- { id: owner")}: population.attributes.housing.categories: category shares sum to 1.1, not 1 (tolerance ±0.001)",
            Error(text));
    }

    [Fact]
    public void An_unknown_group_in_by_group_is_refused_with_a_suggestion()
    {
        string text = Replace(WithAttribute, "no-fixed-address: { none", "no-fixed-adress: { none");
        Assert.Equal($"{At(P, text, "no-fixed-adress:")}: population.attributes.housing.by_group.no-fixed-adress: " +
            "unknown group 'no-fixed-adress'; known: no-fixed-address, frequent-mover, disabled; did you mean 'no-fixed-address'?", Error(text));
    }

    [Fact]
    public void An_unknown_category_in_by_group_is_refused_with_a_suggestion()
    {
        string text = Replace(WithAttribute, "{ renter: 0.4", "{ rentre: 0.4");
        Assert.Equal($"{At(P, text, "rentre")}: population.attributes.housing.by_group.disabled.rentre: " +
            "unknown category 'rentre'; known: owner, renter, none; did you mean 'renter'?", Error(text));
    }

    [Fact]
    public void An_attribute_id_reserved_for_the_engine_is_refused()
    {
        string text = Replace(WithAttribute, "- id: housing", "- id: household-size");
        Assert.Equal($"{At(P, text, "household-size")}: population.attributes.household-size.id: attribute id 'household-size' is reserved " +
            "for the engine's own quasi-identifier (age, sex, area, income, household-size, local-authority); choose another id", Error(text));
    }

    [Fact]
    public void Shares_by_group_above_one_are_refused_at_the_group()
    {
        string text = Replace(WithAttribute, "{ renter: 0.4, none: 0.05 }", "{ renter: 0.9, none: 0.3 }");
        Assert.Equal($"{At(P, text, "disabled: {")}: population.attributes.housing.by_group.disabled: the shares listed for 'disabled' sum to 1.2, " +
            "more than 1 (tolerance ±0.001); the categories not listed share what remains", Error(text));
    }

    [Fact]
    public void A_category_declared_twice_is_refused_at_the_second()
    {
        string text = Replace(Replace(WithAttribute, "{ id: renter, share: 0.3 }", "{ id: owner, share: 0.3 }"), "{ renter: 0.4, none: 0.05 }", "{ none: 0.05 }");
        Assert.Equal($"{At(P, text, "{ id: owner", 2)}: population.attributes.housing.categories.owner: category 'owner' is declared twice (first at line {Line(text, "{ id: owner")})",
            Error(text));
    }

    [Fact]
    public void An_attribute_declared_twice_is_refused_at_the_second()
    {
        string second = Attribute.Replace("\n  attributes:\n", "\n", StringComparison.Ordinal);
        string text = WithAttribute + second;
        Assert.Equal($"{At(P, text, "id: housing", 2)}: population.attributes.housing: attribute 'housing' is declared twice (first at line {Line(text, "id: housing")})",
            Error(text));
    }
}
