using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ImpactModel.Scenarios;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// Random damaging edits to every shipped scenario and population file, from fixed seeds: each damaged
/// file is either still valid or rejected with messages that name a file, line and column (line 0 only
/// for a file that cannot be read as text at all), never an unhandled exception; and every tenth goes
/// through <c>impact validate</c> on disk, which must exit 0 or 2 with one positioned message a line.
/// A failure names the file, the seed and the edits; replay it with
/// <c>Mutator().Mutate("scenarios/FILE.yaml", SEED)</c>.
/// </summary>
public sealed partial class MutationTests : IDisposable
{
    /// <summary>Edits per shipped file in the default run (the whole class stays within ~15 s on 2 cores).</summary>
    private const int DefaultEdits = 300;

    /// <summary>Edits per shipped file in the long run; seeds do not overlap the default run's.</summary>
    private const int LongEdits = 3000;

    private const int LongFirstSeed = 1_000_000;

    /// <summary>Every n-th mutation also goes through the real CLI on disk.</summary>
    private const int CliEvery = 10;

    private const string Folder = "scenarios";

    private readonly string _dir = Directory.CreateTempSubdirectory("impact-mutation-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Shipped files found at run time, so a scenario added later is damaged too.</summary>
    public static TheoryData<string> ShippedFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(ValidateCommandTests.RepositoryFile(Folder), "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    internal static ScenarioMutator Mutator()
    {
        var shipped = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(ValidateCommandTests.RepositoryFile(Folder), "*.yaml"))
            shipped[$"{Folder}/{Path.GetFileName(file)}"] = File.ReadAllBytes(file);
        return new ScenarioMutator(shipped);
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Hundreds_of_damaging_edits_are_each_valid_or_rejected_with_positions(string file) =>
        Run(file, firstSeed: 1, count: DefaultEdits);

    [Theory, Trait("Category", "Mutation-Long")]
    [MemberData(nameof(ShippedFiles))]
    public void Thousands_of_damaging_edits_are_each_valid_or_rejected_with_positions(string file) =>
        Run(file, firstSeed: LongFirstSeed, count: LongEdits);

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_kind_of_edit_applies_to_each_shipped_file_and_most_are_rejected(string file)
    {
        ScenarioMutator mutator = Mutator();
        string target = $"{Folder}/{file}";
        var applied = new HashSet<EditKind>();
        int rejected = 0;
        for (int seed = 1; seed <= DefaultEdits; seed++)
        {
            Mutation m = mutator.Mutate(target, seed);
            if (!m.Edits.Any(e => e.Contains(": no ", StringComparison.Ordinal) || e.Contains("nothing left", StringComparison.Ordinal)))
                applied.UnionWith(m.Kinds);
            if (!Load(target, Files(m)).IsValid)
                rejected++;
        }

        Assert.Equal(Enum.GetValues<EditKind>().Order(), applied.Order());
        // Some edits leave a valid file (a comment line deleted, a description re-indented), but a
        // mutation test whose edits are mostly harmless tests little.
        Assert.True(rejected > DefaultEdits / 2, $"only {rejected} of {DefaultEdits} edits to {file} were rejected");
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void A_damaged_scenario_that_loads_valid_compiles_its_first_replicate_without_an_exception(string file)
    {
        // The general form of 'validate ok means run will not refuse': every limit a model checks
        // when it compiles must have been checked at load, where the value has a position.
        ScenarioMutator mutator = Mutator();
        string target = $"{Folder}/{file}";
        // Every other seed of the default run: compiling costs more than loading, and this stays within a few seconds.
        var problems = new List<string>[DefaultEdits / 2];
        Parallel.For(0, problems.Length, i =>
        {
            problems[i] = [];
            Mutation m = mutator.Mutate(target, (2 * i) + 1);
            if (Load(target, Files(m)) is not { Scenario: { } scenario, IsValid: true })
                return;
            try
            {
                ModelLimitTests.CompileReplicateZero(scenario);
            }
#pragma warning disable CA1031 // the point of the test: any exception is a finding, reported with its seed
            catch (Exception e)
#pragma warning restore CA1031
            {
                problems[i].Add($"{m.Description}\n    valid, but compiling replicate 0 threw {e.GetType().Name}: {e.Message}");
            }
        });

        var failures = problems.SelectMany(p => p).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} valid mutations of {file} do not compile; first ones:\n" + string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_damage()
    {
        ScenarioMutator mutator = Mutator();
        string target = mutator.Shipped.Keys.Order(StringComparer.Ordinal).First();
        Mutation a = mutator.Mutate(target, 42), b = mutator.Mutate(target, 42);
        Assert.Equal(a.Description, b.Description);
        Assert.Equal(a.Files.Keys.Order(), b.Files.Keys.Order());
        foreach (var (path, bytes) in a.Files)
            Assert.Equal(bytes, b.Files[path]);
    }

    // Bugs this test found, pinned with exact positions.

    [Fact]
    public void A_flow_mapping_YamlDotNet_throws_on_is_a_positioned_syntax_error()
    {
        // YamlDotNet 18.1 throws InvalidOperationException, not YamlException, on '{ v{u: 4 }' followed by a line.
        string scenario = ScenarioFixture.Replace(ScenarioFixture.Scenario, "name: small-fraud", "name: { v{u: 4 }");
        Assert.Equal("s/fraud.yaml:3:1: YAML syntax: cannot read past here (is a bracket or quote left open?)",
            ScenarioFixture.SingleError(ScenarioFixture.Load(scenario)));
    }

    [Fact]
    public void A_Unicode_line_separator_is_an_error_where_it_is()
    {
        // YamlDotNet counts U+2028 as a line break, so every later position named the wrong line.
        string scenario = ScenarioFixture.Replace(ScenarioFixture.Scenario, "body: DWP", "body: DWP\u2028Benefits");
        Assert.StartsWith(ScenarioFixture.At(ScenarioFixture.ScenarioPath, scenario, "\u2028") + ": a Unicode line separator (U+2028)",
            ScenarioFixture.SingleError(ScenarioFixture.Load(scenario)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_with_a_trailing_new_line_is_rejected_and_printed_on_one_line()
    {
        // A block scalar ends in a new line, which '$' in the id pattern let through.
        string scenario = ScenarioFixture.Replace(ScenarioFixture.Scenario, "name: small-fraud", "name: |\n  small-fraud");
        Assert.Equal(ScenarioFixture.At(ScenarioFixture.ScenarioPath, scenario, "|")
                     + @": name: scenario name 'small-fraud\n' must match ^[a-z][a-z0-9-]*$ (lower-case letters, digits and hyphens, starting with a letter)",
            ScenarioFixture.SingleError(ScenarioFixture.Load(scenario)));
    }

    [Fact]
    public void Deep_nesting_is_a_positioned_error_not_a_stack_overflow()
    {
        // The reader recursed once per level; 20,000 open brackets overflowed the stack and killed the process.
        string scenario = ScenarioFixture.Replace(ScenarioFixture.Scenario, "name: small-fraud", "name: " + new string('[', 20_000));
        Assert.Equal("s/fraud.yaml:2:106: YAML syntax: lists and mappings nested more than 100 deep (is a bracket left open?)",
            ScenarioFixture.SingleError(ScenarioFixture.Load(scenario)));
    }

    [Fact]
    public void Nested_aliases_are_walked_once_not_exponentially_often()
    {
        // 'Billion laughs': naming a duplicate key walked every alias path, 2^40 of them here.
        var text = new StringBuilder(ScenarioFixture.PopulationText).Append("\nl0: &l0 [a, a]\n");
        for (int k = 1; k <= 40; k++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{k}: &l{k} [*l{k - 1}, *l{k - 1}]\n");
        string population = text.Append("l0: again\n").ToString();
        var clock = Stopwatch.StartNew();
        ScenarioLoadResult result = ScenarioLoader.Load(ScenarioFixture.PopulationPath, ScenarioFixture.Files(population: population));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains(result.Errors, e => e.ToString().StartsWith(
            ScenarioFixture.At(ScenarioFixture.PopulationPath, population, "l0: again") + ": l0: duplicate key 'l0'", StringComparison.Ordinal));
    }

    private void Run(string file, int firstSeed, int count)
    {
        ScenarioMutator mutator = Mutator();
        string target = $"{Folder}/{file}";
        string[] loaded = [target, .. mutator.Referrers(target)];
        var clock = Stopwatch.StartNew();
        // Loading is pure, so mutations load in parallel; problems are gathered per seed and reported in seed order.
        var problems = new List<string>[count];
        var allValid = new bool?[count];
        Parallel.For(0, count, i =>
        {
            Mutation m = mutator.Mutate(target, firstSeed + i);
            problems[i] = [];
            bool valid = true, loadedAll = true;
            foreach (string path in loaded)
            {
                try
                {
                    ScenarioLoadResult result = Load(path, Files(m));
                    valid &= result.IsValid;
                    problems[i].AddRange(Problems(result, m, mutator).Select(p => $"{m.Description}\n    loading {path}: {p}"));
                }
#pragma warning disable CA1031 // the point of the test: any exception is a finding, reported with its seed
                catch (Exception e)
#pragma warning restore CA1031
                {
                    loadedAll = false;
                    problems[i].Add($"{m.Description}\n    loading {path}: unhandled {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }

            allValid[i] = loadedAll ? valid : null;
        });

        // The CLI on disk, one mutation in CliEvery, in order (it builds a host and reads the disk).
        for (int i = 0; i < count; i += CliEvery)
        {
            if (allValid[i] is not { } expectValid)
                continue;
            Mutation m = mutator.Mutate(target, firstSeed + i);
            problems[i].AddRange(CliProblems(m, loaded, expectValid).Select(p => $"{m.Description}\n    impact validate: {p}"));
        }

        var failures = problems.SelectMany(p => p).ToList();
        Assert.True(failures.Count == 0,
            $"{failures.Count} problems in {count} mutations of {file} (seeds {firstSeed}..{firstSeed + count - 1}, {clock.Elapsed.TotalSeconds:F1} s); first ones:\n"
            + string.Join("\n", failures.Take(15)));
    }

    /// <summary>
    /// Loads a scenario or population file, or a package (through <see cref="PackageLoader"/>: valid, it
    /// stands for its first scenario), as <c>impact validate</c> does.
    /// </summary>
    internal static ScenarioLoadResult Load(string path, IScenarioFiles files)
    {
        if (!PackageLoader.IsPackage(path, files))
            return ScenarioLoader.Load(path, files);
        PackageLoadResult package = PackageLoader.Load(path, files);
        return package.Package is { } p
            ? new ScenarioLoadResult(p.Scenarios[0].Scenario, p.Scenarios[0].Scenario.Population, [])
            : new ScenarioLoadResult(null, null, package.Errors);
    }

    private static MemoryFiles Files(Mutation m)
    {
        var files = new MemoryFiles();
        foreach (var (path, bytes) in m.Files)
            files.WithBytes(path, bytes);
        return files;
    }

    /// <summary>What is wrong with a load result: valid without a model, or an error that points nowhere.</summary>
    internal static IEnumerable<string> Problems(ScenarioLoadResult result, Mutation m, ScenarioMutator mutator)
    {
        if (result.Errors.Count == 0)
        {
            if (result.Scenario is null && result.Population is null)
                yield return "no errors, but neither a scenario nor a population";
            yield break;
        }

        foreach (ScenarioError e in result.Errors)
        {
            string printed = e.ToString();
            if (printed.Contains('\n', StringComparison.Ordinal) || printed.Contains('\r', StringComparison.Ordinal))
                yield return $"an error printed on more than one line: {Escape(printed)}";
            if (string.IsNullOrWhiteSpace(e.Message))
                yield return $"an error without a message: {Escape(printed)}";
            if (!mutator.Shipped.ContainsKey(e.File))
            {
                yield return $"an error in an unknown file: {Escape(printed)}";
                continue;
            }

            if (e.Line == 0)
            {
                bool unreadable = !m.Files.TryGetValue(e.File, out byte[]? bytes) || !IsUtf8Text(bytes);
                if (e.Column != 0 || !unreadable)
                    yield return $"an error without a position in a readable file: {Escape(printed)}";
                continue;
            }

            if (!m.Files.TryGetValue(e.File, out byte[]? content))
            {
                yield return $"a positioned error in a missing file: {Escape(printed)}";
                continue;
            }

            string[] lines = LineBreak().Split(Encoding.UTF8.GetString(content));
            if (e.Line < 1 || e.Column < 1 || e.Line > lines.Length + 1)
                yield return $"an error at line {e.Line} column {e.Column} of a {lines.Length}-line file: {Escape(printed)}";
            else if (e.Line <= lines.Length && e.Column > lines[e.Line - 1].Length + 1)
                yield return $"an error at column {e.Column} of a {lines[e.Line - 1].Length}-character line: {Escape(printed)}";
        }
    }

    private static bool IsUtf8Text(byte[] bytes)
    {
        if (Array.IndexOf(bytes, (byte)0) >= 0)
            return false;
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Writes the damaged files to disk and runs <c>impact validate</c> on them in-process.</summary>
    private IEnumerable<string> CliProblems(Mutation m, string[] loaded, bool expectValid)
    {
        string dir = Path.Combine(_dir, $"seed-{m.Seed}");
        Directory.CreateDirectory(dir);
        foreach (var (path, bytes) in m.Files)
            File.WriteAllBytes(Path.Combine(dir, Path.GetFileName(path)), bytes);

        CliRun run = CliRun.Of(["validate", .. loaded.Select(p => Path.Combine(dir, Path.GetFileName(p)))]);
        if (run.ExitCode is not (0 or 2))
            yield return $"exit {run.ExitCode}; stderr:\n{run.Error}";
        else if ((run.ExitCode == 0) != expectValid)
            yield return $"exit {run.ExitCode}, but loading from memory found the files {(expectValid ? "valid" : "invalid")}; stderr:\n{run.Error}";
        if (run.Error.Contains("   at ", StringComparison.Ordinal) || run.Error.Contains("Exception", StringComparison.Ordinal))
            yield return $"a stack trace or exception on stderr:\n{run.Error}";
        if (run.ExitCode == 2)
        {
            foreach (string line in run.ErrorLines)
            {
                if (!PositionedLine().IsMatch(line) && !FileLine().IsMatch(line) && !line.StartsWith("impact: ", StringComparison.Ordinal))
                    yield return $"a stderr line that is not a message: {Escape(line)}";
            }
        }
    }

    private static string Escape(string s) =>
        s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    [GeneratedRegex(@"\r\n|\r|\n")]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"^.+:\d+:\d+: .+$")]
    private static partial Regex PositionedLine();

    [GeneratedRegex(@"^.+: .+$")]
    private static partial Regex FileLine();
}
