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
        // The fraud strand links its claimants only and reports the link_* metrics for them.
        if (scenario.Strand == StrandIds.Fraud && scenario.Fraud is not null)
            return [new PopulationLinkageModel(scenario, linkEveryone: false), new FraudModel(scenario)];
        return [new PopulationLinkageModel(scenario)];
    }
}
