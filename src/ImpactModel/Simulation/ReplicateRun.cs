using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>Where each model's counters sit in the tally table, and in which of a replicate's passes each model runs.</summary>
internal sealed class ReplicateLayout
{
    public ReplicateLayout(IReadOnlyList<IStrandModel> models, int variants, int groups)
    {
        Models = models;
        Variants = variants;
        Groups = groups;
        Offsets = new int[models.Count];
        for (int m = 0; m < models.Count; m++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(models[m].Passes, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(models[m].PassesUnobserved, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(models[m].PassesUnobserved, models[m].Passes);
            Offsets[m] = Counters;
            Counters += models[m].Counters.Count;
            Passes = Math.Max(Passes, models[m].Passes);
            PassesUnobserved = Math.Max(PassesUnobserved, models[m].PassesUnobserved);
            ShortenedUnobserved |= models[m].PassesUnobserved < models[m].Passes;
        }
    }

    public IReadOnlyList<IStrandModel> Models { get; }

    public int Variants { get; }

    public int Groups { get; }

    public int[] Offsets { get; }

    public int Counters { get; }

    /// <summary>Passes over the persons per replicate: the most any model needs.</summary>
    public int Passes { get; } = 1;

    /// <summary>Passes over the persons that run when no observer reads the persons' flags: the most any model then needs.</summary>
    public int PassesUnobserved { get; } = 1;

    /// <summary>True when some model runs fewer passes unobserved than observed.</summary>
    public bool ShortenedUnobserved { get; }

    /// <summary>
    /// The model's own pass in the replicate's pass <paramref name="pass"/>, or −1 when it does not
    /// run then. Passes are aligned at the end: every model's last pass is the last that runs, so
    /// the persons' outcomes of every strand are known together, in one pass. Unobserved, each
    /// model runs only the passes it then needs (<see cref="IStrandModel.PassesUnobserved"/>), and
    /// the replicate's passes from <see cref="PassesUnobserved"/> on run no model.
    /// </summary>
    public int OwnPass(int model, int pass, bool observed)
    {
        int passes = observed ? Passes : PassesUnobserved, own = observed ? Models[model].Passes : Models[model].PassesUnobserved;
        int at = pass - (passes - own);
        return at >= 0 && at < own ? at : -1;
    }

    public StrandTally Slice(TallyTable table, int model) => new(table, Offsets[model], Models[model].Counters.Count);

    /// <summary>The model's accumulators of its own pass <paramref name="own"/>.</summary>
    public Accumulators AccumulatorsOf(int model, int own) => new(Models[model].Accumulators, Variants, own);

    public TallyTable NewTally() => new(Variants, Groups, Counters);
}

/// <summary>
/// What one share of one pass produced: the integer tallies of the persons it evaluated, and each
/// model's accumulators of the pass (null for a model that does not run in it). Shares of a pass
/// (threads, or shards on other machines) are merged by addition, in any order.
/// </summary>
public sealed class PassResult
{
    internal PassResult(int pass, TallyTable tally, Accumulators?[] accumulators)
    {
        Pass = pass;
        Tally = tally;
        Accumulators = accumulators;
    }

    /// <summary>The replicate's pass this share belongs to.</summary>
    public int Pass { get; }

    /// <summary>Counters of every model, for the persons of this share.</summary>
    public TallyTable Tally { get; }

    /// <summary>Per model, its accumulators of this pass, or null when the model does not run in it.</summary>
    public IReadOnlyList<Accumulators?> Accumulators { get; }
}

/// <summary>
/// One replicate of a run, pass by pass: the population and every model compiled for (seed,
/// replicate); each pass run over a range of persons; each pass ended with the merged results of
/// all its shares; the replicate completed from every pass's results. One process runs each pass
/// over all persons (<see cref="SimulationRunner"/>); shards on several machines each start the same
/// replicate, run their range of a pass, exchange the pass's results (tallies and accumulators:
/// integers), end the pass with all of them, and go on: pass two never starts before every shard's
/// pass one is merged. Results are the same either way, since every share adds integers.
/// </summary>
public sealed class ReplicateRun
{
    private readonly ReplicateLayout _layout;
    private readonly IStrandReplicate[] _compiled;
    private readonly CompiledPopulation _population;
    private int _ended = -1;

    /// <summary>Whether the last pass is observed: fixed by the first pass's call (see <see cref="RunPass"/>).</summary>
    private bool _observed = true;

    private ReplicateRun(ReplicateLayout layout, IStrandReplicate[] compiled, CompiledPopulation population, ParameterUse use)
    {
        _layout = layout;
        _compiled = compiled;
        _population = population;
        Use = use;
    }

    /// <summary>Passes over the persons in this replicate.</summary>
    public int Passes => _layout.Passes;

    /// <summary>What the models read while compiling (see <see cref="ParameterUse"/>).</summary>
    public ParameterUse Use { get; }

    /// <summary>Compiles replicate <paramref name="replicate"/> of <paramref name="models"/> for <paramref name="variants"/>.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="variants">Its variants (<see cref="VariantBuilder.Build"/>).</param>
    /// <param name="models">The models, in order.</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="replicate">The replicate.</param>
    /// <param name="persons">Persons the whole run simulates per replicate (every shard's together).</param>
    /// <param name="pins">Parameters held at fixed values in place of their draws (the sensitivity analysis); null: none.</param>
    /// <param name="enrolment">Persons enrolled unit by unit (a simulated pilot: <paramref name="persons"/> is then its total); null: the whole population.</param>
    public static ReplicateRun Start(Scenario scenario, IReadOnlyList<SimulationVariant> variants, IReadOnlyList<IStrandModel> models, ulong seed,
        int replicate, long persons, MonteCarlo.ParameterPins? pins = null, AreaEnrolment? enrolment = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(models);
        pins ??= MonteCarlo.ParameterPins.None;
        CompiledPopulation population = CompiledPopulation.Compile(scenario.Population, seed, replicate, pins);
        if (enrolment is not null)
            population.Enrol(enrolment);
        var context = new ReplicateContext(scenario, variants, population, seed, replicate, persons) { Pins = pins };
        IStrandReplicate[] compiled = [.. models.Select(m => m.Compile(context))];
        return new ReplicateRun(new ReplicateLayout(models, variants.Count, population.GroupIds.Count), compiled, population, context.Use);
    }

    /// <summary>
    /// Runs pass <paramref name="pass"/> over persons [<paramref name="first"/>, first + <paramref name="count"/>):
    /// every model that runs in the pass evaluates every variant on each chunk, on threads as the
    /// options say, and the threads' integer tallies and accumulators are summed.
    /// </summary>
    /// <param name="pass">The pass; every earlier pass must have been ended.</param>
    /// <param name="first">The first person's id.</param>
    /// <param name="count">Persons in this share.</param>
    /// <param name="options">Threads, chunk size, chunks per work item.</param>
    /// <param name="observe">
    /// In the last pass, makes an observer for each task (see <see cref="SimulationRunner.Run(Scenario, RunSettings, IReadOnlyList{IStrandModel}, IProgress{RunProgress}?, Func{int, IChunkObserver}?, IReplicateStore?, RunScope?, CancellationToken)"/>).
    /// Given to the first pass too (as to every pass), it says that the last pass will be observed;
    /// when the first pass has none, each model runs only the passes it needs unobserved
    /// (<see cref="IStrandModel.PassesUnobserved"/>) and a later pass that no model needs is skipped:
    /// no person is generated, its results are empty. Every share of a replicate is run alike.
    /// </param>
    /// <param name="reportPersons">Called after each work item with its persons.</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    public PassResult RunPass(int pass, long first, long count, ChunkLoopOptions options, Func<IChunkObserver>? observe = null,
        Action<long>? reportPersons = null, CancellationToken cancellationToken = default)
        => Run(pass, first, count, options, observe, reportPersons, null, cancellationToken);

    /// <summary>
    /// Says how every share of this replicate runs when this instance does not run the first pass
    /// itself: a later phase of a shard, which ends the earlier passes with every shard's results
    /// before it runs its own, or a merge, which only ends passes and completes. Call it before the
    /// first <see cref="EndPass"/>; the shares' results carry accumulators shaped for it.
    /// </summary>
    /// <param name="observed">Whether the shares' last pass is observed (every share alike).</param>
    public void ExpectShares(bool observed)
    {
        if (_ended >= 0)
            throw new InvalidOperationException("how the shares run is set before the first pass ends");
        _observed = observed;
    }

    /// <summary>Passes over the persons that run a model in this replicate, as its shares run (observed or not): shards run this many phases.</summary>
    public int PassesRun => _observed ? _layout.Passes : _layout.PassesUnobserved;

    /// <summary>An empty result of pass <paramref name="pass"/>, shaped as this replicate's shares make it: to read a share's integers into.</summary>
    public PassResult EmptyResult(int pass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pass, Passes);
        return new PassResult(pass, _layout.NewTally(), NewAccumulators(pass, _observed));
    }

    /// <summary>
    /// The pass's accumulators for every model that runs in it, empty: shares of a pass run one after
    /// another on one thread may all add into one set (<see cref="RunShare"/>), so that a large set
    /// (a release's class counts) is neither made nor merged once per share. <paramref name="observed"/>
    /// says whether the shares are given an observer (every share of a replicate is run alike).
    /// </summary>
    internal Accumulators?[] NewAccumulators(int pass, bool observed)
    {
        var accumulators = new Accumulators?[_compiled.Length];
        for (int m = 0; m < _compiled.Length; m++)
        {
            int own = _layout.OwnPass(m, pass, observed);
            accumulators[m] = own < 0 ? null : _layout.AccumulatorsOf(m, own);
        }

        return accumulators;
    }

    /// <summary>
    /// Runs one share of pass <paramref name="pass"/> on the calling thread alone, adding its
    /// accumulators into <paramref name="into"/> (from <see cref="NewAccumulators(int, bool)"/>) rather than into
    /// a set of its own: the share's result carries its own tallies and <paramref name="into"/>, so end
    /// the pass with one result holding <paramref name="into"/> (<see cref="EndPass"/> adds each
    /// result's accumulators once).
    /// </summary>
    internal PassResult RunShare(int pass, long first, long count, int chunkSize, Accumulators?[] into, Func<IChunkObserver>? observe,
        CancellationToken cancellationToken)
        => Run(pass, first, count, new ChunkLoopOptions(1, chunkSize), observe, null, into, cancellationToken);

    /// <summary>A result of pass <paramref name="pass"/> carrying only <paramref name="accumulators"/>, to end the pass with (its tallies are empty).</summary>
    internal PassResult Accumulated(int pass, Accumulators?[] accumulators) => new(pass, _layout.NewTally(), accumulators);

    private PassResult Run(int pass, long first, long count, ChunkLoopOptions options, Func<IChunkObserver>? observe,
        Action<long>? reportPersons, Accumulators?[]? into, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pass, Passes);
        if (pass != _ended + 1)
            throw new InvalidOperationException($"pass {pass} cannot run before pass {pass - 1} has ended with every share's results");
        if (pass == 0)
            _observed = observe is not null;
        else if (observe is not null && !_observed && pass == Passes - 1 && _layout.ShortenedUnobserved)
            throw new InvalidOperationException("the last pass cannot be observed: the first pass ran without an observer, so the models ran as unobserved");
        bool observed = _observed;
        PersonAttributes wanted = Wanted(pass, observed);
        Func<IChunkObserver>? observer = pass == Passes - 1 ? observe : null;
        if (into is not null && options.Threads != 1)
            throw new ArgumentException("a share that adds into given accumulators runs on one thread", nameof(options));
        var accumulators = into ?? new Accumulators?[_compiled.Length];
        for (int m = 0; m < _compiled.Length && into is null; m++)
        {
            int own = _layout.OwnPass(m, pass, observed);
            accumulators[m] = own < 0 ? null : _layout.AccumulatorsOf(m, own);
        }

        if (!observed && pass >= _layout.PassesUnobserved)
        {
            // No model runs in this pass: the models formed its figures from earlier passes.
            cancellationToken.ThrowIfCancellationRequested();
            reportPersons?.Invoke(count);
            return new PassResult(pass, _layout.NewTally(), accumulators);
        }

        IReadOnlyList<ThreadPass> threads = ChunkLoop.Run(_population, wanted, first, count, options,
            () => new ThreadPass(_layout, _compiled, pass, observed, options.ChunkSize, observer, into),
            (thread, chunk) => thread.Evaluate(chunk),
            reportPersons, cancellationToken);

        return Collect(pass, threads, accumulators, mergeAccumulators: into is null);
    }

    /// <summary>The person attributes the models that run in pass <paramref name="pass"/> read.</summary>
    private PersonAttributes Wanted(int pass, bool observed)
    {
        PersonAttributes wanted = PersonAttributes.None;
        for (int m = 0; m < _compiled.Length; m++)
            wanted |= _layout.OwnPass(m, pass, observed) >= 0 ? _layout.Models[m].Reads : PersonAttributes.None;
        return wanted;
    }

    /// <summary>Lets each thread's evaluators finish, and sums the threads' tallies (and accumulators, unless they added into shared ones).</summary>
    private PassResult Collect(int pass, IEnumerable<ThreadPass> threads, Accumulators?[] accumulators, bool mergeAccumulators)
    {
        foreach (ThreadPass thread in threads)
            thread.Finish();

        // Integer sums: the same whichever thread counted what.
        TallyTable tally = _layout.NewTally();
        foreach (ThreadPass thread in threads)
        {
            tally.Merge(thread.Tally);
            for (int m = 0; m < _compiled.Length && mergeAccumulators; m++)
                accumulators[m]?.Merge(thread.Accumulators[m]!);
        }

        return new PassResult(pass, tally, accumulators);
    }

    /// <summary>The compiled population the replicate's persons come from.</summary>
    internal CompiledPopulation Population => _population;

    /// <summary>
    /// Starts a replicate whose passes another driver runs over the persons with other replicates'
    /// (a package's scenarios on the same persons): every pass observed, so each model runs all its
    /// passes and marks the persons' flags. Call before the first pass.
    /// </summary>
    internal void BeginJoint()
    {
        if (_ended >= 0)
            throw new InvalidOperationException("a joint replicate begins before its first pass");
        _observed = true;
    }

    /// <summary>The attributes the models of pass <paramref name="pass"/> read (observed: <see cref="BeginJoint"/>).</summary>
    internal PersonAttributes JointWanted(int pass) => Wanted(pass, observed: true);

    /// <summary>One thread's evaluators of pass <paramref name="pass"/> (observed), whose flags are cleared before every chunk.</summary>
    internal ThreadPass JointThread(int pass, int chunkSize)
    {
        if (pass != _ended + 1)
            throw new InvalidOperationException($"pass {pass} cannot run before pass {pass - 1} has ended");
        return new ThreadPass(_layout, _compiled, pass, observed: true, chunkSize, observe: null, clearFlags: true);
    }

    /// <summary>Sums the threads of a joint pass into its result (end the pass with it: <see cref="EndPass"/>).</summary>
    internal PassResult JointResult(int pass, IEnumerable<ThreadPass> threads) => Collect(pass, threads, NewAccumulators(pass, observed: true), mergeAccumulators: true);

    /// <summary>
    /// Ends pass <paramref name="pass"/> with the results of every share of it (every shard's, or the
    /// one of a single process): each model that ran gets its accumulators summed over all shares
    /// (<see cref="IStrandReplicate.EndPass"/>) before the next pass starts.
    /// </summary>
    public void EndPass(int pass, IEnumerable<PassResult> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (pass != _ended + 1)
            throw new InvalidOperationException($"pass {pass} ends after pass {_ended} only");
        PassResult[] all = [.. shares];
        if (all.Any(s => s.Pass != pass))
            throw new ArgumentException($"every share must be of pass {pass}", nameof(shares));
        for (int m = 0; m < _compiled.Length; m++)
        {
            int own = _layout.OwnPass(m, pass, _observed);
            if (own < 0)
                continue;
            Accumulators merged = _layout.AccumulatorsOf(m, own);
            foreach (PassResult share in all)
                merged.Merge(share.Accumulators[m]!);
            _compiled[m].EndPass(own, merged);
        }

        _ended = pass;
    }

    /// <summary>
    /// The replicate's tallies: the counters of every share of every pass summed, then completed by
    /// each model in order (<see cref="IStrandReplicate.Complete"/>). Every pass must have ended.
    /// </summary>
    public TallyTable Complete(IEnumerable<PassResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (_ended != Passes - 1)
            throw new InvalidOperationException($"the replicate completes after its {Passes} passes have ended");
        TallyTable total = _layout.NewTally();
        foreach (PassResult result in results)
            total.Merge(result.Tally);
        for (int m = 0; m < _compiled.Length; m++)
            _compiled[m].Complete(_layout.Slice(total, m));
        return total;
    }

    /// <summary>One thread's evaluators, tallies, accumulators and flags for one pass.</summary>
    internal sealed class ThreadPass
    {
        private readonly IChunkEvaluator?[] _evaluators;
        private readonly ChunkOutput[] _outputs;
        private readonly PersonAttributes[] _reads;
        private readonly IChunkObserver? _observer;
        private readonly bool _clearFlags;

        public ThreadPass(ReplicateLayout layout, IStrandReplicate[] compiled, int pass, bool observed, int chunkSize, Func<IChunkObserver>? observe,
            Accumulators?[]? into = null, bool clearFlags = false)
        {
            Tally = layout.NewTally();
            _observer = observe?.Invoke();
            _clearFlags = clearFlags || _observer is not null;
            // The marks are kept only where they are read: by an observer, or by a package's joint pass.
            Flags = new PersonFlags(layout.Variants, chunkSize, kept: _clearFlags);
            _evaluators = new IChunkEvaluator?[compiled.Length];
            _outputs = new ChunkOutput[compiled.Length];
            _reads = new PersonAttributes[compiled.Length];
            Accumulators = new Accumulators?[compiled.Length];
            for (int m = 0; m < compiled.Length; m++)
            {
                int own = layout.OwnPass(m, pass, observed);
                if (own < 0)
                    continue;
                Accumulators accumulators = into?[m] ?? layout.AccumulatorsOf(m, own);
                Accumulators[m] = accumulators;
                _evaluators[m] = compiled[m].CreateEvaluator(own, chunkSize);
                _outputs[m] = new ChunkOutput(layout.Slice(Tally, m), accumulators, Flags);
                _reads[m] = layout.Models[m].Reads;
            }
        }

        public TallyTable Tally { get; }

        public Accumulators?[] Accumulators { get; }

        /// <summary>The persons' outcomes of the last chunk evaluated.</summary>
        public PersonFlags Flags { get; }

        /// <summary>Lets every evaluator add what it kept across chunks (<see cref="IChunkEvaluator.Finish"/>).</summary>
        public void Finish()
        {
            for (int m = 0; m < _evaluators.Length; m++)
                _evaluators[m]?.Finish(in _outputs[m]);
        }

        public void Evaluate(PersonChunk chunk)
        {
            if (_clearFlags)
                Flags.Clear();
            PersonAttributes generated = chunk.Readable;
            for (int m = 0; m < _evaluators.Length; m++)
            {
                if (_evaluators[m] is not { } evaluator)
                    continue;
                if (EngineChecks.Enabled)
                    chunk.Readable = generated & _reads[m];
                evaluator.Evaluate(chunk, in _outputs[m]);
            }

            chunk.Readable = generated;
            _observer?.Observe(chunk, Flags);
        }
    }
}
