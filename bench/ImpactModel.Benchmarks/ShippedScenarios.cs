using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Benchmarks;

/// <summary>The repository's <c>scenarios/</c> files, read from disk once per benchmark's setup.</summary>
internal static class ShippedScenarios
{
    /// <summary>The scenarios folder, found by walking up from the benchmark's binaries.</summary>
    public static string Folder
    {
        get
        {
            string dir = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(dir, "ImpactModel.sln")))
                dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository not found");
            return Path.Combine(dir, "scenarios");
        }
    }

    /// <summary>The shipped scenario of each strand, loaded.</summary>
    public static Scenario[] OfEachStrand() =>
        [.. ((string[])["fraud-error-debt.yaml", "tailored-services.yaml", "research-statistics.yaml"]).Select(Load)];

    /// <summary>A shipped scenario by file name, e.g. <c>fraud-error-debt.yaml</c>.</summary>
    public static Scenario Load(string file) => ScenarioLoader.LoadScenario(Path.Combine(Folder, file), DiskFiles.Instance);

    /// <summary>A shipped population file by name, e.g. <c>uk-population.yaml</c>.</summary>
    public static PopulationSpec LoadPopulation(string file)
    {
        ScenarioLoadResult result = ScenarioLoader.Load(Path.Combine(Folder, file), DiskFiles.Instance);
        return result.Population ?? throw new InvalidOperationException($"{file}: {string.Join("; ", result.Errors)}");
    }

    internal sealed class DiskFiles : IScenarioFiles
    {
        public static readonly DiskFiles Instance = new();

        public string Resolve(string referencingFile, string relativePath) =>
            Path.Combine(Path.GetDirectoryName(referencingFile) ?? "", relativePath);

        public ScenarioFileContent Read(string path) =>
            File.Exists(path) ? ScenarioFileContent.Of(File.ReadAllBytes(path)) : ScenarioFileContent.Failed("no such file");
    }
}
