using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Tests.Support;
using static ImpactModel.Tests.Simulation.SimulationTestScenarios;

namespace ImpactModel.Tests.Simulation;

public class ChunkAllocationTests
{
    [Fact]
    public void Evaluating_a_chunk_in_every_variant_allocates_nothing()
    {
        Scenario s = Fixture();
        var variants = VariantBuilder.Build(s);
        var population = CompiledPopulation.Compile(s.Population, 1, 0);
        var model = new PopulationLinkageModel(s);
        IChunkEvaluator evaluator = model.Compile(new ReplicateContext(s, variants, population, 1, 0)).CreateEvaluator(4096);
        var tally = new TallyTable(variants.Count, population.GroupIds.Count, model.Counters.Count);
        var chunk = new PersonChunk(4096);
        long bytes = Allocations.SmallestRound(c =>
        {
            population.Generate(chunk, c * 4096L, 4096);
            evaluator.Evaluate(chunk, tally, 0);
        });

        Assert.Equal(0, bytes);
        Assert.Equal(8 * 4096, tally[0, 0, PopulationLinkageModel.PersonsCounter]);
    }
}
