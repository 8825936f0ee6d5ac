namespace ImpactModel.Scenarios;

/// <summary>
/// How the engine reads scenario files: the host hands it an implementation (the disk in the
/// <c>impact</c> executable, a dictionary in tests), so the engine itself does no I/O.
/// </summary>
public interface IScenarioFiles
{
    /// <summary>The path of <paramref name="relativePath"/> as seen from the folder of <paramref name="referencingFile"/>.</summary>
    string Resolve(string referencingFile, string relativePath);

    /// <summary>The bytes of a file, or why it cannot be read (missing, a directory, no permission).</summary>
    ScenarioFileContent Read(string path);
}

/// <summary>A file's bytes, or the one-line reason it could not be read.</summary>
public sealed record ScenarioFileContent(byte[]? Bytes, string? Problem)
{
    public static ScenarioFileContent Of(byte[] bytes) => new(bytes, null);

    public static ScenarioFileContent Failed(string problem) => new(null, problem);
}
