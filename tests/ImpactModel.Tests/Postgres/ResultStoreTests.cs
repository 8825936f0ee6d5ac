using System.Text;
using ImpactModel.Postgres;
using static ImpactModel.Tests.Postgres.StoreTesting;

namespace ImpactModel.Tests.Postgres;

/// <summary>Scenarios, runs, results and files: what goes in comes out. The tests share one database.</summary>
[Collection(PostgresServerDefinition.Name)]
public sealed class ResultStoreTests(PostgresServer server) : IDisposable
{
    private readonly ResultStore _store = ResultStore.Open(server.DatabaseFor(typeof(ResultStoreTests)));

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_scenario_saved_twice_is_stored_once_and_gains_its_inputs()
    {
        string sha = Sha256(Guid.NewGuid().ToByteArray());
        long first = _store.SaveScenario("fraud", "fraud", sha, "name: fraud\n", inputs: null);
        long second = _store.SaveScenario("fraud", "fraud", sha, "name: fraud\n", inputs: [1, 2, 3]);
        long third = _store.SaveScenario("fraud", "fraud", sha, "name: fraud\n", inputs: null);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.NotEqual(first, _store.SaveScenario("fraud", "fraud", Sha256(Guid.NewGuid().ToByteArray()), "name: fraud\n", null));
    }

    [Fact]
    public void A_created_run_reads_back_with_its_scenario_and_every_field()
    {
        long scenario = NewScenario(_store, "tailored-services");
        var run = new NewRun(scenario, ulong.MaxValue, 40, 2_000_000, Engine)
        {
            DeclaredPopulation = 67_000_000,
            Shards = 4,
            Phases = 2,
            SubmittedBy = "analyst@host",
            Headline = "fraud: £1.2bn a year",
            Settings = """{"threads": 2, "variants": ["baseline", "review"]}""",
        };

        long id = _store.CreateRun(run);
        RunRecord stored = _store.GetRun(id)!;

        Assert.Equal((id, scenario, "tailored-services", "fraud"), (stored.Id, stored.ScenarioId, stored.ScenarioName, stored.Strand));
        Assert.Equal((ulong.MaxValue, 40, 2_000_000L, 67_000_000L), (stored.Seed, stored.Replicates, stored.Persons, stored.DeclaredPopulation));
        Assert.Equal((Engine, 4, 2, RunStatus.Queued), (stored.EngineVersion, stored.Shards, stored.Phases, stored.Status));
        Assert.Equal(("analyst@host", "fraud: £1.2bn a year"), (stored.SubmittedBy, stored.Headline));
        Assert.Contains("\"variants\": [\"baseline\", \"review\"]", stored.Settings, StringComparison.Ordinal);
        Assert.Null(stored.StartedAt);
        Assert.Null(stored.FinishedAt);
        Assert.InRange(stored.SubmittedAt, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        ShardProgress progress = _store.Progress(id);
        Assert.Equal([new PhaseProgress(1, 4, 4, 0, 0, 0), new PhaseProgress(2, 4, 4, 0, 0, 0)], progress.Phases);
        Assert.False(progress.Complete);
    }

    [Fact]
    public void A_seed_of_zero_and_no_declared_population_read_back()
    {
        long id = _store.CreateRun(Run(NewScenario(_store), seed: 0));
        RunRecord stored = _store.GetRun(id)!;
        Assert.Equal(0UL, stored.Seed);
        Assert.Null(stored.DeclaredPopulation);
        Assert.Null(stored.Settings);
    }

    [Fact]
    public void A_run_of_a_missing_scenario_or_with_no_replicates_is_refused()
    {
        Assert.Throws<KeyNotFoundException>(() => _store.CreateRun(Run(long.MaxValue)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.CreateRun(Run(NewScenario(_store), replicates: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.CreateRun(Run(NewScenario(_store), shards: 0)));
        Assert.Null(_store.GetRun(long.MaxValue));
    }

    [Fact]
    public void Runs_are_listed_newest_first_up_to_the_limit()
    {
        long scenario = NewScenario(_store);
        long[] ids = [.. Enumerable.Range(0, 3).Select(_ => _store.CreateRun(Run(scenario)))];

        IReadOnlyList<RunRecord> newest = _store.ListRuns(limit: 2);

        Assert.Equal([ids[2], ids[1]], newest.Select(r => r.Id));
        Assert.True(_store.ListRuns().Count >= 3);
    }

    [Fact]
    public void Run_status_stamps_start_and_finish_and_keeps_error_and_headline()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));

        _store.SetRunStatus(id, RunStatus.Running);
        RunRecord running = _store.GetRun(id)!;
        _store.SetRunStatus(id, RunStatus.Merging);
        _store.SetRunStatus(id, RunStatus.Done, headline: "done: 12 rows");
        RunRecord done = _store.GetRun(id)!;

        Assert.Equal(RunStatus.Running, running.Status);
        Assert.NotNull(running.StartedAt);
        Assert.Null(running.FinishedAt);
        Assert.Equal(RunStatus.Done, done.Status);
        Assert.Equal(running.StartedAt, done.StartedAt);
        Assert.NotNull(done.FinishedAt);
        Assert.True(done.ElapsedSeconds >= 0);
        Assert.Equal("done: 12 rows", done.Headline);
        Assert.Null(done.Error);

        _store.SetRunStatus(id, RunStatus.Failed, error: "the disk is full");
        RunRecord failed = _store.GetRun(id)!;
        Assert.Equal((RunStatus.Failed, "the disk is full", "done: 12 rows"), (failed.Status, failed.Error, failed.Headline));
    }

    [Fact]
    public void An_unknown_status_or_run_is_refused()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        ArgumentException e = Assert.Throws<ArgumentException>(() => _store.SetRunStatus(id, "finished"));
        Assert.Contains("unknown run status 'finished'", e.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => _store.SetRunStatus(long.MaxValue, RunStatus.Done));
    }

    [Fact]
    public void The_same_result_is_found_by_scenario_sha_seed_replicates_persons_and_engine()
    {
        string sha = Sha256(Guid.NewGuid().ToByteArray());
        long scenario = _store.SaveScenario("fraud", "fraud", sha, "name: fraud\n", null);
        long same = _store.CreateRun(Run(scenario, seed: 7, replicates: 5, persons: 1000));
        long sameAgain = _store.CreateRun(Run(scenario, seed: 7, replicates: 5, persons: 1000, shards: 3));
        _store.CreateRun(Run(scenario, seed: 8, replicates: 5, persons: 1000));
        _store.CreateRun(Run(scenario, seed: 7, replicates: 6, persons: 1000));
        _store.CreateRun(Run(scenario, seed: 7, replicates: 5, persons: 1001));
        _store.CreateRun(Run(NewScenario(_store), seed: 7, replicates: 5, persons: 1000));

        IReadOnlyList<RunRecord> found = _store.SameResult(sha, 7, 5, 1000, Engine);

        Assert.Equal([sameAgain, same], found.Select(r => r.Id));
        Assert.Empty(_store.SameResult(sha, 7, 5, 1000, "0.2.0"));
    }

    [Fact]
    public void Results_travel_by_binary_copy_in_order_with_empty_cells_and_NaN_as_null()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        StoredResultRow[] rows =
        [
            new("fraud-test", "fraud", "baseline", "all", "flagged_rate", 0.1 + 0.2, 0.25, 0.35, 3, 1e-300, 42),
            new("fraud-test", "fraud", "baseline", "rest", "flagged_rate", null, null, null, 3, null, null),
            new("fraud-test", "fraud", "review", "all", "cost_gbp", double.NaN, double.NaN, 5e300, 1, double.NaN, 0),
            new("fraud-test", "fraud", "réview «ü» 中文", "group, \"quoted\"", "m", -0.0, double.Epsilon, double.MaxValue, 3, 2.5, long.MaxValue),
        ];

        _store.WriteResults(id, rows);
        IReadOnlyList<StoredResultRow> back = _store.ReadResults(id);

        StoredResultRow[] expected =
        [
            rows[0],
            rows[1],
            rows[2] with { Mean = null, CiLow = null, McSe = null },
            rows[3],
        ];
        Assert.Equal(expected, back);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.1 + 0.2), BitConverter.DoubleToInt64Bits(back[0].Mean!.Value));
        Assert.True(double.IsNegative(back[3].Mean!.Value), "-0 keeps its sign");
    }

    [Fact]
    public void Writing_results_again_replaces_them()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        StoredResultRow Row(string metric) => new("s", "fraud", "baseline", "all", metric, 1, null, null, 1, null, 1);

        _store.WriteResults(id, [.. Enumerable.Range(0, 1000).Select(i => Row($"m{i}"))]);
        _store.WriteResults(id, [Row("b"), Row("a")]);

        Assert.Equal(["b", "a"], _store.ReadResults(id).Select(r => r.Metric));
        _store.WriteResults(id, []);
        Assert.Empty(_store.ReadResults(id));
        Assert.Throws<KeyNotFoundException>(() => _store.WriteResults(long.MaxValue, [Row("x")]));
    }

    [Fact]
    public void A_failing_row_source_leaves_the_earlier_results_in_place()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        StoredResultRow row = new("s", "fraud", "baseline", "all", "kept", 1, null, null, 1, null, 1);
        _store.WriteResults(id, [row]);

        static IEnumerable<StoredResultRow> Broken(StoredResultRow first)
        {
            yield return first with { Metric = "lost" };
            throw new InvalidDataException("results.csv line 3: not a number");
        }

        Assert.Throws<InvalidDataException>(() => _store.WriteResults(id, Broken(row)));
        Assert.Equal([row], _store.ReadResults(id));
    }

    [Fact]
    public void Run_files_round_trip_and_a_name_written_again_is_replaced()
    {
        long id = _store.CreateRun(Run(NewScenario(_store)));
        byte[] manifest = Encoding.UTF8.GetBytes("""{"scenario": "fraud"}""");
        byte[] binary = [0, 255, 0, 1, 2];

        _store.WriteFiles(id, new Dictionary<string, byte[]> { ["manifest.json"] = manifest, ["charts/a.svg"] = binary, ["empty.txt"] = [] });
        _store.WriteFiles(id, new Dictionary<string, byte[]> { ["manifest.json"] = Encoding.UTF8.GetBytes("{}") });
        IReadOnlyDictionary<string, byte[]> files = _store.ReadFiles(id);

        Assert.Equal(["charts/a.svg", "empty.txt", "manifest.json"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("{}", Encoding.UTF8.GetString(files["manifest.json"]));
        Assert.Equal(binary, files["charts/a.svg"]);
        Assert.Empty(files["empty.txt"]);
        Assert.Empty(_store.ReadFiles(_store.CreateRun(Run(NewScenario(_store)))));
        Assert.Throws<KeyNotFoundException>(() => _store.WriteFiles(long.MaxValue, new Dictionary<string, byte[]> { ["a"] = [1] }));
    }
}
