using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Tests.Strands.Fraud;

namespace ImpactModel.Tests.Simulation;

/// <summary>
/// The seam's accumulators and second pass, proved with <see cref="CellSizeStrand"/> through the real
/// runner: every number is checked against the class sizes counted directly over the same persons.
/// </summary>
public class TwoPassStrandTests
{
    private const ulong Seed = 11;

    // Few enough persons for many small classes and some uniques among 101 ages × 2 sexes × 12 regions.
    private const int Persons = 30_000;

    private static readonly Scenario Uk = FraudStrandTests.ShippedScenario();

    private static CellSizeStrand Strand() => new(Uk.Population.Areas.Length);

    [Fact]
    public void The_second_pass_gives_each_person_the_size_of_their_class_counted_directly()
    {
        RunResult run = Run(threads: 0, chunk: 4096);
        Expected[] expected = Direct(Strand(), variants: run.Variants.Count);
        for (int v = 0; v < run.Variants.Count; v++)
        {
            Expected e = expected[v];
            Assert.True(e.Persons == Persons, "every person is attributed a class in every variant");
            Assert.Equal((double)e.Uniques / Persons, Value(run, v, "unique_rate"));
            Assert.Equal((double)e.Small / Persons, Value(run, v, "small_class_rate"));
            Assert.Equal((double)e.SizeSum / Persons, Value(run, v, "mean_class_size"));
        }

        // The variants release age at different widths, so their classes differ. Bands of 10 years
        // are unions of bands of 5, which are unions of single years: coarser classes never have more uniques.
        Assert.True(expected[0].Uniques > expected[1].Uniques && expected[1].Uniques >= expected[2].Uniques,
            $"uniques by width 1, 5, 10 years: {expected[0].Uniques}, {expected[1].Uniques}, {expected[2].Uniques}");
        Assert.True(expected[0].Uniques > 0, "the fixture has uniques to count");
    }

    [Fact]
    public void Two_pass_results_are_identical_for_any_thread_count_and_chunk_size()
    {
        RunResult one = Run(threads: 1, chunk: 4096);
        foreach (var (threads, chunk) in new[] { (2, 4096), (2, 1000), (0, 777) })
        {
            RunResult other = Run(threads, chunk);
            Assert.Equal(Flatten(one), Flatten(other));
        }
    }

    [Fact]
    public void Pass_one_accumulated_in_shards_then_merged_gives_the_same_second_pass()
    {
        // As two machines would: each shard counts its persons' classes; the shards' accumulators
        // are merged before either starts pass two; each shard then attributes its own persons.
        CellSizeStrand strand = Strand();
        var variants = VariantBuilder.Build(Uk);
        var population = CompiledPopulation.Compile(Uk.Population, Seed, 0);
        IStrandReplicate replicate = strand.Compile(new ReplicateContext(Uk, variants, population, Seed, 0, Persons));
        (long First, long Count)[] shards = [(0, 12_345), (12_345, Persons - 12_345)];

        var merged = new Accumulators(strand.Accumulators, variants.Count);
        foreach (var (first, count) in shards)
            merged.Merge(Shard(strand, replicate, population, 0, first, count, variants.Count).Accumulators);
        replicate.EndPass(0, merged);

        var tally = new TallyTable(variants.Count, population.GroupIds.Count, strand.Counters.Count);
        foreach (var (first, count) in shards)
            tally.Merge(Shard(strand, replicate, population, 1, first, count, variants.Count).Tally);

        Expected[] expected = Direct(strand, variants.Count);
        for (int v = 0; v < variants.Count; v++)
        {
            Assert.Equal(expected[v].Persons, tally[v, 0, (int)CellSizeStrand.Counter.Persons]);
            Assert.Equal(expected[v].Uniques, tally[v, 0, (int)CellSizeStrand.Counter.Uniques]);
            Assert.Equal(expected[v].SizeSum, tally[v, 0, (int)CellSizeStrand.Counter.ClassSizeSum]);
        }
    }

    [Fact]
    public void An_observer_sees_each_strand_mark_the_persons_it_harmed()
    {
        var observers = new List<HarmCounter>();
        int variants = VariantBuilder.Build(Uk).Count;
        RunResult run = SimulationRunner.Run(Uk, new RunSettings(Seed, 1, Persons, 2, 1000), [Strand()], observe: () =>
        {
            var o = new HarmCounter(variants);
            lock (observers)
                observers.Add(o);
            return o;
        });

        Expected[] expected = Direct(Strand(), variants);
        for (int v = 0; v < variants; v++)
            Assert.Equal(expected[v].Uniques, observers.Sum(o => o.Harmed[v]));
        Assert.Equal((double)expected[0].Uniques / Persons, Value(run, 0, "unique_rate"));
    }

    internal sealed class HarmCounter(int variants) : IChunkObserver
    {
        public long[] Harmed { get; } = new long[variants];

        public void Observe(PersonChunk persons, PersonFlags flags)
        {
            for (int v = 0; v < Harmed.Length; v++)
            {
                foreach (PersonOutcome o in flags.Of(v, persons.Count))
                    Harmed[v] += (o & PersonOutcome.Harmed) != 0 ? 1 : 0;
            }
        }
    }

    private readonly record struct Expected(long Persons, long Uniques, long Small, long SizeSum);

    private static RunResult Run(int threads, int chunk) =>
        SimulationRunner.Run(Uk, new RunSettings(Seed, 1, Persons, threads, chunk), [Strand()]);

    private static double Value(RunResult run, int variant, string metric) =>
        run.Series.Single(s => s.Variant == run.Variants[variant].Id && s.Group == "all" && s.Metric == metric).Values[0]!.Value;

    private static IEnumerable<string> Flatten(RunResult run) =>
        run.Series.Select(s => $"{s.Variant},{s.Group},{s.Metric},{string.Join(';', s.Values.Select(x => x?.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}");

    /// <summary>The class sizes counted over every person at once, with no runner, chunks or threads.</summary>
    private static Expected[] Direct(CellSizeStrand strand, int variants)
    {
        var population = CompiledPopulation.Compile(Uk.Population, Seed, 0);
        var chunk = new PersonChunk(Persons);
        population.Generate(chunk, 0, Persons);
        var result = new Expected[variants];
        for (int v = 0; v < variants; v++)
        {
            var sizes = new Dictionary<int, long>();
            var cells = new int[Persons];
            for (int i = 0; i < Persons; i++)
            {
                cells[i] = strand.CellOf(v, chunk.Age[i], chunk.Female[i], chunk.Area[i]);
                sizes[cells[i]] = sizes.GetValueOrDefault(cells[i]) + 1;
            }

            long uniques = 0, small = 0, sum = 0;
            foreach (int cell in cells)
            {
                long size = sizes[cell];
                uniques += size == 1 ? 1 : 0;
                small += size <= CellSizeStrand.SmallClass ? 1 : 0;
                sum += size;
            }

            result[v] = new Expected(Persons, uniques, small, sum);
        }

        return result;
    }

    /// <summary>One shard's pass: persons [first, first + count), every thread's tallies and accumulators summed.</summary>
    private static (TallyTable Tally, Accumulators Accumulators) Shard(IStrandModel strand, IStrandReplicate replicate, CompiledPopulation population,
        int pass, long first, long count, int variants)
    {
        int groups = population.GroupIds.Count;
        var parts = ChunkLoop.Run(population, strand.Reads, first, count, new ChunkLoopOptions(Threads: 2, ChunkSize: 1000), () =>
            {
                var table = new TallyTable(variants, groups, strand.Counters.Count);
                var output = new ChunkOutput(new StrandTally(table, 0, strand.Counters.Count), new Accumulators(strand.Accumulators, variants),
                    new PersonFlags(variants, 1000));
                return (Evaluator: replicate.CreateEvaluator(pass, 1000), Table: table, Output: output);
            },
            (local, chunk) => local.Evaluator.Evaluate(chunk, local.Output));
        var tally = new TallyTable(variants, groups, strand.Counters.Count);
        var accumulators = new Accumulators(strand.Accumulators, variants);
        foreach (var part in parts)
        {
            tally.Merge(part.Table);
            accumulators.Merge(part.Output.Accumulators);
        }

        return (tally, accumulators);
    }
}
