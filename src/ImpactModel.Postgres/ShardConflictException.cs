namespace ImpactModel.Postgres;

/// <summary>
/// A shard's tallies were written twice with different contents (different SHA-256). Shards are
/// deterministic, so this is a bug or two different runs sharing one run id, never a retry.
/// </summary>
public sealed class ShardConflictException : InvalidOperationException
{
    /// <summary>A conflict with no further detail.</summary>
    public ShardConflictException()
        : base("a shard was written twice with different contents")
    {
    }

    /// <summary>A conflict described by <paramref name="message"/>.</summary>
    public ShardConflictException(string message)
        : base(message)
    {
    }

    /// <summary>A conflict described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public ShardConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
