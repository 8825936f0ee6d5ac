using System.Collections.Concurrent;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Strands.Research;
using ImpactModel.StrandKit;
using static ImpactModel.Tests.Strands.Research.ResearchFixture;

namespace ImpactModel.Tests.Strands.Research;

/// <summary>
/// The figures formed at the end of pass 0 from the class counts by row slot
/// (<see cref="ResearchReplicate.TalliesFromClassCounts"/>, pass 1 skipped) against those pass 1
/// attributes person by person (the switch off): byte-identical results for the shipped scenario and
/// every hand-made research scenario of the tests, exact and estimated, and the same persons flagged
/// when an observer makes pass 1 run.
/// </summary>
[Collection(ResearchSerial.Name)]
public sealed class FormedTalliesTests
{
    public static TheoryData<string> Cases => [.. ScenarioCases.Keys];

    /// <summary>Each case: the scenario and the persons simulated (below the declared population: class sizes estimated), and replicates.</summary>
    private static readonly Dictionary<string, Func<(Scenario Scenario, long Persons, int Replicates)>> ScenarioCases = new()
    {
        // Suppression, checking, noise, two generalisations, an attacker who knows less, public tables; 90% in the extract.
        ["detail, exact"] = () => (Declare(Load(Detail(0.9)), 40_000), 40_000, 2),
        ["detail, estimated"] = () => (Declare(Load(Detail(0.9)), 320_000), 40_000, 2),
        ["shipped, exact"] = () => (Declare(Shipped(), 60_000), 60_000, 2),
        ["shipped, estimated"] = () => (Shipped(), 60_000, 1),
        ["noisy tables"] = () => (Load(NoiseTests.NoisyTables(), SampleUniqueTests.Population(20_000, 10)), 20_000, 3),
        ["shelter: disclosures, checked tables"] = () => (Load(SafeguardEffectTests.Shelter, SafeguardEffectTests.ShelterPopulation), 20_000, 2),
        ["uniform cells, half sampled"] = () => (Load(SampleUniqueTests.Scenario(0.5, 100), SampleUniqueTests.Population(20_000, 100)), 20_000, 2),
        ["estimator cells, an eighth simulated"] = () => (Declare(Load(EstimatorTests.Cells), EstimatorTests.Declared), EstimatorTests.Declared / 8, 1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Figures_formed_from_pass_0_counts_are_byte_identical_to_those_pass_1_attributes(string name)
    {
        (Scenario s, long persons, int replicates) = ScenarioCases[name]();
        Assert.Equal(1, new ResearchModel(s).PassesUnobserved); // pass 1 is skipped
        RunResult formed = Run(s, replicates: replicates, persons: persons, threads: 2);
        RunResult attributed = WithPass1Attributing(() => Run(s, replicates: replicates, persons: persons, threads: 2));
        AssertIdentical(attributed, formed, name);
    }

    [Theory]
    [InlineData(1)]  // exact: sample uniques are harms
    [InlineData(8)]  // estimated: nobody is known unique, nobody is marked
    public void An_observer_sees_the_same_persons_harmed_and_the_results_stay_identical(int declaredMultiple)
    {
        const long Persons = 40_000;
        Scenario s = Declare(Load(Detail(0.9)), Persons * declaredMultiple);
        var settings = new RunSettings(7, 2, Persons, 2, 4096);
        RunResult unobserved = Run(s, replicates: 2, persons: Persons, threads: 2);

        (RunResult formed, long[] marked) = Observed(s, settings);
        (RunResult attributed, long[] expected) = WithPass1Attributing(() => Observed(s, settings));

        Assert.Equal(expected, marked);
        Assert.Equal(declaredMultiple == 1, marked.Any(x => x > 0));
        AssertIdentical(attributed, formed, "observed");
        AssertIdentical(unobserved, formed, "observed against unobserved");
    }

    [Fact]
    public void Unobserved_the_population_model_runs_in_pass_0_and_pass_1_generates_nobody()
    {
        const long Persons = 20_000;
        Scenario s = Declare(Load(Detail(0.9)), Persons);
        IReadOnlyList<SimulationVariant> variants = VariantBuilder.Build(s);
        IStrandModel[] models = [new PopulationLinkageModel(s, linkEveryone: false), new ResearchModel(s)];
        var options = new ChunkLoopOptions(Threads: 2, ChunkSize: 1000);

        var run = ReplicateRun.Start(s, variants, models, 7, 0, Persons);
        Assert.Equal(2, run.Passes);
        PassResult first = run.RunPass(0, 0, Persons, options);
        Assert.Equal(Persons, first.Tally[0, 0, PopulationLinkageModel.PersonsCounter]); // the population model ran with pass 0
        run.EndPass(0, [first]);
        long reported = 0;
        PassResult second = run.RunPass(1, 0, Persons, options, reportPersons: p => reported += p);
        Assert.Equal(Persons, reported); // progress still reaches every person of the pass
        Assert.All(second.Accumulators, Assert.Null);
        for (int v = 0; v < second.Tally.Variants; v++)
        {
            for (int row = 0; row < second.Tally.Rows; row++)
            {
                for (int c = 0; c < second.Tally.Counters; c++)
                    Assert.Equal(0, second.Tally[v, row, c]);
            }
        }

        run.EndPass(1, [second]);
        TallyTable total = run.Complete([first, second]);
        Assert.True(total[0, 0, models[0].Counters.Count + ResearchCounters.N(ResearchCounter.TruthPersons)] == Persons, "the truth counted in pass 0");

        // Observing the last pass of a replicate whose first ran unobserved would miss the population model's pass.
        var late = ReplicateRun.Start(s, variants, models, 7, 0, Persons);
        late.EndPass(0, [late.RunPass(0, 0, Persons, options)]);
        Assert.Throws<InvalidOperationException>(() => late.RunPass(1, 0, Persons, options, () => new HarmCounter(variants.Count)));
    }

    private static T WithPass1Attributing<T>(Func<T> run)
    {
        try
        {
            ResearchReplicate.TalliesFromClassCounts = false;
            return run();
        }
        finally
        {
            ResearchReplicate.TalliesFromClassCounts = true;
        }
    }

    /// <summary>A run with an observer in every task, and the persons it saw harmed per variant (summed over tasks and replicates).</summary>
    private static (RunResult Run, long[] Harmed) Observed(Scenario s, RunSettings settings)
    {
        int variants = VariantBuilder.Build(s).Count;
        var observers = new ConcurrentBag<HarmCounter>();
        RunResult run = SimulationRunner.Run(s, settings, BuiltInStrands.Registry, observe: _ =>
        {
            var o = new HarmCounter(variants);
            observers.Add(o);
            return o;
        });
        var harmed = new long[variants];
        foreach (HarmCounter o in observers)
        {
            for (int v = 0; v < variants; v++)
                harmed[v] += o.Harmed[v];
        }

        return (run, harmed);
    }

    private static void AssertIdentical(RunResult expected, RunResult actual, string name)
    {
        Assert.Equal(ResultsCsv(expected), ResultsCsv(actual));
        List<MetricSeries> e = [.. expected.Series], a = [.. actual.Series];
        Assert.Equal(e.Count, a.Count);
        for (int i = 0; i < e.Count; i++)
        {
            Assert.True(Bits(e[i]).SequenceEqual(Bits(a[i])),
                $"{name}: {a[i].Variant}/{a[i].Group}/{a[i].Metric} differs in some replicate");
        }

        Assert.Equal(expected.Warnings.ToArray(), actual.Warnings.ToArray());
    }

    private static IEnumerable<long?> Bits(MetricSeries series) =>
        series.Values.Select(v => v is { } x ? BitConverter.DoubleToInt64Bits(x) : (long?)null);

    /// <summary>Counts the persons flagged harmed in each variant.</summary>
    private sealed class HarmCounter(int variants) : IChunkObserver
    {
        public long[] Harmed { get; } = new long[variants];

        public void Observe(PersonChunk persons, PersonFlags flags)
        {
            for (int v = 0; v < Harmed.Length; v++)
            {
                foreach (PersonOutcome outcome in flags.Of(v, persons.Count))
                    Harmed[v] += (outcome & PersonOutcome.Harmed) != 0 ? 1 : 0;
            }
        }
    }
}
