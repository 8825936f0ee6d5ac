using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

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

    private const int PerLinkage = 6; // processed, with_record, linked_own, linked_other, linked, reviewed
    private readonly Scenario _scenario;
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
        _scenario = scenario;
        _linkages = linkEveryone ? scenario.Linkages.Length : 0;
        var counters = new List<string> { "persons" };
        var metrics = new List<MetricDefinition> { new("persons", MetricUnit.Persons, PersonsCounter, IsHeadline: true) };
        int targets = scenario.Linkages.Select(l => l.To).Distinct(StringComparer.Ordinal).Count();
        for (int l = 0; l < _linkages; l++)
        {
            LinkageSpec spec = scenario.Linkages[l];
            int b = 1 + l * PerLinkage;
            counters.AddRange([$"{spec.Id}.processed", $"{spec.Id}.with_record", $"{spec.Id}.linked_own",
                $"{spec.Id}.linked_other", $"{spec.Id}.linked", $"{spec.Id}.reviewed"]);
            string? q = targets > 1 ? spec.To : null;
            metrics.Add(new(LinkageMetric.Name(LinkageMetric.Recall, q), MetricUnit.Rate, b + 2, b + 1, LinkingVariantsOnly: true, IsHeadline: true));
            metrics.Add(new(LinkageMetric.Name(LinkageMetric.Precision, q), MetricUnit.Rate, b + 2, b + 4, LinkingVariantsOnly: true));
            metrics.Add(new(LinkageMetric.Name(LinkageMetric.FalseMatchRate, q), MetricUnit.Rate, b + 3, b, IsHarm: true, LinkingVariantsOnly: true, IsHeadline: true));
            metrics.Add(new(LinkageMetric.Name(LinkageMetric.ReviewRate, q), MetricUnit.Rate, b + 5, b, LinkingVariantsOnly: true));
        }

        Counters = counters;
        Metrics = metrics;
    }

    public IReadOnlyList<string> Counters { get; }

    /// <summary>Persons by group and their linkage: group memberships only.</summary>
    public PersonAttributes Reads => PersonAttributes.None;

    /// <summary>The population: every variant is evaluated on the same persons.</summary>
    public IReadOnlyList<string> SharedParameters { get; } = ["population"];

    public IReadOnlyList<MetricDefinition> Metrics { get; }

    public IStrandReplicate Compile(ReplicateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var groupIds = context.Population.GroupIds;
        var linkages = new List<(int Linkage, int Variant, CompiledLinkage Compiled)>();
        var sharers = new List<(int Linkage, int From, int To)>();
        for (int l = 0; l < _linkages; l++)
        {
            var representatives = new List<int>();
            for (int v = 0; v < context.Variants.Count; v++)
            {
                SimulationVariant variant = context.Variants[v];
                if (!variant.LinksData)
                    continue;
                Scenario s = variant.Scenario;
                int same = representatives.FindIndex(r => ReferenceEquals(context.Variants[r].Scenario.Linkages[l], s.Linkages[l])
                                                         && context.Variants[r].Scenario.DataSources == s.DataSources);
                if (same >= 0)
                {
                    sharers.Add((l, representatives[same], v));
                    continue;
                }

                representatives.Add(v);
                linkages.Add((l, v, CompiledLinkage.Compile(s, s.Linkages[l], groupIds, context.Seed, context.Replicate)));
            }
        }

        return new Replicate(linkages.ToArray(), sharers.ToArray(), context.Variants.Count);
    }

    private sealed class Replicate(
        (int Linkage, int Variant, CompiledLinkage Compiled)[] linkages,
        (int Linkage, int From, int To)[] sharers,
        int variants) : IStrandReplicate
    {
        public IChunkEvaluator CreateEvaluator(int chunkCapacity) => new Evaluator(linkages, chunkCapacity);

        public void Complete(TallyTable total, int counterOffset)
        {
            ArgumentNullException.ThrowIfNull(total);
            // Persons were counted in variant 0 only: every variant sees the same persons.
            for (int v = 1; v < variants; v++)
                total.CopyCounters(0, v, counterOffset + PersonsCounter, 1);
            foreach (var (l, from, to) in sharers)
                total.CopyCounters(from, to, counterOffset + 1 + l * PerLinkage, PerLinkage);
        }
    }

    private sealed class Evaluator((int Linkage, int Variant, CompiledLinkage Compiled)[] linkages, int capacity) : IChunkEvaluator
    {
        private readonly LinkOutcome[] _outcomes = new LinkOutcome[capacity];

        public void Evaluate(PersonChunk persons, TallyTable tally, int counterOffset)
        {
            ArgumentNullException.ThrowIfNull(persons);
            ArgumentNullException.ThrowIfNull(tally);
            ReadOnlySpan<uint> masks = persons.Groups;
            tally.AddPersons(0, masks, counterOffset + PersonsCounter);

            Span<LinkOutcome> outcomes = _outcomes.AsSpan(0, masks.Length);
            foreach (var (l, v, compiled) in linkages)
            {
                compiled.Link(persons.FirstPerson, masks, outcomes);
                int b = counterOffset + 1 + l * PerLinkage;
                for (int i = 0; i < masks.Length; i++)
                {
                    uint mask = masks[i];
                    LinkOutcome o = outcomes[i];
                    tally.Add(v, mask, b, 1);
                    if ((o & LinkOutcome.HasRecord) != 0)
                        tally.Add(v, mask, b + 1, 1);
                    if ((o & LinkOutcome.LinkedOwn) != 0)
                    {
                        tally.Add(v, mask, b + 2, 1);
                        tally.Add(v, mask, b + 4, 1);
                    }
                    else if ((o & LinkOutcome.LinkedOther) != 0)
                    {
                        tally.Add(v, mask, b + 3, 1);
                        tally.Add(v, mask, b + 4, 1);
                    }

                    if ((o & LinkOutcome.Reviewed) != 0)
                        tally.Add(v, mask, b + 5, 1);
                }
            }
        }
    }
}
