using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

public class StreamTests
{
    private const ulong Seed = 0xC0FFEE_2026UL;

    private static RngStream[] Streams =>
    [
        RngStream.PopulationAttributes, RngStream.GroupMembership, RngStream.AreaEffects,
        RngStream.FieldError(0, 0), RngStream.FieldError(0, 1), RngStream.FieldError(1, 0),
        RngStream.Coverage(2), RngStream.LinkageCandidates, RngStream.StrandOutcomes,
        RngStream.Of(RngStreamKind.Safeguards, 3), RngStream.Parameters,
    ];

    /// <summary>What a model run would read: a few draws of several kinds per person per stream.</summary>
    private static double[] Snapshot(RngStream stream, int replicate)
    {
        var key = RngKey.From(Seed, replicate, stream);
        var values = new List<double>();
        for (long person = 0; person < 300; person++)
        {
            values.Add(Philox.Uniform01(key, person, 0));
            values.Add(Philox.Normal(key, person, 1));
            values.Add(Philox.Beta(key, person, 2, 0.7, 3));
            values.Add(Philox.Poisson(key, person, 3, 2.5));
        }
        return [.. values];
    }

    /// <summary>
    /// A model that draws more from one stream: more draw indices per person, more persons, and
    /// rejection samplers that consume a variable number of blocks.
    /// </summary>
    private static void DrawHeavily(RngStream stream, int replicate)
    {
        var key = RngKey.From(Seed, replicate, stream);
        var buffer = new uint[4 * 1000];
        for (uint draw = 0; draw < 50; draw++)
            Philox.Fill(key, 0, draw, buffer);
        for (long person = 0; person < 2000; person++)
        {
            _ = Philox.Gamma(key, person, 60, 0.3);
            _ = Philox.Beta(key, person, 61, 0.5, 0.5);
        }
    }

    [Fact]
    public void Drawing_more_from_one_stream_leaves_every_other_stream_unchanged()
    {
        RngStream[] streams = Streams;
        var before = streams.Select(s => Snapshot(s, 1)).ToArray();
        foreach (RngStream heavy in streams)
        {
            DrawHeavily(heavy, 1);
            for (int i = 0; i < streams.Length; i++)
                Assert.Equal(before[i], Snapshot(streams[i], 1));
        }
    }

    [Fact]
    public void Different_streams_replicates_and_seeds_give_different_values()
    {
        var seen = new Dictionary<double, string>();
        foreach (ulong seed in new[] { Seed, Seed + 1, Seed << 32 })
        {
            foreach (int replicate in new[] { 0, 1, 255, 256 })
            {
                foreach (RngStream stream in Streams)
                {
                    var key = RngKey.From(seed, replicate, stream);
                    for (long person = 0; person < 50; person++)
                    {
                        for (uint draw = 0; draw < 3; draw++)
                        {
                            double u = Philox.Uniform01(key, person, draw);
                            string at = $"{seed}/{replicate}/{stream}/{person}/{draw}";
                            Assert.False(seen.TryGetValue(u, out string? other), $"{at} repeats {other}");
                            seen[u] = at;
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Stream_ids_are_kind_and_index_without_overlap()
    {
        var ids = new HashSet<uint>();
        for (int source = 0; source < 40; source++)
            for (int field = 0; field < 12; field++)
                Assert.True(ids.Add(RngStream.FieldError(source, field).Id));
        foreach (RngStreamKind kind in Enum.GetValues<RngStreamKind>().Where(k => k != RngStreamKind.None))
            Assert.True(ids.Add(RngStream.Of(kind, RngStream.IndexLimit - 1).Id));
        RngStream s = RngStream.FieldError(258, 7);
        Assert.Equal(RngStreamKind.FieldErrors, s.Kind);
        Assert.Equal((258 << 8) | 7, s.Index);
        Assert.Equal("FieldErrors/66055", s.ToString());
    }

    [Fact]
    public void Invalid_stream_and_key_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RngStream.Of(RngStreamKind.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => RngStream.Of(RngStreamKind.Pilot, RngStream.IndexLimit));
        Assert.Throws<ArgumentOutOfRangeException>(() => RngStream.FieldError(RngStream.DataSourceLimit, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RngStream.FieldError(0, RngStream.FieldLimit));
        Assert.Throws<ArgumentException>(() => RngKey.From(1, 0, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => RngKey.From(1, RngKey.ReplicateLimit, RngStream.Parameters));
        Assert.Throws<ArgumentOutOfRangeException>(() => RngKey.From(1, -1, RngStream.Parameters));
    }

    [Fact]
    public void A_draw_is_the_published_philox_block_of_its_key_and_counter()
    {
        // The layout is a contract (results must not change between versions): key = seed words,
        // counter = (person, draw, stream id, replicate).
        ulong seed = 0x299f31d0_a4093822UL;
        var key = RngKey.From(seed, 5, RngStream.FieldError(2, 3));
        PhiloxBlock expected = Philox.Block(77, 9, RngStream.FieldError(2, 3).Id, 5, 0xa4093822, 0x299f31d0);
        Assert.Equal(expected, Philox.Block(key, 77, 9));
    }
}
