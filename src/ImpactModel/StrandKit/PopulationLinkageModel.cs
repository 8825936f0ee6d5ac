using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>
/// What every scenario has before any strand is modelled: the persons by group, and each declared
/// linkage's recall, precision, false-match and review rates by group (docs/metrics.md,
/// "Population and runner").
/// </summary>
/// <remarks>
/// <para><b>Who is linked.</b> Until a strand says whose records are linked (e.g. the fraud strand's
/// claimants), every simulated person is processed: each has a record in the linkage's <c>from</c>
/// source, and a record in the <c>to</c> source with that source's coverage for their groups (see
/// <see cref="CompiledLinkage"/>). A strand that links a subset passes only those persons.</para>
/// <para><b>Which variants link.</b> Every variant but <c>status-quo</c>: in the status quo nothing new
/// is shared, so it has no <c>link_*</c> rows (not zeros, which would read as a linkage that found
/// nothing). Variants whose linkage and data sources are the same records as an earlier variant's
/// (safeguards act after linkage; most overrides do not touch it) are linked once and their counters
/// copied after the merge, so the cost of linkage does not grow with the number of safeguards.</para>
/// </remarks>
public sealed class PopulationLinkageModel : IStrandModel
{
    /// <summary>Counter 0: persons.</summary>
    public const int PersonsCounter = 0;

    private readonly int _linkages;

    public PopulationLinkageModel(Scenario scenario)
        : this(scenario, linkEveryone: true)
    {
    }

    /// <param name="scenario">The scenario.</param>
    /// <param name="linkEveryone">False when a strand links the persons it concerns itself and reports the
    /// <c>link_*</c> metrics for them (the fraud strand: its claimants); then this model counts persons only.</param>
    public PopulationLinkageModel(Scenario scenario, bool linkEveryone)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _linkages = linkEveryone ? scenario.Linkages.Length : 0;
        CounterSet counters = CounterSet.Of(["persons"]);
        var metrics = new List<MetricDefinition> { new("persons", MetricUnit.Persons, PersonsCounter, IsHeadline: true) };
        for (int l = 0; l < _linkages; l++)
        {
            metrics.AddRange(LinkCounters.Metrics(counters.Count, VariantLinkages.MetricQualifier(scenario, l)));
            counters = counters.Then(scenario.Linkages[l].Id, LinkCounters.Set);
        }

        Counters = counters;
        Metrics = metrics;
    }

    public CounterSet Counters { get; }

    /// <summary>Persons by group and their linkage: group memberships only.</summary>
    public PersonAttributes Reads => PersonAttributes.None;

    /// <summary>The population: every variant is evaluated on the same persons.</summary>
    public IReadOnlyList<string> SharedParameters { get; } = ["population"];

    public IReadOnlyList<MetricDefinition> Metrics { get; }

    public IStrandReplicate Compile(ReplicateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var linkages = new VariantLinkages[_linkages];
        for (int l = 0; l < _linkages; l++)
            linkages[l] = VariantLinkages.Compile(context, l);
        return new Replicate(linkages, context.Variants.Count);
    }

    /// <summary>The first counter of linkage <paramref name="linkage"/>'s block.</summary>
    private static int BlockOf(int linkage) => 1 + linkage * LinkCounters.Set.Count;

    private sealed class Replicate(VariantLinkages[] linkages, int variants) : IStrandReplicate
    {
        public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity) => new Evaluator(linkages, chunkCapacity);

        public void Complete(StrandTally total)
        {
            // Persons were counted in variant 0 only: every variant sees the same persons.
            for (int v = 1; v < variants; v++)
                total.CopyCounters(0, v, PersonsCounter, 1);
            for (int l = 0; l < linkages.Length; l++)
                LinkCounters.CopyShared(total.Slice(BlockOf(l), LinkCounters.Set.Count), linkages[l]);
        }
    }

    private sealed class Evaluator(VariantLinkages[] linkages, int capacity) : IChunkEvaluator
    {
        private readonly LinkOutcome[] _outcomes = new LinkOutcome[capacity];

        public void Evaluate(PersonChunk persons, in ChunkOutput output)
        {
            ArgumentNullException.ThrowIfNull(persons);
            StrandTally tally = output.Tally;
            ReadOnlySpan<uint> masks = persons.Groups;
            tally.AddPersons(0, masks, PersonsCounter);

            Span<LinkOutcome> outcomes = _outcomes.AsSpan(0, masks.Length);
            for (int l = 0; l < linkages.Length; l++)
            {
                StrandTally block = tally.Slice(BlockOf(l), LinkCounters.Set.Count);
                VariantLinkages linkage = linkages[l];
                for (int d = 0; d < linkage.Distinct.Count; d++)
                {
                    linkage.Distinct[d].Link(persons.FirstPerson, masks, outcomes);
                    int v = linkage.FirstUser[d];
                    for (int i = 0; i < masks.Length; i++)
                        LinkCounters.Add(block, v, masks[i], outcomes[i]);
                }
            }
        }
    }
}
