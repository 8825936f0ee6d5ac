using ImpactModel.Tests.Cli;
using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Packages;
using ImpactModel.StrandKit;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Simulation;

/// <summary>
/// The package's burden counted from per-person flags, proved with <see cref="CoinStrand"/>s whose
/// harms are coins tossed per person: independent coins give a pair rate equal to the product of the
/// two rates within Monte Carlo error; the same coin with two thresholds gives exactly the smaller
/// rate; the contradictions equal a count made directly over the same persons.
/// </summary>
public sealed class PackageRunnerTests
{
    private const int Persons = 40_000;
    private const int Replicates = 4;
    private const ulong Seed = 5;

    private static readonly string Fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");
    private static readonly string Tailored = ValidateCommandTests.RepositoryFile("scenarios", "tailored-services.yaml");

    /// <summary>A package of the shipped tailored-services and fraud scenarios (in that order), their strands replaced by coins.</summary>
    private static Package Package()
    {
        string folder = Path.Combine(Path.GetTempPath(), "package-runner-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string file = Path.Combine(folder, "package.yaml");
            File.WriteAllText(file, $"package: coins\nscenarios:\n  - {Tailored}\n  - {Fraud}\n");
            PackageLoadResult loaded = PackageLoader.Load(file, DiskScenarioFiles.Instance);
            Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
            return loaded.Package!;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static StrandRegistry Registry(CoinStrand tailored, CoinStrand fraud) =>
        new StrandRegistry(s => [new PopulationLinkageModel(s)])
            .With(StrandIds.TailoredServices, s => [new PopulationLinkageModel(s), tailored])
            .With(StrandIds.Fraud, s => [new PopulationLinkageModel(s), fraud]);

    private static PackageRun Run(CoinStrand tailored, CoinStrand fraud, int threads = 0, int chunk = 1000) =>
        PackageRunner.Run(Package(), new RunSettings(Seed, Replicates, Persons, threads, chunk), Registry(tailored, fraud));

    private static ReplicateSummary Figure(PackageRun run, string group, string metric) =>
        run.Burden.Of(group, metric) ?? throw new InvalidOperationException($"no {metric} in {group}");

    [Fact]
    public void Independent_harms_meet_in_the_product_of_their_rates_within_Monte_Carlo_error()
    {
        PackageRun run = Run(new CoinStrand(key: 1, harm: 0.3), new CoinStrand(key: 2, harm: 0.2));
        double a = Figure(run, "all", "harmed_by_rate.tailored-services").Mean!.Value;
        double b = Figure(run, "all", "harmed_by_rate.fraud-error-debt").Mean!.Value;
        double pair = Figure(run, "all", "harmed_by_pair_rate.tailored-services--fraud-error-debt").Mean!.Value;
        // Under independence pair − a·b has mean 0 (to order 1/N) and variance a(1 − a)·b(1 − b)/(N·R)
        // (the delta method over N persons in each of R replicates). Four standard errors: a false
        // failure about once in 16,000 runs.
        double se = Math.Sqrt(0.3 * 0.7 * 0.2 * 0.8 / ((double)Persons * Replicates));
        Assert.InRange(pair - a * b, -4 * se, 4 * se);
        Assert.InRange(a, 0.3 - 4 * Math.Sqrt(0.21 / (Persons * Replicates)), 0.3 + 4 * Math.Sqrt(0.21 / (Persons * Replicates)));
        // Any, two or more, all: inclusion–exclusion holds exactly in every replicate.
        double any = Figure(run, "all", "harmed_by_any_rate").Mean!.Value;
        Assert.Equal(a + b - pair, any, 12);
        Assert.Equal(pair, Figure(run, "all", "harmed_by_all_rate").Mean!.Value, 12);
        Assert.Equal(pair, Figure(run, "all", "harmed_by_two_or_more_rate").Mean!.Value, 12);
        Assert.Equal(any - pair, Figure(run, "all", "harmed_by_exactly_rate.1").Mean!.Value, 12);
    }

    [Fact]
    public void Harms_of_the_same_persons_meet_in_exactly_the_smaller_rate()
    {
        // The same coin with thresholds 0.3 and 0.1: everyone the second harms, the first harms too.
        PackageRun run = Run(new CoinStrand(key: 7, harm: 0.3), new CoinStrand(key: 7, harm: 0.1));
        foreach (string group in new[] { "all", "disabled", "rest" })
        {
            ReplicateSummary smaller = Figure(run, group, "harmed_by_rate.fraud-error-debt");
            ReplicateSummary pair = Figure(run, group, "harmed_by_pair_rate.tailored-services--fraud-error-debt");
            Assert.Equal(smaller, pair);
            Assert.Equal(Figure(run, group, "harmed_by.fraud-error-debt"), Figure(run, group, "harmed_by_all"));
            Assert.Equal(Figure(run, group, "harmed_by_rate.tailored-services"), Figure(run, group, "harmed_by_any_rate"));
        }

        Assert.True(Figure(run, "all", "harmed_by_rate.fraud-error-debt").Mean > 0.05, "the fixture harms someone");
    }

    [Fact]
    public void Contradictions_are_the_persons_one_scenario_withholds_and_another_exposes_counted_directly()
    {
        // Tailored services withholds every survivor of domestic abuse (its exclusion) and a tenth of
        // everyone (as if they opted out); fraud exposes a quarter of everyone.
        Package package = Package();
        var groups = package.Scenarios[0].Scenario.Population.Groups.Select(g => g.Id).ToList();
        int survivor = groups.IndexOf("domestic-abuse-survivor");
        var tailored = new CoinStrand(key: 3, harm: 0.01, protect: 0.1, protectGroups: 1u << survivor);
        var fraud = new CoinStrand(key: 4, harm: 0.01, expose: 0.25);
        PackageRun run = Run(tailored, fraud);

        Contradiction exclusion = Assert.Single(run.Burden.Contradictions, c => c.Safeguard == "exclude-abuse-survivors");
        Contradiction optOut = Assert.Single(run.Burden.Contradictions, c => c.Safeguard == "opt-out");
        Assert.Equal(["domestic-abuse-survivor"], exclusion.Groups);
        Assert.All(run.Burden.Contradictions, c => Assert.Equal(("tailored-services", "fraud-error-debt"), (c.Protecting, c.Exposing)));

        // The same persons, counted here: survivors exposed by fraud go to the exclusion, anyone else
        // withheld by the coin and exposed to the opt-out.
        double scale = (double)package.DeclaredPopulation / Persons;
        var expected = new Dictionary<(string Metric, int Row), double[]>();
        for (int r = 0; r < Replicates; r++)
        {
            CompiledPopulation population = CompiledPopulation.Compile(package.Scenarios[0].Scenario.Population, Seed, r);
            var counts = new long[2, groups.Count + 2];
            foreach (long[,] share in ChunkLoop.Run(population, PersonAttributes.None, 0, Persons, new ChunkLoopOptions(1, 1000),
                         () => new long[2, groups.Count + 2], (c, chunk) =>
                         {
                             for (int i = 0; i < chunk.Count; i++)
                             {
                                 long id = chunk.FirstPerson + i;
                                 uint mask = chunk.GroupMask[i];
                                 if (!fraud.Exposes(Seed, r, id))
                                     continue;
                                 int which = (mask & tailored.ProtectGroups) != 0 ? 0 : tailored.Withholds(Seed, r, id, 0) ? 1 : -1;
                                 if (which < 0)
                                     continue;
                                 c[which, 0]++;
                                 if (mask == 0)
                                     c[which, groups.Count + 1]++;
                                 for (int g = 0; g < groups.Count; g++)
                                 {
                                     if ((mask & (1u << g)) != 0)
                                         c[which, g + 1]++;
                                 }
                             }
                         }))
            {
                for (int w = 0; w < 2; w++)
                {
                    for (int row = 0; row < groups.Count + 2; row++)
                        counts[w, row] += share[w, row];
                }
            }

            for (int row = 0; row < groups.Count + 2; row++)
            {
                Add(expected, exclusion.Metric, row, r, counts[0, row] * scale);
                Add(expected, optOut.Metric, row, r, counts[1, row] * scale);
            }
        }

        string[] rows = ["all", .. groups, "rest"];
        foreach (((string metric, int row), double[] values) in expected)
            Assert.Equal(ReplicateStatistics.Summarise(values), Figure(run, rows[row], metric));
        Assert.True(exclusion.Found && optOut.Found, "the fixture finds both");
        Assert.Equal(0, Figure(run, "rest", exclusion.Metric).Mean); // only survivors are excluded
    }

    private static void Add(Dictionary<(string, int), double[]> into, string metric, int row, int replicate, double value)
    {
        if (!into.TryGetValue((metric, row), out double[]? values))
            into[(metric, row)] = values = new double[Replicates];
        values[replicate] = value;
    }

    [Fact]
    public void The_burden_is_the_same_for_any_thread_count_and_chunk_size()
    {
        var tailored = new CoinStrand(key: 1, harm: 0.2, benefit: 0.3, protect: 0.1);
        var fraud = new CoinStrand(key: 2, harm: 0.1, expose: 0.2);
        PackageRun one = Run(tailored, fraud, threads: 1, chunk: 4096);
        PackageRun two = Run(tailored, fraud, threads: 2, chunk: 777);
        Assert.Equal(one.Burden.Rows, two.Burden.Rows);
    }

    [Fact]
    public void A_two_pass_strand_beside_a_one_pass_strand_marks_its_persons_in_the_last_pass_with_its_own_results()
    {
        // The tailored scenario's strand counts in its first pass and marks only in a second, which runs
        // only when observed (as the research strand does): in the package its first pass runs a pass
        // before the fraud strand's only one, and its marks still meet the fraud strand's on the same persons.
        var twoPass = new CoinStrand(key: 7, harm: 0.3, passes: 2);
        var onePass = new CoinStrand(key: 7, harm: 0.1);
        PackageRun package = Run(twoPass, onePass);
        StrandRegistry registry = Registry(twoPass, onePass);
        var settings = new RunSettings(Seed, Replicates, Persons, 0, 1000);
        RunResult alone = SimulationRunner.Run(ScenarioLoader.LoadScenario(Tailored, DiskScenarioFiles.Instance), settings, registry);
        Assert.Equal(alone.Rows, package.Results[0].Rows);
        // Its marks are its counts (scaled), and the same coin at 0.1 harms a subset of its persons.
        ResultRow harmed = alone.Rows.Single(r => r.Variant == "proposal" && r.Group == "all" && r.Metric == "coin_harmed");
        Assert.Equal(harmed.Summary.Mean!.Value, Figure(package, "all", "harmed_by.tailored-services").Mean!.Value, 1e-9 * harmed.Summary.Mean!.Value);
        Assert.Equal(Figure(package, "all", "harmed_by.fraud-error-debt"), Figure(package, "all", "harmed_by_pair.tailored-services--fraud-error-debt"));
    }

    [Fact]
    public void A_scenario_that_marks_no_benefit_leaves_every_benefit_metric_it_takes_part_in_undefined()
    {
        PackageRun run = Run(new CoinStrand(key: 1, harm: 0.2, benefit: 0.3), new CoinStrand(key: 2, harm: 0.1, marksBenefit: false));
        foreach (string metric in new[] { "benefited_by.fraud-error-debt", "benefited_by_rate.fraud-error-debt", "benefited_by_all",
                     "benefited_by_pair.tailored-services--fraud-error-debt", "benefited_by_two_or_more", "benefited_by_exactly.2" })
            Assert.Equal(new ReplicateSummary(null, null, null, 0), Figure(run, "all", metric));
        Assert.Equal(Figure(run, "all", "benefited_by.tailored-services"), Figure(run, "all", "benefited_by_any"));
        Assert.Equal(Figure(run, "all", "benefited_by_rate.tailored-services"), Figure(run, "all", "benefited_by_exactly_rate.1"));
    }

    [Fact]
    public void Each_scenario_gets_the_results_of_its_own_run()
    {
        var tailored = new CoinStrand(key: 1, harm: 0.2);
        var fraud = new CoinStrand(key: 2, harm: 0.1);
        PackageRun package = Run(tailored, fraud);
        StrandRegistry registry = Registry(tailored, fraud);
        var settings = new RunSettings(Seed, Replicates, Persons, 0, 1000);
        foreach ((RunResult inPackage, string file) in package.Results.Zip([Tailored, Fraud]))
        {
            RunResult alone = SimulationRunner.Run(ScenarioLoader.LoadScenario(file, DiskScenarioFiles.Instance), settings, registry);
            Assert.Equal(alone.Rows, inPackage.Rows);
        }
    }
}

/// <summary>
/// A strand that tosses coins per person (linking variants only): harmed with probability
/// <c>harm</c>, benefited with <c>benefit</c>, exposed with <c>expose</c>, protected with
/// <c>protect</c> or as a member of <c>protectGroups</c>. Coins of the same key are the same
/// uniform numbers, so two strands of one key harm nested sets of persons; of different keys,
/// independent sets. Each mark is also counted, so the flags can be checked against the tallies.
/// </summary>
internal sealed class CoinStrand(ulong key, double harm, double benefit = 0, double expose = 0, double protect = 0, uint protectGroups = 0, int passes = 1,
    bool marksBenefit = true) : IStrandModel
{
    /// <summary>With 2, the coins are counted in the first pass and marked in the second, which runs only when observed.</summary>
    public int Passes => passes;

    public int PassesUnobserved => 1;

    public bool MarksBenefit => marksBenefit;

    public enum Counter
    {
        Harmed,
        Benefited,
        Exposed,
        Protected,
    }

    public uint ProtectGroups => protectGroups;

    public bool Harms(ulong seed, int replicate, long id) => Uniform(seed, replicate, id, 0) < harm;

    public bool Benefits(ulong seed, int replicate, long id) => Uniform(seed, replicate, id, 1) < benefit;

    public CounterSet Counters { get; } = CounterSet.Of<Counter>();

    public PersonAttributes Reads => PersonAttributes.None;

    public IReadOnlyList<string> SharedParameters => [];

    public IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("coin_harmed", MetricUnit.Persons, (int)Counter.Harmed, IsHarm: true),
        new("coin_benefited", MetricUnit.Persons, (int)Counter.Benefited),
        new("coin_exposed", MetricUnit.Persons, (int)Counter.Exposed),
        new("coin_protected", MetricUnit.Persons, (int)Counter.Protected),
    ];

    public IReadOnlyList<PersonMark> Marks =>
    [
        new(PersonOutcome.Harmed, "a coin's harm", "coin_harmed"),
        .. marksBenefit ? [new PersonMark(PersonOutcome.Benefited, "a coin's benefit", "coin_benefited")] : Array.Empty<PersonMark>(),
        new(PersonOutcome.Exposed, "a coin's exposure", "coin_exposed"),
        new(PersonOutcome.Protected, "a coin's protection", "coin_protected"),
    ];

    /// <summary>A uniform number in [0, 1) for (seed, replicate, person, stream) under this strand's key.</summary>
    public double Uniform(ulong seed, int replicate, long id, int stream)
    {
        ulong z = key * 0x9E3779B97F4A7C15UL ^ seed * 0xBF58476D1CE4E5B9UL ^ (ulong)replicate * 0x94D049BB133111EBUL ^ (ulong)id * 0xD6E8FEB86659FD93UL
                  ^ (ulong)stream * 0xA0761D6478BD642FUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    public bool Exposes(ulong seed, int replicate, long id) => Uniform(seed, replicate, id, 2) < expose;

    public bool Withholds(ulong seed, int replicate, long id, uint mask) => (mask & protectGroups) != 0 || Uniform(seed, replicate, id, 3) < protect;

    public IStrandReplicate Compile(ReplicateContext context) => new Replicate(this, context);

    private sealed class Replicate(CoinStrand coin, ReplicateContext context) : IStrandReplicate, IChunkEvaluator
    {
        private int _pass;

        public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity)
        {
            _pass = pass;
            return this;
        }

        public void Complete(StrandTally total)
        {
        }

        public void Evaluate(PersonChunk persons, in ChunkOutput output)
        {
            StrandTally<Counter> tally = output.Tally.As<Counter>();
            for (int i = 0; i < persons.Count; i++)
            {
                long id = persons.FirstPerson + i;
                uint mask = persons.GroupMask[i];
                bool harmed = coin.Harms(context.Seed, context.Replicate, id);
                bool benefited = coin.Benefits(context.Seed, context.Replicate, id);
                bool exposed = coin.Exposes(context.Seed, context.Replicate, id);
                bool withheld = coin.Withholds(context.Seed, context.Replicate, id, mask);
                for (int v = 0; v < context.Variants.Count; v++)
                {
                    if (!context.Variants[v].LinksData)
                        continue;
                    Mark(tally, output.Flags, v, i, mask, harmed, Counter.Harmed, PersonOutcome.Harmed);
                    Mark(tally, output.Flags, v, i, mask, benefited && coin.MarksBenefit, Counter.Benefited, PersonOutcome.Benefited);
                    Mark(tally, output.Flags, v, i, mask, exposed, Counter.Exposed, PersonOutcome.Exposed);
                    Mark(tally, output.Flags, v, i, mask, withheld, Counter.Protected, PersonOutcome.Protected);
                }
            }
        }

        // One pass: count and mark. Two: count in the first (which always runs), mark in the second (observed only).
        private void Mark(StrandTally<Counter> tally, PersonFlags flags, int v, int i, uint mask, bool yes, Counter counter, PersonOutcome outcome)
        {
            if (!yes)
                return;
            if (_pass == 0)
                tally.Add(v, mask, counter, 1);
            if (_pass == coin.Passes - 1)
                flags.Mark(v, i, outcome);
        }
    }
}
