using System.Collections.Immutable;
using ImpactModel.Scenarios;
using ImpactModel.Simulation.Shards;

namespace ImpactModel.Worker.Store;

/// <summary>A scenario's files as a shard or the store keeps them, under a folder that does not exist on disk (<c>SHARDS/inputs</c>).</summary>
internal sealed class StoredInputs : IScenarioFiles
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public StoredInputs(string root, ImmutableArray<ShardInput> inputs)
    {
        foreach (ShardInput input in inputs)
            _files[Path.GetFullPath(Path.Combine(root, input.Path))] = [.. input.Bytes];
        Scenario = Path.GetFullPath(Path.Combine(root, inputs[0].Path));
    }

    /// <summary>The scenario's path (the first input).</summary>
    public string Scenario { get; }

    public string Resolve(string referencingFile, string relativePath) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(referencingFile) ?? "", relativePath));

    public ScenarioFileContent Read(string path) =>
        _files.TryGetValue(Path.GetFullPath(path), out byte[]? bytes) ? ScenarioFileContent.Of(bytes)
            : ScenarioFileContent.Failed("not among the files the shards kept");
}
