using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Population;

/// <summary>
/// The synthetic population against what it declares. Tolerances are 4 standard errors computed
/// from the sample size (and the parameter's own variance where it is uncertain): a correct build
/// fails one such check about once in 16,000 runs.
/// </summary>
public class PopulationTests
{
    private static readonly PopulationSpec Uk = ScenarioLoader.Load(
        ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml"), DiskScenarioFiles.Instance).Population!;

    private static void WithinFourSigma(DescribedFigure f) =>
        Assert.True(Math.Abs(f.Realised - f.Declared) <= 4 * f.StandardError,
            $"{f.Name}: realised {f.Realised} vs declared {f.Declared}, se {f.StandardError}, z {f.Z}");

    [Fact, Trait("Category", "Statistical")]
    public void The_shipped_UK_population_matches_its_declaration_within_4_standard_errors_for_a_million_persons()
    {
        PopulationDescription d = PopulationDescription.Describe(Uk, seed: 20140227, persons: 1_000_000);
        Assert.Equal(1_000_000, d.SimulatedPopulation);
        Assert.Equal(Uk.Groups.Length, d.Groups.Count);
        Assert.All(d.Groups, WithinFourSigma);
        Assert.All(d.Areas, WithinFourSigma);
        Assert.All(d.Overlaps, WithinFourSigma);
        Assert.Equal(9, d.IncomeDeciles.Count);
        Assert.All(d.IncomeDeciles, WithinFourSigma);
    }

    private const string Skewed = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          area_variation: 0.8
          areas:
            - { id: north, share: 0.2 }
            - { id: middle, share: 0.5 }
            - { id: south, share: 0.3 }
          groups:
            - id: poor
              prevalence: 0.15
              income_gradient: -0.9
              area_odds_ratios: { north: 4 }
            - id: mover
              prevalence: 0.08
              income_gradient: 0.5
              area_variation: 1.5
              overlaps:
                - { with: poor, share: 0.5 }
            - id: rare
              prevalence: 0.002
              area_odds_ratios: { south: 10 }
        """;

    private static PopulationSpec Load(string text) =>
        ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text)).Population
        ?? throw new InvalidOperationException(string.Join("\n", ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text)).Errors));

    [Fact, Trait("Category", "Statistical")]
    public void Prevalence_is_the_marginal_whatever_income_gradients_area_odds_and_area_effects_do()
    {
        PopulationSpec spec = Load(Skewed);
        // Several seeds: area effects differ per replicate, yet the intercept keeps the marginal.
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            PopulationDescription d = PopulationDescription.Describe(spec, seed, 400_000);
            Assert.All(d.Groups, WithinFourSigma);
            Assert.All(d.Overlaps, WithinFourSigma);
        }
    }

    [Fact]
    public void Income_gradients_and_area_odds_ratios_move_membership_where_declared()
    {
        PopulationSpec spec = Load(Skewed);
        var population = CompiledPopulation.Compile(spec, 5, 0);
        PopulationTally t = PopulationGenerator.Tally(population, 0, 400_000);
        // 'rare' has odds ratio 10 in the south: its share there is far above elsewhere.
        double south = (double)t.ByGroupArea[2 * 3 + 2] / t.ByArea[2], middle = (double)t.ByGroupArea[2 * 3 + 1] / t.ByArea[1];
        Assert.True(south > 4 * middle, $"south {south}, middle {middle}");

        // 'poor' falls with income: compare the bottom and top deciles directly.
        var chunk = new PersonChunk(4096);
        long low = 0, lowN = 0, high = 0, highN = 0;
        for (long first = 0; first < 200_000; first += 4096)
        {
            population.Generate(chunk, first, 4096);
            for (int i = 0; i < chunk.Count; i++)
            {
                bool poor = (chunk.GroupMask[i] & 1) != 0;
                if (chunk.IncomeDecile[i] == 0) { lowN++; low += poor ? 1 : 0; }
                if (chunk.IncomeDecile[i] == 9) { highN++; high += poor ? 1 : 0; }
            }
        }

        Assert.True((double)low / lowN > 5 * high / highN, $"bottom {(double)low / lowN}, top {(double)high / highN}");
    }

    [Fact]
    public void Aggregates_are_identical_for_one_thread_and_all_cores_and_any_chunk_size()
    {
        var population = CompiledPopulation.Compile(Uk, 99, 3);
        PopulationTally one = PopulationGenerator.Tally(population, 0, 300_000, threads: 1, chunkSize: 4096);
        PopulationTally all = PopulationGenerator.Tally(population, 0, 300_000, threads: 0, chunkSize: 4096);
        PopulationTally odd = PopulationGenerator.Tally(population, 0, 300_000, threads: 2, chunkSize: 777);
        foreach (var other in new[] { all, odd })
        {
            Assert.Equal(one.ByGroup, other.ByGroup);
            Assert.Equal(one.ByArea, other.ByArea);
            Assert.Equal(one.ByGroupArea, other.ByGroupArea);
            Assert.Equal(one.ByGroupPair, other.ByGroupPair);
            Assert.Equal(one.BelowBoundary, other.BelowBoundary);
            Assert.Equal(one.Rest, other.Rest);
        }
    }

    [Fact]
    public void A_range_of_persons_generated_on_its_own_equals_the_same_persons_within_the_whole()
    {
        var population = CompiledPopulation.Compile(Uk, 7, 0);
        var whole = new PersonChunk(4096);
        var part = new PersonChunk(100);
        population.Generate(whole, 10_000, 4096);
        population.Generate(part, 10_000 + 1234, 100);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(whole.GroupMask[1234 + i], part.GroupMask[i]);
            Assert.Equal(whole.Area[1234 + i], part.Area[i]);
            Assert.Equal(whole.Income[1234 + i], part.Income[i]);
        }

        // And tallies of two halves add up to the tally of the whole range.
        PopulationTally a = PopulationGenerator.Tally(population, 0, 50_000);
        PopulationTally b = PopulationGenerator.Tally(population, 50_000, 70_000);
        PopulationTally ab = PopulationGenerator.Tally(population, 0, 120_000);
        a.Merge(b);
        Assert.Equal(ab.ByGroupArea, a.ByGroupArea);
        Assert.Equal(ab.ByGroupPair, a.ByGroupPair);
    }

    [Fact]
    public void A_top_income_is_the_same_whether_its_tail_is_computed_in_a_lane_or_alone()
    {
        // A chunk gives its top-decile persons the Pareto tail four at a time where the CPU has the
        // lanes; a chunk of one person always takes the scalar path. The two must agree bit for bit.
        var population = CompiledPopulation.Compile(Uk, 11, 1);
        var whole = new PersonChunk(1000);
        var alone = new PersonChunk(1);
        population.Generate(whole, 40_000, 1000);
        int inTop = 0;
        for (int i = 0; i < 1000; i++)
        {
            population.Generate(alone, 40_000 + i, 1);
            Assert.Equal(whole.Income[i], alone.Income[0]);
            inTop += whole.IncomeDecile[i] == 9 ? 1 : 0;
        }

        Assert.InRange(inTop, 50, 150); // about 100 expected: the comparison covered the tail
    }

    [Theory]
    [InlineData(PersonAttributes.None)]
    [InlineData(PersonAttributes.Age)]
    [InlineData(PersonAttributes.Income | PersonAttributes.HouseholdSize)]
    [InlineData(PersonAttributes.Sex)]
    public void Generating_only_some_attributes_changes_none_of_them_and_leaves_the_rest_zero_and_unreadable(PersonAttributes wanted)
    {
        var population = CompiledPopulation.Compile(Uk, 5, 2);
        var all = new PersonChunk(2048);
        var some = new PersonChunk(2048);
        population.Generate(all, 90_000, 2048);
        population.Generate(some, 90_000, 2048, PersonAttributes.All); // stale values must not survive
        population.Generate(some, 90_000, 2048, wanted);
        Assert.Equal(all.GroupMask, some.GroupMask);
        Assert.Equal(all.Area, some.Area);
        Assert.Equal(all.IncomeDecile, some.IncomeDecile);
        bool Has(PersonAttributes a) => (wanted & a) != 0;
        // What was left out holds 0 (read from the storage itself: the public accessors refuse it, below).
        Assert.Equal(Has(PersonAttributes.Income) ? all.Income : new float[2048], some.IncomeStorage);
        Assert.Equal(Has(PersonAttributes.Age) ? all.Age : new byte[2048], some.AgeStorage);
        Assert.Equal(Has(PersonAttributes.Sex) ? all.Female : new bool[2048], some.FemaleStorage);
        Assert.Equal(Has(PersonAttributes.HouseholdSize) ? all.HouseholdSize : new byte[2048], some.HouseholdSizeStorage);
        // With the engine checks on (as in this suite), reading an attribute that was not generated fails.
        Assert.Equal(wanted, some.Readable);
        if (!Has(PersonAttributes.Age))
            Assert.Throws<InvalidOperationException>(() => some.Age);
        if (!Has(PersonAttributes.Income))
            Assert.Throws<InvalidOperationException>(() => some.Income);
        Assert.Contains(all.Age, a => a > 0);
        Assert.Contains(all.Female, f => f);
    }

    [Fact]
    public void Counting_by_group_mask_gives_the_counts_of_counting_each_membership()
    {
        int areas = Uk.Areas.Length, groups = Uk.Groups.Length;
        var byMask = new PopulationTally(areas, groups, 9, byMask: true);
        var direct = new PopulationTally(areas, groups, 9, byMask: false);
        var halves = new[] { new PopulationTally(areas, groups, 9), new PopulationTally(areas, groups, 9) };
        AddThreeWays(3, byMask, direct, halves, half => _ = half.ByGroup);
        foreach (PopulationTally t in new[] { byMask, halves[0] })
        {
            Assert.Equal(direct.ByGroup, t.ByGroup);
            Assert.Equal(direct.ByGroupArea, t.ByGroupArea);
            Assert.Equal(direct.ByGroupPair, t.ByGroupPair);
            Assert.Equal(direct.Rest, t.Rest);
            Assert.Equal(direct.ByArea, t.ByArea);
        }

        Assert.True(direct.ByGroupPair.Sum() > 0 && direct.Rest > 0);
        Assert.Throws<ArgumentException>(() => byMask.Merge(direct)); // the counts would be lost on the next read
    }

    [Fact]
    public void Counting_places_by_group_mask_gives_the_counts_of_counting_each_membership()
    {
        int areas = Uk.Areas.Length, groups = Uk.Groups.Length, authorities = Uk.LocalAuthorities.Length, bands = Uk.AgeBands.Length;
        Assert.True(authorities > 0 && bands > 0);
        var byMask = new PopulationTally(areas, groups, 9, authorities, bands, byMask: true);
        var direct = new PopulationTally(areas, groups, 9, authorities, bands, byMask: false);
        var halves = new[] { new PopulationTally(areas, groups, 9, authorities, bands), new PopulationTally(areas, groups, 9, authorities, bands) };
        AddThreeWays(5, byMask, direct, halves, half => _ = half.ByGroupAuthority);
        foreach (PopulationTally t in new[] { byMask, halves[0] })
        {
            Assert.Equal(direct.ByAuthority, t.ByAuthority);
            Assert.Equal(direct.ByGroupAuthority, t.ByGroupAuthority);
            Assert.Equal(direct.ByAgeBand, t.ByAgeBand);
            Assert.Equal(direct.ByGroupAgeBand, t.ByGroupAgeBand);
            Assert.Equal(direct.ChildMembers, t.ChildMembers);
        }

        Assert.True(direct.ByGroupAuthority.Count(x => x > 0) > authorities && direct.ChildMembers.Sum() > 0);
    }

    /// <summary>
    /// Adds 40 chunks of 4,096 persons of the UK population (seed <paramref name="seed"/>) to a tally
    /// counting by mask, one counting each membership, and two halves taking alternate chunks, read
    /// between additions (a read must not lose what follows) and merged at the end into the first.
    /// </summary>
    private static void AddThreeWays(ulong seed, PopulationTally byMask, PopulationTally direct, PopulationTally[] halves, Action<PopulationTally> read)
    {
        var population = CompiledPopulation.Compile(Uk, seed, 0);
        var chunk = new PersonChunk(4096);
        double[] bounds = [.. Uk.Income!.Deciles];
        for (int c = 0; c < 40; c++)
        {
            population.Generate(chunk, c * 4096L, 4096);
            byMask.Add(chunk, bounds);
            direct.Add(chunk, bounds);
            halves[c % 2].Add(chunk, bounds);
            read(halves[c % 2]);
        }

        halves[0].Merge(halves[1]);
    }

    /// <summary>
    /// The tally counts by joint keys and forms each count from their sums; here each count is made by
    /// reading the persons one by one, for a tally counting by mask, one counting each membership, and two
    /// halves merged, each read between additions. Under 16 and income below each boundary are read
    /// from the age and the income themselves, not from the band or the decile.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_count_of_a_tally_is_the_count_of_the_persons_one_by_one(bool places)
    {
        int areas = Uk.Areas.Length, groups = Uk.Groups.Length, authorities = places ? Uk.LocalAuthorities.Length : 0, bands = places ? Uk.AgeBands.Length : 0;
        double[] bounds = [.. Uk.Income!.Deciles];
        var byMask = new PopulationTally(areas, groups, 9, authorities, bands, byMask: true);
        var direct = new PopulationTally(areas, groups, 9, authorities, bands, byMask: false);
        var halves = new[] { new PopulationTally(areas, groups, 9, authorities, bands), new PopulationTally(areas, groups, 9, authorities, bands) };
        long[] byArea = new long[areas], byAuthority = new long[authorities], byAge = new long[121], byBand = new long[bands];
        long[] byHousehold = new long[31], byDecile = new long[10], below = new long[9], children = new long[groups];
        long female = 0;
        var population = CompiledPopulation.Compile(Uk, 7, 0);
        var chunk = new PersonChunk(4096);
        for (int c = 0; c < 30; c++)
        {
            population.Generate(chunk, c * 4096L, 4096);
            foreach (PopulationTally t in new[] { byMask, direct, halves[c % 2] })
                t.Add(chunk, bounds);
            _ = halves[c % 2].ByAge;
            _ = halves[c % 2].ChildMembers;
            for (int i = 0; i < chunk.Count; i++)
            {
                byArea[chunk.Area[i]]++;
                if (places)
                {
                    byAuthority[chunk.LocalAuthority[i]]++;
                    byBand[Enumerable.Range(0, bands).Single(b => chunk.Age[i] >= Uk.AgeBands[b].From && chunk.Age[i] <= Uk.AgeBands[b].To)]++;
                    for (int g = 0; g < groups; g++)
                        children[g] += (chunk.GroupMask[i] >> g & 1) == 1 && chunk.Age[i] < PopulationSpec.AdultAge ? 1 : 0;
                }

                byAge[chunk.Age[i]]++;
                byHousehold[chunk.HouseholdSize[i]]++;
                byDecile[chunk.IncomeDecile[i]]++;
                female += chunk.Female[i] ? 1 : 0;
                for (int b = 0; b < 9; b++)
                    below[b] += chunk.Income[i] < bounds[b] ? 1 : 0;
            }
        }

        halves[0].Merge(halves[1]);
        foreach (PopulationTally t in new[] { byMask, direct, halves[0] })
        {
            Assert.Equal(30 * 4096L, t.Persons);
            Assert.Equal(byArea, t.ByArea);
            Assert.Equal(byAuthority, t.ByAuthority);
            Assert.Equal(byAge, t.ByAge);
            Assert.Equal(byBand, t.ByAgeBand);
            Assert.Equal(byHousehold, t.ByHouseholdSize);
            Assert.Equal(byDecile, t.ByDecile);
            Assert.Equal(below, t.BelowBoundary);
            Assert.Equal(female, t.Female);
            Assert.Equal(children, t.ChildMembers);
        }

        // The persons vary in each: a count that ignored an attribute would not match.
        Assert.True(byAge.Count(x => x > 0) > 50 && byHousehold.Count(x => x > 0) >= 5 && female > 0 && female < 30 * 4096L);
        Assert.True(!places || (children.All(x => x >= 0) && children.Sum() > 0 && byAuthority.Count(x => x > 0) > 300));
    }

    [Fact]
    public void Adding_a_group_does_not_change_who_is_in_the_earlier_groups()
    {
        PopulationSpec three = Load(Skewed);
        PopulationSpec four = Load(Skewed + "\n    - { id: extra, prevalence: 0.3 }");
        var a = new PersonChunk(2048);
        var b = new PersonChunk(2048);
        CompiledPopulation.Compile(three, 11, 0).Generate(a, 0, 2048);
        CompiledPopulation.Compile(four, 11, 0).Generate(b, 0, 2048);
        for (int i = 0; i < 2048; i++)
            Assert.Equal(a.GroupMask[i], b.GroupMask[i] & 0b111u);
        Assert.Contains(b.GroupMask.Take(2048), m => (m & 0b1000u) != 0);
    }

    [Fact]
    public void Different_replicates_and_seeds_give_different_persons()
    {
        var a = new PersonChunk(1024);
        var b = new PersonChunk(1024);
        CompiledPopulation.Compile(Uk, 1, 0).Generate(a, 0, 1024);
        CompiledPopulation.Compile(Uk, 1, 1).Generate(b, 0, 1024);
        Assert.NotEqual(a.GroupMask.Take(1024), b.GroupMask.Take(1024));
    }

    [Fact]
    public void A_group_overlapping_with_two_earlier_groups_is_refused_with_its_position()
    {
        string text = Skewed + "\n    - id: both\n      prevalence: 0.05\n      overlaps:\n        - { with: poor, share: 0.2 }\n        - { with: mover, share: 0.2 }";
        var result = ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text));
        Assert.Equal(
            $"{ScenarioFixture.At("p.yaml", text, "{ with: mover, share: 0.2 }")}: population.groups.both.overlaps.mover: 'both' already overlaps with 'poor'; a group can overlap with only one group declared before it (declare the overlap on the other side, or reorder the groups)",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Age_bands_must_be_contiguous_from_zero()
    {
        string text = Skewed.Replace("  groups:", "  age:\n    - { from: 0, to: 15, share: 0.2 }\n    - { from: 17, to: 100, share: 0.8 }\n  groups:", StringComparison.Ordinal);
        var result = ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text));
        Assert.Equal($"{ScenarioFixture.At("p.yaml", text, "{ from: 17")}: population.age[1]: age bands must be contiguous from 0: this band starts at 17, expected 16",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Household_size_shares_must_sum_to_one()
    {
        string text = Skewed.Replace("  groups:", "  household_size:\n    - { size: 1, share: 0.5 }\n    - { size: 2, share: 0.4 }\n  groups:", StringComparison.Ordinal);
        var result = ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text));
        Assert.Equal($"{ScenarioFixture.At("p.yaml", text, "- { size: 1")}: population.household_size: household size shares sum to 0.9, not 1 (tolerance ±0.001)",
            Assert.Single(result.Errors).ToString());
    }
}
