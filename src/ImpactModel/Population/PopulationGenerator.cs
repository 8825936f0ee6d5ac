namespace ImpactModel.Population;

/// <summary>
/// Generates persons [first, first + count) of a compiled population in chunks across threads
/// and tallies them. Chunk boundaries are fixed by the chunk size alone, every person is a pure
/// function of (seed, replicate, id), and tallies are integers, so the totals are identical for
/// any thread count, chunk size or split into ranges.
/// </summary>
public static class PopulationGenerator
{
    /// <summary>Tallies persons [first, first + count) with at most <paramref name="threads"/> threads (0: all cores).</summary>
    public static PopulationTally Tally(CompiledPopulation population, long first, long count, int threads = 0,
        int chunkSize = PersonChunk.DefaultCapacity, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        double[] boundaries = population.Spec.Income is { } income ? [.. income.Deciles] : [];
        int areas = population.Spec.Areas.Length, groups = population.GroupIds.Count;

        long chunks = (count + chunkSize - 1) / chunkSize;
        // Work items of many chunks each, taken by threads as they come; each thread adds into its
        // own tally (integer counts: the sum does not depend on who counted what, or in which order).
        const int chunksPerItem = 64;
        long items = (chunks + chunksPerItem - 1) / chunksPerItem;
        var parts = new List<PopulationTally>();
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        long done = 0;
        Parallel.For(0L, items, options,
            () => (Chunk: new PersonChunk(chunkSize), Tally: new PopulationTally(areas, groups, boundaries.Length)),
            (item, _, local) =>
            {
                long firstChunk = item * chunksPerItem, lastChunk = Math.Min(chunks, firstChunk + chunksPerItem);
                long persons = 0;
                for (long c = firstChunk; c < lastChunk; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long start = first + c * chunkSize;
                    int n = (int)Math.Min(chunkSize, first + count - start);
                    population.Generate(local.Chunk, start, n);
                    local.Tally.Add(local.Chunk, boundaries);
                    persons += n;
                }

                progress?.Report(Interlocked.Add(ref done, persons));
                return local;
            },
            local =>
            {
                lock (parts)
                    parts.Add(local.Tally); // once per thread, at its end
            });

        var total = new PopulationTally(areas, groups, boundaries.Length);
        foreach (var part in parts)
            total.Merge(part);
        return total;
    }
}
