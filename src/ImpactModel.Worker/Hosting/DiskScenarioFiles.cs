using ImpactModel.Scenarios;

namespace ImpactModel.Worker.Hosting;

/// <summary>The host's file access for the engine's scenario loader: the engine itself never touches the disk.</summary>
public sealed class DiskScenarioFiles : IScenarioFiles
{
    public static readonly DiskScenarioFiles Instance = new();

    public string Resolve(string referencingFile, string relativePath)
    {
        string? dir = Path.GetDirectoryName(referencingFile);
        string combined = string.IsNullOrEmpty(dir) ? relativePath : Path.Combine(dir, relativePath);
        return Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(combined)) is var rel
               && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : Path.GetFullPath(combined);
    }

    public ScenarioFileContent Read(string path)
    {
        if (Directory.Exists(path))
            return ScenarioFileContent.Failed("is a directory, not a scenario file");
        if (!File.Exists(path))
            return ScenarioFileContent.Failed("no such file");
        try
        {
            return ScenarioFileContent.Of(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ScenarioFileContent.Failed($"cannot be read: {e.Message}");
        }
    }
}
