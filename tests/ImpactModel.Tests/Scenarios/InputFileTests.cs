using System.Diagnostics;
using System.Text;
using ImpactModel.Scenarios;
using ImpactModel.Tests.Cli;
using ImpactModel.Worker.Hosting;
using static ImpactModel.Tests.Scenarios.ScenarioFixture;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// Files as they arrive: old Mac line endings, UTF-16 and UTF-32, binary content after text, a
/// line of millions of characters, and files without end. Each is one clear line, with a position
/// where the bytes allow one, and memory stays bounded.
/// </summary>
public sealed class InputFileTests : IDisposable
{
    private const string S = ScenarioPath;
    private readonly string _dir = Directory.CreateTempSubdirectory("impact-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ScenarioLoadResult LoadBytes(byte[] scenario) =>
        ScenarioLoader.Load(S, Files().WithBytes(S, scenario));

    [Fact]
    public void Carriage_returns_alone_end_lines_and_positions_count_them()
    {
        // Before: a first line that is a comment made the whole file one comment, "1:1: the file is empty".
        string lf = "# an old Mac file\n" + Replace(Scenario, "appeal: 0.1", "appeal: 1.5");
        ScenarioLoadResult result = LoadBytes(Encoding.UTF8.GetBytes(lf.Replace('\n', '\r')));
        Assert.Equal($"{At(S, lf, "1.5")}: fraud.responses.appeal: must be in [0, 1], got 1.5", SingleError(result));
    }

    [Fact]
    public void Carriage_returns_alone_in_a_valid_file_load_as_the_same_scenario()
    {
        ScenarioLoadResult result = LoadBytes(Encoding.UTF8.GetBytes(Scenario.Replace('\n', '\r')));
        Assert.Empty(result.Errors);
        Assert.Equal("small-fraud", result.Scenario!.Name);
    }

    [Fact]
    public void Mixed_line_endings_count_one_line_each()
    {
        string lf = Replace(Scenario, "appeal: 0.1", "appeal: 1.5");
        int cut = lf.IndexOf("fraud:", StringComparison.Ordinal);
        string mixed = lf[..cut].Replace("\n", "\r\n", StringComparison.Ordinal) + lf[cut..].Replace('\n', '\r');
        Assert.Equal($"{At(S, lf, "1.5")}: fraud.responses.appeal: must be in [0, 1], got 1.5", SingleError(LoadBytes(Encoding.UTF8.GetBytes(mixed))));
    }

    public static TheoryData<string, bool, string> WideEncodings => new()
    {
        { "utf-16", true, "UTF-16 (little-endian)" },
        { "utf-16", false, "UTF-16 (little-endian)" },
        { "utf-16BE", true, "UTF-16 (big-endian)" },
        { "utf-16BE", false, "UTF-16 (big-endian)" },
        { "utf-32", true, "UTF-32 (little-endian)" },
        { "utf-32", false, "UTF-32 (little-endian)" },
        { "utf-32BE", true, "UTF-32 (big-endian)" },
        { "utf-32BE", false, "UTF-32 (big-endian)" },
    };

    [Theory, MemberData(nameof(WideEncodings))]
    public void A_UTF16_or_UTF32_file_is_named_as_such_with_or_without_a_byte_order_mark(string encoding, bool bom, string name)
    {
        // Before: "is not a text file (a zero byte at offset 3)".
        Encoding e = Encoding.GetEncoding(encoding);
        byte[] bytes = [.. (bom ? e.GetPreamble() : []), .. e.GetBytes(Scenario)];
        Assert.Equal($"{S}: the file is {name}; save it as UTF-8", SingleError(LoadBytes(bytes)));
    }

    [Fact]
    public void A_zero_byte_after_text_is_reported_at_its_line_and_column()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("strand: fraud-error-debt\r\nname: sm"), 0, .. Encoding.UTF8.GetBytes("all\n")];
        Assert.Equal($"{S}:2:9: is not a text file (a zero byte at offset 34); scenarios are UTF-8 YAML", SingleError(LoadBytes(bytes)));
    }

    [Fact]
    public void A_bad_UTF8_byte_is_reported_at_its_line_and_column()
    {
        byte[] bytes = Encoding.Latin1.GetBytes("strand: fraud-error-debt\nname: caf\u00e9\n");
        Assert.Equal($"{S}:2:10: is not valid UTF-8 text (bad byte at offset 34); save scenarios as UTF-8 YAML", SingleError(LoadBytes(bytes)));
    }

    [Fact]
    public void An_error_quotes_at_most_200_characters_of_a_line_of_millions()
    {
        // Before: the whole line was echoed (a 20-million-character line: 406 MB of output).
        string huge = new('X', 5_000_000);
        string text = Replace(Scenario, "name: small-fraud", $"name: {huge}");
        var clock = Stopwatch.StartNew();
        string error = SingleError(Load(text));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal($"{At(S, text, huge)}: name: scenario name '{new string('X', ScenarioError.MaxQuoted)}… (5,000,000 characters)' " +
                     "must match ^[a-z][a-z0-9-]*$ (lower-case letters, digits and hyphens, starting with a letter)", error);
    }

    [Fact]
    public void A_long_key_is_cut_in_the_path_and_in_the_message()
    {
        // YamlDotNet limits a key to 1,024 characters, so a key is cut at 1,000.
        string huge = new('k', 1000);
        string text = Replace(Scenario, "body: DWP", $"body: DWP\n    {huge}: 1");
        string excerpt = new string('k', ScenarioError.MaxQuoted) + "… (1,000 characters)";
        Assert.Equal($"{At(S, text, huge)}: data_sources.claims.{new string('k', ScenarioError.MaxQuoted - "data_sources.claims.".Length)}… (1,020 characters): " +
                     $"unknown key '{excerpt}'; expected one of: id, body, description, coverage, stale_share, stale_months, fields",
            Assert.Single(Load(text).Errors).ToString());
    }

    [Fact]
    public void A_long_quoted_value_is_cut_with_its_length_and_the_message_keeps_its_own_words()
    {
        string huge = new('Y', 1000);
        string text = Replace(Scenario, "strand: fraud-error-debt", $"strand: {huge}");
        string error = SingleError(Load(text));
        Assert.StartsWith($"{At(S, text, huge)}: strand: unknown strand '{new string('Y', 200)}… (1,000 characters)'; known: ", error, StringComparison.Ordinal);
        Assert.True(error.Length < 400, error);
    }

    [Fact]
    public void A_file_larger_than_the_limit_is_refused_before_it_is_read_whole()
    {
        string path = Path.Combine(_dir, "big.yaml");
        File.WriteAllText(path, Scenario);
        ScenarioFileContent content = new DiskScenarioFiles(maxFileBytes: 100).Read(path);
        Assert.Null(content.Bytes);
        Assert.Equal("the file is larger than 100 bytes (the Scenarios:MaxFileBytes setting); a scenario is text of a few kB", content.Problem);
        Assert.NotNull(new DiskScenarioFiles(maxFileBytes: Encoding.UTF8.GetByteCount(Scenario)).Read(path).Bytes);
    }

    [Fact]
    public void A_device_without_end_is_refused_at_the_default_limit_with_exit_2()
    {
        // Before: 'validate /dev/zero' grew without bound.
        if (!File.Exists("/dev/zero"))
            return; // not a Unix system
        CliRun run = CliRun.Of("validate", "/dev/zero");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("/dev/zero: the file is larger than 10 MB (the Scenarios:MaxFileBytes setting); a scenario is text of a few kB",
            Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task A_fifo_is_read_through_a_bounded_buffer_and_refused_at_the_limit()
    {
        if (OperatingSystem.IsWindows())
            return; // no mkfifo
        string fifo = Path.Combine(_dir, "pipe.yaml");
        using (var mk = Process.Start("mkfifo", fifo))
            await mk.WaitForExitAsync();
        using var cancel = new CancellationTokenSource();
        // A writer that never stops: only the reader's limit ends the read.
        Task writer = Task.Run(() =>
        {
            try
            {
                using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)'#');
                while (!cancel.IsCancellationRequested)
                    stream.Write(chunk);
            }
            catch (IOException)
            {
                // The reader closed the pipe: the point of the test.
            }
        });
        ScenarioFileContent content = new DiskScenarioFiles(maxFileBytes: 1 << 20).Read(fifo);
        cancel.Cancel();
        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("the file is larger than 1 MB (the Scenarios:MaxFileBytes setting); a scenario is text of a few kB", content.Problem);
    }

    [Fact]
    public void The_limit_is_a_host_setting()
    {
        string path = Path.Combine(_dir, "small.yaml");
        File.WriteAllText(path, "population:\n  size: 1000\n");
        CliRun run = CliRun.Of("validate", path, "--set", "Scenarios:MaxFileBytes=10");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"{path}: the file is larger than 10 bytes (the Scenarios:MaxFileBytes setting); a scenario is text of a few kB",
            Assert.Single(run.ErrorLines));
        CliRun bad = CliRun.Of("validate", path, "--set", "Scenarios:MaxFileBytes=lots");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Scenarios:MaxFileBytes: expected a whole number of bytes", bad.Error, StringComparison.Ordinal);
    }
}
