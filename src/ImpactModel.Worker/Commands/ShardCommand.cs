using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using ImpactModel.Postgres;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Simulation.Shards;
using ImpactModel.Worker.Cli;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Store;

namespace ImpactModel.Worker.Commands;

/// <summary>
/// <c>impact run SCENARIO --shard I/N [--phase P] --out SHARDS</c>: runs shard I of N of the run the
/// other options describe and writes its integer tallies to the shared folder SHARDS as one file,
/// <c>shard-000I-of-000N.phase-P.imshard</c>, which appears whole (written beside it, flushed, then
/// renamed). A shard written again (a retried job) finds its file there and is counted once. The
/// file holds the scenario and every file it references, so <c>impact merge SHARDS</c> needs nothing
/// else. <c>--shard auto/N</c> takes I from a Kubernetes indexed job (<c>JOB_COMPLETION_INDEX</c> + 1)
/// or a Slurm array submitted with <c>--array=1-N</c> (<c>SLURM_ARRAY_TASK_ID</c>).
/// </summary>
internal static class ShardCommand
{
    /// <summary>Kubernetes sets it in each pod of an indexed job: 0 … completions − 1.</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <summary>Slurm sets it in each task of an array job: the task's index as given to <c>--array</c>.</summary>
    public const string SlurmIndex = "SLURM_ARRAY_TASK_ID";

    /// <summary>
    /// Reads <c>--shard</c>: <c>I/N</c> with 1 ≤ I ≤ N, or <c>auto/N</c> with I from the scheduler's
    /// variable in <paramref name="environment"/>. A problem is a <see cref="UsageException"/> naming the option.
    /// </summary>
    public static (int Number, int Of) Parse(string text, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        string[] parts = text.Split('/');
        int of = parts.Length == 2 ? CommonOptions.WholeNumber(parts[1], 1, ShardPlan.MaxShards) ?? 0 : 0;
        if (of == 0)
            throw new UsageException($"--shard '{text}': expected I/N or auto/N, N a whole number from 1 to {ShardPlan.MaxShards:N0}");
        if (parts[0] != "auto")
        {
            int number = CommonOptions.WholeNumber(parts[0], 1, of) ?? 0;
            return number > 0 ? (number, of) : throw new UsageException($"--shard '{text}': I must be a whole number from 1 to {of}");
        }

        if (environment[KubernetesIndex] is string index)
        {
            int zeroBased = CommonOptions.WholeNumber(index, 0, of - 1) ?? -1;
            return zeroBased >= 0 ? (zeroBased + 1, of)
                : throw new UsageException($"--shard auto/{of}: {KubernetesIndex}={index} is not 0 to {of - 1} (the job's completions must be {of})");
        }

        if (environment[SlurmIndex] is string task)
        {
            int number = CommonOptions.WholeNumber(task, 1, of) ?? 0;
            return number > 0 ? (number, of)
                : throw new UsageException($"--shard auto/{of}: {SlurmIndex}={task} is not 1 to {of} (submit the array with --array=1-{of})");
        }

        throw new UsageException($"--shard auto/{of}: neither {KubernetesIndex} (a Kubernetes indexed job) nor {SlurmIndex} (a Slurm array) is set; give the shard as I/{of}");
    }

    /// <summary>Runs one shard's phase and writes it into <c>options.Out</c> (the shared folder), or into the results store when there is no --out.</summary>
    public static int Run(RunCommand.RunOptions options, (int Number, int Of) shard, int? phase, CliConsole console, CancellationToken cancellationToken)
    {
        if (options.Files.Length != 1)
            throw new UsageException("--shard runs one scenario: give exactly one SCENARIO");
        if (options.Out is null && options.Store is null)
            throw new UsageException("--shard needs --out SHARDS (the shared folder every shard of the run writes into) or the results store (--db)");
        if (options.Sensitivity)
            throw new UsageException("--sensitivity is not run in shards: run it in one process");
        if (options.Json)
            throw new UsageException("--json is not written by a shard: its file and the merge's run folder are the results");

        var files = new RememberingScenarioFiles(options.ScenarioFiles);
        Scenario scenario = LoadScenario(options.Files[0], files);
        IReadOnlyList<IStrandModel> models = options.Strands.For(scenario).Models;
        int phases = ShardRunner.Phases(models);
        int p = phase ?? (phases == 1 ? 1
            : throw new UsageException($"'{scenario.Name}' runs in {phases} phases when sharded: run every shard with --phase 1, then every shard with --phase 2" +
                                       (phases > 2 ? " …" : "") + ", then impact merge"));
        if (p > phases)
            throw new UsageException($"--phase {p}: '{scenario.Name}' runs in {phases} phase{(phases == 1 ? "" : "s")} when sharded");
        long persons = options.Persons ?? RunCommand.DefaultPersonsOf(scenario);
        ShardPlan plan = ShardPlan.TryCreate(shard.Of, options.Replicates, persons, out string? problem)
                         ?? throw new UsageException($"--shard {shard.Number}/{shard.Of}: {problem}");
        ShardSpan span = plan.Shard(shard.Number);
        var settings = new RunSettings(options.Seed, options.Replicates, persons, options.Threads, options.ChunkSize);
        ShardHeader header = Header(scenario, files, settings, models, span, p, phases);

        IEnumerable<ShardBlock> Blocks(IShardSource? earlier)
        {
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"impact: run {scenario.Name}: {header.Name}: replicates {span.FirstReplicate + 1}–{span.FirstReplicate + span.Replicates} of {settings.Replicates}, " +
                $"persons {span.FirstPerson:N0}–{span.FirstPerson + span.Persons - 1:N0} of {settings.Persons:N0}, seed {settings.Seed}"));
            return ShardRunner.RunPhase(scenario, settings, models, plan, span, p, earlier, new RunCommand.LogProgress(console.Error, $"{scenario.Name}: {header.Name}"), cancellationToken);
        }

        // The shards this one's earlier phases need: every shard covering its replicates, in every earlier phase.
        (int Shard, int Phase)[] needed = [.. Enumerable.Range(1, p - 1).SelectMany(q => Enumerable.Range(span.FirstReplicate, span.Replicates)
            .SelectMany(plan.Covering).Select(s => s.Number).Distinct().Select(s => (s, q)))];
        if (options.Out is null)
            RequireFitsTheStore(scenario, models, settings, plan);
        if (options.Out is null)
            return ToStore(options.Store!, scenario, files, settings, header, needed, Blocks, console, cancellationToken);
        return ToFolder(options.Out, header, needed, Blocks, console, cancellationToken);
    }

    /// <summary>Writes the shard as a file of the shared folder: beside its name, flushed, renamed; once.</summary>
    private static int ToFolder(string folder, ShardHeader header, (int Shard, int Phase)[] needed, Func<IShardSource?, IEnumerable<ShardBlock>> blocks,
        CliConsole console, CancellationToken cancellationToken)
    {
        CreateFolder(folder);
        string target = Path.Combine(folder, ShardHeader.FileName(header.Shard, header.Shards, header.Phase));
        if (ExistingIsWhole(target, header, out string? existing, out bool damaged))
        {
            console.Error.WriteLine($"impact: {header.Name} of '{header.Scenario}' is already in {folder} (a shard written again is counted once): {target}");
            return ExitCodes.Success;
        }

        if (existing is not null)
            throw new UsageException(existing);
        if (Foreign(folder, header) is { } foreign)
            throw new UsageException($"{foreign}; give each run its own SHARDS folder");

        using var earlier = new FolderShards(folder);
        string[] missing = [.. needed.Select(n => earlier.Check(n.Shard, n.Phase, header with { Shard = n.Shard, Phase = n.Phase })).OfType<string>()];
        if (missing.Length > 0)
            throw new UsageException($"{header.Name} needs every shard's earlier phases first: {string.Join("; ", missing)}");

        string partial = Path.Combine(folder, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                ShardFormat.Write(stream, header, blocks(needed.Length > 0 ? earlier : null));
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // A damaged earlier attempt (torn, a full disk) is written over; a whole one is never.
                File.Move(partial, target, overwrite: damaged && !ExistingIsWhole(target, header, out _, out _));
            }
            catch (IOException) when (File.Exists(target) && ExistingIsWhole(target, header, out _, out _))
            {
                // Another attempt of the same shard finished first: the same bytes; count it once.
                File.Delete(partial);
            }
        }
        catch
        {
            TryDelete(partial);
            throw;
        }

        console.Error.WriteLine($"impact: {header.Name} of '{header.Scenario}' written: {target}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Writes the shard into the results store: the run of the same scenario, seed, size, engine and
    /// shards (made by the first shard to arrive), its tallies stored and the shard marked done in one
    /// transaction; a shard already there is counted once.
    /// </summary>
    private static int ToStore(ResultStore store, Scenario scenario, IScenarioFiles files, RunSettings settings, ShardHeader header,
        (int Shard, int Phase)[] needed, Func<IShardSource?, IEnumerable<ShardBlock>> blocks, CliConsole console, CancellationToken cancellationToken)
    {
        long scenarioId = StoredRuns.SaveScenario(store, scenario, files);
        long runId = store.FindOrCreateShardedRun(StoredRuns.NewRun(scenarioId, scenario, settings, header.Shards, header.Phases));
        var stored = store.StoredShards(runId).ToHashSet();
        if (stored.Contains((header.Shard, header.Phase)))
        {
            console.Error.WriteLine($"impact: {header.Name} of '{header.Scenario}' is already in run {runId} of the store at {store.Endpoint} (a shard written again is counted once)");
            return ExitCodes.Success;
        }

        string[] missing = [.. needed.Where(n => !stored.Contains(n)).Select(n => $"{(header with { Shard = n.Shard, Phase = n.Phase }).Name} is missing from run {runId}")];
        if (missing.Length > 0)
            throw new UsageException($"{header.Name} needs every shard's earlier phases first: {string.Join("; ", missing)}");

        using var earlier = new StoreShards(store, runId);
        using var buffer = new MemoryStream();
        ShardFormat.Write(buffer, header, blocks(needed.Length > 0 ? earlier : null));
        cancellationToken.ThrowIfCancellationRequested();
        byte[] payload = buffer.ToArray();
        bool written = store.WriteShard(runId, header.Shard, header.Phase, payload, Convert.ToHexStringLower(SHA256.HashData(payload)));
        console.Error.WriteLine(written
            ? $"impact: {header.Name} of '{header.Scenario}' written to run {runId} of the store at {store.Endpoint}"
            : $"impact: {header.Name} of '{header.Scenario}' was already in run {runId} of the store at {store.Endpoint} (counted once)");
        return ExitCodes.Success;
    }

    /// <summary>Loads one scenario (every problem with its position) that must be a scenario, not a population file.</summary>
    internal static Scenario LoadScenario(string file, IScenarioFiles files)
    {
        ScenarioLoadResult loaded = ScenarioLoader.Load(file, files);
        if (!loaded.IsValid)
            throw new ScenarioException(loaded.Errors);
        return loaded.Scenario ?? throw new UsageException($"'{file}' is a population file, not a scenario (it has no 'strand:')");
    }

    /// <summary>The header of a shard of this run: what the merge checks every shard against, with the scenario's files.</summary>
    internal static ShardHeader Header(Scenario scenario, IScenarioFiles files, RunSettings settings, IReadOnlyList<IStrandModel> models, ShardSpan span,
        int phase, int phases)
    {
        var layout = ReplicateRun.Start(scenario, VariantBuilder.Build(scenario), models, settings.Seed, 0, settings.Persons).EmptyResult(0).Tally;
        return new ShardHeader(scenario.Name, scenario.Strand, RunFolder.ScenarioHash(scenario, files), EngineVersion, settings.Seed, settings.Replicates,
            settings.Persons, span.Number, span.Of, phase, phases, layout.Variants, layout.Rows, layout.Counters, Inputs(scenario, files));
    }

    /// <summary>PostgreSQL's largest value is 1 GB: a shard's tallies through the store are kept well under it.</summary>
    internal const long MostStoredShardBytes = 900L * 1024 * 1024;

    /// <summary>
    /// The bytes of the largest shard's tallies in any phase (its replicates × one replicate's tallies
    /// and accumulators), so that a run whose shards would not fit in the store is refused before it runs.
    /// </summary>
    internal static long LargestShardBytes(Scenario scenario, IReadOnlyList<IStrandModel> models, RunSettings settings, ShardPlan plan)
    {
        var run = ReplicateRun.Start(scenario, VariantBuilder.Build(scenario), models, settings.Seed, 0, settings.Persons);
        run.ExpectShares(observed: false);
        long perReplicate = Enumerable.Range(0, ShardRunner.Phases(models)).Max(pass =>
        {
            PassResult empty = run.EmptyResult(pass);
            return 8L * (empty.Tally.Values.Length + empty.Accumulators.Sum(a => a is null ? 0L : a.Values.Length));
        });
        return perReplicate * plan.All.Max(s => s.Replicates);
    }

    /// <summary>Refuses (exit 2) a run whose shards' tallies would not fit in one value of the store, saying how many shards would.</summary>
    internal static void RequireFitsTheStore(Scenario scenario, IReadOnlyList<IStrandModel> models, RunSettings settings, ShardPlan plan)
    {
        long bytes = LargestShardBytes(scenario, models, settings, plan);
        if (bytes <= MostStoredShardBytes)
            return;
        long perReplicate = bytes / plan.All.Max(s => s.Replicates);
        long replicatesPerShard = Math.Max(1, MostStoredShardBytes / perReplicate);
        long shards = (settings.Replicates + replicatesPerShard - 1) / replicatesPerShard;
        throw new UsageException(string.Create(CultureInfo.InvariantCulture,
            $"a shard's tallies would be {bytes / 1048576.0:N0} MB ({perReplicate / 1048576.0:N1} MB a replicate), over the {MostStoredShardBytes / 1048576} MB the store keeps in one value: " +
            $"use at least {shards} shards ({replicatesPerShard} replicates a shard), or a shared folder (--out SHARDS)"));
    }

    /// <summary>The engine's full version (with the commit it was built from): shards of two builds never merge.</summary>
    internal static string EngineVersion => RunFolder.EngineCommit is { } commit ? $"{RunFolder.EngineVersion}+{commit}" : RunFolder.EngineVersion;

    /// <summary>The scenario and every file it references, at their paths relative to the folder holding them all (as a run folder's <c>inputs/</c>).</summary>
    internal static ImmutableArray<ShardInput> Inputs(Scenario scenario, IScenarioFiles files) =>
        [.. RunFolder.Inputs(scenario, files).Select(input => new ShardInput(input.Path.Replace(Path.DirectorySeparatorChar, '/'), ImmutableArray.Create(input.Bytes)))];

    /// <summary>True when <paramref name="path"/> is a whole shard of the same run, shard and phase; otherwise <paramref name="problem"/> says what is there instead (null: nothing).</summary>
    private static bool ExistingIsWhole(string path, ShardHeader header, out string? problem, out bool damaged)
    {
        problem = null;
        damaged = false;
        if (!File.Exists(path))
            return false;
        using FileStream stream = File.OpenRead(path);
        damaged = !ShardFormat.Verify(stream, out _);
        if (damaged)
            return false; // a damaged earlier attempt: written over
        stream.Position = 0;
        ShardHeader there = ShardFile.Header(stream, path);
        if (there.RunKey != header.RunKey)
        {
            problem = $"{path} holds {there.Name} of another run ({FolderShards.Difference(header, there)}); give each run its own SHARDS folder";
            return false;
        }

        return true;
    }

    /// <summary>A shard file in <paramref name="folder"/> of another run than <paramref name="header"/>'s, in words; null when there is none.</summary>
    private static string? Foreign(string folder, ShardHeader header)
    {
        // A few files tell whose folder it is: reading every header at every shard's start would be N² opens on a shared file system.
        foreach (string path in MergeCommand.ShardFiles(folder).Take(3))
        {
            try
            {
                using FileStream stream = File.OpenRead(path);
                ShardHeader there = ShardFormat.ReadHeader(stream);
                if (there.RunKey != header.RunKey)
                    return $"{path} holds {there.Name} of another run ({FolderShards.Difference(header, there)})";
            }
            catch (Exception e) when (e is ShardFormatException or IOException)
            {
                // Unreadable: the merge names it; this shard's own file is still wanted.
            }
        }

        return null;
    }

    private static void CreateFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--out '{folder}' cannot be used as the shards' folder: {e.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left as a dot-file the merge ignores.
        }
    }
}

/// <summary>
/// The shards' files in a shared folder, read for a later phase or a merge: each file verified by its
/// checksum the first time it is opened, and its index kept, so a block is one seek.
/// </summary>
internal sealed class FolderShards(string folder) : KeptShards(mostKept: 64)
{
    public string Folder => folder;

    /// <summary>Null when shard <paramref name="shard"/>'s phase <paramref name="phase"/> is there, whole and of the run of <paramref name="expected"/>; otherwise why not, in words.</summary>
    public string? Check(int shard, int phase, ShardHeader expected)
    {
        string path = Path.Combine(folder, ShardHeader.FileName(shard, expected.Shards, phase));
        if (!File.Exists(path))
            return $"{(expected with { Shard = shard, Phase = phase }).Name} is missing ({path})";
        using FileStream stream = File.OpenRead(path);
        if (!ShardFormat.Verify(stream, out string? problem))
            return $"{path}: {problem}";
        stream.Position = 0;
        ShardHeader there = ShardFile.Header(stream, path);
        return there.RunKey == expected.RunKey ? null : $"{path}: of another run ({Difference(expected, there)})";
    }

    /// <summary>What differs between two shards' runs, in words ("seed 2, not 1").</summary>
    public static string Difference(ShardHeader want, ShardHeader got)
    {
        var differences = new List<string>();
        if (got.Scenario != want.Scenario || got.ScenarioSha256 != want.ScenarioSha256)
            differences.Add($"scenario '{got.Scenario}' sha256 {got.ScenarioSha256[..Math.Min(12, got.ScenarioSha256.Length)]}…, not '{want.Scenario}' {want.ScenarioSha256[..Math.Min(12, want.ScenarioSha256.Length)]}…");
        if (got.Seed != want.Seed)
            differences.Add($"seed {got.Seed}, not {want.Seed}");
        if (got.Replicates != want.Replicates)
            differences.Add($"{got.Replicates} replicates, not {want.Replicates}");
        if (got.Persons != want.Persons)
            differences.Add($"{got.Persons} persons, not {want.Persons}");
        if (got.EngineVersion != want.EngineVersion)
            differences.Add($"engine {got.EngineVersion}, not {want.EngineVersion}");
        if (got.Shards != want.Shards || got.Phases != want.Phases)
            differences.Add($"{got.Shards} shards in {Phases(got.Phases)}, not {want.Shards} in {Phases(want.Phases)}");
        if (differences.Count == 0)
            differences.Add($"tallies {got.Variants}x{got.Rows}x{got.Counters}, not {want.Variants}x{want.Rows}x{want.Counters}");
        return string.Join(", ", differences);
    }

    private static string Phases(int phases) => phases == 1 ? "1 phase" : $"{phases} phases";

    protected override (Stream Stream, string Where) Open(int shard, int phase)
    {
        string[] matches = Directory.GetFiles(folder, $"shard-{shard:D4}-of-*.phase-{phase}{ShardHeader.Extension}");
        if (matches.Length != 1)
            throw new UsageException($"{folder}: shard {shard} phase {phase} is {(matches.Length == 0 ? "missing" : "there more than once")}");
        return (File.OpenRead(matches[0]), matches[0]);
    }
}

/// <summary>The shards' tallies in the results store, read for a later phase or a merge: each payload verified by its checksum once and kept while its replicates are read.</summary>
internal sealed class StoreShards(ResultStore store, long runId) : KeptShards(mostKept: 16)
{
    protected override (Stream Stream, string Where) Open(int shard, int phase)
    {
        StoredShard stored = store.ReadShard(runId, shard, phase) ?? throw new UsageException($"run {runId}: shard {shard} phase {phase} is missing from the store");
        return (new MemoryStream(stored.Payload, writable: false), $"run {runId} shard {shard} phase {phase}");
    }
}

/// <summary>
/// Shards read replicate by replicate (a later phase, a merge): each one opened once while it is read,
/// verified by its checksum the first time, its index kept so a block is one seek; at most
/// <paramref name="mostKept"/> kept at once (a merge needs the few that cover each replicate).
/// </summary>
internal abstract class KeptShards(int mostKept) : IShardSource, IDisposable
{
    private readonly Dictionary<(int Shard, int Phase), (Stream Stream, ShardIndex Index, string Where)> _kept = [];
    private readonly HashSet<string> _verified = new(StringComparer.Ordinal);

    /// <summary>Shard <paramref name="shard"/>'s phase <paramref name="phase"/> as a seekable stream, and where it is, for messages.</summary>
    protected abstract (Stream Stream, string Where) Open(int shard, int phase);

    public ShardBlock Read(int shard, int phase, int replicate)
    {
        if (!_kept.TryGetValue((shard, phase), out var kept))
        {
            if (_kept.Count >= mostKept)
                Dispose();
            (Stream stream, string where) = Open(shard, phase);
            if (!_verified.Contains(where))
            {
                if (!ShardFormat.Verify(stream, out string? problem))
                {
                    stream.Dispose();
                    throw new UsageException($"{where}: {problem}");
                }

                _verified.Add(where);
            }

            kept = (stream, ShardFile.Guard(() => ShardFormat.Index(stream), where), where);
            _kept[(shard, phase)] = kept;
        }

        return ShardFile.Guard(() => kept.Index.Read(replicate), kept.Where);
    }

    public void Dispose()
    {
        foreach (var (stream, _, _) in _kept.Values)
            stream.Dispose();
        _kept.Clear();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A shard that cannot be read as this engine reads shards is invalid input naming where it is: exit 2.</summary>
internal static class ShardFile
{
    public static ShardHeader Header(Stream stream, string where) => Guard(() => ShardFormat.ReadHeader(stream), where);

    public static T Guard<T>(Func<T> read, string where)
    {
        try
        {
            return read();
        }
        catch (ShardFormatException e)
        {
            throw new UsageException($"{where}: {e.Message}");
        }
    }
}
