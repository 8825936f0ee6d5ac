using ImpactModel.Postgres;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Postgres;

/// <summary>
/// The verbs with the results store, against a real server (issue 24): a run stored and exported back
/// byte for byte; shards written to the store in any order, one twice, merged to the results of one
/// process; the history names a repeated result; a server that cannot be reached or refuses the
/// password is one line naming the host, never the password, exit 1.
/// </summary>
[Collection(PostgresServerDefinition.Name)]
public sealed class StoreCommandTests(PostgresServer server) : IDisposable
{
    private static readonly string Fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");

    private readonly string _db = server.DatabaseFor(typeof(StoreCommandTests));
    private readonly string _dir = Directory.CreateTempSubdirectory("impact-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string In(string name) => Path.Combine(_dir, name);

    private static string[] Size => Sized("21");

    private static string[] Sized(string seed) => ["--replicates", "3", "--population", "8000", "--seed", seed];

    [Fact]
    public void A_run_with_db_is_stored_and_exported_byte_for_byte_and_a_repeat_is_named_the_same_result()
    {
        CliRun run = CliRun.Of(["run", Fraud, .. Size, "--out", In("local"), "--db", _db]);
        Assert.True(run.ExitCode == 0, run.Error);
        long id = long.Parse(System.Text.RegularExpressions.Regex.Match(run.Error, @"stored as run (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        CliRun export = CliRun.Of("export", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", In("exported"), "--db", _db);
        Assert.True(export.ExitCode == 0, export.Error);
        foreach (string file in Directory.EnumerateFiles(In("local"), "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(In("local"), file);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(In("exported"), relative))), relative);
        }

        string manifest = File.ReadAllText(Path.Combine(In("local"), "manifest.json"));
        Assert.Contains("--db", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, manifest, StringComparison.Ordinal); // the command line is kept without the password
        using (ResultStore store = ResultStore.Open(_db))
        {
            IReadOnlyList<StoredResultRow> rows = store.ReadResults(id);
            Assert.Equal(File.ReadAllLines(Path.Combine(In("local"), "results.csv")).Length - 1, rows.Count);
            Assert.Equal(RunStatus.Done, store.GetRun(id)!.Status);
        }

        Assert.Equal(0, CliRun.Of(["run", Fraud, .. Size, "--out", In("again"), "--db", _db]).ExitCode);
        CliRun runs = CliRun.Of("runs", "--db", _db);
        Assert.Equal(0, runs.ExitCode);
        Assert.Contains(runs.OutLines, l => l.Contains($"(the same result as run {id})", StringComparison.Ordinal));
        Assert.Contains(runs.OutLines, l => l.StartsWith($"{id}  fraud-error-debt", StringComparison.Ordinal) && l.Contains("done  proposal ", StringComparison.Ordinal));

        CliRun exists = CliRun.Of("export", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", In("exported"), "--db", _db);
        Assert.Equal(2, exists.ExitCode);
        Assert.Contains("already exists", exists.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Shards_written_to_the_store_in_any_order_one_twice_merge_to_the_results_of_one_process()
    {
        Assert.Equal(0, CliRun.Of(["run", Fraud, .. Size, "--out", In("local")]).ExitCode);
        foreach (string shard in new[] { "3/3", "1/3", "3/3", "2/3" })
        {
            CliRun written = CliRun.Of(["run", Fraud, .. Size, "--shard", shard, "--db", _db]);
            Assert.True(written.ExitCode == 0, written.Error);
        }

        long id;
        using (ResultStore store = ResultStore.Open(_db))
        {
            RunRecord run = store.ListRuns().First(r => r.Shards == 3);
            id = run.Id;
            Assert.Equal(3, store.StoredShards(id).Count); // the repeated shard once
            Assert.True(store.Progress(id).Complete);
        }

        CliRun status = CliRun.Of("status", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", _db);
        Assert.Contains("phase 1: 3 of 3 shards done", status.Out, StringComparison.Ordinal);
        CliRun merge = CliRun.Of("merge", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", In("merged"), "--db", _db);
        Assert.True(merge.ExitCode == 0, merge.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(In("local"), "results.csv")), File.ReadAllBytes(Path.Combine(In("merged"), "results.csv")));
        using (ResultStore store = ResultStore.Open(_db))
            Assert.Equal(RunStatus.Done, store.GetRun(id)!.Status);

        // A finished run is not merged again (its folder comes from export), and stays done.
        CliRun again = CliRun.Of("merge", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", In("merged-again"), "--db", _db);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already merged", Assert.Single(again.ErrorLines), StringComparison.Ordinal);
        using (ResultStore store = ResultStore.Open(_db))
            Assert.Equal(RunStatus.Done, store.GetRun(id)!.Status);
    }

    [Fact]
    public void A_run_whose_shards_are_not_all_stored_is_refused_at_merge_naming_the_missing_one()
    {
        Assert.Equal(0, CliRun.Of(["run", Fraud, .. Sized("22"), "--shard", "2/2", "--db", _db]).ExitCode);
        long id;
        using (ResultStore store = ResultStore.Open(_db))
            id = store.ListRuns().First(r => r.Seed == 22).Id;
        CliRun merge = CliRun.Of("merge", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", In("merged"), "--db", _db);
        Assert.Equal(2, merge.ExitCode);
        Assert.Contains("shard 1/2 phase 1/1 of 'fraud-error-debt' (seed 22) is missing", Assert.Single(merge.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(In("merged")));
    }

    [Fact]
    public void An_unreachable_server_or_a_wrong_password_is_one_line_naming_the_host_never_the_password()
    {
        const string Secret = "wr0ng-Secret-0f-the-test";
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(_db) { Password = Secret };
        CliRun refused = CliRun.Of(["run", Fraud, .. Size, "--out", In("x"), "--db", builder.ConnectionString]);
        Assert.Equal(1, refused.ExitCode);
        string line = Assert.Single(refused.ErrorLines);
        Assert.Contains(server.Endpoint, line, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(In("x")), "nothing runs before the store is reached");

        var unreachable = new Npgsql.NpgsqlConnectionStringBuilder(_db) { Port = PostgresServer.FreePort(), Password = Secret, Timeout = 5 };
        CliRun gone = CliRun.Of("runs", "--db", unreachable.ConnectionString);
        Assert.Equal(1, gone.ExitCode);
        line = Assert.Single(gone.ErrorLines);
        Assert.Contains($"127.0.0.1:{unreachable.Port}", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_whose_shards_would_not_fit_in_one_value_of_the_store_is_refused_before_it_runs()
    {
        // The research strand's class counts: about 16 MB a replicate, so 100 replicates in one shard are over the 900 MB kept in one value.
        string research = ValidateCommandTests.RepositoryFile("scenarios", "research-statistics.yaml");
        CliRun submit = CliRun.Of("submit", research, "--replicates", "100", "--db", _db);
        Assert.Equal(2, submit.ExitCode);
        Assert.Contains("use at least 2 shards", Assert.Single(submit.ErrorLines), StringComparison.Ordinal);
        CliRun shard = CliRun.Of("run", research, "--replicates", "100", "--shard", "1/1", "--db", _db);
        Assert.Equal(2, shard.ExitCode);
        Assert.Contains("or a shared folder (--out SHARDS)", Assert.Single(shard.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void The_store_verbs_without_a_store_and_an_unknown_run_are_one_line_each()
    {
        CliRun none = CliRun.Of("runs");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("needs the results store", Assert.Single(none.ErrorLines), StringComparison.Ordinal);
        CliRun unknown = CliRun.Of("export", "999999", "--out", In("x"), "--db", _db);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("there is no run 999999", Assert.Single(unknown.ErrorLines), StringComparison.Ordinal);
    }
}
