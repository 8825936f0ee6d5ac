using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Simulation;
using ImpactModel.Worker.Hosting;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>The shipped research and statistics scenario against its strand's model and the shipped population.</summary>
public sealed class ShippedResearchScenarioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("impact-research-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_pilot_outcomes_name_metrics_the_research_strand_produces()
    {
        Scenario research = SeamTests.ShippedResearch();
        string[] metrics = [.. BuiltInStrands.Registry.For(research).Models.SelectMany(m => m.Metrics)
            .SelectMany(m => m.IsHarm ? [m.Name, SimulationRunner.RatioName(m.Name)] : new[] { m.Name })];
        PilotSpec pilot = research.Pilot ?? throw new InvalidOperationException("the shipped research scenario has a pilot section");
        Assert.NotEmpty(pilot.Outcomes.Where(o => o.Metric is not null));
        foreach (PilotOutcomeSpec outcome in pilot.Outcomes.Where(o => o.Metric is not null))
            Assert.True(metrics.Contains(outcome.Metric, StringComparer.Ordinal), $"pilot outcome '{outcome.Id}' names '{outcome.Metric}', which no model of the strand produces");
    }

    [Fact]
    public void A_local_authority_count_other_than_the_shipped_population_is_refused_at_the_level()
    {
        string shipped = ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml");
        string text = Replace(File.ReadAllText(shipped), "local-authority: 361", "local-authority: 360")
            .Replace("population: uk-population.yaml", "population: " + ValidateCommandTests.RepositoryFile("scenarios", "uk-population.yaml"), StringComparison.Ordinal);
        string path = Path.Combine(_dir, "research-statistics.yaml");
        File.WriteAllText(path, text);
        ScenarioLoadResult loaded = ScenarioLoader.Load(path, DiskScenarioFiles.Instance);
        Assert.Equal($"{At(path, text, "local-authority: 360")}: research.quasi_identifiers.area.levels.local-authority: " +
                     "level 'local-authority' of quasi-identifier 'area' has 361 distinct values in this population, not 360",
            SingleError(loaded));
    }
}
