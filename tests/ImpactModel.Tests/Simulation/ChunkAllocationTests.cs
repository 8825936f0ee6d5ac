using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Strands.Fraud;
using ImpactModel.Strands.TailoredServices;
using ImpactModel.Tests.Strands.Fraud;
using ImpactModel.Tests.Strands.TailoredServices;
using ImpactModel.Tests.Support;
using static ImpactModel.Tests.Simulation.SimulationTestScenarios;

namespace ImpactModel.Tests.Simulation;

public class ChunkAllocationTests
{
    // "tailored-services" FAILS on the model as committed (d0efac4), not on the test: its evaluator allocates
    // nothing, but TailoredServicesModel.Reads recomputes TailoredReplicate.ByAuthority on every read, which
    // builds a HashSet of the shipped population's 361 local-authority ids: 16,184 bytes a round here. The
    // runner reads Reads once per pass and thread, so a run does not pay it per chunk; the fix is to work
    // Reads out once in the constructor, as the other models' constant Reads are.
    public static TheoryData<string> Models => new() { "population-and-linkage", "fraud", "tailored-services" };

    [Theory, MemberData(nameof(Models))]
    public void Evaluating_a_chunk_in_every_variant_allocates_nothing(string which)
    {
        // The population and linkage model on the runner's fixture, and each strand on its shipped scenario.
        Scenario s = which switch
        {
            "fraud" => FraudStrandTests.ShippedScenario(),
            "tailored-services" => TailoredServicesStrandTests.ShippedScenario(),
            _ => Fixture(),
        };
        IStrandModel model = which switch
        {
            "fraud" => new FraudModel(s),
            "tailored-services" => new TailoredServicesModel(s),
            _ => new PopulationLinkageModel(s),
        };
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
        evaluator.Finish(output); // what an evaluator keeps by group mask reaches the tally here, after its last chunk
        int counted = which switch
        {
            "fraud" => CounterSet.IndexOf(FraudCounter.Claimants),
            "tailored-services" => CounterSet.IndexOf(TailoredCounter.Eligible),
            _ => PopulationLinkageModel.PersonsCounter,
        };
        Assert.True(output.Tally[0, 0, counted] > 0, "the chunks were evaluated");
    }
}
