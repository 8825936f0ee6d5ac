using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Strands;
using ImpactModel.Strands.Research;
using ImpactModel.Tests.Strands.Fraud;
using ImpactModel.Tests.Strands.Research;

namespace ImpactModel.Tests.Simulation;

/// <summary>
/// Shards (issue 24) in one process: the plan covers every (replicate, person) once; shards run in
/// any order, one of them twice, written to bytes and read back, merge to the results of one process
/// byte for byte; a two-pass strand runs in two phases, its second phase only after every shard's first.
/// </summary>
public class ShardTests
{
    private const ulong Seed = 5;

    [Theory]
    [InlineData(1, 40, 1000)]
    [InlineData(3, 40, 1000)]
    [InlineData(7, 3, 1000)]
    [InlineData(16, 8, 1000)]
    [InlineData(6, 4, 999)]
    [InlineData(12, 5, 7)]
    [InlineData(97, 1, 10_000)]
    public void The_plan_covers_every_replicate_and_person_exactly_once(int shards, int replicates, long persons)
    {
        ShardPlan plan = ShardPlan.Create(shards, replicates, persons);
        Assert.Equal(shards, plan.ReplicateParts * plan.PersonParts);
        var covered = new Dictionary<int, List<(long First, long Count)>>();
        foreach (ShardSpan s in plan.All)
        {
            Assert.True(s.Replicates >= 1 && s.Persons >= 1, $"shard {s.Name} is empty");
            for (int r = s.FirstReplicate; r < s.FirstReplicate + s.Replicates; r++)
            {
                if (!covered.TryGetValue(r, out var ranges))
                    covered[r] = ranges = [];
                ranges.Add((s.FirstPerson, s.Persons));
                Assert.Contains(s, plan.Covering(r));
            }
        }

        Assert.Equal(Enumerable.Range(0, replicates), covered.Keys.Order());
        foreach ((int r, var ranges) in covered)
        {
            long next = 0;
            foreach (var (first, count) in ranges.OrderBy(x => x.First))
            {
                Assert.Equal(next, first); // no gap, no overlap
                next = first + count;
            }

            Assert.Equal(persons, next);
            Assert.Equal(ranges.Count, plan.Covering(r).Count());
        }
    }

    [Fact]
    public void A_plan_with_more_person_ranges_than_persons_is_refused_with_a_reason()
    {
        Assert.Null(ShardPlan.TryCreate(7, 1, 5, out string? problem));
        Assert.Contains("more than the persons", problem, StringComparison.Ordinal);
        Assert.Null(ShardPlan.TryCreate(0, 1, 5, out problem));
        Assert.Contains("shards must be 1", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Fraud_shards_in_any_order_one_twice_merge_to_the_results_of_one_process(int shards)
    {
        Scenario scenario = FraudStrandTests.ShippedScenario();
        var settings = new RunSettings(Seed, 4, 6_000, Threads: 2, ChunkSize: 1000);
        IReadOnlyList<IStrandModel> models = BuiltInStrands.Registry.For(scenario).Models;
        RunResult alone = SimulationRunner.Run(scenario, settings, models);

        var source = RunShards(scenario, settings with { Threads = 1, ChunkSize = 777 }, models, shards, new System.Random(shards));
        RunResult merged = ShardRunner.Merge(scenario, settings, models, ShardPlan.Create(shards, 4, 6_000), source);
        Assert.Equal(ResearchFixture.ResultsCsv(alone), ResearchFixture.ResultsCsv(merged));
        Assert.Equal(Flatten(alone), Flatten(merged));
        Assert.True(source.Writes > shards, "one shard was written twice");
    }

    [Fact]
    public void A_two_pass_strand_runs_in_two_phases_and_merges_to_the_results_of_one_process()
    {
        // The research strand counting person by person needs its second pass over the persons: two phases.
        Scenario scenario = ResearchFixture.Declare(ResearchFixture.Shipped(), 12_000);
        IStrandModel[] models = [.. BuiltInStrands.Registry.For(scenario).Models.Select(m => m is ResearchModel r ? r.CountingByPerson() : m)];
        Assert.Equal(2, ShardRunner.Phases(models));
        Assert.Equal(1, ShardRunner.Phases(BuiltInStrands.Registry.For(scenario).Models));
        var settings = new RunSettings(Seed, 3, 12_000, Threads: 2, ChunkSize: 1000);
        RunResult alone = SimulationRunner.Run(scenario, settings, BuiltInStrands.Registry.For(scenario).Models);

        var source = RunShards(scenario, settings, models, 5, new System.Random(2));
        RunResult merged = ShardRunner.Merge(scenario, settings, models, ShardPlan.Create(5, 3, 12_000), source);
        Assert.Equal(ResearchFixture.ResultsCsv(alone), ResearchFixture.ResultsCsv(merged));
    }

    [Fact]
    public void A_second_phase_cannot_start_without_every_shards_first_phase()
    {
        Scenario scenario = ResearchFixture.Declare(ResearchFixture.Shipped(), 4_000);
        IStrandModel[] models = [.. BuiltInStrands.Registry.For(scenario).Models.Select(m => m is ResearchModel r ? r.CountingByPerson() : m)];
        var settings = new RunSettings(Seed, 1, 4_000, Threads: 1);
        ShardPlan plan = ShardPlan.Create(2, 1, 4_000);
        var source = new MemorySource();
        source.Write(Header(scenario, settings, plan.Shard(1), 1, 2), ShardRunner.RunPhase(scenario, settings, models, plan, plan.Shard(1), 1, null));
        var e = Assert.Throws<KeyNotFoundException>(() =>
            ShardRunner.RunPhase(scenario, settings, models, plan, plan.Shard(1), 2, source).ToList());
        Assert.Contains("shard 2 phase 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_shard_is_refused_by_its_checksum_and_a_shard_of_another_shape_by_its_sizes()
    {
        Scenario scenario = FraudStrandTests.ShippedScenario();
        var settings = new RunSettings(Seed, 1, 2_000, Threads: 1);
        IReadOnlyList<IStrandModel> models = BuiltInStrands.Registry.For(scenario).Models;
        ShardPlan plan = ShardPlan.Create(1, 1, 2_000);
        var source = new MemorySource();
        source.Write(Header(scenario, settings, plan.Shard(1), 1, 1), ShardRunner.RunPhase(scenario, settings, models, plan, plan.Shard(1), 1, null));
        byte[] bytes = source.Bytes(1, 1);

        byte[] flipped = (byte[])bytes.Clone();
        flipped[flipped.Length / 2] ^= 1;
        Assert.False(ShardFormat.Verify(new MemoryStream(flipped), out string? problem));
        Assert.Contains("checksum", problem, StringComparison.Ordinal);
        Assert.False(ShardFormat.Verify(new MemoryStream(bytes[..(bytes.Length - 100)]), out problem));
        Assert.True(ShardFormat.Verify(new MemoryStream(bytes), out _));
        Assert.Throws<ShardFormatException>(() => ShardFormat.ReadHeader(new MemoryStream("not a shard at all"u8.ToArray())));

        ShardBlock block = ShardFormat.Index(new MemoryStream(bytes)).Read(0);
        var shorter = block with { Tally = block.Tally[1..] };
        var run = ReplicateRun.Start(scenario, VariantBuilder.Build(scenario), models, Seed, 0, 2_000);
        run.ExpectShares(observed: false);
        var e = Assert.Throws<ShardFormatException>(() => shorter.Into(run.EmptyResult(0)));
        Assert.Contains("tallies of", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs every shard of every phase, phase by phase, the shards of each phase in a random order and one of them twice.</summary>
    private static MemorySource RunShards(Scenario scenario, RunSettings settings, IReadOnlyList<IStrandModel> models, int shards, System.Random random)
    {
        ShardPlan plan = ShardPlan.Create(shards, settings.Replicates, settings.Persons);
        var source = new MemorySource();
        for (int phase = 1; phase <= ShardRunner.Phases(models); phase++)
        {
            int[] order = [.. Enumerable.Range(1, shards).OrderBy(_ => random.Next()), random.Next(1, shards + 1)];
            foreach (int number in order)
            {
                ShardSpan shard = plan.Shard(number);
                source.Write(Header(scenario, settings, shard, phase, ShardRunner.Phases(models)),
                    ShardRunner.RunPhase(scenario, settings, models, plan, shard, phase, source));
            }
        }

        return source;
    }

    private static ShardHeader Header(Scenario scenario, RunSettings settings, ShardSpan shard, int phase, int phases) =>
        new(scenario.Name, scenario.Strand, "test", "test", settings.Seed, settings.Replicates, settings.Persons, shard.Number, shard.Of, phase, phases,
            0, 0, 0, ImmutableArray<ShardInput>.Empty);

    private static IEnumerable<string> Flatten(RunResult run) =>
        run.Series.Select(s => $"{s.Variant},{s.Group},{s.Metric},{string.Join(';', s.Values.Select(x => x?.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}");

    /// <summary>Shards' results kept as the bytes a file or the store would hold; a shard written again replaces its bytes (they are the same).</summary>
    private sealed class MemorySource : IShardSource
    {
        private readonly Dictionary<(int Shard, int Phase), byte[]> _shards = [];

        public int Writes { get; private set; }

        public void Write(ShardHeader header, IEnumerable<ShardBlock> blocks)
        {
            using var stream = new MemoryStream();
            ShardFormat.Write(stream, header, blocks);
            byte[] bytes = stream.ToArray();
            if (_shards.TryGetValue((header.Shard, header.Phase), out byte[]? before))
                Assert.Equal(before, bytes); // a retried shard writes the same bytes
            _shards[(header.Shard, header.Phase)] = bytes;
            Writes++;
        }

        public byte[] Bytes(int shard, int phase) => _shards[(shard, phase)];

        public ShardBlock Read(int shard, int phase, int replicate)
        {
            if (!_shards.TryGetValue((shard, phase), out byte[]? bytes))
                throw new KeyNotFoundException($"shard {shard} phase {phase} has not been written");
            var stream = new MemoryStream(bytes);
            Assert.True(ShardFormat.Verify(stream, out string? problem), problem);
            return ShardFormat.Index(stream).Read(replicate);
        }
    }
}
