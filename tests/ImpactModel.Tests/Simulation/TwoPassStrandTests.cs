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
        // 30,000 persons in chunks of 1,000 and 8 chunks a work item: 4 work items, shared by the threads.
        RunResult one = Run(threads: 1, chunk: 4096);
        foreach (var (threads, chunk) in new[] { (1, 1000), (2, 1000), (2, 512), (0, 777) })
        {
            RunResult other = Run(threads, chunk);
            Assert.Equal(Flatten(one), Flatten(other));
        }
    }

    [Fact]
    public void Shards_that_merge_pass_one_before_pass_two_give_the_tallies_of_one_process()
    {
        // As two machines would: each starts the replicate and runs its range of pass 0; the two
        // shares are merged before either starts pass 1; each runs its range of pass 1; all four
        // shares complete the replicate. The population model runs in the last pass only.
        IStrandModel[] models = [new StrandKit.PopulationLinkageModel(Uk), Strand()];
        var variants = VariantBuilder.Build(Uk);
        var options = new ChunkLoopOptions(Threads: 2, ChunkSize: 1000);
        (long First, long Count)[] shards = [(0, 12_345), (12_345, Persons - 12_345)];
        ReplicateRun[] machines = [.. shards.Select(_ => ReplicateRun.Start(Uk, variants, models, Seed, 0, Persons))];
        Assert.Equal(2, machines[0].Passes);
        var results = new List<PassResult>();
        for (int pass = 0; pass < 2; pass++)
        {
            PassResult[] shares = [.. machines.Select((m, k) => m.RunPass(pass, shards[k].First, shards[k].Count, options))];
            foreach (ReplicateRun machine in machines)
                machine.EndPass(pass, shares);
            results.AddRange(shares);
        }

        TallyTable sharded = machines[0].Complete(results);

        ReplicateRun alone = ReplicateRun.Start(Uk, variants, models, Seed, 0, Persons);
        var whole = new List<PassResult>();
        for (int pass = 0; pass < 2; pass++)
        {
            PassResult share = alone.RunPass(pass, 0, Persons, new ChunkLoopOptions(Threads: 1));
            alone.EndPass(pass, [share]);
            whole.Add(share);
        }

        TallyTable single = alone.Complete(whole);
        int counters = models.Sum(m => m.Counters.Count);
        for (int v = 0; v < variants.Count; v++)
        {
            for (int row = 0; row < single.Rows; row++)
            {
                for (int c = 0; c < counters; c++)
                    Assert.Equal(single[v, row, c], sharded[v, row, c]);
            }
        }

        Expected[] expected = Direct(Strand(), variants.Count);
        int at = models[0].Counters.Count; // the strand's counters follow the population model's
        for (int v = 0; v < variants.Count; v++)
        {
            Assert.Equal(expected[v].Uniques, sharded[v, 0, at + (int)CellSizeStrand.Counter.Uniques]);
            Assert.Equal(expected[v].SizeSum, sharded[v, 0, at + (int)CellSizeStrand.Counter.ClassSizeSum]);
        }

        Assert.Throws<InvalidOperationException>(() => alone.RunPass(0, 0, Persons, options)); // passes run once, in order
    }

    [Fact]
    public void A_two_pass_strand_runs_beside_one_pass_models_with_the_same_results()
    {
        var models = new IStrandModel[] { new StrandKit.PopulationLinkageModel(Uk), Strand() };
        RunResult both = SimulationRunner.Run(Uk, new RunSettings(Seed, 1, Persons, 2, 1000), models);
        RunResult alone = Run(threads: 2, chunk: 1000);
        Assert.Equal(Value(alone, 0, "unique_rate"), Value(both, 0, "unique_rate"));
        Assert.Equal(Persons * both.ScaleFactor, Value(both, 0, "persons"), 1e-6 * Persons * both.ScaleFactor);
    }

    [Fact]
    public void Two_models_reporting_a_metric_of_the_same_name_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            SimulationRunner.Run(Uk, new RunSettings(Seed, 1, 1_000), [new StrandKit.PopulationLinkageModel(Uk), new StrandKit.PopulationLinkageModel(Uk)]));
        Assert.Contains("metric 'persons' is reported by two models", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_observer_sees_each_strand_mark_the_persons_it_harmed()
    {
        // Two replicates: the observers of each are told which replicate they see.
        var observers = new List<(int Replicate, HarmCounter Counter)>();
        int variants = VariantBuilder.Build(Uk).Count;
        RunResult run = SimulationRunner.Run(Uk, new RunSettings(Seed, 2, Persons, 2, 1000), [Strand()], observe: r =>
        {
            var o = new HarmCounter(variants);
            lock (observers)
                observers.Add((r, o));
            return o;
        });

        Expected[] expected = Direct(Strand(), variants);
        for (int v = 0; v < variants; v++)
            Assert.Equal(expected[v].Uniques, observers.Where(o => o.Replicate == 0).Sum(o => o.Counter.Harmed[v]));
        for (int r = 0; r < 2; r++)
        {
            double rate = run.Series.Single(x => x.Variant == run.Variants[0].Id && x.Group == "all" && x.Metric == "unique_rate").Values[r]!.Value;
            Assert.Equal(Math.Round(rate * Persons), observers.Where(o => o.Replicate == r).Sum(o => o.Counter.Harmed[0]));
        }
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
}
