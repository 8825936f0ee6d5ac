using BenchmarkDotNet.Attributes;
using ImpactModel.Random;

namespace ImpactModel.Benchmarks.Random;

/// <summary>
/// Uniform doubles in (0, 1) for consecutive persons (one per person, 53-bit), per path and one
/// person at a time. Time reported per double: doubles per second per core = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
public class PhiloxUniformBench
{
    private const int Count = 4096;
    private readonly double[] _u = new double[Count];
    private readonly RngKey _key = RngKey.From(20261126, 0, RngStream.PopulationAttributes);
    private uint _draw;

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public void FillScalar() => Philox.FillUniform01(_key, 0, _draw++, _u, PhiloxPath.Scalar);

    [Benchmark(OperationsPerInvoke = Count)]
    public void FillAvx2() => Philox.FillUniform01(_key, 0, _draw++, _u, PhiloxPath.Avx2);

    [Benchmark(OperationsPerInvoke = Count)]
    public void FillAvx512() => Philox.FillUniform01(_key, 0, _draw++, _u, PhiloxPath.Avx512);

    [Benchmark(OperationsPerInvoke = Count)]
    public double OnePersonAtATime()
    {
        uint draw = _draw++;
        double s = 0;
        for (int i = 0; i < Count; i++)
            s += Philox.Uniform01(_key, i, draw);
        return s;
    }
}
