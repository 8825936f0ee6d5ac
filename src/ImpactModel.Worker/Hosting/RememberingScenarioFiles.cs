using System.Collections.Concurrent;
using ImpactModel.Scenarios;

namespace ImpactModel.Worker.Hosting;

/// <summary>
/// Reads files as <paramref name="inner"/> does and keeps the bytes of each path the first time it is
/// read, so what a run folder hashes and keeps under <c>inputs/</c> is exactly what the run loaded,
/// even if a file changes on disk while the run goes on.
/// </summary>
internal sealed class RememberingScenarioFiles(IScenarioFiles inner) : IScenarioFiles
{
    private readonly ConcurrentDictionary<string, ScenarioFileContent> _read = new(StringComparer.Ordinal);

    public string Resolve(string referencingFile, string relativePath) => inner.Resolve(referencingFile, relativePath);

    public ScenarioFileContent Read(string path) => _read.GetOrAdd(path, inner.Read);
}
