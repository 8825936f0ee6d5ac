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
    /// <summary>
    /// The largest scenario or population file read by default: a scenario is a few kB, and a file
    /// without end (<c>/dev/zero</c>, a pipe) must stop somewhere before it exhausts memory.
    /// </summary>
    public const long DefaultMaxFileBytes = 10L * 1024 * 1024;

    /// <summary>The host setting that changes <see cref="DefaultMaxFileBytes"/>, named in the message.</summary>
    public const string MaxFileBytesSetting = "Scenarios:MaxFileBytes";

    public static ScenarioFileContent Of(byte[] bytes) => new(bytes, null);

    public static ScenarioFileContent Failed(string problem) => new(null, problem);

    /// <summary>Refuses a file beyond <paramref name="maxBytes"/>, naming the limit and the setting that changes it.</summary>
    public static ScenarioFileContent TooLarge(long maxBytes) =>
        Failed($"the file is larger than {Size(maxBytes)} (the {MaxFileBytesSetting} setting); a scenario is text of a few kB");

    private static string Size(long bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? $"{bytes / (1024 * 1024)} MB"
        : bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes";
}
