using BenchmarkDotNet.Attributes;
using ImpactModel.Scenarios;

namespace ImpactModel.Benchmarks.Scenarios;

/// <summary>
/// Loading and validating every scenario in <c>scenarios/</c> (YAML parse, typed read, every
/// check), from bytes already in memory so the disk is not measured. Short job for a quick look:
/// <c>dotnet run -c Release --project bench/ImpactModel.Benchmarks -- --filter '*ScenarioLoading*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class ScenarioLoadingBench
{
    private InMemoryFiles _files = null!;
    private string[] _paths = [];

    [GlobalSetup]
    public void Setup()
    {
        string dir = FindScenarios();
        _paths = Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).ToArray();
        _files = new InMemoryFiles(_paths.ToDictionary(p => p, File.ReadAllBytes));
    }

    [Benchmark]
    public int LoadAndValidateAll()
    {
        int errors = 0;
        foreach (string path in _paths)
            errors += ScenarioLoader.Load(path, _files).Errors.Count;
        if (errors != 0)
            throw new InvalidOperationException($"shipped scenarios have {errors} errors");
        return errors;
    }

    private static string FindScenarios()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "scenarios")))
            dir = Path.GetDirectoryName(dir);
        return Path.Combine(dir ?? throw new DirectoryNotFoundException("scenarios/ not found above the benchmark"), "scenarios");
    }

    private sealed class InMemoryFiles(Dictionary<string, byte[]> files) : IScenarioFiles
    {
        public string Resolve(string referencingFile, string relativePath) =>
            Path.Combine(Path.GetDirectoryName(referencingFile) ?? "", relativePath);

        public ScenarioFileContent Read(string path) =>
            files.TryGetValue(path, out var bytes) ? ScenarioFileContent.Of(bytes) : ScenarioFileContent.Failed("no such file");
    }
}
