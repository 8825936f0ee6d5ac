using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands.Research;
using static ImpactModel.Tests.Strands.Research.ResearchFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// The noise safeguard: its Laplace draws have the moments of the Laplace distribution, and the
/// research estimates it blurs get worse as the budget ε falls. Tolerances are 4 standard errors,
/// derived at each test: a correct build fails one such check about once in 16,000 runs.
/// </summary>
[Collection(ResearchSerial.Name)]
public sealed class NoiseTests
{
    [Theory, Trait("Category", "Statistical")]
    [InlineData(1.0)]
    [InlineData(2.0)]   // ε = 0.5 for a count of sensitivity 1
    [InlineData(20.0)]  // ε = 0.05
    public void Laplace_draws_have_mean_0_and_variance_2_scale_squared_within_4_standard_errors(double scale)
    {
        // Laplace(0, b): mean 0, variance σ² = 2b², fourth moment μ4 = 24b⁴. Over n independent uniform words,
        // the mean has standard error √(2b²/n); the mean of x² (the variance about the known mean 0) has
        // Var = (μ4 − σ⁴)/n = (24 − 4) b⁴/n = 20 b⁴/n.
        const int N = 1_000_000;
        RngKey key = RngKey.From(20240903, 0, RngStream.StrandOutcomes);
        double sum = 0, squares = 0;
        for (int i = 0; i < N; i += 4)
        {
            PhiloxBlock block = Philox.Block(key, i, 0);
            foreach (uint word in new[] { block.W0, block.W1, block.W2, block.W3 })
            {
                double x = ClassRisk.Laplace(word, scale);
                sum += x;
                squares += x * x;
            }
        }

        double mean = sum / N, variance = squares / N;
        double meanSe = Math.Sqrt(2 * scale * scale / N), varianceSe = Math.Sqrt(20 * Math.Pow(scale, 4) / N);
        Assert.InRange(mean, -4 * meanSe, 4 * meanSe);
        Assert.InRange(variance, 2 * scale * scale - 4 * varianceSe, 2 * scale * scale + 4 * varianceSe);
    }

    [Fact]
    public void Laplace_is_odd_in_the_word_and_its_magnitude_is_the_exponential_quantile()
    {
        // u = (w + ½)/2^32 − ½: the words w and 2^32 − 1 − w give ±u, so opposite draws; |x| = −b ln(1 − 2|u|).
        foreach (uint w in new uint[] { 0, 1, 12345, 1u << 31, uint.MaxValue - 7 })
        {
            Assert.Equal(-ClassRisk.Laplace(w, 3), ClassRisk.Laplace(uint.MaxValue - w, 3), 1e-9);
            double u = (w + 0.5) / 4294967296.0 - 0.5;
            Assert.Equal(-3 * Math.Log(1 - 2 * Math.Abs(u)), Math.Abs(ClassRisk.Laplace(w, 3)), 1e-9 * (1 + Math.Abs(ClassRisk.Laplace(w, 3))));
        }
    }

    /// <summary>
    /// 20,000 persons over two uniform attributes of 10 categories (100 cells) published as tables, the
    /// benefit's prevalence 0.15 and 0.35 among the disabled; three noise safeguards, each alone in its
    /// proposal-only variant. No suppression: the noise is the only error of the estimates.
    /// </summary>
    internal static string NoisyTables() => """
        strand: research-statistics
        name: noisy-tables
        price_year: 2023
        horizon_years: 5
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population: pop.yaml
        research:
          extract: { sample_fraction: 1 }
          quasi_identifiers:
            - { id: first, levels: { category: 10 }, released: category }
            - { id: second, levels: { category: 10 }, released: category }
          sensitive_attributes:
            - { id: benefit-receipt, prevalence: { base: 0.15, by_group: { disabled: 0.35 } } }
          release:
            form: public-tables
          attack:
            attacker: an insider
            attempts_per_year: 20
            knows: [first, second]
            success_if_unique: 0.9
          questions:
            - { id: benefit, attribute: benefit-receipt }
        safeguards:
          - { id: eps-005, type: noise, epsilon: 0.05, enabled: false }
          - { id: eps-05, type: noise, epsilon: 0.5, enabled: false }
          - { id: eps-5, type: noise, epsilon: 5, enabled: false }
        """;

    [Fact, Trait("Category", "Statistical")]
    public void The_estimate_error_falls_as_epsilon_rises_beyond_4_monte_carlo_standard_errors()
    {
        // Each replicate draws new noise; the mean error over R replicates has Monte Carlo standard error sd/√R.
        // Two means differ beyond chance when their difference exceeds 4 √(se₁² + se₂²) (independent estimates:
        // the variants share their noise words, which makes them positively correlated, so this is conservative).
        const int Replicates = 30;
        Scenario s = Load(NoisyTables(), SampleUniqueTests.Population(20_000, 10));
        RunResult r = Run(s, seed: 20240904, replicates: Replicates);
        Assert.All(Series(r, VariantBuilder.NoSafeguards, "all", "estimate_error.benefit").Values, e => Assert.Equal(0.0, e)); // no noise, no error
        (double Mean, double Se)[] errors = [.. new[] { "eps-005", "eps-05", "eps-5" }.Select(id =>
        {
            double[] e = [.. Series(r, VariantBuilder.OnlyPrefix + id, "all", "estimate_error.benefit").Values.Select(x => x!.Value)];
            double mean = e.Average();
            double sd = Math.Sqrt(e.Sum(x => (x - mean) * (x - mean)) / (e.Length - 1));
            return (mean, sd / Math.Sqrt(e.Length));
        })];
        for (int j = 0; j + 1 < errors.Length; j++)
        {
            double gap = errors[j].Mean - errors[j + 1].Mean, se = Math.Sqrt(errors[j].Se * errors[j].Se + errors[j + 1].Se * errors[j + 1].Se);
            Assert.True(gap > 4 * se, Invariant($"mean errors {errors[j].Mean:G4} ± {errors[j].Se:G2} then {errors[j + 1].Mean:G4} ± {errors[j + 1].Se:G2} pp: not falling beyond 4 se"));
        }

        Assert.True(errors[^1].Mean > 0, "even ε = 5 leaves some error");
    }
}
