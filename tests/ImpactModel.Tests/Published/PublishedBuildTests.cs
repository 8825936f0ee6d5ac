using System.Text;
using System.Text.RegularExpressions;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Tests.Support;

namespace ImpactModel.Tests.Published;

/// <summary>
/// A test that runs only when <c>IMPACT_TEST_EXECUTABLE</c> names a published executable (tests/run.sh
/// publishes the native build and runs this category with it); skipped, with the reason, otherwise.
/// </summary>
public sealed class PublishedFactAttribute : FactAttribute
{
    public PublishedFactAttribute()
    {
        if (ImpactProcess.Published is null)
            Skip = "needs IMPACT_TEST_EXECUTABLE, the published executable: bash tests/run.sh publishes the native build and runs these with it";
    }
}

/// <summary>
/// The published executable (the native build: compiled ahead of time, trimmed) against the
/// <c>dotnet build</c> output that every other test runs: the same command must give the same exit
/// code, the same stdout and stderr and the same files, byte for byte, but for the run's own clock
/// (its start time and elapsed seconds). Trimming removes what only reflection reaches, and the native
/// build cannot compile code as it runs; a difference here is what either did to a verb.
/// </summary>
[Trait("Category", "Published")]
public sealed partial class PublishedBuildTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("impact-published-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string Repository => ValidateCommandTests.RepositoryFile();

    internal sealed record Outcome(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    private static Outcome Impact(string? executable, string workingDirectory, params string[] args)
    {
        using var process = ImpactProcess.StartExecutable(executable, workingDirectory, args); // killed on every path
        Assert.True(process.WaitForExit(ImpactProcess.Patience),
            $"{executable ?? "dotnet impact.dll"} {string.Join(' ', args)} did not finish within {ImpactProcess.Patience.TotalSeconds} s");
        return new Outcome(process.ExitCode, process.Out, process.Error);
    }

    /// <summary>Runs <paramref name="args"/> with both builds in the repository (each writing to <paramref name="output"/>, if any, kept apart) and compares.</summary>
    private static Outcome Same(string? output, params string[] args) => SameIn(Repository, output, args);

    private static Outcome SameIn(string workingDirectory, string? output, params string[] args) =>
        SameIn(workingDirectory, output, args, args);

    /// <summary>
    /// As <see cref="SameIn(string, string, string[])"/>, with arguments of each build's own (a database
    /// each): <paramref name="alias"/> (the published build's name for a thing, and the built one's) is
    /// replaced in what the published build writes before the comparison.
    /// </summary>
    internal static Outcome SameIn(string workingDirectory, string? output, string[] args, string[] publishedArgs, (string Published, string Built)? alias = null)
    {
        Outcome built = Impact(null, workingDirectory, args);
        string? builtFiles = output is null ? null : Keep(output, "built");
        Outcome published = Impact(ImpactProcess.Published, workingDirectory, publishedArgs);
        if (alias is { } a)
        {
            published = published with { Out = published.Out.Replace(a.Published, a.Built, StringComparison.Ordinal), Err = published.Err.Replace(a.Published, a.Built, StringComparison.Ordinal) };
        }

        string? publishedFiles = output is null ? null : Keep(output, "published");
        string command = $"impact {string.Join(' ', args)}";
        Assert.True(built.Code == published.Code, $"{command}: exit {built.Code} built, {published.Code} published\n{published}");
        Assert.True(built.Out == published.Out, $"{command}: stdout differs\nbuilt:\n{built.Out}\npublished:\n{published.Out}");
        Assert.True(built.Err == published.Err, $"{command}: stderr differs\nbuilt:\n{built.Err}\npublished:\n{published.Err}");
        if (builtFiles is not null)
        {
            SameFiles(command, builtFiles, publishedFiles!, alias);
            Directory.Delete(publishedFiles!, recursive: true);
            // Put the built output back where the command wrote it, for a later command that reads it.
            Directory.Move(builtFiles, output!);
        }

        return built;
    }

    /// <summary>Moves what a command wrote to <paramref name="output"/> aside, under <paramref name="build"/>.</summary>
    private static string Keep(string output, string build)
    {
        string kept = $"{output}.{build}";
        if (Directory.Exists(output))
            Directory.Move(output, kept);
        else
            Directory.CreateDirectory(kept); // nothing written: compared as an empty folder
        return kept;
    }

    private static void SameFiles(string command, string built, string published, (string Published, string Built)? alias)
    {
        string[] Files(string root) =>
            [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
        string[] names = Files(built);
        Assert.Equal(names, Files(published));
        foreach (string name in names)
        {
            byte[] a = File.ReadAllBytes(Path.Combine(built, name)), b = File.ReadAllBytes(Path.Combine(published, name));
            if (a.AsSpan().SequenceEqual(b))
                continue;
            // Only the run's own clock may differ, and only in the files that record it.
            string ta = WithoutClock(Encoding.UTF8.GetString(a)), tb = WithoutClock(Encoding.UTF8.GetString(b));
            if (alias is { } n)
                tb = tb.Replace(n.Published, n.Built, StringComparison.Ordinal);
            Assert.True(ta == tb, $"{command}: {name} differs beyond the run's clock\n{FirstDifference(ta, tb)}");
        }
    }

    /// <summary>The run's start time (a timestamp to the millisecond) and its elapsed seconds (the manifest's, the report's), blanked.</summary>
    private static string WithoutClock(string text) =>
        ReportElapsed().Replace(Elapsed().Replace(Timestamp().Replace(text, "TIME"), "\"elapsed_seconds\": SECONDS"), "${row}SECONDS");

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"""elapsed_seconds"": [0-9.eE+-]+")]
    private static partial Regex Elapsed();

    [GeneratedRegex(@"(?<row>>Elapsed</th><td[^>]*>)[0-9.,]+ s")]
    private static partial Regex ReportElapsed();

    private static string FirstDifference(string a, string b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
            i++;
        int from = Math.Max(0, i - 200);
        return $"at character {i}:\nbuilt:     …{a[from..Math.Min(a.Length, i + 200)]}\npublished: …{b[from..Math.Min(b.Length, i + 200)]}";
    }

    [PublishedFact]
    public void Validate_gives_the_same_lines_for_every_shipped_file()
    {
        string[] files = [.. Directory.GetFiles(ValidateCommandTests.RepositoryFile("scenarios"), "*.yaml")
            .Select(f => "scenarios/" + Path.GetFileName(f)).Order(StringComparer.Ordinal)];
        Outcome outcome = Same(null, ["validate", .. files]);
        Assert.Equal(0, outcome.Code);
    }

    [PublishedFact]
    public void Validate_gives_the_same_lines_and_exit_for_hundreds_of_damaged_files()
    {
        // Damaged copies of every shipped file (MutationTests' edits, its seeds), each in a folder of its
        // own with the data tables beside it, all through one validate of each build.
        ScenarioMutator mutator = MutationTests.Mutator();
        string data = ValidateCommandTests.RepositoryFile("scenarios", "data");
        var targets = new List<string>();
        foreach (string target in mutator.Shipped.Keys.Order(StringComparer.Ordinal))
        {
            for (int seed = 1; seed <= 60; seed++)
            {
                Mutation m = mutator.Mutate(target, seed);
                string folder = $"m{targets.Count}";
                foreach (var (path, bytes) in m.Files)
                {
                    string file = Path.Combine(_dir, folder, path);
                    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                    File.WriteAllBytes(file, bytes);
                }

                Directory.CreateSymbolicLink(Path.Combine(_dir, folder, "scenarios", "data"), data);
                targets.Add($"{folder}/{target}");
            }
        }

        Outcome outcome = SameIn(_dir, null, ["validate", .. targets]);
        Assert.Equal(2, outcome.Code);
        // Most are rejected, each with positioned lines; a crash would be one 'impact: error' line and exit 1.
        Assert.DoesNotContain("impact: error", outcome.Err, StringComparison.Ordinal);
        Assert.True(outcome.Err.Split('\n').Count(l => l.StartsWith('m')) > targets.Count / 2, outcome.Err);
    }

    [PublishedFact]
    public void Describe_gives_the_same_population_as_text_and_json()
    {
        foreach (string scenario in (string[])["fraud-error-debt", "tailored-services", "research-statistics"])
        {
            Same(null, "describe", $"scenarios/{scenario}.yaml", "--population", "60000", "--seed", "7");
            Same(null, "describe", $"scenarios/{scenario}.yaml", "--population", "60000", "--json");
        }
    }

    [PublishedFact]
    public void Run_writes_the_same_folder_for_every_strand_and_the_package_and_compare_reads_them_alike()
    {
        string[] runs = [.. ((string[])["fraud-error-debt", "tailored-services", "research-statistics", "uk-data-sharing-package"])
            .Select(scenario =>
            {
                string output = Path.Combine(_dir, scenario);
                Outcome run = Same(output, "run", $"scenarios/{scenario}.yaml", "--population", "80000", "--replicates", "3", "--out", output);
                Assert.True(run.Code == 0, run.ToString());
                return output;
            })];

        Outcome compare = Same(Path.Combine(_dir, "compare"), ["compare", runs[0], runs[1], "--out", Path.Combine(_dir, "compare")]);
        Assert.True(compare.Code == 0, compare.ToString());
        // A run into a folder that exists is refused alike, and changes nothing in it.
        string[] before = [.. Directory.GetFiles(runs[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        Outcome refused = Same(null, "run", "scenarios/fraud-error-debt.yaml", "--population", "1000", "--replicates", "1", "--out", runs[0]);
        Assert.Equal(2, refused.Code);
        Assert.Equal(before, Directory.GetFiles(runs[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
    }

    [PublishedFact]
    public void Shards_and_their_merge_are_the_same()
    {
        string shards = Path.Combine(_dir, "shards");
        for (int i = 1; i <= 2; i++)
        {
            // Each build writes its own shards folder; the merge below reads the built ones.
            Outcome shard = Same(shards, "run", "scenarios/fraud-error-debt.yaml", "--population", "40000", "--replicates", "2",
                "--shard", $"{i}/2", "--out", shards);
            Assert.True(shard.Code == 0, shard.ToString());
            Directory.Move(shards, Path.Combine(_dir, $"shard{i}"));
        }

        // The merge reads every shard from one folder, as a cluster's shared folder holds them.
        for (int i = 1; i <= 2; i++)
        {
            string from = Path.Combine(_dir, $"shard{i}");
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                string to = Path.Combine(shards, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }

        string merged = Path.Combine(_dir, "merged");
        Outcome merge = Same(merged, "merge", shards, "--out", merged);
        Assert.True(merge.Code == 0, merge.ToString());
    }

    [PublishedFact]
    public void Power_and_a_small_pilot_are_the_same()
    {
        Same(null, "power", "proportions", "--p1", "0.2", "--p2", "0.25", "--power", "0.8");
        Same(null, "power", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--power", "0.9", "--json");
        string pilot = Path.Combine(_dir, "pilot");
        Outcome outcome = Same(pilot, "pilot", "scenarios/fraud-error-debt.yaml", "--simulations", "100", "--areas-per-arm", "2,4", "--out", pilot);
        Assert.True(outcome.Code == 0, outcome.ToString());
    }

    [PublishedFact]
    public void Bad_input_gets_the_same_line_and_exit_2()
    {
        Assert.Equal(2, Same(null, "run", "scenarios/no-such-file.yaml").Code);
        Assert.Equal(2, Same(null, "validate", "--bogus").Code);
        Assert.Equal(2, Same(null, "run", "scenarios/fraud-error-debt.yaml", "--population", "abc").Code);
        Assert.Equal(2, Same(null, "describe", "scenarios/fraud-error-debt.yaml", "--set", "Logging:Console:FormatterName=xml").Code);
        Assert.Equal(2, Same(null, "describe", "scenarios/fraud-error-debt.yaml", "--set", "Scenarios:MaxFileBytes=12").Code);
        // Serve's options are validated by their attributes (reflection the native build must keep).
        string inbox = Path.Combine(_dir, "inbox");
        Assert.Equal(2, Same(null, "serve", "--inbox", inbox, "--set", "Serve:LeaseSeconds=0").Code);
        Assert.Equal(2, Same(null, "serve", "--inbox", inbox, "--set", "Serve:PilotSimulations=99").Code);
        // YamlDotNet throws InvalidOperationException on this flow mapping (MutationTests pins it); whether
        // YamlDotNet threw it is read from the stack trace, which a native build words differently.
        string shipped = File.ReadAllText(ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"));
        string flow = Path.Combine(_dir, "flow.yaml");
        File.WriteAllText(flow, Regex.Replace(shipped, "^name: .*$", "name: { v{u: 4 }", RegexOptions.Multiline));
        Outcome broken = Same(null, "validate", flow);
        Assert.Equal(2, broken.Code);
        Assert.Contains("YAML syntax: cannot read past here", broken.Err, StringComparison.Ordinal);
    }

    [PublishedFact]
    public void The_native_build_refuses_the_pools_queue_with_a_usage_line_and_exit_2()
    {
        // IMPACT_TEST_EXECUTABLE is the native build here (tests/run.sh); a portable build has the queue and fails this.
        // The built executable can queue shards; the native one cannot (Hangfire's storage compiles
        // code as it runs) and says so before it touches the store.
        foreach (string[] args in (string[][])[
                     ["submit", "scenarios/fraud-error-debt.yaml", "--shards", "2", "--db", "Host=127.0.0.1;Port=1;Username=x;Password=y"],
                     ["serve", "--db", "Host=127.0.0.1;Port=1;Username=x;Password=y", "--inbox", Path.Combine(_dir, "inbox")]])
        {
            Outcome outcome = Impact(ImpactProcess.Published, Repository, args);
            Assert.True(outcome.Code == 2, outcome.ToString());
            Assert.Empty(outcome.Out);
            string line = Assert.Single(outcome.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("impact: ", line, StringComparison.Ordinal);
            Assert.Contains("needs the worker pool's queue, which the native build does not have", line, StringComparison.Ordinal);
        }
    }
}

/// <summary>
/// The results store from the native build against the built executable's, each with a database of
/// its own on a real server: <c>run --db</c> and <c>export</c> give the same output and folders.
/// </summary>
[Trait("Category", "Published")]
[Collection(Postgres.PostgresServerDefinition.Name)]
public sealed class PublishedStoreTests(Postgres.PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("impact-published-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Database(string connection) => new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!;

    [PublishedFact]
    public void Run_into_the_store_and_export_are_the_same()
    {
        string built = server.NewDatabase(), published = server.NewDatabase();
        // The command line (in the manifest) names each build's database.
        (string, string) alias = (Database(published), Database(built));
        string run = Path.Combine(_dir, "run");
        string[] Run(string db) => ["run", "scenarios/fraud-error-debt.yaml", "--population", "30000", "--replicates", "2", "--db", db, "--out", run];
        var outcome = PublishedBuildTests.SameIn(PublishedBuildTests.Repository, run, Run(built), Run(published), alias);
        Assert.True(outcome.Code == 0, outcome.ToString());
        string export = Path.Combine(_dir, "export");
        string[] Export(string db) => ["export", "1", "--db", db, "--out", export];
        outcome = PublishedBuildTests.SameIn(PublishedBuildTests.Repository, export, Export(built), Export(published), alias);
        Assert.True(outcome.Code == 0, outcome.ToString());
    }
}
