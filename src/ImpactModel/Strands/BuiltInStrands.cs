using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Strands.Fraud;
using ImpactModel.Strands.Research;
using ImpactModel.Strands.TailoredServices;

namespace ImpactModel.Strands;

/// <summary>
/// The strands this engine has models for, registered by strand id (the host adds this registry
/// to its services; tests and benchmarks use it directly). A strand's scenarios run the population
/// and linkage model first, then the strand's own; a strand that links the persons it concerns
/// itself (the fraud strand links its claimants) has the population model count persons only.
/// </summary>
public static class BuiltInStrands
{
    /// <summary>Every strand has its model (a strand registered without one would run the population and linkage model with a warning).</summary>
    public static StrandRegistry Registry { get; } = new StrandRegistry(scenario => [new PopulationLinkageModel(scenario)])
        .With(StrandIds.Fraud, scenario => [new PopulationLinkageModel(scenario, linkEveryone: false), new FraudModel(scenario)])
        .With(StrandIds.TailoredServices, scenario => [new PopulationLinkageModel(scenario, linkEveryone: false), new TailoredServicesModel(scenario)])
        .With(StrandIds.Research, scenario => [new PopulationLinkageModel(scenario, linkEveryone: false), new ResearchModel(scenario)]);
}
