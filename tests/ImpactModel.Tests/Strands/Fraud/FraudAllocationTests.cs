using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands.Fraud;

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
        population.Generate(chunk, 0, 4096);
        evaluator.Evaluate(chunk, tally, 0); // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int c = 1; c < 5; c++)
        {
            population.Generate(chunk, c * 4096L, 4096);
            evaluator.Evaluate(chunk, tally, 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(tally[0, 0, FraudCounters.Claimants] > 0);
    }
}
