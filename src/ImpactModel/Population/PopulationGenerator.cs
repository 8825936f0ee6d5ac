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
        int authorities = population.Spec.LocalAuthorities.Length, bands = population.Spec.AgeBands.Length;
        long done = 0;
        // Work items of many chunks each: the body is light, so taking an item must be rarer. Every
        // attribute the tally counts, and no other: it counts no categorical attribute, and leaving
        // those out changes no other attribute's draws.
        const PersonAttributes counted = PersonAttributes.All & ~PersonAttributes.Categorical;
        IReadOnlyList<PopulationTally> parts = ChunkLoop.Run(population, counted, first, count,
            new ChunkLoopOptions(threads, chunkSize, ChunksPerItem: 64),
            () => new PopulationTally(areas, groups, boundaries.Length, authorities, bands),
            (tally, chunk) => tally.Add(chunk, boundaries),
            progress is null ? null : persons => progress.Report(Interlocked.Add(ref done, persons)),
            cancellationToken);
        var total = new PopulationTally(areas, groups, boundaries.Length, authorities, bands);
        foreach (var part in parts)
            total.Merge(part);
        return total;
    }
}
