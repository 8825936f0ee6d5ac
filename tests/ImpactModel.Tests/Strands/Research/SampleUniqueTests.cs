using System.Text;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using static ImpactModel.Tests.Strands.Research.ResearchFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// Uniques against the occupancy formulas. Two categorical attributes of 100 equal shares each, no
/// <c>by_group</c>, drawn from their own random words: every person falls in one of C = 10,000 cells
/// with probability p = 1/C each, independently of the others and of who is sampled. Released as the
/// only quasi-identifiers with no safeguard, so every extract record is released and sample_uniques
/// counts the records alone in their cell of the extract.
/// </summary>
/// <remarks>
/// Given n records thrown into C equally likely cells (Feller, An Introduction to Probability Theory,
/// vol. 1, II.5 occupancy), U = Σ_i 1[record i is alone]:
/// E[U | n] = n q^(n−1), q = 1 − p; E[U(U − 1) | n] = n(n − 1) P(i and j alone) = n(n − 1)(1 − p)(1 − 2p)^(n−2);
/// Var(U | n) = E[U(U − 1)] + E[U] − E[U]². The records in the extract are n ~ Binomial(N, s), and
/// the run reports n (records_in_extract), so each replicate is compared with its own conditional
/// expectation; over R independent replicates Σ_r (U_r − E[U | n_r]) has variance Σ_r Var(U | n_r).
/// A population unique is a record whose cell holds no other of the N persons: given n,
/// E = n q^(N−1), and pairs of records P(i and j) = (1 − p)(1 − 2p)^(N−2) in the same way.
/// Tolerance 4 standard deviations: a correct build fails about once in 16,000 runs (fixed seed: never).
/// </remarks>
[Collection(ResearchSerial.Name)]
public sealed class SampleUniqueTests
{
    private const int Categories = 100;
    private const int Persons = 20_000;
    private const double P = 1.0 / (Categories * Categories);

    internal static string Population(int persons, int categories)
    {
        var text = new StringBuilder(Invariant($$"""
            population:
              size: {{persons}}
              uncertainty: { assumption: 0, expert-judgement: 0 }
              areas:
                - { id: north, share: 1 }
              groups:
                - { id: disabled, prevalence: 0.2 }
              attributes:

            """));
        foreach (string id in new[] { "first", "second" })
        {
            text.Append(Invariant($"    - id: {id}\n      categories:\n"));
            for (int c = 0; c < categories; c++)
                text.Append(Invariant($"        - {{ id: c{c}, share: {1.0 / categories:R} }}\n"));
        }

        return text.ToString();
    }

    internal static string Scenario(double fraction, int categories) => Invariant($$"""
        strand: research-statistics
        name: uniform-cells
        price_year: 2023
        horizon_years: 5
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population: pop.yaml
        research:
          extract: { sample_fraction: {{fraction:R}} }
          quasi_identifiers:
            - { id: first, levels: { category: {{categories}} }, released: category }
            - { id: second, levels: { category: {{categories}} }, released: category }
          sensitive_attributes:
            - { id: benefit-receipt, prevalence: 0.15 }
          release:
            form: record-level-tre
          attack:
            attacker: an insider
            attempts_per_year: 20
            knows: [first, second]
            success_if_unique: 0.9
          questions:
            - { id: benefit, attribute: benefit-receipt }
        safeguards: []
        """);

    /// <summary>(E[U | n], Var(U | n)) for n records each alone unless one of <paramref name="others"/> − 1 others shares its cell.</summary>
    private static (double Mean, double Variance) Alone(double n, double others)
    {
        double mean = n * Math.Pow(1 - P, others - 1);
        double pairs = n * (n - 1) * (1 - P) * Math.Pow(1 - 2 * P, others - 2);
        return (mean, pairs + mean - mean * mean);
    }

    [Theory, Trait("Category", "Statistical")]
    [InlineData(0.1, 30)]  // n ≈ 2,000 records in 10,000 cells: E[U] ≈ 1,637
    [InlineData(0.5, 20)]  // n ≈ 10,000: E[U] ≈ 3,679
    public void Sample_uniques_agree_with_the_occupancy_expectation_given_the_records_within_4_standard_deviations(double fraction, int replicates)
    {
        Scenario s = Load(Scenario(fraction, Categories), Population(Persons, Categories));
        RunResult r = Run(s, seed: 20240901, replicates: replicates);
        MetricSeries records = Series(r, VariantBuilder.Proposal, "all", "records_in_extract");
        MetricSeries uniques = Series(r, VariantBuilder.Proposal, "all", "sample_uniques");
        MetricSeries population = Series(r, VariantBuilder.Proposal, "all", "population_uniques");
        double sampleDeviation = 0, sampleVariance = 0, populationDeviation = 0, populationVariance = 0;
        for (int k = 0; k < replicates; k++)
        {
            double n = records.Values[k]!.Value;
            Assert.InRange(n, fraction * Persons - 5 * Math.Sqrt(Persons * fraction * (1 - fraction)), fraction * Persons + 5 * Math.Sqrt(Persons * fraction * (1 - fraction)));
            (double mean, double variance) = Alone(n, n);
            sampleDeviation += uniques.Values[k]!.Value - mean;
            sampleVariance += variance;
            (mean, variance) = Alone(n, Persons);
            populationDeviation += population.Values[k]!.Value - mean;
            populationVariance += variance;
        }

        Assert.True(Math.Abs(sampleDeviation) <= 4 * Math.Sqrt(sampleVariance),
            Invariant($"sample uniques: Σ (U − E[U | n]) = {sampleDeviation:0.#} over {replicates} replicates, 4 sd = {4 * Math.Sqrt(sampleVariance):0.#}"));
        Assert.True(Math.Abs(populationDeviation) <= 4 * Math.Sqrt(populationVariance),
            Invariant($"population uniques: Σ (U − E[U | n]) = {populationDeviation:0.#} over {replicates} replicates, 4 sd = {4 * Math.Sqrt(populationVariance):0.#}"));
    }

    [Fact, Trait("Category", "Statistical")]
    public void With_the_whole_population_in_the_extract_sample_and_population_uniques_are_the_same_and_agree_with_N_q_to_the_N_minus_1()
    {
        // Sample fraction 1 and no source: n = N = 20,000 in every replicate, E[U] = N (1 − 1/C)^(N−1) ≈ 2,707.
        const int Replicates = 20;
        Scenario s = Load(Scenario(1, Categories), Population(Persons, Categories));
        RunResult r = Run(s, seed: 20240902, replicates: Replicates);
        (double mean, double variance) = Alone(Persons, Persons);
        MetricSeries uniques = Series(r, VariantBuilder.Proposal, "all", "sample_uniques");
        Assert.All(Series(r, VariantBuilder.Proposal, "all", "records_in_extract").Values, n => Assert.Equal(Persons, n));
        Assert.Equal(string.Join(",", uniques.Values), string.Join(",", Series(r, VariantBuilder.Proposal, "all", "population_uniques").Values));
        double deviation = uniques.Values.Sum(u => u!.Value - mean);
        double sd = Math.Sqrt(Replicates * variance);
        Assert.True(Math.Abs(deviation) <= 4 * sd, Invariant($"Σ (U − {mean:0.#}) = {deviation:0.#} over {Replicates} replicates, 4 sd = {4 * sd:0.#}"));
    }
}
