using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands.Fraud;
using ImpactModel.Tests.Strands.Fraud;
using ImpactModel.Tests.Support;
using static ImpactModel.Tests.Simulation.SimulationTestScenarios;

namespace ImpactModel.Tests.Simulation;

public class ChunkAllocationTests
{
    public static TheoryData<string> Models => new() { "population-and-linkage", "fraud" };

    [Theory, MemberData(nameof(Models))]
    public void Evaluating_a_chunk_in_every_variant_allocates_nothing(string which)
    {
        // The population and linkage model on the runner's fixture, and the fraud strand on the shipped scenario.
        Scenario s = which == "fraud" ? FraudStrandTests.ShippedScenario() : Fixture();
        IStrandModel model = which == "fraud" ? new FraudModel(s) : new PopulationLinkageModel(s);
        var variants = VariantBuilder.Build(s);
        var population = CompiledPopulation.Compile(s.Population, 1, 0);
        IChunkEvaluator evaluator = model.Compile(new ReplicateContext(s, variants, population, 1, 0)).CreateEvaluator(4096);
        var tally = new TallyTable(variants.Count, population.GroupIds.Count, model.Counters.Count);
        var chunk = new PersonChunk(4096);
        long bytes = Allocations.SmallestRound(c =>
        {
            population.Generate(chunk, c * 4096L, 4096, model.Reads);
            evaluator.Evaluate(chunk, tally, 0);
        });

        Assert.Equal(0, bytes);
        int counted = which == "fraud" ? FraudCounters.Claimants : PopulationLinkageModel.PersonsCounter;
        Assert.True(tally[0, 0, counted] > 0, "the chunks were evaluated");
    }
}
