using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
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
        IChunkEvaluator evaluator = model.Compile(new ReplicateContext(s, variants, population, 1, 0, 1 << 20)).CreateEvaluator(0, 4096);
        var output = ChunkOutput.Alone(model, variants.Count, population.GroupIds.Count, 4096);
        var chunk = new PersonChunk(4096);
        long bytes = Allocations.SmallestRound(c =>
        {
            population.Generate(chunk, c * 4096L, 4096, model.Reads);
            evaluator.Evaluate(chunk, output);
        });

        Assert.Equal(0, bytes);
        int counted = which == "fraud" ? CounterSet.IndexOf(FraudCounter.Claimants) : PopulationLinkageModel.PersonsCounter;
        Assert.True(output.Tally[0, 0, counted] > 0, "the chunks were evaluated");
    }
}
