using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

public class PhiloxPathTests
{
    /// <summary>Deterministic pseudo-random inputs for the tests (SplitMix64, Steele et al. 2014).</summary>
    private static ulong Mix(ref ulong s)
    {
        ulong z = s += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static void AssertPathEqualsScalar(PhiloxPath path)
    {
        ulong s = 12345;
        // Lengths around the vector steps (16 and 32 blocks) exercise the scalar tail too.
        int[] lengths = [0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4099];
        for (int trial = 0; trial < 40; trial++)
        {
            uint c0 = (uint)Mix(ref s), c1 = (uint)Mix(ref s), c2 = (uint)Mix(ref s), c3 = (uint)Mix(ref s);
            uint k0 = (uint)Mix(ref s), k1 = (uint)Mix(ref s);
            if (trial % 5 == 0)
                c0 = uint.MaxValue - 20; // counter word 0 wraps inside the vector
            int blocks = lengths[trial % lengths.Length];
            var expected = new uint[4 * blocks];
            var actual = new uint[4 * blocks];
            for (int i = 0; i < blocks; i++)
            {
                PhiloxBlock b = Philox.Block(c0 + (uint)i, c1, c2, c3, k0, k1);
                (expected[4 * i], expected[4 * i + 1], expected[4 * i + 2], expected[4 * i + 3]) = (b.W0, b.W1, b.W2, b.W3);
            }
            Philox.FillCounters(c0, c1, c2, c3, k0, k1, actual, path);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Scalar_fill_equals_block_by_block() => AssertPathEqualsScalar(PhiloxPath.Scalar);

    [PathTheory(PhiloxPath.Avx2), InlineData(0)]
    public void Avx2_path_gives_the_scalar_bits_on_many_inputs(int _) => AssertPathEqualsScalar(PhiloxPath.Avx2);

    [PathTheory(PhiloxPath.Avx512), InlineData(0)]
    public void Avx512_path_gives_the_scalar_bits_on_many_inputs(int _) => AssertPathEqualsScalar(PhiloxPath.Avx512);

    [Theory, MemberData(nameof(Paths))]
    public void A_listed_fill_gives_each_persons_own_block_in_list_order(PhiloxPath path)
    {
        if (!Philox.IsSupported(path))
            path = PhiloxPath.Scalar; // the dedicated path theories report the skip
        var key = RngKey.From(20261126, 7, RngStream.StrandOutcomes);
        ulong s = 99;
        // Lengths around the vector steps; ids unsorted, repeated, and at both ends of [0, 2^32).
        foreach (int n in new[] { 0, 1, 15, 16, 17, 31, 32, 33, 64, 95, 1000 })
        {
            var ids = new uint[n];
            for (int i = 0; i < n; i++)
                ids[i] = i % 7 == 3 ? uint.MaxValue - (uint)(i & 1) : i % 11 == 5 && i > 0 ? ids[i - 1] : (uint)Mix(ref s);
            var actual = new uint[4 * n + 8];
            actual.AsSpan(4 * n).Fill(0xDEADBEEF);
            Philox.FillListed(key, ids, 5, actual, path);
            for (int i = 0; i < n; i++)
            {
                PhiloxBlock b = Philox.Block(key, ids[i], 5);
                Assert.Equal([b.W0, b.W1, b.W2, b.W3], actual[(4 * i)..(4 * i + 4)]);
            }

            Assert.All(actual[(4 * n)..], w => Assert.Equal(0xDEADBEEF, w)); // nothing past the list is written
        }
    }

    [Fact]
    public void Best_path_is_a_supported_path() => Assert.True(Philox.IsSupported(Philox.BestPath));

    public static TheoryData<PhiloxPath> Paths => new() { PhiloxPath.Scalar, PhiloxPath.Avx2, PhiloxPath.Avx512 };

    [Theory, MemberData(nameof(Paths))]
    public void Filling_persons_at_once_equals_filling_them_in_uneven_chunks(PhiloxPath path)
    {
        if (!Philox.IsSupported(path))
            path = PhiloxPath.Scalar; // the dedicated path theories report the skip
        var key = RngKey.From(20261126, 3, RngStream.GroupMembership);
        const int n = 5000;
        const long first = 1_000_000;
        var whole = new uint[4 * n];
        Philox.Fill(key, first, 7, whole, path);
        var pieces = new uint[4 * n];
        int[] sizes = [1, 15, 16, 33, 700, 31, 2, 4096];
        for (int at = 0, i = 0; at < n; i++)
        {
            int m = Math.Min(sizes[i % sizes.Length], n - at);
            Philox.Fill(key, first + at, 7, pieces.AsSpan(4 * at, 4 * m), path);
            at += m;
        }
        Assert.Equal(whole, pieces);
        // And each block is the single-person block.
        for (int i = 0; i < n; i += 97)
            Assert.Equal(Philox.Block(key, first + i, 7), new PhiloxBlock(whole[4 * i], whole[4 * i + 1], whole[4 * i + 2], whole[4 * i + 3]));
    }

    [Fact]
    public void Bulk_uniforms_normals_and_events_equal_the_single_person_draws()
    {
        var key = RngKey.From(99, 0, RngStream.PopulationAttributes);
        const int n = 20_011; // many chunks of 256 and a ragged end
        const long first = 4_000_000_000;
        var u = new double[n];
        var z = new double[n];
        var e = new bool[n];
        var p = BernoulliThreshold.FromProbability(0.3);
        Philox.FillUniform01(key, first, 2, u);
        Philox.FillNormal(key, first, 3, z);
        Philox.FillBernoulli(key, first, 4, p, e);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Philox.Uniform01(key, first + i, 2), u[i]);
            Assert.Equal(Philox.Normal(key, first + i, 3), z[i]);
            Assert.Equal(Philox.Bernoulli(key, first + i, 4, p), e[i]);
        }
        foreach (PhiloxPath path in Enum.GetValues<PhiloxPath>().Where(Philox.IsSupported))
        {
            var viaPath = new double[n];
            Philox.FillUniform01(key, first, 2, viaPath, path);
            Assert.Equal(u, viaPath);
        }
    }

    [Fact]
    public void Person_ids_outside_0_to_2_pow_32_are_rejected()
    {
        var key = RngKey.From(1, 0, RngStream.PopulationAttributes);
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Block(key, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Block(key, Philox.PersonLimit, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Philox.Fill(key, Philox.PersonLimit - 1, 0, new uint[8]));
        Philox.Fill(key, Philox.PersonLimit - 2, 0, new uint[8]); // the last two persons are fine
        Assert.Throws<ArgumentException>(() => Philox.Fill(key, 0, 0, new uint[6]));
    }
}
