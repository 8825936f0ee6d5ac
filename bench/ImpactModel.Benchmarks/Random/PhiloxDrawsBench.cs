using BenchmarkDotNet.Attributes;
using ImpactModel.Random;

namespace ImpactModel.Benchmarks.Random;

/// <summary>
/// Variates per second per core on top of Philox (best path for the bulk fills, one person at a
/// time for the others). Time reported per variate.
/// </summary>
[MemoryDiagnoser]
public class PhiloxDrawsBench
{
    private const int Count = 4096;
    private readonly double[] _x = new double[Count];
    private readonly bool[] _b = new bool[Count];
    private readonly RngKey _key = RngKey.From(20261126, 0, RngStream.StrandOutcomes);
    private readonly BernoulliThreshold _p = BernoulliThreshold.FromProbability(0.03);
    private readonly AliasTable _table = new([0.5, 0.2, 0.15, 0.1, 0.05]);
    private uint _draw;

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public void FillBernoulli() => Philox.FillBernoulli(_key, 0, _draw++, _p, _b);

    [Benchmark(OperationsPerInvoke = Count)]
    public void FillNormal() => Philox.FillNormal(_key, 0, _draw++, _x);

    [Benchmark(OperationsPerInvoke = Count)]
    public int AliasCategory()
    {
        uint draw = _draw++;
        int s = 0;
        for (int i = 0; i < Count; i++)
            s += _table.Sample(_key, i, draw);
        return s;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public double Gamma2point5()
    {
        uint draw = _draw++;
        double s = 0;
        for (int i = 0; i < Count; i++)
            s += Philox.Gamma(_key, i, draw, 2.5);
        return s;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public double Beta2and50()
    {
        uint draw = _draw++;
        double s = 0;
        for (int i = 0; i < Count; i++)
            s += Philox.Beta(_key, i, draw, 2, 50);
        return s;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int Poisson3point5()
    {
        uint draw = _draw++;
        int s = 0;
        for (int i = 0; i < Count; i++)
            s += Philox.Poisson(_key, i, draw, 3.5);
        return s;
    }
}
