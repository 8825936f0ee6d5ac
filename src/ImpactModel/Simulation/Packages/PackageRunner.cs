using ImpactModel.Population;
using ImpactModel.Scenarios;

namespace ImpactModel.Simulation.Packages;

/// <summary>What a package run produced: each scenario's own result (in the package's order), the burden on the same persons, and what each scenario's strand marks per person.</summary>
public sealed record PackageRun(IReadOnlyList<RunResult> Results, PackageBurden Burden, IReadOnlyList<IReadOnlyList<PersonMark>> Marks);

/// <summary>
/// Runs a package: every scenario with all its variants on the same persons, sharing the passes
/// over the population. Per replicate each scenario is compiled as in its own run (its own draws
/// for (seed, replicate), the same population file and so the same persons); each chunk of persons
/// is generated once and every scenario's evaluators run on it; after the last pass a
/// <see cref="BurdenCounter"/> reads every scenario's flags in its chosen variant. Passes are
/// aligned at the end (a two-pass strand starts one pass before the others), so every scenario's
/// flags of a person are known together. Each scenario's tallies are those of its own run, so its
/// results are byte-identical to running it alone with the same settings.
/// </summary>
public static class PackageRunner
{
    /// <summary>The safeguard types that withhold persons, which another scenario may contradict.</summary>
    public static readonly IReadOnlyList<string> ProtectiveTypes = [Exclusion, "opt-out", "consent"];

    /// <summary>The type of a contradiction key made of an opt-out and a consent safeguard together.</summary>
    public const string OptOutOrConsent = "opt-out-or-consent";

    private const string Exclusion = "sensitive-category-exclusion";

    /// <param name="package">The package.</param>
    /// <param name="settings">Seed, replicates, persons, threads and chunk size: the same for every scenario.</param>
    /// <param name="registry">The strands' models.</param>
    /// <param name="stores">Per scenario, where its per-replicate values go (null: memory).</param>
    /// <param name="progress">Receives progress from any thread (persons of every pass).</param>
    /// <param name="cancellationToken">Stops the run between chunks.</param>
    public static PackageRun Run(Package package, RunSettings settings, StrandRegistry registry, IReadOnlyList<IReplicateStore?>? stores = null,
        IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);
        int k = package.Scenarios.Length;
        if (stores is not null && stores.Count != k)
            throw new ArgumentException($"one store per scenario ({k}), not {stores.Count}", nameof(stores));

        var models = new StrandModels[k];
        var assemblies = new RunAssembly[k];
        var chosen = new int[k];
        for (int s = 0; s < k; s++)
        {
            PackageEntry entry = package.Scenarios[s];
            models[s] = registry.For(entry.Scenario);
            assemblies[s] = new RunAssembly(entry.Scenario, settings, models[s].Models, null, stores?[s]);
            chosen[s] = IndexOf(assemblies[s].Variants, entry.Variant, entry.Name);
        }

        ContradictionKey[] contradictions = Contradictions(package, assemblies, chosen, models);
        var groups = package.Scenarios[0].Scenario.Population.Groups.Select(g => g.Id).ToArray();
        var burden = new List<BurdenTally>(settings.Replicates);
        var options = new ChunkLoopOptions(settings.Threads, settings.ChunkSize, SimulationRunner.ChunksPerItem);
        long done = 0, total = settings.Persons * settings.Replicates * assemblies.Max(a => a.Passes);
        for (int r = 0; r < settings.Replicates; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var runs = new ReplicateRun[k];
            for (int s = 0; s < k; s++)
            {
                runs[s] = ReplicateRun.Start(package.Scenarios[s].Scenario, assemblies[s].Variants, models[s].Models, settings.Seed, r, settings.Persons);
                runs[s].BeginJoint();
                if (!runs[s].Population.GroupIds.SequenceEqual(groups))
                    throw new InvalidOperationException($"scenario '{package.Scenarios[s].Name}' compiled other groups than the package's population");
            }

            int rr = r;
            BurdenTally replicate = RunReplicate(runs, chosen, groups.Length, contradictions, settings, options,
                persons => progress?.Report(new RunProgress(Interlocked.Add(ref done, persons), total, rr, settings.Replicates)),
                cancellationToken, out List<PassResult>[] results);
            for (int s = 0; s < k; s++)
                assemblies[s].Add(r, runs[s], runs[s].Complete(results[s]));
            burden.Add(replicate);
            progress?.Report(new RunProgress(Interlocked.Read(ref done), total, r + 1, settings.Replicates));
        }

        var finished = new RunResult[k];
        for (int s = 0; s < k; s++)
        {
            RunResult result = assemblies[s].Finish();
            finished[s] = models[s].Warnings.IsEmpty ? result : result with { Warnings = [.. models[s].Warnings, .. result.Warnings] };
        }

        // What each scenario's strand marks, and at this population (a mark made only for the declared population is absent below it).
        PersonMark[][] marks = [.. models.Select(m => m.Models.SelectMany(x => x.Marks).ToArray())];
        bool Marks(PersonMark[] own, PersonOutcome outcome) =>
            own.Any(x => x.Outcome == outcome && (!x.WholePopulationOnly || settings.Persons >= package.DeclaredPopulation));
        (bool, bool)[] marked = [.. marks.Select(m => (Marks(m, PersonOutcome.Harmed), Marks(m, PersonOutcome.Benefited)))];
        return new PackageRun(finished, PackageBurden.Of(package, groups, contradictions, burden, settings, marked), marks);
    }

    private static int IndexOf(IReadOnlyList<SimulationVariant> variants, string id, string scenario)
    {
        for (int v = 0; v < variants.Count; v++)
        {
            if (variants[v].Id == id)
                return v;
        }

        throw new ArgumentException($"scenario '{scenario}' has no variant '{id}'");
    }

    /// <summary>
    /// Every (protecting scenario, safeguard, exposing scenario) the package looks for: a protective
    /// safeguard on in the protecting scenario's chosen variant, against every other scenario whose
    /// strand marks persons exposed.
    /// </summary>
    private static ContradictionKey[] Contradictions(Package package, RunAssembly[] assemblies, int[] chosen, StrandModels[] models)
    {
        var keys = new List<ContradictionKey>();
        string[] groups = [.. package.Scenarios[0].Scenario.Population.Groups.Select(g => g.Id)];
        for (int a = 0; a < assemblies.Length; a++)
        {
            SimulationVariant variant = assemblies[a].Variants[chosen[a]];
            var protective = variant.EnabledSafeguards.Where(g => ProtectiveTypes.Contains(g.Type)).ToList();
            // Each exclusion its own key (its groups); opt-out and consent one key together: the strands
            // draw one decision a person for both (the larger share), so they cannot be told apart.
            var safeguards = new List<(string Id, string Type, uint Groups)>();
            foreach (var exclusion in protective.Where(g => g.Type == Exclusion))
            {
                uint mask = 0;
                foreach (string group in exclusion.Groups)
                    mask |= 1u << Array.IndexOf(groups, group);
                safeguards.Add((exclusion.Id, exclusion.Type, mask));
            }

            var ofPersons = protective.Where(g => g.Type != Exclusion).ToList();
            if (ofPersons.Count > 0)
                safeguards.Add((string.Join("-or-", ofPersons.Select(g => g.Id)), ofPersons.Count == 1 ? ofPersons[0].Type : OptOutOrConsent, 0));
            foreach ((string id, string type, uint mask) in safeguards)
            {
                for (int b = 0; b < assemblies.Length; b++)
                {
                    if (b != a && Exposes(models[b]))
                        keys.Add(new ContradictionKey(a, id, type, mask, b));
                }
            }
        }

        return [.. keys];
    }

    private static bool Exposes(StrandModels models) => models.Models.Any(m => m.Marks.Any(x => x.Outcome == PersonOutcome.Exposed));

    private static BurdenTally RunReplicate(ReplicateRun[] runs, int[] chosen, int groups, ContradictionKey[] contradictions, RunSettings settings,
        ChunkLoopOptions options, Action<long> report, CancellationToken cancellationToken, out List<PassResult>[] results)
    {
        int k = runs.Length, passes = runs.Max(x => x.Passes);
        results = new List<PassResult>[k];
        for (int s = 0; s < k; s++)
            results[s] = new List<PassResult>(runs[s].Passes);
        var total = new BurdenTally(k, groups, contradictions.Length);
        CompiledPopulation population = runs[0].Population;
        for (int pass = 0; pass < passes; pass++)
        {
            // Scenario s runs its own pass pass − (passes − its passes): every scenario's last pass is the last.
            int[] own = [.. runs.Select(x => pass - (passes - x.Passes))];
            PersonAttributes wanted = PersonAttributes.None;
            for (int s = 0; s < k; s++)
                wanted |= own[s] >= 0 ? runs[s].JointWanted(own[s]) : PersonAttributes.None;
            bool last = pass == passes - 1;
            IReadOnlyList<JointThread> threads = ChunkLoop.Run(population, wanted, 0, settings.Persons, options,
                () => new JointThread(runs, own, options.ChunkSize, last ? new BurdenCounter(chosen, groups, contradictions, options.ChunkSize) : null),
                (thread, chunk) => thread.Evaluate(chunk), report, cancellationToken);
            for (int s = 0; s < k; s++)
            {
                if (own[s] < 0)
                    continue;
                PassResult result = runs[s].JointResult(own[s], threads.Select(t => t.Of(s)!));
                runs[s].EndPass(own[s], [result]);
                results[s].Add(result);
            }

            foreach (JointThread thread in threads)
            {
                if (thread.Counter is { } counter)
                {
                    counter.Finish();
                    total.Merge(counter.Tally);
                }
            }
        }

        return total;
    }

    /// <summary>One thread's evaluators of every scenario that runs in a pass, and in the last pass its burden counter.</summary>
    private sealed class JointThread
    {
        private readonly ReplicateRun.ThreadPass?[] _scenarios;
        private readonly PersonFlags[] _flags;

        public JointThread(ReplicateRun[] runs, int[] own, int chunkSize, BurdenCounter? counter)
        {
            _scenarios = new ReplicateRun.ThreadPass?[runs.Length];
            for (int s = 0; s < runs.Length; s++)
                _scenarios[s] = own[s] >= 0 ? runs[s].JointThread(own[s], chunkSize) : null;
            _flags = [.. _scenarios.Select(t => t?.Flags ?? new PersonFlags(1, 1))];
            Counter = counter;
        }

        public BurdenCounter? Counter { get; }

        public ReplicateRun.ThreadPass? Of(int scenario) => _scenarios[scenario];

        public void Evaluate(PersonChunk chunk)
        {
            foreach (ReplicateRun.ThreadPass? scenario in _scenarios)
                scenario?.Evaluate(chunk);
            Counter?.Observe(chunk, _flags);
        }
    }
}
