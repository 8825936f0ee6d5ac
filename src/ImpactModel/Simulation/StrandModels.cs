using ImpactModel.Scenarios.Model;
using ImpactModel.Strands.Fraud;

namespace ImpactModel.Simulation;

/// <summary>Which models a scenario runs: the population and linkage model, then its strand's model where one is built.</summary>
public static class StrandModels
{
    /// <summary>The models of <paramref name="scenario"/>, in the order their counters and metrics follow each other.</summary>
    public static IReadOnlyList<IStrandModel> For(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var models = new List<IStrandModel> { new PopulationLinkageModel(scenario) };
        if (scenario.Strand == global::ImpactModel.Scenarios.Model.Strands.Fraud && scenario.Fraud is not null)
            models.Add(new FraudModel(scenario));
        return models;
    }
}
