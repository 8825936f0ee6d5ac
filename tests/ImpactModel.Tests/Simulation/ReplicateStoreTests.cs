using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Cli;
using ImpactModel.Tests.Strands.Fraud;
using ImpactModel.Worker.Output;

namespace ImpactModel.Tests.Simulation;

/// <summary>Per-replicate values kept out of memory: stores, bounded reads, the spill file and what a run folder holds.</summary>
public sealed class ReplicateStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "impact-store-tests-" + Guid.NewGuid().ToString("N"));

    public ReplicateStoreTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string> Stores => new() { "memory", "file" };

    private IReplicateStore Make(string kind) => kind == "memory" ? new MemoryReplicateStore() : new FileReplicateStore(Path.Combine(_root, "values.bin"));

    [Theory, MemberData(nameof(Stores))]
    public void A_store_gives_back_each_value_by_column_and_by_record(string kind)
    {
        using IReplicateStore store = Make(kind);
        const int Replicates = 37, Length = 11;
        double Value(int r, int i) => i == 3 ? double.NaN : r * 1000 + i + 0.25;
        var record = new double[Length];
        for (int r = 0; r < Replicates; r++)
        {
            for (int i = 0; i < Length; i++)
                record[i] = Value(r, i);
            store.Append(record);
        }

        Assert.Equal((Replicates, Length), (store.Replicates, store.RecordLength));
        var columns = new double[4 * Replicates];
        store.ReadColumns(2, 4, columns);
        for (int i = 0; i < 4; i++)
        {
            for (int r = 0; r < Replicates; r++)
                Assert.Equal(Value(r, 2 + i), columns[i * Replicates + r]);
        }

        store.ReadRecord(20, record);
        Assert.Equal(Enumerable.Range(0, Length).Select(i => Value(20, i)), record);
        Assert.Throws<ArgumentException>(() => store.Append(new double[Length + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadColumns(9, 3, new double[3 * Replicates]));
    }

    /// <summary>A store that refuses any read larger than the block bound: readers must never ask for everything at once.</summary>
    private sealed class BoundedReads(int replicates, int length) : IReplicateStore
    {
        public int Replicates => replicates;

        public int RecordLength => length;

        public long Largest { get; private set; }

        public void Append(ReadOnlySpan<double> record) => throw new NotSupportedException();

        public void ReadColumns(int first, int count, Span<double> destination)
        {
            Largest = Math.Max(Largest, (long)count * replicates);
            Assert.True((long)count * replicates <= ReplicateStores.BlockValues, $"a read of {count} × {replicates} values");
            for (int i = 0; i < count; i++)
                destination.Slice(i * replicates, replicates).Fill(first + i);
        }

        public void ReadRecord(int replicate, Span<double> destination) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Columns_are_read_in_blocks_of_bounded_size_whatever_the_replicates()
    {
        // 8,000 series of 100,000 replicates: 6.4 GB if read at once.
        var store = new BoundedReads(100_000, 8_000);
        long seen = 0;
        ReplicateStores.ForEachColumn(store, 0, 8_000, (i, values) =>
        {
            Assert.Equal(100_000, values.Length);
            Assert.Equal(i, values[^1]);
            seen++;
        });
        Assert.Equal(8_000, seen);
        Assert.InRange(store.Largest, 1, ReplicateStores.BlockValues);
    }

    /// <summary>Counts the replicates appended, to see when they arrive.</summary>
    private sealed class Watched : IReplicateStore
    {
        private readonly MemoryReplicateStore _inner = new();

        public int Replicates => _inner.Replicates;

        public int RecordLength => _inner.RecordLength;

        public void Append(ReadOnlySpan<double> record) => _inner.Append(record);

        public void ReadColumns(int first, int count, Span<double> destination) => _inner.ReadColumns(first, count, destination);

        public void ReadRecord(int replicate, Span<double> destination) => _inner.ReadRecord(replicate, destination);

        public void Dispose() => _inner.Dispose();
    }

    [Fact]
    public void The_runner_hands_each_replicate_to_the_store_as_soon_as_it_is_done()
    {
        Scenario s = FraudStrandTests.ShippedScenario();
        var store = new Watched();
        var stored = new List<(int Done, int Stored)>();
        var progress = new SynchronousProgress(p =>
        {
            if (p.PersonsDone == p.PersonsTotal / p.Replicates * p.ReplicatesDone)
                stored.Add((p.ReplicatesDone, store.Replicates));
        });
        RunResult r = SimulationRunner.Run(s, new RunSettings(2, 5, 2_000), BuiltInStrands.Registry, progress, store: store);
        Assert.Contains((5, 5), stored);
        Assert.All(stored.Where(x => x.Done > 0), x => Assert.Equal(x.Done, x.Stored));
        Assert.Same(store, r.Values);
        Assert.Equal(r.SeriesKeys.Count + r.ParameterKeys.Count, store.RecordLength);
    }

    private sealed class SynchronousProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            lock (this)
                report(value);
        }
    }

    [Fact]
    public void Without_replicates_csv_the_run_folder_keeps_the_spill_file_with_the_same_values()
    {
        string fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");
        string with = Path.Combine(_root, "with"), without = Path.Combine(_root, "without");
        Assert.Equal(0, CliRun.Of("run", fraud, "--population", "3000", "--replicates", "4", "--seed", "9", "--out", with).ExitCode);
        CliRun run = CliRun.Of("run", fraud, "--population", "3000", "--replicates", "4", "--seed", "9", "--out", without, "--no-replicates-csv");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(File.Exists(Path.Combine(with, "replicates.bin")), "with replicates.csv the spill file is removed");
        Assert.False(File.Exists(Path.Combine(without, "replicates.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(with, "results.csv")), File.ReadAllBytes(Path.Combine(without, "results.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(with, "parameters.csv")), File.ReadAllBytes(Path.Combine(without, "parameters.csv")));

        // Column c of replicates.bin, replicate r, is the value replicates.csv gives that series and replicate.
        string[] columns = File.ReadAllLines(Path.Combine(without, "replicates-columns.csv"));
        Assert.Equal("column,kind,variant,group,metric", columns[0]);
        byte[] bin = File.ReadAllBytes(Path.Combine(without, "replicates.bin"));
        int length = columns.Length - 1;
        Assert.Equal(4L * length * sizeof(double), bin.Length);
        var seriesColumn = columns.Skip(1).Select(l => l.Split(',')).Where(c => c[1] == "series")
            .ToDictionary(c => (c[2], c[3], c[4]), c => int.Parse(c[0], System.Globalization.CultureInfo.InvariantCulture));
        int checkedValues = 0;
        foreach (string line in File.ReadLines(Path.Combine(with, "replicates.csv")).Skip(1))
        {
            string[] c = line.Split(',');
            int replicate = int.Parse(c[4], System.Globalization.CultureInfo.InvariantCulture);
            double stored = BitConverter.ToDouble(bin, (replicate * length + seriesColumn[(c[1], c[2], c[3])]) * sizeof(double));
            if (c[5].Length == 0)
                Assert.False(double.IsFinite(stored));
            else
                Assert.Equal(double.Parse(c[5], System.Globalization.CultureInfo.InvariantCulture), stored);
            checkedValues++;
        }

        Assert.Equal(4 * seriesColumn.Count, checkedValues);
    }

    [Fact]
    public void A_linkage_compiled_again_with_the_same_inputs_reuses_its_tables_and_with_other_inputs_does_not()
    {
        Scenario s = FraudStrandTests.ShippedScenario();
        var population = CompiledPopulation.Compile(s.Population, 3, 0);
        // Held as written (no spread by grade), the linkage's parameters draw the same values in every replicate.
        static ImpactModel.Scenarios.Model.Parameter AsWritten(ImpactModel.Scenarios.Model.Parameter p) => p with { Spread = 0 };
        CompiledLinkage a = CompiledLinkage.Compile(s, s.Linkages[0], population.GroupIds, 3, 0, AsWritten);
        CompiledLinkage b = CompiledLinkage.Compile(s, s.Linkages[0], population.GroupIds, 3, 1, AsWritten); // fixed parameters: same draws
        Assert.NotNull(a.Own);
        Assert.Same(a.Own, b.Own);
        Assert.NotEqual(a.CandidateKey, b.CandidateKey); // the random streams are the replicate's own
        CompiledLinkage c = CompiledLinkage.Compile(s, s.Linkages[0], population.GroupIds, 3, 0,
            p => p.Path.Contains("candidates_per_block", StringComparison.Ordinal) ? p with { Value = new FixedValue(1.5), Spread = 0 } : AsWritten(p));
        Assert.NotSame(a.Own, c.Own);
    }
}
