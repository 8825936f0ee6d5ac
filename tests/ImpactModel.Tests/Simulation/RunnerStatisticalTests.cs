using ImpactModel.Simulation;
using ImpactModel.Worker.Commands;
using static ImpactModel.Tests.Simulation.SimulationTestScenarios;

namespace ImpactModel.Tests.Simulation;

public class RunnerStatisticalTests
{
    /// <summary>
    /// frequent-mover's count (scaled to 1,000,000) is 10^6 × its realised share: the beta(2, 8) draw
    /// plus binomial chance over 2,000 persons. Its 2.5th and 97.5th percentiles over 2,000 replicates
    /// should be 10^6 × the beta quantiles x_p. Tolerance per end, derived: the sample p-quantile of
    /// n = 2,000 values has standard error √(p(1 − p)/n) / f(x_p) (f the beta density; Serfling 1980,
    /// 2.3.3), taken 4 times (a correct build fails about once in 16,000 runs); plus the binomial
    /// standard deviation √(x_p(1 − x_p)/2,000) at x_p, a generous bound on how far the chance within a
    /// replicate moves a quantile of the beta (the shift is second order in it). The seed is fixed.
    /// </summary>
    [Fact, Trait("Category", "Statistical")]
    public void A_group_count_that_depends_on_one_beta_prevalence_has_the_beta_quantiles_as_its_interval()
    {
        const int Replicates = 2000, Persons = 2000;
        RunResult r = Run(BetaScenario(), 20261127, Replicates, Persons);
        ResultRow row = r.Rows.Single(x => x.Variant == "proposal" && x.Group == "frequent-mover" && x.Metric == "persons");
        foreach (var (p, observed) in new[] { (0.025, row.Summary.Low!.Value), (0.975, row.Summary.High!.Value) })
        {
            double x = BetaQuantile(p, (int)Alpha, (int)Beta);
            double se = Math.Sqrt(p * (1 - p) / Replicates) / BetaDensity(x, (int)Alpha, (int)Beta);
            double tolerance = 4 * se + Math.Sqrt(x * (1 - x) / Persons);
            Assert.True(Math.Abs(observed / 1e6 - x) <= tolerance,
                $"p = {p}: percentile {observed / 1e6:G6}, beta quantile {x:G6}, tolerance {tolerance:G3}");
        }

        // The mean: beta mean 0.2, standard error √(var / n) with var = beta variance + binomial 0.2·0.8/2000.
        double variance = Alpha * Beta / ((Alpha + Beta) * (Alpha + Beta) * (Alpha + Beta + 1)) + 0.2 * 0.8 / Persons;
        Assert.InRange(row.Summary.Mean!.Value / 1e6, 0.2 - 4 * Math.Sqrt(variance / Replicates), 0.2 + 4 * Math.Sqrt(variance / Replicates));
    }

    /// <summary>
    /// For each of 200 seeds, 10 replicates of frequent-mover's count are read back from
    /// replicates.csv and the 95% interval mean ± t(0.975, 9) · s / √10 (t = 2.262157) is formed
    /// from the Monte Carlo standard error; the true mean is 10^6 × 0.2. Covered seeds ~ Binomial(200,
    /// 0.95): mean 190, sd √(200 · 0.95 · 0.05) = 3.08; the test accepts 190 ± 4 sd (178 to 200),
    /// failing a correct build about once in 16,000 runs (the skew of beta(2, 8) with n = 10 costs a
    /// point or two of coverage, well inside).
    /// </summary>
    [Fact, Trait("Category", "Statistical")]
    public void Monte_Carlo_standard_errors_from_replicates_csv_give_95_percent_intervals_that_cover_the_truth_95_percent_of_the_time()
    {
        const int Seeds = 200, Replicates = 10;
        const double T = 2.262157, Truth = 200_000;
        var scenario = BetaScenario();
        int covered = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            RunResult r = Run(scenario, (ulong)(1000 + seed), Replicates, 2000);
            double[] v = FromReplicatesCsv(Csv(r, RunFolder.WriteReplicates), "proposal", "frequent-mover", "persons");
            Assert.Equal(Replicates, v.Length);
            double mean = v.Average();
            double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (Replicates - 1));
            if (Math.Abs(mean - Truth) <= T * sd / Math.Sqrt(Replicates))
                covered++;
        }

        double expected = Seeds * 0.95, sigma = Math.Sqrt(Seeds * 0.95 * 0.05);
        Assert.InRange(covered, expected - 4 * sigma, Seeds);
    }
}
