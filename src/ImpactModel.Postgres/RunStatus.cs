namespace ImpactModel.Postgres;

/// <summary>The statuses of a run (<c>impact.runs.status</c>), in the order a run goes through them.</summary>
public static class RunStatus
{
    /// <summary>Submitted; no shard has started.</summary>
    public const string Queued = "queued";

    /// <summary>At least one shard has been claimed or written.</summary>
    public const string Running = "running";

    /// <summary>Every shard is done; its tallies are being merged into results.</summary>
    public const string Merging = "merging";

    /// <summary>Results are stored.</summary>
    public const string Done = "done";

    /// <summary>Stopped; <see cref="RunRecord.Error"/> says why.</summary>
    public const string Failed = "failed";

    /// <summary>Every status, as the table's check constraint lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Queued, Running, Merging, Done, Failed];
}

/// <summary>The statuses of a shard (<c>impact.shards.status</c>).</summary>
public static class ShardStatus
{
    /// <summary>Waiting for a worker (again, after a failed attempt).</summary>
    public const string Queued = "queued";

    /// <summary>Leased to a worker until <c>lease_until</c>.</summary>
    public const string Running = "running";

    /// <summary>Its tallies are stored.</summary>
    public const string Done = "done";

    /// <summary>Failed as many times as allowed; its run failed with it.</summary>
    public const string Failed = "failed";

    /// <summary>Every status, as the table's check constraint lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Queued, Running, Done, Failed];
}
