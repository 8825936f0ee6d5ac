using System.Security.Cryptography;
using ImpactModel.Postgres;

namespace ImpactModel.Tests.Postgres;

/// <summary>Scenarios and runs for the store's tests, each scenario with a SHA-256 of its own.</summary>
internal static class StoreTesting
{
    public const string Engine = "0.1.0-test";

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A scenario with a fresh SHA-256 (its text is unique), and its id.</summary>
    public static long NewScenario(ResultStore store, string name = "fraud-test")
    {
        string text = $"name: {name}\n# {Guid.NewGuid()}\n";
        return store.SaveScenario(name, "fraud", Sha256(System.Text.Encoding.UTF8.GetBytes(text)), text, inputs: null);
    }

    public static NewRun Run(long scenarioId, int shards = 1, int phases = 1, ulong seed = 42, int replicates = 3, long persons = 10_000)
        => new(scenarioId, seed, replicates, persons, Engine) { Shards = shards, Phases = phases };

    /// <summary>Payload bytes of a shard: a function of (run, shard, phase), as the engine's tallies are.</summary>
    public static byte[] Payload(long runId, int shard, int phase, int length = 64)
    {
        var bytes = new byte[length];
        new System.Random(HashCode.Combine(runId, shard, phase)).NextBytes(bytes);
        return bytes;
    }

    public static void WriteShard(ResultStore store, long runId, int shard, int phase)
    {
        byte[] payload = Payload(runId, shard, phase);
        store.WriteShard(runId, shard, phase, payload, Sha256(payload));
    }
}
