using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands.Research;
using ImpactModel.Tests.Support;
using static ImpactModel.Tests.Strands.Research.ResearchFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// The same results whatever the threads, chunks or path taken, and no allocation in the passes'
/// hot loops, on <see cref="ResearchFixture.Detail"/> (every safeguard that changes a release, an
/// attacker who knows less than is released, and public tables).
/// </summary>
[Collection(ResearchSerial.Name)]
public sealed class ResearchDeterminismTests
{
    private const long Persons = 40_000;

    [Fact]
    public void The_compact_exact_path_and_the_general_tables_give_byte_identical_results()
    {
        Scenario s = Declare(Load(Detail(0.9)), Persons);
        RunResult run = Run(s, threads: 2);
        string compact = ResultsCsv(run);
        Assert.True(Value(run, "proposal-only-suppress", "all", "records_suppressed") > 0 && Value(run, "tables-detailed", "all", "attribute_disclosures") > 0,
            "the fixture suppresses records and its tables disclose attributes");
        try
        {
            ResearchReplicate.CompactPath = false;
            Assert.Empty(Drive(s, Persons).Replicate.CompactCells); // the switch takes the general tables
            Assert.Equal(compact, ResultsCsv(Run(s, threads: 2)));
        }
        finally
        {
            ResearchReplicate.CompactPath = true;
        }
    }

    [Theory]
    [InlineData(1)]  // exact: the declared population simulated
    [InlineData(8)]  // estimated for a declared population 8 times larger
    public void Results_are_byte_identical_for_one_or_two_threads_and_two_chunk_sizes(int declaredMultiple)
    {
        // Each change alone with exact class sizes; both at once with estimated ones (whose risk tables take most of a run's time).
        Scenario s = Declare(Load(Detail(0.9)), Persons * declaredMultiple);
        RunResult one = Run(s, persons: Persons, threads: 1, chunk: 4096);
        string expected = ResultsCsv(one);
        List<MetricSeries> series = [.. one.Series];
        Assert.Contains(series, x => x.Metric == "sample_uniques" && x.Values.All(v => v > 0));
        (int Threads, int Chunk)[] settings = declaredMultiple == 1 ? [(2, 4096), (1, 777)] : [(2, 777)];
        foreach ((int threads, int chunk) in settings)
        {
            RunResult other = Run(s, persons: Persons, threads: threads, chunk: chunk);
            Assert.Equal(expected, ResultsCsv(other));
            List<MetricSeries> actual = [.. other.Series];
            Assert.Equal(series.Count, actual.Count);
            for (int i = 0; i < series.Count; i++)
            {
                Assert.True(Bits(series[i]).SequenceEqual(Bits(actual[i])),
                    $"{threads} threads, chunk {chunk}: {actual[i].Variant}/{actual[i].Group}/{actual[i].Metric} differs in some replicate");
            }

            Assert.Equal(one.Warnings.ToArray(), other.Warnings.ToArray());
        }
    }

    private static IEnumerable<long?> Bits(MetricSeries series) =>
        series.Values.Select(v => v is { } x ? BitConverter.DoubleToInt64Bits(x) : (long?)null);

    [Theory]
    [InlineData(1, true)]   // exact: pass 0 also counts the truth; pass 1 marks harms from the compact cells
    [InlineData(8, true)]   // estimated: pass 1 marks nobody
    [InlineData(1, false)]  // pass 1 attributing person by person, from the compact cells
    [InlineData(8, false)]  // and from the interleaved tables
    public void Evaluating_a_chunk_allocates_nothing_in_either_pass(int declaredMultiple, bool formed)
    {
        try
        {
            ResearchReplicate.TalliesFromClassCounts = formed;
            EvaluateChunks(declaredMultiple, formed);
        }
        finally
        {
            ResearchReplicate.TalliesFromClassCounts = true;
        }
    }

    private static void EvaluateChunks(int declaredMultiple, bool formed)
    {
        const int Chunk = 4096;
        Scenario s = Declare(Load(Detail(0.9)), Persons * declaredMultiple);
        var model = new ResearchModel(s);
        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(s);
        CompiledPopulation population = CompiledPopulation.Compile(s.Population, 7, 0);
        IStrandReplicate replicate = model.Compile(new ReplicateContext(s, variants, population, 7, 0, Persons));
        var output = ChunkOutput.Alone(model, variants.Count, population.GroupIds.Count, Chunk);
        var chunk = new PersonChunk(Chunk);

        // Pass 0 over chunks 0 … 7 (warm-up and measured rounds: 8 × 4,096 persons of the 40,000).
        IChunkEvaluator counter = replicate.CreateEvaluator(0, Chunk);
        long bytes = Allocations.SmallestRound(c =>
        {
            population.Generate(chunk, c * (long)Chunk, Chunk, model.Reads);
            counter.Evaluate(chunk, output);
        });
        Assert.Equal(0, bytes);
        Assert.True(output.Accumulators.Values.ToArray().Any(x => x != 0), "pass 0 counted");
        counter.Finish(output);
        int truth = ResearchCounters.N(ResearchCounter.TruthPersons);
        Assert.Equal(formed, output.Tally[0, 0, truth] > 0); // the truth is counted in pass 0 when pass 1 may be skipped

        replicate.EndPass(0, output.Accumulators);
        Assert.Equal(declaredMultiple == 1, ((ResearchReplicate)replicate).CompactCells.Length > 0);
        IChunkEvaluator attributor = replicate.CreateEvaluator(1, Chunk);
        var flags = new PersonFlags(variants.Count, Chunk);
        var pass1 = new ChunkOutput(output.Tally, output.Accumulators, flags);
        bytes = Allocations.SmallestRound(c =>
        {
            population.Generate(chunk, c * (long)Chunk, Chunk, model.Reads);
            attributor.Evaluate(chunk, pass1);
        });
        Assert.Equal(0, bytes);
        attributor.Finish(pass1); // the sums kept by group mask reach the tally at the end of the thread's pass
        int extract = ResearchCounters.N(ResearchCounter.ExtractRecords);
        Assert.Equal(!formed, output.Tally[variants.Count - 1, 0, extract] > 0); // pass 1 attributes records only with the switch off
        Assert.Equal(formed, attributor is HarmMarker);
    }
}
