using System.Collections;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Strands.Research;
using ImpactModel.Tests.Support;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Tests.Cli;

/// <summary>
/// <c>impact run --shard I/N --out SHARDS</c> and <c>impact merge SHARDS --out DIR</c> (issue 24): the
/// merged run folder is byte-identical to one process's whatever the number of shards, their order or
/// a shard run twice; a missing, damaged or mismatched shard is one line naming it, exit 2, no folder.
/// </summary>
public sealed class ShardCommandTests : IDisposable
{
    private const string Replicates = "4", Population = "12000", Seed = "9";

    private static readonly string Fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");
    private static readonly string Tailored = ValidateCommandTests.RepositoryFile("scenarios", "tailored-services.yaml");

    private readonly string _dir = Directory.CreateTempSubdirectory("impact-shards-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string In(string name) => Path.Combine(_dir, name);

    private static CliRun Shard(string scenario, string shard, string folder, params string[] more) =>
        CliRun.Of(["run", scenario, "--replicates", Replicates, "--population", Population, "--seed", Seed, "--shard", shard, "--out", folder, .. more]);

    private string Local(string scenario, string name)
    {
        CliRun run = CliRun.Of("run", scenario, "--replicates", Replicates, "--population", Population, "--seed", Seed, "--out", In(name));
        Assert.True(run.ExitCode == 0, run.Error);
        return In(name);
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(3, 12)]
    [InlineData(7, 13)]
    public void Shards_in_any_order_one_twice_merge_to_the_run_folder_of_one_process(int shards, int order)
    {
        string local = Local(Fraud, "local");
        var random = new System.Random(order);
        int[] numbers = [.. Enumerable.Range(1, shards).OrderBy(_ => random.Next()), random.Next(1, shards + 1)];
        foreach (int number in numbers)
        {
            CliRun shard = Shard(Fraud, $"{number}/{shards}", In("shards"), "--threads", (1 + number % 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(shard.ExitCode == 0, shard.Error);
        }

        Assert.Contains("counted once", CliRun.Of(["run", Fraud, "--replicates", Replicates, "--population", Population, "--seed", Seed,
            "--shard", $"{numbers[^1]}/{shards}", "--out", In("shards")]).Error, StringComparison.Ordinal);
        Assert.Equal(shards, Directory.GetFiles(In("shards")).Length); // no partial file left, the repeated shard once

        CliRun merge = CliRun.Of("merge", In("shards"), "--out", In("merged"));
        Assert.True(merge.ExitCode == 0, merge.Error);
        foreach (string file in new[] { "results.csv", "replicates.csv", "parameters.csv", "safeguards.csv", "evidence.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(local, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(In("merged"), file))), file);
        Assert.True(File.Exists(Path.Combine(In("merged"), "report.html")), "the merge writes the report as a run does");
        Assert.Equal(File.ReadAllText(Path.Combine(local, "inputs", "fraud-error-debt.yaml")), File.ReadAllText(Path.Combine(In("merged"), "inputs", "fraud-error-debt.yaml")));
    }

    [Fact]
    public void The_tailored_services_strand_merges_to_the_results_of_one_process()
    {
        string local = Local(Tailored, "local");
        foreach (string shard in new[] { "2/3", "3/3", "1/3" })
            Assert.Equal(0, Shard(Tailored, shard, In("shards")).ExitCode);
        Assert.Equal(0, CliRun.Of("merge", In("shards"), "--out", In("merged")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(local, "results.csv")), File.ReadAllBytes(Path.Combine(In("merged"), "results.csv")));
    }

    [Fact]
    public void A_two_phase_research_run_needs_every_first_phase_before_a_second_and_merges_to_one_process()
    {
        // The research strand counting person by person passes over the persons twice: two phases.
        StrandRegistry twoPass = new StrandRegistry(BuiltInStrands.Registry.Fallback).With(StrandIds.Research,
            s => [.. BuiltInStrands.Registry.For(s).Models.Select(m => m is ResearchModel r ? r.CountingByPerson() : m)]);
        string research = ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml");
        RunCommand.RunOptions Options(string? output) => new([research], output, 2, 9, 20_000, 1, false, twoPass);
        var console = new CliConsole(new StringWriter(), new StringWriter(), IsTerminal: false);

        var e = Assert.Throws<UsageException>(() => ShardCommand.Run(Options(In("shards")), (1, 3), null, console, default));
        Assert.Contains("runs in 2 phases when sharded", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, ShardCommand.Run(Options(In("shards")), (1, 3), 1, console, default));
        e = Assert.Throws<UsageException>(() => ShardCommand.Run(Options(In("shards")), (2, 3), 2, console, default));
        Assert.Contains("needs every shard's earlier phases first", e.Message, StringComparison.Ordinal);
        Assert.Contains("shard 2/3 phase 1/2 is missing", e.Message, StringComparison.Ordinal);
        foreach (int shard in new[] { 3, 2 })
            Assert.Equal(0, ShardCommand.Run(Options(In("shards")), (shard, 3), 1, console, default));
        foreach (int shard in new[] { 2, 1, 3, 1 })
            Assert.Equal(0, ShardCommand.Run(Options(In("shards")), (shard, 3), 2, console, default));

        Assert.Equal(ExitCodes.Success, MergeCommand.Merge(In("shards"), new MergeCommand.MergeRequest(In("merged"), 0, false, twoPass), console, default));
        Assert.Equal(0, RunCommand.Run(Options(In("local")) with { Strands = BuiltInStrands.Registry }, console, default));
        Assert.Equal(File.ReadAllBytes(Path.Combine(In("local"), "results.csv")), File.ReadAllBytes(Path.Combine(In("merged"), "results.csv")));
    }

    [Fact]
    public void A_missing_shard_is_one_line_naming_it_and_nothing_is_written()
    {
        Assert.Equal(0, Shard(Fraud, "1/3", In("shards")).ExitCode);
        Assert.Equal(0, Shard(Fraud, "3/3", In("shards")).ExitCode);
        CliRun merge = CliRun.Of("merge", In("shards"), "--out", In("merged"));
        Assert.Equal(2, merge.ExitCode);
        string line = Assert.Single(merge.ErrorLines);
        Assert.Contains("shard 2/3 phase 1/1 of 'fraud-error-debt' (seed 9) is missing (shard-0002-of-0003.phase-1.imshard)", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(In("merged")));
        Assert.Empty(Directory.GetDirectories(_dir, "merged*"));
    }

    [Fact]
    public void A_damaged_shard_and_a_shard_of_another_seed_are_each_one_line_naming_the_file()
    {
        foreach (string shard in new[] { "1/2", "2/2" })
            Assert.Equal(0, Shard(Fraud, shard, In("shards")).ExitCode);
        CliRun other = CliRun.Of("run", Fraud, "--replicates", Replicates, "--population", Population, "--seed", "10", "--shard", "2/2", "--out", In("other"));
        Assert.Equal(0, other.ExitCode);
        // A shard of another run is refused by the shard itself, before it runs...
        CliRun refused = CliRun.Of("run", Fraud, "--replicates", Replicates, "--population", Population, "--seed", "10", "--shard", "1/2", "--out", In("shards"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("of another run (seed 9, not 10)", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);

        // ...and by the merge, when copied in; a torn file by its checksum.
        string second = Path.Combine(In("shards"), "shard-0002-of-0002.phase-1.imshard");
        File.Copy(Path.Combine(In("other"), "shard-0002-of-0002.phase-1.imshard"), second, overwrite: true);
        string first = Path.Combine(In("shards"), "shard-0001-of-0002.phase-1.imshard");
        byte[] bytes = File.ReadAllBytes(first);
        File.WriteAllBytes(first, bytes[..(bytes.Length / 2)]);
        CliRun merge = CliRun.Of("merge", In("shards"), "--out", In("merged"));
        Assert.Equal(2, merge.ExitCode);
        Assert.Contains(merge.ErrorLines, l => l.Contains("shard-0001-of-0002.phase-1.imshard: its checksum does not match", StringComparison.Ordinal));
        Assert.Contains(merge.ErrorLines, l => l.Contains("is missing (shard-0001-of-0002.phase-1.imshard)", StringComparison.Ordinal));
        Assert.False(Directory.Exists(In("merged")));
    }

    [Fact]
    public void A_torn_shard_is_written_over_when_its_shard_runs_again()
    {
        string local = Local(Fraud, "local");
        foreach (string shard in new[] { "1/2", "2/2" })
            Assert.Equal(0, Shard(Fraud, shard, In("shards")).ExitCode);
        string first = Path.Combine(In("shards"), "shard-0001-of-0002.phase-1.imshard");
        byte[] whole = File.ReadAllBytes(first);
        File.WriteAllBytes(first, whole[..(whole.Length / 3)]);
        Assert.Equal(2, CliRun.Of("merge", In("shards"), "--out", In("merged")).ExitCode);

        CliRun again = Shard(Fraud, "1/2", In("shards"));
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(whole, File.ReadAllBytes(first));
        Assert.Equal(0, CliRun.Of("merge", In("shards"), "--out", In("merged")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(local, "results.csv")), File.ReadAllBytes(Path.Combine(In("merged"), "results.csv")));
    }

    [Fact]
    public void A_folder_without_shards_and_bad_shard_options_are_one_line_each()
    {
        Directory.CreateDirectory(In("empty"));
        CliRun merge = CliRun.Of("merge", In("empty"), "--out", In("merged"));
        Assert.Equal(2, merge.ExitCode);
        Assert.Contains("no shard files", Assert.Single(merge.ErrorLines), StringComparison.Ordinal);

        foreach (var (shard, expected) in new[] { ("0/3", "I must be a whole number from 1 to 3"), ("4/3", "I must be"), ("x", "expected I/N or auto/N"),
                     ("1/0", "expected I/N") })
        {
            CliRun run = Shard(Fraud, shard, In("shards"));
            Assert.Equal(2, run.ExitCode);
            Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        }

        CliRun phase = CliRun.Of("run", Fraud, "--phase", "1", "--out", In("x"));
        Assert.Equal(2, phase.ExitCode);
        Assert.Contains("--phase is given with --shard only", phase.Error, StringComparison.Ordinal);
        CliRun tooMany = CliRun.Of("run", Fraud, "--replicates", "1", "--population", "5", "--shard", "1/7", "--out", In("shards"));
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("more than the persons", tooMany.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(In("x")));
    }

    [Theory]
    [InlineData("JOB_COMPLETION_INDEX", "0", 1)]
    [InlineData("JOB_COMPLETION_INDEX", "6", 7)]
    [InlineData("SLURM_ARRAY_TASK_ID", "1", 1)]
    [InlineData("SLURM_ARRAY_TASK_ID", "7", 7)]
    public void Auto_takes_the_shard_from_the_scheduler(string variable, string value, int expected) =>
        Assert.Equal((expected, 7), ShardCommand.Parse("auto/7", new Hashtable { [variable] = value }));

    [Theory]
    [InlineData("JOB_COMPLETION_INDEX", "7", "is not 0 to 6")]
    [InlineData("SLURM_ARRAY_TASK_ID", "0", "--array=1-7")]
    [InlineData("OTHER", "1", "neither JOB_COMPLETION_INDEX")]
    public void Auto_outside_the_schedulers_range_is_refused_naming_the_variable(string variable, string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => ShardCommand.Parse("auto/7", new Hashtable { [variable] = value }));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shards_run_as_processes_of_a_slurm_array_merge_to_one_process()
    {
        string local = Local(Fraud, "local");
        var processes = new List<ImpactProcess>();
        try
        {
            foreach (string task in new[] { "2", "1" })
            {
                processes.Add(ImpactProcess.StartWith(new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = task }, _dir,
                    "run", Fraud, "--replicates", Replicates, "--population", Population, "--seed", Seed, "--shard", "auto/2", "--out", In("shards")));
            }

            foreach (ImpactProcess p in processes)
            {
                Assert.True(p.WaitForExit(ImpactProcess.Patience), "the shard ended");
                Assert.True(p.ExitCode == 0, p.Error);
            }
        }
        finally
        {
            foreach (ImpactProcess p in processes)
                p.Dispose();
        }

        Assert.Equal(0, CliRun.Of("merge", In("shards"), "--out", In("merged")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(local, "results.csv")), File.ReadAllBytes(Path.Combine(In("merged"), "results.csv")));
    }
}
