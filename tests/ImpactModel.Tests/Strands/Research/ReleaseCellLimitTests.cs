using System.Globalization;
using System.Text;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Reading;
using ImpactModel.Tests.Scenarios;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// The strand counts integers per cell of a release, so the cells a release makes are bounded
/// (<see cref="ResearchReader.MaxCells"/>): at the declared levels, and in every declared variant
/// that releases a quasi-identifier at a finer level than declared. Both are refused at a position.
/// </summary>
public class ReleaseCellLimitTests
{
    private const string File = "s/limits.yaml";
    private const string PopulationFile = "s/limits-pop.yaml";

    /// <summary>Two attributes of 250 categories each: released in full with age by year, 91 × 250 × 250 = 5,687,500 cells.</summary>
    private static string Population()
    {
        var b = new StringBuilder("""
            population:
              size: 100000
              areas:
                - { id: north, share: 1 }
              age:
                - { from: 0, to: 90, share: 1 }
              groups:
                - { id: someone, prevalence: 0.1 }
              attributes:

            """);
        foreach (string id in new[] { "first", "second" })
        {
            b.Append(CultureInfo.InvariantCulture, $"    - id: {id}\n      categories:\n");
            for (int c = 0; c < 250; c++)
                b.Append(CultureInfo.InvariantCulture, $"        - {{ id: c{c}, share: 0.004 }}\n");
        }

        return b.ToString();
    }

    private static string Scenario(string firstReleased, string variant) => $"""
        strand: research-statistics
        name: limits
        price_year: 2023
        horizon_years: 5
        population: limits-pop.yaml
        research:
          extract: {"{"} sample_fraction: 1 {"}"}
          quasi_identifiers:
            - id: age
              levels: {"{"} year: 91, five-year: 19 {"}"}
              released: five-year
            - id: first
              levels: {"{"} code: 250, none: 1 {"}"}
              released: {firstReleased}
            - id: second
              levels: {"{"} code: 250 {"}"}
              released: code
          sensitive_attributes:
            - {"{"} id: benefit, prevalence: 0.1 {"}"}
          release: {"{"} form: record-level-tre {"}"}
          attack:
            attacker: an insider
            attempts_per_year: 1
            knows: [age]
            success_if_unique: 0.9
          questions:
            - {"{"} id: benefit-overall, attribute: benefit {"}"}
        variants:
          - id: finer
            overrides:
              {variant}
        """;

    private static ScenarioLoadResult Load(string text) =>
        ScenarioLoader.Load(File, new MemoryFiles().With(File, text).With(PopulationFile, Population()));

    [Fact]
    public void A_release_of_more_cells_than_the_strand_counts_is_refused_at_the_quasi_identifiers()
    {
        string text = Scenario("code", "research.quasi_identifiers.age.released: five-year");
        ScenarioLoadResult result = Load(text);
        Assert.Equal($"{At(File, text, "- id: age")}: research.quasi_identifiers: the released quasi-identifiers make 1,187,500 cells, more than the 1,000,000 this strand counts (release a coarser level of one of them)",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void A_variant_that_releases_finer_detail_than_the_strand_counts_is_refused_at_its_override()
    {
        // Declared: 19 × 1 × 250 = 4,750 cells. The variant releases age by year and the first attribute in full: 91 × 250 × 250.
        string text = Scenario("none", "research.quasi_identifiers.first.released: code");
        Assert.Empty(Load(Scenario("none", "research.quasi_identifiers.age.released: year")).Errors); // 91 × 250 = 22,750 cells: allowed
        ScenarioLoadResult result = Load(text);
        Assert.Equal(
            $"{At(File, text, "code", occurrence: 4)}: variants.finer.overrides.research.quasi_identifiers.first.released: with this override the released quasi-identifiers make 1,187,500 cells, more than the 1,000,000 this strand counts",
            Assert.Single(result.Errors).ToString());
    }
}
