using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands.Fraud;
using ImpactModel.Tests.Support;

namespace ImpactModel.Tests.Strands.Fraud;

public class FraudAllocationTests
{
    [Fact]
    public void Evaluating_a_chunk_of_claimants_in_every_variant_allocates_nothing()
    {
        Scenario s = FraudStrandTests.ShippedScenario();
        var variants = VariantBuilder.Build(s);
        var population = CompiledPopulation.Compile(s.Population, 1, 0);
        var model = new FraudModel(s);
        IChunkEvaluator evaluator = model.Compile(new ReplicateContext(s, variants, population, 1, 0)).CreateEvaluator(4096);
        var tally = new TallyTable(variants.Count, population.GroupIds.Count, model.Counters.Count);
        var chunk = new PersonChunk(4096);
        long bytes = Allocations.SmallestRound(c =>
        {
            population.Generate(chunk, c * 4096L, 4096);
            evaluator.Evaluate(chunk, tally, 0);
        });

        Assert.Equal(0, bytes);
        Assert.True(tally[0, 0, FraudCounters.Claimants] > 0);
    }
}
