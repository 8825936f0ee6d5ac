namespace ImpactModel;

/// <summary>
/// PRODUCT.md's limits ("Interfaces"), written once: the scenario checks, every verb's options and
/// the worker's settings read them from here, so a limit cannot be changed in one place and not another.
/// </summary>
public static class Limits
{
    /// <summary>Fewest persons in a population, declared or simulated.</summary>
    public const long MinPopulation = 1;

    /// <summary>Most persons in a population, declared or simulated (67,000,000 is the UK).</summary>
    public const long MaxPopulation = 100_000_000;

    /// <summary>Fewest replicates of a run.</summary>
    public const int MinReplicates = 1;

    /// <summary>Most replicates of a run.</summary>
    public const int MaxReplicates = 100_000;

    /// <summary>Fewest worker threads a user can ask for (a setting of 0 means every core).</summary>
    public const int MinThreads = 1;

    /// <summary>Most worker threads: far beyond any machine the engine runs on, low enough to catch a typo.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Seeds are unsigned 64-bit numbers: every value from 0 to this one.</summary>
    public const ulong MaxSeed = ulong.MaxValue;
}
