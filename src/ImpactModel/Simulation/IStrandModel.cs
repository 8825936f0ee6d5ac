using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>What a metric measures, which decides how the runner turns counters into a value.</summary>
public enum MetricUnit
{
    /// <summary>Persons (or events): the numerator counter, scaled to the declared population.</summary>
    Persons,

    /// <summary>GBP: the numerator counter is whole pence; divided by 100 and scaled to the declared population.</summary>
    Money,

    /// <summary>A rate in [0, 1]: numerator / denominator counters, not scaled; undefined when the denominator is 0.</summary>
    Rate,

    /// <summary>
    /// A quantity that is not a count of simulated persons (expected re-identifications a year, an
    /// estimate's error in percentage points): the numerator counter as it is (over the divisor), not
    /// scaled, since the strand forms it for the declared population itself; its unit in
    /// <see cref="MetricDefinition.Counts"/>. With a denominator counter, over it (a mean per row,
    /// or undefined where the denominator is 0, e.g. an estimate a release does not allow).
    /// </summary>
    Quantity,
}

/// <summary>
/// A metric a strand reports, computed from its integer counters after a replicate's tallies are complete.
/// </summary>
/// <param name="Name">The metric name (<c>^[a-z][a-z0-9_]*(\.[a-z0-9-]+)?$</c>).</param>
/// <param name="Unit">How the value is formed.</param>
/// <param name="Numerator">The counter (index into the strand's counters) of the count, money or rate numerator.</param>
/// <param name="Denominator">The rate's denominator counter; ignored for counts and money.</param>
/// <param name="IsHarm">True for a harm: the runner adds <c>&lt;name&gt;_ratio_vs_rest</c>.</param>
/// <param name="LinkingVariantsOnly">True when the metric exists only in variants that link data (not the status quo).</param>
/// <param name="IsHeadline">True when the run's plain summary shows it.</param>
/// <param name="Events">
/// The counter whose unscaled count is the events behind the value (results.csv's <c>events</c>); −1 takes
/// the default: the numerator of a count or rate, none for money (see <see cref="EventsCounter"/>).
/// </param>
/// <param name="Counts">What a <see cref="MetricUnit.Persons"/> metric counts when not persons, in words
/// (<c>claims</c>, <c>actions</c>, <c>person-days</c>); null: persons.</param>
/// <param name="PresentValue">True for money that is a present value over the scenario's horizon; false for an annual flow.</param>
/// <param name="Per">What a rate is per, in words, when its denominator counter's name does not say it plainly
/// (<c>persons processed</c>); null: the denominator counter's name.</param>
/// <param name="Divisor">
/// What the numerator counter is divided by first: 1 for whole counts; a power of two for counters
/// the strand keeps in fixed point (a sum of per-record probabilities or risks 1/f, each rounded to
/// a multiple of 1/Divisor, so that every thread and shard adds the same integers).
/// </param>
public sealed record MetricDefinition(string Name, MetricUnit Unit, int Numerator, int Denominator = -1, bool IsHarm = false,
    bool LinkingVariantsOnly = false, bool IsHeadline = false, int Events = -1, string? Counts = null, bool PresentValue = false,
    string? Per = null, double Divisor = 1)
{
    /// <summary>
    /// The counter whose unscaled count is the events behind the value: <see cref="Events"/> when given,
    /// else the numerator of a count or rate (persons or events), else −1 (money names none by default:
    /// pence are not events).
    /// </summary>
    public int EventsCounter => Events >= 0 ? Events : Unit is MetricUnit.Persons or MetricUnit.Rate ? Numerator : -1;
}

/// <summary>
/// A per-person outcome a strand marks in <see cref="PersonFlags"/> (<see cref="IStrandModel.Marks"/>), and
/// what it means there, so that a view across strands (a package) and its docs can name it.
/// </summary>
/// <param name="Outcome">The bit (one of <see cref="PersonOutcome"/>'s).</param>
/// <param name="Meaning">A short phrase a report can print, e.g. <c>wrongful adverse action</c>.</param>
/// <param name="Metric">
/// The strand's metric whose unscaled events (<see cref="ResultRow.Events"/>) in the <c>all</c> row of a
/// variant equal exactly the persons marked with the bit in that variant, summed over the same
/// replicates (a metric a variant does not report, being for linking variants only, stands for 0);
/// null when no metric counts exactly those persons.
/// </param>
/// <param name="LinkingVariantsOnly">True when the bit is set only in variants that link data (never in the status quo).</param>
/// <param name="WholePopulationOnly">
/// True when the bit is marked only when the run simulates the declared population: below it, what
/// the bit records is known only as an expectation over persons (e.g. whether a record is unique in its
/// class of the declared population), so nobody is marked, and <paramref name="Metric"/> is then an estimate.
/// </param>
public sealed record PersonMark(PersonOutcome Outcome, string Meaning, string? Metric, bool LinkingVariantsOnly = false,
    bool WholePopulationOnly = false);

/// <summary>
/// The plug-in seam for a strand (fraud, tailored services, research) and for the population and
/// linkage that every scenario has: it declares integer counters, accumulators and the metrics made
/// from them, and compiles, once per replicate, an evaluator of <b>all variants</b> on a chunk of
/// persons. docs/architecture.md says what a strand writes and what it must never do.
/// </summary>
/// <remarks>
/// <para>The contract that makes results identical for any thread count, chunk size or shard, and
/// variants comparable on common random numbers:</para>
/// <list type="bullet">
/// <item>Everything uncertain is drawn in <see cref="Compile"/> for (seed, replicate) through the strand kit's
/// <c>ReplicateDraws</c>: <c>For(variant)</c> for what a variant may change (its overrides resolved by
/// <see cref="SimulationVariant.Resolve"/>), the plain draws for what every variant shares; the same
/// draw for every variant unless the variant overrides that parameter. The draws record what was read
/// (<see cref="ReplicateContext.Use"/>), which is how an override nothing reads is reported.</item>
/// <item>A person's outcome in every variant is a pure function of (seed, replicate, person id, the
/// person's attributes, the variant, and in a later pass the merged accumulators of the earlier
/// passes): per-person random words come from counter-based streams keyed by the person id, and the
/// same words serve every variant, so a variant differs only where what it changes acts.</item>
/// <item>An evaluator adds integers only (counts, money in whole pence) to the tallies and
/// accumulators it is handed; it may keep scratch buffers (one evaluator per thread) but never
/// shared state, and it reads only the person attributes <see cref="Reads"/> declares.</item>
/// </list>
/// </remarks>
public interface IStrandModel
{
    /// <summary>The integer counters, per variant and result row, in index order.</summary>
    CounterSet Counters { get; }

    /// <summary>
    /// The optional person attributes the evaluators read (area, income decile and group
    /// memberships always come): the runner generates only what some model reads, and with
    /// <see cref="EngineChecks"/> on, an evaluator reading anything else fails.
    /// </summary>
    PersonAttributes Reads { get; }

    /// <summary>
    /// Parameter paths (each with everything below it) that describe the people or today's
    /// process and so are the same in every variant: every variant is evaluated on the same
    /// persons with the same draws. The runner reports a variant's override of one of them as not
    /// applied (a warning in the run's output and manifest) rather than letting it pass silently.
    /// </summary>
    IReadOnlyList<string> SharedParameters { get; }

    /// <summary>The metrics, in the order results list them.</summary>
    IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>
    /// Passes over the persons per replicate (1 unless a later pass needs what an earlier pass
    /// accumulated over everyone, e.g. equivalence-class sizes before attributing risk to persons).
    /// </summary>
    int Passes => 1;

    /// <summary>
    /// Passes the model needs when no observer reads the persons' flags (1 … <see cref="Passes"/>;
    /// <see cref="Passes"/> by default): fewer when what its later passes would add to the tallies
    /// can be formed from the accumulators of its earlier ones. Its replicate then adds those
    /// tallies itself (in <see cref="IStrandReplicate.Complete"/>) whether or not the later passes
    /// run, and a later pass that does run (its last pass observed) only marks the persons' flags.
    /// The runner skips a replicate's passes that no model needs (<see cref="ReplicateRun.RunPass"/>).
    /// </summary>
    int PassesUnobserved => Passes;

    /// <summary>
    /// Whether the counts are a year's events, so that a pilot of m months sees about m/12 of them
    /// (true, the default), or happen once whatever the pilot's length (a release: false).
    /// </summary>
    bool CountsAYear => true;

    /// <summary>
    /// The model with every count added person by person, so that the tallies of any share of the
    /// persons (one area's, for a simulated pilot) are that share's own. The default is this model,
    /// whose counts already are; a model that forms some figures for the whole population at the end
    /// of a pass (the research strand, unobserved) returns one that does not.
    /// </summary>
    IStrandModel CountingByPerson() => this;

    /// <summary>
    /// The per-person outcomes the strand marks in <see cref="ChunkOutput.Flags"/> and what each means,
    /// in the pass where it marks them (its last: the one an observer sees). None by default (the
    /// population and linkage that every scenario has mark nothing). Marking never changes a tally.
    /// </summary>
    IReadOnlyList<PersonMark> Marks => [];

    /// <summary>Integer accumulators besides the counters, per variant; fresh in every pass, merged at its end.</summary>
    IReadOnlyList<AccumulatorDefinition> Accumulators => [];

    /// <summary>Draws this replicate's parameters and compiles the model for every variant.</summary>
    IStrandReplicate Compile(ReplicateContext context);

    /// <summary>
    /// What the strand concludes from the summarised results that a reader must not miss (e.g. a
    /// group no variant can identify from the data), one line each: the runner adds them to the
    /// run's warnings (manifest and summary). None by default.
    /// </summary>
    IEnumerable<string> Findings(IReadOnlyList<ResultRow> rows) => [];
}

/// <summary>One replicate of a strand: makes evaluators for threads, takes each pass's merged accumulators, and finishes the merged tallies.</summary>
public interface IStrandReplicate
{
    /// <summary>A new evaluator of pass <paramref name="pass"/> with its own scratch buffers, used by one thread for chunk after chunk.</summary>
    IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity);

    /// <summary>
    /// Called once after pass <paramref name="pass"/> with its accumulators merged over every
    /// person (over every shard, when shards run the pass apart), before any evaluator of the next
    /// pass is created; the replicate keeps what the next pass reads. The accumulators are not
    /// used again by the runner.
    /// </summary>
    void EndPass(int pass, Accumulators merged)
    {
    }

    /// <summary>
    /// Called once with the replicate's merged tallies (this strand's slice), e.g. to copy
    /// counters from one variant to others whose outcome is identical and was counted once, and to
    /// form totals and present values.
    /// </summary>
    void Complete(StrandTally total);
}

/// <summary>Evaluates every variant on one chunk of persons and adds the outcomes to the strand's tallies.</summary>
public interface IChunkEvaluator
{
    /// <summary>
    /// Evaluates the persons of <paramref name="persons"/> in every variant and adds integer outcomes
    /// to <paramref name="output"/>. Must not allocate.
    /// </summary>
    void Evaluate(PersonChunk persons, in ChunkOutput output);

    /// <summary>
    /// Called once after the evaluator's last chunk of a pass, with the same outputs: an evaluator
    /// that keeps sums of its own across chunks (e.g. by group mask, to add each to the tally's rows
    /// once) adds them here. Nothing by default.
    /// </summary>
    void Finish(in ChunkOutput output)
    {
    }
}

/// <summary>Where an evaluator puts a chunk's outcomes: this thread's tallies and accumulators of the strand, and the persons' flags.</summary>
/// <param name="Tally">The strand's counters.</param>
/// <param name="Accumulators">The strand's accumulators of this pass (empty when it declares none).</param>
/// <param name="Flags">Who bore a harm, benefited, was exposed or protected, per person and variant (shared by the chunk's strands: set bits only; what each strand marks: <see cref="IStrandModel.Marks"/>).</param>
public readonly record struct ChunkOutput(StrandTally Tally, Accumulators Accumulators, PersonFlags Flags)
{
    /// <summary>Fresh outputs for <paramref name="model"/> alone (its counters only), to evaluate chunks outside a run (benchmarks, tests).</summary>
    public static ChunkOutput Alone(IStrandModel model, int variants, int groups, int chunkCapacity)
    {
        ArgumentNullException.ThrowIfNull(model);
        var table = new TallyTable(variants, groups, model.Counters.Count);
        return new ChunkOutput(new StrandTally(table, 0, model.Counters.Count), new Accumulators(model.Accumulators, variants),
            new PersonFlags(variants, chunkCapacity));
    }
}

/// <summary>What a strand compiles a replicate from.</summary>
/// <param name="Scenario">The scenario as declared.</param>
/// <param name="Variants">The variants, in the order of the tally table's variant index.</param>
/// <param name="Population">The replicate's compiled population (the same persons for every variant).</param>
/// <param name="Seed">The run seed.</param>
/// <param name="Replicate">The replicate.</param>
/// <param name="Persons">Persons the whole run simulates per replicate (every shard's together): with the declared population, the sampling fraction.</param>
public sealed record ReplicateContext(Scenario Scenario, IReadOnlyList<SimulationVariant> Variants, CompiledPopulation Population, ulong Seed, int Replicate,
    long Persons)
{
    /// <summary>What the models read while compiling this replicate (see <see cref="ParameterUse"/>).</summary>
    public ParameterUse Use { get; init; } = new();

    /// <summary>
    /// Parameters held at fixed values in place of their draws (the sensitivity analysis' evaluations;
    /// none in a run): the strand kit applies them to every draw, after a variant's override.
    /// </summary>
    public MonteCarlo.ParameterPins Pins { get; init; } = MonteCarlo.ParameterPins.None;
}
