namespace ImpactModel.Simulation.Shards;

/// <summary>
/// One shard of a run: a range of replicates × a range of persons (ids), every variant of each.
/// </summary>
/// <param name="Number">The shard, 1 … <see cref="Of"/> (as schedulers and the command line count).</param>
/// <param name="Of">Shards in the run.</param>
/// <param name="FirstReplicate">The first replicate it runs.</param>
/// <param name="Replicates">Replicates it runs.</param>
/// <param name="FirstPerson">The first person's id.</param>
/// <param name="Persons">Persons it runs in each of its replicates.</param>
public sealed record ShardSpan(int Number, int Of, int FirstReplicate, int Replicates, long FirstPerson, long Persons)
{
    /// <summary>"3/7": the shard as the command line writes it.</summary>
    public string Name => $"{Number}/{Of}";
}

/// <summary>
/// How a run of R replicates of P persons is cut into N shards, deterministically from (N, R, P)
/// alone: into r replicate ranges × p person ranges with r × p = N, r the largest divisor of N that
/// is at most R (whole replicates where there are enough of them; persons cut only beyond that).
/// Shards are numbered replicate range first: shards 1 … p share the first replicates. Every range
/// is as even as integers allow (part k of n of T is [k·T/n, (k+1)·T/n)). Since a shard's output is
/// integer tallies, any N merges to the same sums.
/// </summary>
public sealed class ShardPlan
{
    private ShardPlan(int shards, int replicates, long persons, int replicateParts, int personParts)
    {
        Shards = shards;
        Replicates = replicates;
        Persons = persons;
        ReplicateParts = replicateParts;
        PersonParts = personParts;
    }

    /// <summary>Most shards in one run (a Kubernetes indexed job allows 100,000 completions).</summary>
    public const int MaxShards = 100_000;

    public int Shards { get; }

    public int Replicates { get; }

    public long Persons { get; }

    /// <summary>Ranges the replicates are cut into.</summary>
    public int ReplicateParts { get; }

    /// <summary>Ranges each replicate's persons are cut into.</summary>
    public int PersonParts { get; }

    /// <summary>The plan for <paramref name="shards"/> shards, or why there is none (null plan, a one-line reason).</summary>
    public static ShardPlan? TryCreate(int shards, int replicates, long persons, out string? problem)
    {
        problem = null;
        if (shards < 1 || shards > MaxShards)
            problem = $"shards must be 1 to {MaxShards:N0}, not {shards}";
        else if (replicates < 1 || persons < 1)
            problem = "a run needs at least one replicate and one person";
        if (problem is not null)
            return null;
        int replicateParts = 1;
        for (int d = Math.Min(shards, replicates); d >= 1; d--)
        {
            if (shards % d == 0)
            {
                replicateParts = d;
                break;
            }
        }

        int personParts = shards / replicateParts;
        if (personParts > persons)
        {
            problem = $"{shards} shards of {replicates} replicates would cut each replicate's {persons:N0} persons into {personParts} ranges: more than the persons";
            return null;
        }

        return new ShardPlan(shards, replicates, persons, replicateParts, personParts);
    }

    /// <summary>The plan for <paramref name="shards"/> shards (throws when there is none).</summary>
    public static ShardPlan Create(int shards, int replicates, long persons) =>
        TryCreate(shards, replicates, persons, out string? problem) ?? throw new ArgumentException(problem, nameof(shards));

    /// <summary>Shard <paramref name="number"/> (1-based).</summary>
    public ShardSpan Shard(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, Shards);
        int index = number - 1, replicatePart = index / PersonParts, personPart = index % PersonParts;
        long firstReplicate = Cut(Replicates, ReplicateParts, replicatePart), lastReplicate = Cut(Replicates, ReplicateParts, replicatePart + 1);
        long firstPerson = Cut(Persons, PersonParts, personPart), lastPerson = Cut(Persons, PersonParts, personPart + 1);
        return new ShardSpan(number, Shards, (int)firstReplicate, (int)(lastReplicate - firstReplicate), firstPerson, lastPerson - firstPerson);
    }

    /// <summary>Every shard, in order.</summary>
    public IEnumerable<ShardSpan> All => Enumerable.Range(1, Shards).Select(Shard);

    /// <summary>The shards that run replicate <paramref name="replicate"/> (its person ranges, in order).</summary>
    public IEnumerable<ShardSpan> Covering(int replicate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(replicate, Replicates);
        // The replicate part k holds replicate r when Cut(k) ≤ r < Cut(k + 1).
        int part = (int)((((long)replicate + 1) * ReplicateParts - 1) / Replicates);
        while (Cut(Replicates, ReplicateParts, part) > replicate)
            part--;
        while (Cut(Replicates, ReplicateParts, part + 1) <= replicate)
            part++;
        return Enumerable.Range(part * PersonParts + 1, PersonParts).Select(Shard);
    }

    private static long Cut(long total, int parts, int k) => (long)((Int128)total * k / parts);
}
