using ImpactModel.MonteCarlo;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Tests.MonteCarlo;

public class ParameterSamplerTests
{
    private static Parameter P(Distribution d, string path) => new(d, Evidence.None, path, default);

    [Fact]
    public void A_fixed_parameter_is_its_value_in_every_replicate()
    {
        var p = P(new FixedValue(0.3), "a.b");
        Assert.All(Enumerable.Range(0, 10), r => Assert.Equal(0.3, ParameterSampler.Draw(p, 7, r)));
    }

    [Fact]
    public void A_draw_depends_on_the_path_and_replicate_not_on_other_parameters()
    {
        var beta = new BetaDistribution(2, 50);
        double first = ParameterSampler.Draw(P(beta, "population.groups.x.prevalence"), 42, 3);
        // Drawing other parameters first changes nothing: there is no generator state.
        _ = ParameterSampler.Draw(P(beta, "fraud.responses.appeal"), 42, 3);
        Assert.Equal(first, ParameterSampler.Draw(P(beta, "population.groups.x.prevalence"), 42, 3));
        Assert.NotEqual(first, ParameterSampler.Draw(P(beta, "population.groups.x.prevalence"), 42, 4));
        Assert.NotEqual(first, ParameterSampler.Draw(P(beta, "population.groups.y.prevalence"), 42, 3));
    }

    [Fact, Trait("Category", "Statistical")]
    public void Draws_over_replicates_have_the_distributions_mean_within_4_standard_errors()
    {
        // Beta(2, 50): mean 2/52, variance ab/((a+b)^2 (a+b+1)). 4 sigma: a correct build fails ~1 in 16,000 runs.
        var p = P(new BetaDistribution(2, 50), "x");
        const int n = 20_000;
        double sum = 0;
        for (int r = 0; r < n; r++)
            sum += ParameterSampler.Draw(p, 11, r);
        double mean = 2.0 / 52, sd = Math.Sqrt(2.0 * 50 / (52.0 * 52 * 53));
        Assert.InRange(sum / n, mean - 4 * sd / Math.Sqrt(n), mean + 4 * sd / Math.Sqrt(n));
    }

    [Fact]
    public void The_shipped_scenarios_have_no_colliding_parameter_paths()
    {
        var paths = new List<string>();
        foreach (string file in new[] { "fraud-error-debt.yaml", "tailored-services.yaml", "research-statistics.yaml" })
        {
            var scenario = ImpactModel.Scenarios.ScenarioLoader.LoadScenario(
                Cli.ValidateCommandTests.RepositoryFile("scenarios", file), ImpactModel.Worker.Hosting.DiskScenarioFiles.Instance);
            paths.AddRange(ImpactModel.Scenarios.ScenarioParameters.All(scenario).Select(p => p.Path));
        }

        Assert.True(paths.Count > 150, $"only {paths.Count} parameters found");
        Assert.Empty(ParameterSampler.Collisions(paths.Distinct()));
    }
}
