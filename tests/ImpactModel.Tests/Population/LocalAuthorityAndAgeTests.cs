using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Population;

/// <summary>
/// Local authorities, single years of age and groups that depend on age (issue 16), against what
/// the population declares. Tolerances are 4 standard errors from the sample size; where a test
/// checks a family of figures (361 authorities) the seed is fixed and the family's chance of one
/// figure beyond 4 standard errors under a correct build is stated.
/// </summary>
public class LocalAuthorityAndAgeTests
{
    private static readonly PopulationSpec Uk = ScenarioLoader.Load(
        ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml"), DiskScenarioFiles.Instance).Population!;

    private static string Repository(params string[] parts) => ValidateCommandTests.RepositoryFile(parts);

    /// <summary>|realised − drawn| ≤ 4 binomial standard errors of the drawn value (the replicate's own value, not the declared mean).</summary>
    private static void WithinFourBinomialErrors(DescribedFigure f)
    {
        double se = Math.Sqrt(f.Drawn * (1 - f.Drawn) / f.Denominator);
        Assert.True(Math.Abs(f.Realised - f.Drawn) <= 4 * se, $"{f.Name}: realised {f.Realised} vs drawn {f.Drawn}, se {se}");
    }

    [Fact, Trait("Category", "Statistical")]
    public void On_ten_million_persons_authorities_regions_groups_by_age_band_and_adults_only_hold()
    {
        PopulationDescription d = PopulationDescription.Describe(Uk, seed: 16, persons: 10_000_000);
        Assert.Equal(361, d.LocalAuthorities.Count);
        // 361 figures: a correct build puts one beyond 4 standard errors with probability about 2.3%
        // (361 × 6.3e-5); the seed is fixed, so this is a fixed check, not a coin toss per run.
        Assert.All(d.LocalAuthorities, WithinFourBinomialErrors);
        Assert.All(d.Areas, WithinFourBinomialErrors);
        Assert.All(d.Groups, WithinFourBinomialErrors);
        Assert.All(d.AgeBands, WithinFourBinomialErrors);
        Assert.NotEmpty(d.GroupsByAgeBand);
        Assert.All(d.GroupsByAgeBand.Where(f => f.Denominator > 0 && f.Drawn > 0), WithinFourBinomialErrors);
        Assert.Equal(["irregular-income", "care-leaver", "digitally-excluded", "domestic-abuse-survivor"], d.AdultOnly.Select(a => a.Group));
        Assert.All(d.AdultOnly, a => Assert.True(a.Members > 0 && a.UnderSixteen == 0, $"{a.Group}: {a.UnderSixteen} of {a.Members} under 16"));
        // Children's bands hold no member of an adults-only group at all.
        Assert.All(d.GroupsByAgeBand.Where(f => f.Name.EndsWith("/0-15", StringComparison.Ordinal)), f => Assert.Equal(0, f.Count));
    }

    [Fact]
    public void The_shipped_authorities_sum_to_the_regional_totals_of_the_same_ONS_table()
    {
        // The regional shares of uk-population.yaml are MYE2 regional totals / the UK total; the
        // authorities of each region must add up to exactly that total.
        var byRegion = Uk.LocalAuthorities.GroupBy(a => a.Area).ToDictionary(g => g.Key, g => g.Sum(a => a.Population));
        Assert.Equal(67_596_281, byRegion.Values.Sum());
        Assert.Equal(12, byRegion.Count);
        foreach (AreaSpec area in Uk.Areas)
            Assert.Equal(area.Share.Mean, byRegion[area.Id] / 67_596_281.0, 6);
        Assert.Equal(91, Uk.SingleYearAges.Length);
        Assert.Equal(67_596_281, Uk.SingleYearAges.Sum());
    }

    [Fact]
    public void A_persons_region_is_the_same_with_or_without_local_authorities_and_lies_around_their_authority()
    {
        // Authorities cut their region's slice of the same random word: declaring them (and reading
        // them) leaves every person's region as it was, so regional results cannot move.
        PopulationSpec without = Uk with { LocalAuthorities = [], LocalAuthorityVariation = null };
        CompiledPopulation a = CompiledPopulation.Compile(Uk, 5, 0), b = CompiledPopulation.Compile(without, 5, 0);
        var withAuthorities = new PersonChunk(4096);
        var withoutAuthorities = new PersonChunk(4096);
        for (long first = 0; first < 200_000; first += 4096)
        {
            a.Generate(withAuthorities, first, 4096);
            b.Generate(withoutAuthorities, first, 4096, PersonAttributes.All & ~PersonAttributes.LocalAuthority);
            Assert.Equal(withoutAuthorities.Area, withAuthorities.Area);
            for (int i = 0; i < 4096; i++)
                Assert.Equal(Uk.Areas[withAuthorities.Area[i]].Id, Uk.LocalAuthorities[withAuthorities.LocalAuthority[i]].Area);
        }
    }

    [Fact]
    public void Single_years_are_0_to_90_and_every_year_is_drawn()
    {
        CompiledPopulation population = CompiledPopulation.Compile(Uk, 9, 0);
        var chunk = new PersonChunk(8192);
        var seen = new long[256];
        for (long first = 0; first < 2_000_000; first += 8192)
        {
            population.Generate(chunk, first, 8192, PersonAttributes.Age);
            foreach (byte age in chunk.Age)
                seen[age]++;
        }

        Assert.All(Enumerable.Range(0, 91), y => Assert.True(seen[y] > 0, $"no person aged {y}"));
        Assert.All(Enumerable.Range(91, 165), y => Assert.Equal(0, seen[y]));
        // The open age 90+ holds 609,904 of 67,596,281 (0.90%): 4 standard errors on 2 million persons.
        double share = seen[90] / 2_000_000.0, expected = 609_904 / 67_596_281.0;
        Assert.True(Math.Abs(share - expected) <= 4 * Math.Sqrt(expected * (1 - expected) / 2_000_000), $"90+: {share} vs {expected}");
    }

    [Fact]
    public void A_persons_single_year_is_the_same_whatever_the_guide_that_starts_its_search()
    {
        // A 2-entry guide leaves the search to walk the years from the start of the word's half: the
        // plain definition, against which the generator's 4,096-entry guide (and the old 256) must agree.
        byte[] Ages(int bits)
        {
            int before = CompiledPopulation.YearGuideBits;
            try
            {
                CompiledPopulation.YearGuideBits = bits;
                CompiledPopulation population = CompiledPopulation.Compile(Uk, 9, 0);
                var chunk = new PersonChunk(8192);
                var ages = new List<byte>();
                for (long first = 0; first < 400_000; first += 8192)
                {
                    population.Generate(chunk, first, 8192, PersonAttributes.Age);
                    ages.AddRange(chunk.Age);
                }

                return [.. ages];
            }
            finally
            {
                CompiledPopulation.YearGuideBits = before;
            }
        }

        byte[] plain = Ages(1);
        Assert.Equal(91, plain.Distinct().Count());
        Assert.Equal(plain, Ages(8));
        Assert.Equal(plain, Ages(12));
        Assert.Equal(plain, Ages(16));
    }

    private const string Clustered = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: east, share: 0.5 }
            - { id: west, share: 0.5 }
          local_authorities: { file: las.csv, source: test, grade: assumption }
          local_authority_variation: 0.3
          groups:
            - id: flat
              prevalence: 0.1
        """;

    /// <summary>200 authorities of equal size, 100 in each of two areas.</summary>
    private static MemoryFiles ClusteredFiles(string population = Clustered)
    {
        var csv = new System.Text.StringBuilder("# 200 equal authorities\ncode,name,region,population\n");
        for (int i = 0; i < 200; i++)
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"A{i:D3},Authority {i},{(i < 100 ? "east" : "west")},1000\n");
        return new MemoryFiles().With("p.yaml", population).With("las.csv", csv.ToString());
    }

    private static PopulationSpec LoadWith(MemoryFiles files)
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", files);
        return loaded.Population ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
    }

    [Fact, Trait("Category", "Statistical")]
    public void The_realised_ICC_across_authorities_agrees_with_the_logit_normal_model()
    {
        PopulationSpec spec = LoadWith(ClusteredFiles());
        double model = AreaClustering.LogitNormalIcc(0.1, 0.3);

        // 1. Over replicates, the ICC of the drawn authority effects (no persons: the compiled
        //    expected prevalences) averages to the model's value: 40 replicates, 4 standard errors of their mean.
        double[] byReplicate = [.. Enumerable.Range(0, 40).Select(r =>
        {
            CompiledPopulation p = CompiledPopulation.Compile(spec, 77, r);
            return AreaClustering.IccOf(p.ExpectedByAuthority[0], p.AuthorityShares);
        })];
        double mean = byReplicate.Average();
        double sd = Math.Sqrt(byReplicate.Sum(x => (x - mean) * (x - mean)) / (byReplicate.Length - 1));
        Assert.True(Math.Abs(mean - model) <= 4 * sd / Math.Sqrt(byReplicate.Length), $"mean replicate ICC {mean} vs model {model} (sd {sd})");

        // 2. The persons of one replicate realise it: ANOVA estimate within 4 of its standard errors.
        PopulationDescription d = PopulationDescription.Describe(spec, seed: 77, persons: 4_000_000);
        AuthorityClustering c = Assert.Single(d.Clustering);
        Assert.Equal(model, c.IccModel, 12);
        Assert.True(Math.Abs(c.IccRealised - model) <= 4 * c.IccStandardError, $"realised {c.IccRealised} ± {c.IccStandardError} vs model {model}");
        // And against this replicate's own effects the only error left is binomial: far smaller.
        Assert.True(Math.Abs(c.IccRealised - c.IccReplicate) <= c.IccStandardError, $"realised {c.IccRealised} vs replicate {c.IccReplicate}");
        Assert.All(d.Groups, WithinFourBinomialErrors);
    }

    [Fact]
    public void Without_authority_effects_every_authority_of_an_area_has_its_areas_prevalence()
    {
        PopulationSpec spec = LoadWith(ClusteredFiles(Clustered.Replace("  local_authority_variation: 0.3\n", "", StringComparison.Ordinal)));
        CompiledPopulation p = CompiledPopulation.Compile(spec, 1, 0);
        Assert.All(p.ExpectedByAuthority[0], x => Assert.Equal(0.1, x, 12));
        Assert.Equal(0, AreaClustering.IccOf(p.ExpectedByAuthority[0], p.AuthorityShares), 12);
    }

    private const string AgeDependent = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: all-of-it, share: 1 }
          age:
            - { from: 0, to: 15, share: 0.2 }
            - { from: 16, to: 29, share: 0.3 }
            - { from: 30, to: 90, share: 0.5 }
          single_year_ages: { file: ages.csv, source: test, grade: assumption }
          groups:
            - id: young
              prevalence: 0.05
              age_odds_ratios: { 16-29: 4, 30-90: 0.5 }
            - id: adults
              adult_only: true
              prevalence: 0.2
              overlaps:
                - { with: young, share: 0.1 }
        """;

    [Fact, Trait("Category", "Statistical")]
    public void Age_odds_ratios_shape_prevalence_by_band_while_the_marginal_holds_and_adults_only_counts_adults()
    {
        PopulationSpec spec = LoadWith(new MemoryFiles().With("p.yaml", AgeDependent.Replace("  single_year_ages: { file: ages.csv, source: test, grade: assumption }\n", "", StringComparison.Ordinal)));
        PopulationDescription d = PopulationDescription.Describe(spec, seed: 3, persons: 2_000_000);
        Assert.All(d.Groups, WithinFourBinomialErrors);         // "young" of everyone, "adults" of adults
        Assert.All(d.Overlaps, WithinFourBinomialErrors);
        var bands = d.GroupsByAgeBand.Where(f => f.Name.StartsWith("young/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, bands.Count);
        Assert.All(bands, WithinFourBinomialErrors);
        // Odds 4 in 16-29 against 1 in 0-15: the expected prevalences keep that odds ratio exactly.
        static double Odds(double p) => p / (1 - p);
        Assert.Equal(4, Odds(bands[1].Drawn) / Odds(bands[0].Drawn), 9);
        Assert.Equal(0.5, Odds(bands[2].Drawn) / Odds(bands[0].Drawn), 9);
        AdultOnlyCheck adults = Assert.Single(d.AdultOnly);
        Assert.Equal(0, adults.UnderSixteen);
    }

    [Theory]
    [InlineData("code,name,region,population\nE1,One,east,10\nE1,Again,west,5\n", "las.csv:3:1: population.local_authorities.e1: local authority 'E1' appears twice")]
    [InlineData("code,name,region,population\nE1,One,east,10\nW1,Two,wset,5\n", "las.csv:3:1: population.local_authorities.w1.region: unknown area 'wset'")]
    [InlineData("code,name,region,population\nE1,One,east,10\nW1,Two,west,5 000\n", "las.csv:3:1: population.local_authorities.w1.population: a local authority's population must be a whole number")]
    [InlineData("code,region,name,population\nE1,east,One,10\n", "las.csv:1:1: population.local_authorities: expected the header 'code,name,region,population'")]
    [InlineData("code,name,region,population\nE1,One,east,10\n", "las.csv:1:1: population.local_authorities: area 'west' has no local authority in the table")]
    [InlineData("code,name,region,population\nE1,\"One, City of\",east,10\nW1,Two,west\n", "las.csv:3:1: population.local_authorities: expected 4 fields")]
    public void A_bad_authority_table_is_refused_at_its_line(string csv, string expected)
    {
        var files = new MemoryFiles().With("p.yaml", Clustered).With("las.csv", csv);
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", files);
        Assert.Null(loaded.Population);
        Assert.Contains(loaded.Errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("      age_odds_ratios: { 16-25: 4 }\n", "population.groups.young.age_odds_ratios.16-25: unknown age band '16-25'")]
    [InlineData("      area_odds_ratios: { e09000099: 2 }\n", "population.groups.young.area_odds_ratios.e09000099: unknown area")]
    public void A_group_naming_an_unknown_band_or_authority_is_refused(string line, string expected)
    {
        string text = Clustered.Replace("    - id: flat\n      prevalence: 0.1", "    - id: young\n      prevalence: 0.1\n" + line, StringComparison.Ordinal);
        text = text.Replace("  groups:", WithBands(15), StringComparison.Ordinal);
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", ClusteredFiles(text));
        Assert.Null(loaded.Population);
        Assert.Contains(loaded.Errors, e => e.Path + ": " + e.Message is { } m && m.StartsWith(expected, StringComparison.Ordinal));
    }

    /// <summary>Two age bands split after <paramref name="last"/>, then the groups key.</summary>
    private static string WithBands(int last) =>
        $"  age:\n    - {{ from: 0, to: {last}, share: 0.2 }}\n    - {{ from: {last + 1}, to: 90, share: 0.8 }}\n  groups:";

    [Fact]
    public void Adults_only_needs_a_band_that_starts_at_16()
    {
        string text = Clustered.Replace("      prevalence: 0.1", "      prevalence: 0.1\n      adult_only: true", StringComparison.Ordinal)
            .Replace("  groups:", WithBands(17), StringComparison.Ordinal);
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", ClusteredFiles(text));
        Assert.Contains(loaded.Errors, e => e.Path == "population.groups.flat.adult_only" && e.Message.Contains("one starting at 16", StringComparison.Ordinal));
    }

    [Fact]
    public void Band_shares_that_disagree_with_the_single_years_are_refused_at_the_band()
    {
        var csv = new System.Text.StringBuilder("age,population\n");
        for (int y = 0; y <= 90; y++)
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{y},100\n"); // 0-15 is 16/91 = 0.1758, not 0.2
        var files = new MemoryFiles().With("p.yaml", AgeDependent).With("ages.csv", csv.ToString());
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", files);
        Assert.Null(loaded.Population);
        Assert.Contains(loaded.Errors, e => e.Path == "population.age.0-15.share" && e.Message.Contains("0.175824", StringComparison.Ordinal));
    }

    /// <summary>The shipped scenarios and population (with its data tables) in memory, one file replaced.</summary>
    private static MemoryFiles ShippedWith(string file, string text)
    {
        string dir = Path.GetDirectoryName(Repository("scenarios", "uk-population.yaml"))!;
        var files = new MemoryFiles().With("scenarios/uk-population.yaml", File.ReadAllText(Path.Combine(dir, "uk-population.yaml")));
        foreach (string table in Directory.GetFiles(Path.Combine(dir, "data"), "*.csv"))
            files.With($"scenarios/data/{Path.GetFileName(table)}", File.ReadAllText(table));
        return files.With($"scenarios/{file}", text);
    }

    [Fact]
    public void A_pilot_may_name_local_authorities_as_its_candidate_areas()
    {
        string fraud = File.ReadAllText(Repository("scenarios", "fraud-error-debt.yaml"));
        Assert.Contains("  areas: [north-east, london]", fraud, StringComparison.Ordinal);
        ScenarioLoadResult good = ScenarioLoader.Load("scenarios/fraud-error-debt.yaml",
            ShippedWith("fraud-error-debt.yaml", fraud.Replace("  areas: [north-east, london]", "  areas: [e06000047, e09000033]", StringComparison.Ordinal)));
        Assert.True(good.Errors.Count == 0, string.Join("\n", good.Errors));
        Assert.Equal(["e06000047", "e09000033"], good.Scenario!.Pilot!.Areas.ToArray());

        ScenarioLoadResult bad = ScenarioLoader.Load("scenarios/fraud-error-debt.yaml",
            ShippedWith("fraud-error-debt.yaml", fraud.Replace("  areas: [north-east, london]", "  areas: [e06000047, e09999999]", StringComparison.Ordinal)));
        Assert.Contains(bad.Errors, e => e.Path == "pilot.areas[1]" && e.Message.StartsWith("unknown area 'e09999999'", StringComparison.Ordinal));
    }

    /// <summary>
    /// A grade says how strong the evidence is; it must not claim more than its source: a source
    /// that calls itself an assumption is graded one, and no published statistic rests on one.
    /// </summary>
    [Fact]
    public void Every_grade_of_the_shipped_population_matches_its_source()
    {
        Scenario fraud = ScenarioLoader.LoadScenario(Repository("scenarios", "fraud-error-debt.yaml"), DiskScenarioFiles.Instance);
        var population = ScenarioParameters.All(fraud).Where(p => p.Path.StartsWith("population.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(population);
        foreach (Parameter p in population)
        {
            string source = p.Evidence.Source ?? "";
            bool assumed = source.StartsWith("Assumption", StringComparison.OrdinalIgnoreCase)
                || source.StartsWith("ImpactModel assumption", StringComparison.OrdinalIgnoreCase);
            if (assumed)
                Assert.True(p.Evidence.Grade == EvidenceGrade.Assumption, $"{p.Path}: '{source}' graded {p.Evidence.Grade}");
            if (p.Evidence.Grade == EvidenceGrade.PublishedStatistic)
                Assert.DoesNotContain("assum", source, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(EvidenceGrade.PublishedStatistic, Uk.LocalAuthoritiesEvidence.Grade);
        Assert.Equal(EvidenceGrade.PublishedStatistic, Uk.SingleYearAgesEvidence.Grade);
    }

    [Fact]
    public void A_strands_own_authority_effects_have_the_declared_sd_and_their_own_stream()
    {
        CompiledPopulation p = CompiledPopulation.Compile(Uk, 21, 0);
        double[] effects = p.AuthorityEffects(0.3, 0);
        Assert.Equal(361, effects.Length);
        double mean = effects.Average();
        double sd = Math.Sqrt(effects.Sum(e => (e - mean) * (e - mean)) / (effects.Length - 1));
        // 361 normal draws: the mean within 4 × 0.3/√361, the sd within 4 × 0.3/√(2 × 360).
        Assert.True(Math.Abs(mean) <= 4 * 0.3 / Math.Sqrt(361), $"mean {mean}");
        Assert.True(Math.Abs(sd - 0.3) <= 4 * 0.3 / Math.Sqrt(720), $"sd {sd}");
        Assert.Equal(effects, CompiledPopulation.Compile(Uk, 21, 0).AuthorityEffects(0.3, 0)); // a pure function of (seed, replicate, stream)
        Assert.NotEqual(effects, p.AuthorityEffects(0.3, 1));
        Assert.NotEqual(effects, CompiledPopulation.Compile(Uk, 21, 1).AuthorityEffects(0.3, 0));
        Assert.All(p.AuthorityEffects(0, 0), e => Assert.Equal(0, e));
    }

    [Fact]
    public void Groups_drawn_four_at_a_time_are_the_groups_drawn_one_pass_each()
    {
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            return; // only one path on this machine
        CompiledPopulation p = CompiledPopulation.Compile(Uk, 23, 0);
        var vector = new PersonChunk(1000);
        var scalar = new PersonChunk(1000);
        try
        {
            for (long first = 0; first < 300_000; first += 1000)
            {
                CompiledPopulation.VectorMemberships = true;
                p.Generate(vector, first, 1000, PersonAttributes.None);
                CompiledPopulation.VectorMemberships = false;
                p.Generate(scalar, first, 1000, PersonAttributes.None);
                Assert.Equal(scalar.GroupMask, vector.GroupMask);
            }
        }
        finally
        {
            CompiledPopulation.VectorMemberships = true;
        }
    }

    [Theory]
    [InlineData(true)]  // the shipped population: two classes (under 16, 16 and over)
    [InlineData(false)] // more bands on either side, an odds ratio that splits the adults: several classes
    public void A_persons_class_of_ages_tells_whether_they_are_under_16_exactly_as_their_age_does(bool shipped)
    {
        // The fraud strand asks only whether a claimant is an adult, and reads the class instead of
        // generating ages (issue 26): the two must agree for every person.
        PopulationSpec spec = shipped ? Uk : ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", """
            population:
              size: 1000
              uncertainty: { assumption: 0, expert-judgement: 0 }
              areas:
                - { id: one, share: 0.6 }
                - { id: two, share: 0.4 }
              age:
                - { from: 0, to: 4, share: 0.1 }
                - { from: 5, to: 15, share: 0.15 }
                - { from: 16, to: 17, share: 0.05 }
                - { from: 18, to: 64, share: 0.5 }
                - { from: 65, to: 90, share: 0.2 }
              groups:
                - { id: grown, prevalence: 0.3, adult_only: true }
                - id: older
                  prevalence: 0.2
                  age_odds_ratios: { 65-90: 3 }
            """)).Population!;
        Assert.True(CompiledPopulation.AgeClassTellsAdults(spec));
        CompiledPopulation population = CompiledPopulation.Compile(spec, 11, 0);
        bool[] minor = population.MinorByAgeClass();
        Assert.Contains(true, minor);
        Assert.Contains(false, minor);
        var chunk = new PersonChunk(4096);
        long minors = 0;
        for (long first = 0; first < 200_000; first += chunk.Capacity)
        {
            population.Generate(chunk, first, chunk.Capacity, PersonAttributes.Age);
            for (int i = 0; i < chunk.Count; i++)
            {
                bool child = chunk.Age[i] < PopulationSpec.AdultAge;
                Assert.Equal(child, minor[chunk.AgeClassStorage[i]]);
                minors += child ? 1 : 0;
            }
        }

        Assert.InRange(minors, 1, 200_000 - 1);
    }

    [Fact]
    public void Impossible_overlaps_of_two_adults_only_groups_and_effects_without_authorities_are_refused()
    {
        // Two groups of 60% of adults each must share at least a fifth of adults (a third of either):
        // an overlap of 0.1 is impossible on the adult basis, though not on the whole population's.
        string text = """
            population:
              size: 1000
              uncertainty: { assumption: 0, expert-judgement: 0 }
              areas:
                - { id: one, share: 1 }
              age:
                - { from: 0, to: 15, share: 0.2 }
                - { from: 16, to: 90, share: 0.8 }
              groups:
                - { id: a, prevalence: 0.6, adult_only: true }
                - id: b
                  prevalence: 0.6
                  adult_only: true
                  local_authority_variation: 0.2
                  age_odds_ratios: { 16-90: 2, 016-90: 3 }
                  overlaps:
                    - { with: a, share: 0.1 }
            """;
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text));
        Assert.Null(loaded.Population);
        Assert.Contains(loaded.Errors, e => e.Path == "population.groups.b.overlaps.a.share" && e.Message.StartsWith("impossible overlap", StringComparison.Ordinal));
        Assert.Contains(loaded.Errors, e => e.Path == "population.groups.b.local_authority_variation" && e.Message.Contains("local_authorities", StringComparison.Ordinal));
        Assert.Contains(loaded.Errors, e => e.Message.Contains("has two odds ratios", StringComparison.Ordinal));
    }

    [Fact]
    public void An_adults_only_group_cannot_hold_more_of_an_all_ages_group_than_its_adults()
    {
        // Half the persons are children; 80% of 'everyone' in 'grown' would need children in it.
        string text = """
            population:
              size: 1000
              uncertainty: { assumption: 0, expert-judgement: 0 }
              areas:
                - { id: one, share: 1 }
              age:
                - { from: 0, to: 15, share: 0.5 }
                - { from: 16, to: 90, share: 0.5 }
              groups:
                - id: everyone
                  prevalence: 0.2
                  overlaps:
                    - { with: grown, share: 0.8 }
                - { id: grown, prevalence: 0.9, adult_only: true }
            """;
        ScenarioLoadResult loaded = ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text));
        Assert.Null(loaded.Population);
        Assert.Contains(loaded.Errors, e => e.Path == "population.groups.everyone.overlaps.grown.share"
            && e.Message.StartsWith("impossible overlap: 'grown' holds adults only", StringComparison.Ordinal));
        Assert.NotNull(ScenarioLoader.Load("p.yaml", new MemoryFiles().With("p.yaml", text.Replace("share: 0.8", "share: 0.4", StringComparison.Ordinal))).Population);
    }

    [Fact, Trait("Category", "Statistical")]
    public void The_marginal_holds_when_the_intercept_lies_beyond_60_on_the_logit_scale()
    {
        // An odds ratio of e^-100 in the only area puts the intercept near +98 (logit 0.1 + 100).
        PopulationSpec spec = LoadWith(new MemoryFiles().With("p.yaml", """
            population:
              size: 1000000
              uncertainty: { assumption: 0, expert-judgement: 0 }
              areas:
                - { id: one, share: 1 }
              groups:
                - id: rare-odds
                  prevalence: 0.1
                  area_odds_ratios: { one: 3.720075976020836e-44 }
            """));
        PopulationDescription d = PopulationDescription.Describe(spec, seed: 5, persons: 400_000);
        Assert.All(d.Groups, WithinFourBinomialErrors);
    }

    [Fact]
    public void Tallies_by_authority_and_band_are_the_same_for_any_thread_count_or_chunk_size()
    {
        CompiledPopulation p = CompiledPopulation.Compile(Uk, 11, 0);
        PopulationTally one = PopulationGenerator.Tally(p, 1000, 300_000, threads: 1, chunkSize: 1024);
        PopulationTally two = PopulationGenerator.Tally(p, 1000, 300_000, threads: 2, chunkSize: 777);
        Assert.Equal(one.ByAuthority, two.ByAuthority);
        Assert.Equal(one.ByGroupAuthority, two.ByGroupAuthority);
        Assert.Equal(one.ByGroupAgeBand, two.ByGroupAgeBand);
        Assert.Equal(one.ByAge, two.ByAge);
        Assert.Equal(one.ByGroup, two.ByGroup);
    }
}
