using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

/// <summary>
/// Random123's published known-answer vectors for philox4x32_10 (file <c>tests/kat_vectors</c> of
/// https://github.com/DEShawResearch/random123; the same three lines are quoted by several
/// independent ports). Columns: counter[4], key[2], expected output[4], hex.
/// </summary>
public class PhiloxKnownAnswerTests
{
    public static TheoryData<uint[]> Vectors => new()
    {
        // philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8
        new uint[] { 0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 },
        // philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd
        new uint[] { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd },
        // philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1 (digits of pi)
        new uint[] { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 },
    };

    [Theory, MemberData(nameof(Vectors))]
    public void Scalar_block_matches_the_published_vector(uint[] v)
    {
        PhiloxBlock b = Philox.Block(v[0], v[1], v[2], v[3], v[4], v[5]);
        Assert.Equal(new PhiloxBlock(v[6], v[7], v[8], v[9]), b);
    }

    [Theory, MemberData(nameof(Vectors))]
    public void Scalar_fill_matches_the_published_vector(uint[] v) => AssertEveryLaneMatches(v, PhiloxPath.Scalar);

    [PathTheory(PhiloxPath.Avx2), MemberData(nameof(Vectors))]
    public void Avx2_path_matches_the_published_vector_in_every_lane(uint[] v) => AssertEveryLaneMatches(v, PhiloxPath.Avx2);

    [PathTheory(PhiloxPath.Avx512), MemberData(nameof(Vectors))]
    public void Avx512_path_matches_the_published_vector_in_every_lane(uint[] v) => AssertEveryLaneMatches(v, PhiloxPath.Avx512);

    /// <summary>
    /// Puts the vector's counter at each position j of a 64-block fill (start counter c0 − j),
    /// so every lane of every chain of the vector kernels must reproduce the published output.
    /// </summary>
    private static void AssertEveryLaneMatches(uint[] v, PhiloxPath path)
    {
        const int blocks = 64; // a multiple of the widest step (32), so no block falls to the scalar tail
        var words = new uint[4 * blocks];
        for (int j = 0; j < blocks; j++)
        {
            Philox.FillCounters(v[0] - (uint)j, v[1], v[2], v[3], v[4], v[5], words, path);
            Assert.Equal(new PhiloxBlock(v[6], v[7], v[8], v[9]),
                new PhiloxBlock(words[4 * j], words[4 * j + 1], words[4 * j + 2], words[4 * j + 3]));
        }
    }
}
