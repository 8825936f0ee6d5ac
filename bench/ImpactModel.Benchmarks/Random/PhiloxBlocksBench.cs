using BenchmarkDotNet.Attributes;
using ImpactModel.Random;

namespace ImpactModel.Benchmarks.Random;

/// <summary>
/// Philox4x32-10 blocks for consecutive persons, per path. OperationsPerInvoke makes the reported
/// time the time per block, so blocks per second per core = 1 / Mean (single-threaded).
/// 4096 blocks (64 KiB) stay in L2, so this measures the generator, not memory. The
/// <c>Listed</c> rows fill the blocks of a gathered list of persons (every 11th person, as a
/// strand gathers its claimants) with <see cref="Philox.FillListed(in RngKey, ReadOnlySpan{uint}, uint, Span{uint}, PhiloxPath)"/>;
/// <c>ListedChunk</c> the 72 claimants of a 1,024-person chunk: 64 blocks in the vector loop and a
/// tail of 8 (a padded vector step since issue 26, the scalar code before).
/// </summary>
[MemoryDiagnoser]
public class PhiloxBlocksBench
{
    private const int Blocks = 4096;
    private readonly uint[] _words = new uint[4 * Blocks];
    private readonly RngKey _key = RngKey.From(20261126, 0, RngStream.PopulationAttributes);
    private readonly uint[] _listed = Enumerable.Range(0, Blocks).Select(i => (uint)(11 * i)).ToArray();
    private uint _draw;

    [Benchmark(Baseline = true, OperationsPerInvoke = Blocks)]
    public void Scalar() => Philox.Fill(_key, 0, _draw++, _words, PhiloxPath.Scalar);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public void Avx2() => Philox.Fill(_key, 0, _draw++, _words, PhiloxPath.Avx2);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public void Avx512() => Philox.Fill(_key, 0, _draw++, _words, PhiloxPath.Avx512);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public void ListedAvx2() => Philox.FillListed(_key, _listed, _draw++, _words, PhiloxPath.Avx2);

    [Benchmark(OperationsPerInvoke = Blocks)]
    public void ListedAvx512() => Philox.FillListed(_key, _listed, _draw++, _words, PhiloxPath.Avx512);

    private const int ChunkClaimants = 72;

    [Benchmark(OperationsPerInvoke = ChunkClaimants)]
    public void ListedChunkAvx512() => Philox.FillListed(_key, _listed.AsSpan(0, ChunkClaimants), _draw++, _words, PhiloxPath.Avx512);
}
