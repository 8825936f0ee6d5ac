namespace ImpactModel.Simulation;

/// <summary>
/// Where a run keeps its per-replicate values as they are produced, so that memory does not grow
/// with the number of replicates: one record a replicate, in replicate order, holding the value of
/// every series (NaN where undefined) and then of every drawn parameter. Readers take the values
/// back in blocks (<see cref="ReadColumns"/>) or a replicate at a time (<see cref="ReadRecord"/>).
/// The engine keeps them in memory (<see cref="MemoryReplicateStore"/>); the host spills them to a
/// file in the run folder. Once every record is appended, readers may read at the same time (the
/// host writes the run folder's files while the review view is derived).
/// </summary>
public interface IReplicateStore : IDisposable
{
    /// <summary>Replicates appended so far.</summary>
    int Replicates { get; }

    /// <summary>Values in a record (0 before the first is appended).</summary>
    int RecordLength { get; }

    /// <summary>Appends the next replicate's record (every record has the first one's length).</summary>
    void Append(ReadOnlySpan<double> record);

    /// <summary>
    /// Reads values [<paramref name="first"/>, first + <paramref name="count"/>) of every replicate,
    /// column by column: <c>destination[(i − first) · Replicates + r]</c> is value i of replicate r.
    /// </summary>
    void ReadColumns(int first, int count, Span<double> destination);

    /// <summary>Reads the whole record of replicate <paramref name="replicate"/>.</summary>
    void ReadRecord(int replicate, Span<double> destination);
}

/// <summary>Per-replicate values in memory: for runs small enough to hold (tests, benchmarks, a few hundred replicates).</summary>
public sealed class MemoryReplicateStore : IReplicateStore
{
    private readonly List<double[]> _records = [];

    public int Replicates => _records.Count;

    public int RecordLength => _records.Count == 0 ? 0 : _records[0].Length;

    public void Append(ReadOnlySpan<double> record)
    {
        if (_records.Count > 0 && record.Length != RecordLength)
            throw new ArgumentException($"a record of {record.Length} values after records of {RecordLength}", nameof(record));
        _records.Add(record.ToArray());
    }

    public void ReadColumns(int first, int count, Span<double> destination)
    {
        ReplicateStores.CheckColumns(this, first, count, destination.Length);
        int replicates = _records.Count;
        for (int r = 0; r < replicates; r++)
        {
            double[] record = _records[r];
            for (int i = 0; i < count; i++)
                destination[i * replicates + r] = record[first + i];
        }
    }

    public void ReadRecord(int replicate, Span<double> destination) => _records[replicate].CopyTo(destination);

    public void Dispose()
    {
    }
}

/// <summary>What every store checks and every reader does the same way.</summary>
public static class ReplicateStores
{
    /// <summary>Values of one block read at once: series × replicates ≤ this (32 MB of doubles), so summaries and writers need bounded memory.</summary>
    public const int BlockValues = 1 << 22;

    /// <summary>Checks a <see cref="IReplicateStore.ReadColumns"/> request.</summary>
    public static void CheckColumns(IReplicateStore store, int first, int count, int destination)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (first < 0 || count < 0 || first + count > store.RecordLength)
            throw new ArgumentOutOfRangeException(nameof(count), $"values [{first}, {first + count}) outside records of {store.RecordLength}");
        if (destination < (long)count * store.Replicates)
            throw new ArgumentException($"{count} values of {store.Replicates} replicates need {(long)count * store.Replicates} places, not {destination}", nameof(destination));
    }

    /// <summary>
    /// Visits values [first, first + count) column by column in blocks of bounded size: the action
    /// gets each column's index and its value in every replicate (a span reused between calls).
    /// </summary>
    public static void ForEachColumn(IReplicateStore store, int first, int count, Action<int, ReadOnlySpan<double>> action)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(action);
        int replicates = store.Replicates;
        int perBlock = Math.Max(1, Math.Min(count, BlockValues / Math.Max(1, replicates)));
        var buffer = new double[(long)perBlock * replicates];
        for (int start = 0; start < count; start += perBlock)
        {
            int n = Math.Min(perBlock, count - start);
            store.ReadColumns(first + start, n, buffer);
            for (int i = 0; i < n; i++)
                action(first + start + i, buffer.AsSpan(i * replicates, replicates));
        }
    }
}
