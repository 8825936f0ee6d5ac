namespace ImpactModel.Tests.Support;

/// <summary>
/// Measures what a piece of steady-state work allocates on the calling thread.
/// </summary>
/// <remarks>
/// The first calls of a method can allocate on behalf of the runtime (type loading, static
/// constructors, tiered and on-stack-replacement recompilation), and those transitions may land in
/// any round while the JIT promotes the method. Work that allocates by itself allocates in every
/// round, so the smallest round is the honest figure: a real allocation still fails the test.
/// </remarks>
internal static class Allocations
{
    public static long SmallestRound(Action<int> round, int warmUp = 3, int rounds = 5)
    {
        for (int r = 0; r < warmUp; r++)
            round(r);
        long smallest = long.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round(warmUp + r);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return smallest;
    }
}
