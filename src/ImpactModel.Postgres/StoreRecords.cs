namespace ImpactModel.Postgres;

/// <summary>A run to create (<see cref="ResultStore.CreateRun"/>, <see cref="ResultStore.FindOrCreateShardedRun"/>).</summary>
/// <param name="ScenarioId">The stored scenario (<see cref="ResultStore.SaveScenario"/>).</param>
/// <param name="Seed">The run's seed, the whole unsigned 64-bit range.</param>
/// <param name="Replicates">Replicates, at least 1.</param>
/// <param name="Persons">Persons simulated per replicate.</param>
/// <param name="EngineVersion">The engine's version; results are "the same" only under the same one.</param>
public sealed record NewRun(long ScenarioId, ulong Seed, int Replicates, long Persons, string EngineVersion)
{
    /// <summary>The population the results are scaled to, when it differs from <see cref="Persons"/>.</summary>
    public long? DeclaredPopulation { get; init; }

    /// <summary>Shards per phase, at least 1.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>Phases, at least 1; a phase's shards start once every shard of the phase before is done.</summary>
    public int Phases { get; init; } = 1;

    /// <summary>Who submitted it (user, host), for <c>impact runs</c>.</summary>
    public string? SubmittedBy { get; init; }

    /// <summary>One line for <c>impact runs</c>.</summary>
    public string? Headline { get; init; }

    /// <summary>Anything else, as a JSON text (stored as <c>jsonb</c>).</summary>
    public string? Settings { get; init; }
}

/// <summary>A stored run with its scenario's name, strand and SHA-256. Times are UTC.</summary>
public sealed record RunRecord(
    long Id,
    long ScenarioId,
    string ScenarioName,
    string Strand,
    string ScenarioSha256,
    ulong Seed,
    int Replicates,
    long Persons,
    long? DeclaredPopulation,
    string EngineVersion,
    int Shards,
    int Phases,
    string Status,
    string? Error,
    string? SubmittedBy,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? ElapsedSeconds,
    string? Headline,
    string? Settings);

/// <summary>The tallies of one finished shard.</summary>
/// <param name="Shard">1-based.</param>
/// <param name="Phase">1-based.</param>
/// <param name="Payload">The tallies as the engine serialised them.</param>
/// <param name="Sha256">The SHA-256 the engine gave with them.</param>
public sealed record StoredShard(int Shard, int Phase, byte[] Payload, string Sha256);

/// <summary>
/// One row of results.csv (<c>scenario,strand,variant,group,metric,mean,ci_low,ci_high,replicates,mc_se,events</c>).
/// A null number is an empty cell; NaN is stored as null.
/// </summary>
public sealed record StoredResultRow(
    string Scenario,
    string Strand,
    string Variant,
    string Group,
    string Metric,
    double? Mean,
    double? CiLow,
    double? CiHigh,
    int Replicates,
    double? McSe,
    long? Events);

/// <summary>A shard leased to a worker by <see cref="ResultStore.ClaimShard"/>.</summary>
/// <param name="RunId">The shard's run.</param>
/// <param name="Shard">1-based.</param>
/// <param name="Phase">1-based.</param>
/// <param name="Attempts">Claims of this shard so far, this one included.</param>
/// <param name="Worker">Who holds the lease.</param>
/// <param name="LeaseUntil">When the lease runs out (UTC) unless renewed; another worker may claim the shard after it.</param>
public sealed record ShardClaim(long RunId, int Shard, int Phase, int Attempts, string Worker, DateTimeOffset LeaseUntil);

/// <summary>How far the shards of one phase are.</summary>
/// <param name="Phase">1-based.</param>
/// <param name="Shards">Shards in the phase.</param>
/// <param name="Queued">Not started, or back in the queue after a failed attempt; a shard written from outside the queue (<c>impact run --shard</c>) counts here until it arrives.</param>
/// <param name="Running">Leased to a worker.</param>
/// <param name="Done">Tallies stored.</param>
/// <param name="Failed">Failed as many times as allowed.</param>
public sealed record PhaseProgress(int Phase, int Shards, int Queued, int Running, int Done, int Failed)
{
    /// <summary>Every shard of the phase is done.</summary>
    public bool Complete => Done == Shards;
}

/// <summary>How far the shards of a run are, phase by phase.</summary>
public sealed record ShardProgress(long RunId, IReadOnlyList<PhaseProgress> Phases)
{
    /// <summary>Every shard of every phase is done.</summary>
    public bool Complete => Phases.All(p => p.Complete);
}
