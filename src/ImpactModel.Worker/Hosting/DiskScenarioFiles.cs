using ImpactModel.Scenarios;
using Microsoft.Extensions.Configuration;

namespace ImpactModel.Worker.Hosting;

/// <summary>
/// The host's file access for the engine's scenario loader: the engine itself never touches the disk.
/// A file is read through a bounded buffer and refused once it passes <see cref="MaxFileBytes"/>, so a
/// device or pipe without end (<c>/dev/zero</c>, a FIFO, stdin) cannot grow memory without bound.
/// </summary>
public sealed class DiskScenarioFiles : IScenarioFiles
{
    /// <summary>Files read with the default size limit.</summary>
    public static readonly DiskScenarioFiles Instance = new();

    /// <param name="maxFileBytes">The largest file read (default <see cref="ScenarioFileContent.DefaultMaxFileBytes"/>).</param>
    public DiskScenarioFiles(long maxFileBytes = ScenarioFileContent.DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileBytes, 1);
        MaxFileBytes = maxFileBytes;
    }

    /// <summary>The largest file read; a larger one is refused with the setting that changes it.</summary>
    public long MaxFileBytes { get; }

    /// <summary>
    /// The files as configured: <c>Scenarios:MaxFileBytes</c> (appsettings.json, <c>IMPACT_Scenarios__MaxFileBytes</c>
    /// or <c>--set Scenarios:MaxFileBytes=N</c>), else the default; a value that is not a positive whole number is a usage error.
    /// </summary>
    public static DiskScenarioFiles From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? text = configuration[ScenarioFileContent.MaxFileBytesSetting];
        if (string.IsNullOrWhiteSpace(text))
            return Instance;
        if (!long.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long max) || max < 1)
            throw new Cli.UsageException($"{ScenarioFileContent.MaxFileBytesSetting}: expected a whole number of bytes of at least 1, got '{text}'");
        return max == ScenarioFileContent.DefaultMaxFileBytes ? Instance : new DiskScenarioFiles(max);
    }

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
            // Sequential reads only: a FIFO or a character device cannot seek, and its length is not known.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > MaxFileBytes)
                return ScenarioFileContent.TooLarge(MaxFileBytes);
            using var bytes = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (bytes.Length + read > MaxFileBytes)
                    return ScenarioFileContent.TooLarge(MaxFileBytes);
                bytes.Write(buffer, 0, read);
            }

            return ScenarioFileContent.Of(bytes.ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ScenarioFileContent.Failed($"cannot be read: {e.Message}");
        }
    }
}
