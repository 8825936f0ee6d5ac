using System.Collections.Immutable;
using System.Globalization;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using C = ImpactModel.Strands.Research.ResearchCounter;

namespace ImpactModel.Strands.Research;

/// <summary>
/// The research and statistics strand (PRODUCT.md, strand 1; docs/metrics.md, "Research and
/// statistics"): a de-identified extract released to researchers, its re-identification risk
/// measured on the actual extract and the actual population, and its research utility, by group.
/// Two passes over the same persons: pass 0 counts the equivalence classes of every distinct
/// release (integers per cell and row slot, not per person); each record's class-based risk is
/// attributed to every group its person belongs to from those counts at the end of pass 0, and
/// pass 1 runs only when an observer reads the persons' flags. Safeguards act as ablation
/// variants through the runner.
/// </summary>
public sealed class ResearchModel : IStrandModel
{
    private readonly Scenario _scenario;
    private volatile bool _estimated;
    private long _simulated;

    public ResearchModel(Scenario scenario)
        : this(scenario, ResearchReplicate.TalliesFromClassCounts)
    {
    }

    private ResearchModel(Scenario scenario, bool formsTallies)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        FormsTallies = formsTallies;
        ResearchSpec spec = scenario.Research
            ?? throw new ArgumentException($"scenario '{scenario.Name}' has no research section", nameof(scenario));
        _scenario = scenario;
        Plan = new ReleasePlan(scenario, VariantBuilder.Build(scenario));
        Groups = scenario.Population.Groups.Length;
        string[] attributes = [.. spec.SensitiveAttributes.Select(a => a.Id)];
        Width = ClassPlan.Width(attributes.Length, Groups);
        PackedWidth = (Width + 1) / 2;
        ExtractSource = spec.ExtractSource is { } source ? scenario.DataSources.Select(d => d.Id).ToList().IndexOf(source) : null;
        QuestionAttribute = [.. spec.Questions.Select(q => Array.IndexOf(attributes, q.Attribute))];
        string[] groupIds = [.. scenario.Population.Groups.Select(g => g.Id)];
        QuestionRows = [.. spec.Questions.Select(q =>
        {
            IEnumerable<int> groups = (q.Groups.IsDefaultOrEmpty ? groupIds : q.Groups.AsEnumerable()).Select(g => Array.IndexOf(groupIds, g) + 1);
            return q.Kind == QuestionKind.Prevalence ? [0, .. groups, Groups + 1] : groups.ToImmutableArray();
        })];
        Counters = ResearchCounters.For(attributes, [.. spec.Questions.Select(q => q.Id)]);

        var reads = PersonAttributes.None;
        foreach (ReleaseLevel level in Plan.Classes.SelectMany(c => c.Layout.Levels))
        {
            reads |= level.Source switch
            {
                LevelSource.Age => PersonAttributes.Age,
                LevelSource.Sex => PersonAttributes.Sex,
                LevelSource.LocalAuthority => PersonAttributes.LocalAuthority,
                LevelSource.Categorical => PersonAttributes.Categorical,
                _ => PersonAttributes.None,
            };
        }

        Reads = reads;
        SharedParameters =
        [
            "research.sensitive_attributes", "research.attack", "discount_rate",
            .. ExtractSource is { } s ? [$"data_sources.{scenario.DataSources[s].Id}.coverage"] : Array.Empty<string>(),
        ];
        Accumulators = [.. Plan.Classes.Select((c, i) => new AccumulatorDefinition($"classes{i}", c.Layout.Cells * PackedWidth, Pass: 0, Shared: true))];
        Metrics = Define(spec);
    }

    internal ReleasePlan Plan { get; }

    internal int Groups { get; }

    /// <summary>Integers per cell of a class count (<see cref="ClassPlan.Width"/>).</summary>
    internal int Width { get; }

    /// <summary>Longs per cell of a class count as pass 0 accumulates it: two 32-bit counts to a long (<see cref="ClassCounter"/>).</summary>
    internal int PackedWidth { get; }

    /// <summary>The extract's source (index among the data sources), or null when every person can be in it.</summary>
    internal int? ExtractSource { get; }

    /// <summary>Per question, its sensitive attribute's index.</summary>
    internal int[] QuestionAttribute { get; }

    /// <summary>Per question, the result rows it is asked for: all, its groups and rest for a prevalence; its groups for a difference from rest.</summary>
    internal ImmutableArray<int>[] QuestionRows { get; }

    public CounterSet Counters { get; }

    public PersonAttributes Reads { get; }

    /// <summary>Who the persons are and what they hold, and what the attacker does: the same in every variant.</summary>
    public IReadOnlyList<string> SharedParameters { get; }

    public IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>
    /// Per person and releasing variant, in pass 1 (run only when observed): <see cref="PersonOutcome.Exposed"/>,
    /// the person's record is in the variant's extract (a record in the extract's source, sampled, not
    /// withheld), whether the variant releases it at record level or makes tables of it, and before
    /// suppression; <see cref="PersonOutcome.Protected"/>, a person who would be in it (a record in the
    /// source, sampled) but whom a safeguard left out: a member of a group a
    /// <c>sensitive-category-exclusion</c> lists, or opted out (<c>opt-out</c>) or without consent
    /// (<c>consent</c>), one draw a person; <see cref="PersonOutcome.Harmed"/>, the person's record is
    /// released at record level alone in its class of the extract (a sample unique), known only with
    /// exact class sizes (the declared population simulated). No metric counts the protected.
    /// </summary>
    public IReadOnlyList<PersonMark> Marks { get; } =
    [
        new(PersonOutcome.Harmed, "sample-unique record in a record-level release", "sample_uniques", LinkingVariantsOnly: true, WholePopulationOnly: true),
        new(PersonOutcome.Exposed, "record in the extract shared for research", "records_in_extract", LinkingVariantsOnly: true),
        new(PersonOutcome.Protected, "withheld from the extract: excluded sensitive category, opted out or no consent", null, LinkingVariantsOnly: true),
    ];

    public int Passes => 2;

    /// <summary>
    /// One: every figure pass 1 would attribute to persons is a value of their cell times the cell's
    /// persons of each row, which pass 0 counts, so its replicate forms the tallies at the end of
    /// pass 0 and pass 1 runs only to mark the persons' flags for an observer (two with
    /// <see cref="ResearchReplicate.TalliesFromClassCounts"/> off, in tests).
    /// </summary>
    public int PassesUnobserved => FormsTallies ? 1 : 2;

    /// <summary>A release is made once: a pilot of any length sees all of its records.</summary>
    public bool CountsAYear => false;

    /// <summary><see cref="ResearchReplicate.TalliesFromClassCounts"/> when the model was made: one model's replicates all take the same path.</summary>
    internal bool FormsTallies { get; }

    /// <summary>Pass 1 adds every figure person by person, so each share of the persons (an area) has its own.</summary>
    public IStrandModel CountingByPerson() => FormsTallies ? new ResearchModel(_scenario, formsTallies: false) : this;

    public IReadOnlyList<AccumulatorDefinition> Accumulators { get; }

    public IStrandReplicate Compile(ReplicateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _simulated = context.Persons;
        _estimated = context.Persons < context.Scenario.Population.Size;
        return ResearchReplicate.Compile(this, context);
    }

    /// <summary>Re-identification is valued in money only where the scenario gives a valuation with a source.</summary>
    internal static bool HasSourcedValuation(ResearchSpec spec) =>
        spec.ReidentificationValuation is { } v && !string.IsNullOrWhiteSpace(v.Evidence.Source);

    /// <summary>
    /// The groups that vanish from a variant's release (no member released in some replicate); the
    /// privacy budget each noisy variant spends; and, when fewer persons than declared are simulated,
    /// that class sizes and the counts made from them are estimated.
    /// </summary>
    public IEnumerable<string> Findings(IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (_estimated)
        {
            string counts = string.Create(CultureInfo.InvariantCulture, $"{_simulated:N0} persons were simulated, fewer than the declared {_scenario.Population.Size:N0}");
            yield return $"research: {counts}: population and extract class sizes, and the uniques, risks and disclosures made from them, are estimated " +
                         "for the declared population (docs/metrics.md, \"Estimating class sizes\"); run with the declared population for exact counts";
        }

        var names = _scenario.Population.Groups.ToDictionary(g => g.Id, g => g.Name is { } n ? $"'{g.Id}' ({n})" : $"'{g.Id}'", StringComparer.Ordinal);
        foreach (ResultRow row in rows.Where(r => r.Metric == "group_released" && names.ContainsKey(r.Group) && r.Variant != VariantBuilder.StatusQuo))
        {
            if (row.Summary.Mean is { } share && share < 1)
            {
                string when = share == 0 ? "in every replicate" : $"in {100 * (1 - share):0.#}% of replicates";
                yield return $"research: group {names[row.Group]} vanishes from the release of variant '{row.Variant}' {when}: " +
                             "no member's record or table cell is released, so no research question can be answered for it";
            }
        }

        // The privacy budget ledger: one line per budget spent, naming the variants that spend it.
        foreach (var spent in rows.Where(r => r.Metric == "privacy_budget_spent" && r.Group == "all" && r.Summary.Mean is > 0)
                     .GroupBy(r => r.Summary.Mean!.Value).OrderBy(g => g.Key))
        {
            string[] variants = [.. spent.Select(r => r.Variant)];
            string list = variants.Length <= 4 ? string.Join(", ", variants) : $"{string.Join(", ", variants.Take(3))} and {variants.Length - 3} more";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"research: privacy budget ledger: ε {spent.Key:0.###} spent over the {_scenario.HorizonYears}-year horizon (ε per count × the {1 + Groups} tables a person " +
                $"can be counted in (all and each group) × the {1 + _scenario.Research!.SensitiveAttributes.Length} counts of each cell (its records and the holders of each " +
                $"sensitive attribute) × releases a year × years, by sequential composition) by {list}");
        }
    }

    private List<MetricDefinition> Define(ResearchSpec spec)
    {
        const double F = ResearchCounters.Fixed, Fine = ResearchCounters.Fine;
        var m = new List<MetricDefinition>
        {
            new("records_in_extract", MetricUnit.Persons, N(C.ExtractRecords), LinkingVariantsOnly: true, Counts: "records"),
            new("records_released", MetricUnit.Persons, N(C.RecordsReleased), LinkingVariantsOnly: true, IsHeadline: true, Events: N(C.ReleasedEvents), Counts: "records", Divisor: F),
            new("records_suppressed", MetricUnit.Persons, N(C.RecordsSuppressed), LinkingVariantsOnly: true, Events: N(C.SuppressedEvents), Counts: "records", Divisor: F),
            new("sample_uniques", MetricUnit.Persons, N(C.SampleUniques), LinkingVariantsOnly: true, IsHeadline: true, Events: N(C.UniqueEvents), Counts: "records",
                Divisor: F),
            new("population_uniques", MetricUnit.Persons, N(C.PopulationUniques), LinkingVariantsOnly: true, Events: N(C.PopulationUniqueEvents), Counts: "records", Divisor: F),
            new("prosecutor_risk", MetricUnit.Rate, N(C.ProsecutorSum), N(C.RecordsReleased), IsHarm: true, LinkingVariantsOnly: true, IsHeadline: true,
                Events: N(C.ReleasedEvents), Per: "released records (mean of 1/f)", Divisor: ClassRisk.RiskPerRecord),
            new("journalist_risk", MetricUnit.Rate, N(C.JournalistSum), N(C.RecordsReleased), IsHarm: true, LinkingVariantsOnly: true, Events: N(C.ReleasedEvents),
                Per: "released records (mean of 1/F)", Divisor: ClassRisk.RiskPerRecord),
            new("marketer_risk", MetricUnit.Rate, N(C.JournalistSum), N(C.RecordsReleased), LinkingVariantsOnly: true, Events: N(C.ReleasedEvents),
                Per: "released records (share a marketer re-identifies: Σ f/F over n)", Divisor: ClassRisk.RiskPerRecord),
            new("sample_unique_rate", MetricUnit.Rate, N(C.SampleUniques), N(C.RecordsReleased), IsHarm: true, LinkingVariantsOnly: true, Events: N(C.UniqueEvents),
                Per: "released records", Divisor: 1),
            new("high_risk_rate", MetricUnit.Rate, N(C.RecordsAtHighRisk), N(C.RecordsReleased), IsHarm: true, LinkingVariantsOnly: true, Events: N(C.HighRiskEvents),
                Per: "released records", Divisor: 1),
            new("disclosure_rate", MetricUnit.Rate, N(C.AttributeDisclosures), N(C.ExtractRecords), IsHarm: true, LinkingVariantsOnly: true, Events: N(C.DisclosureEvents),
                Per: "records in the extract (disclosures per record)", Divisor: F),
            new("records_at_high_risk", MetricUnit.Persons, N(C.RecordsAtHighRisk), LinkingVariantsOnly: true, IsHeadline: true, Events: N(C.HighRiskEvents),
                Counts: "records", Divisor: F),
            new("attribute_disclosures", MetricUnit.Persons, N(C.AttributeDisclosures), LinkingVariantsOnly: true, IsHeadline: true, Events: N(C.DisclosureEvents),
                Counts: "disclosures (record × sensitive attribute)", Divisor: F),
            new("expected_reidentifications", MetricUnit.Quantity, N(C.ExpectedReidentifications), LinkingVariantsOnly: true, IsHeadline: true,
                Counts: "re-identifications a year", Divisor: Fine),
            new("expected_reidentifications_over_horizon", MetricUnit.Quantity, N(C.ExpectedReidentificationsOverHorizon), LinkingVariantsOnly: true,
                Counts: $"re-identifications over {_scenario.HorizonYears} years", Divisor: Fine),
            new("cells_with_members", MetricUnit.Quantity, N(C.CellsWithMembers), LinkingVariantsOnly: true, Counts: "cells of the release"),
            new("cells_suppressed", MetricUnit.Quantity, N(C.CellsSuppressed), LinkingVariantsOnly: true, Counts: "cells of the release"),
            new("group_released", MetricUnit.Quantity, N(C.GroupReleased), LinkingVariantsOnly: true, Counts: "0 or 1 (1: some member's record or table cell is released; 0: the group vanishes)"),
            new("privacy_budget_spent", MetricUnit.Quantity, N(C.PrivacyBudgetSpent), LinkingVariantsOnly: true, Counts: "epsilon over the horizon", Divisor: Fine),
        };
        for (int q = 0; q < spec.Questions.Length; q++)
        {
            int attributes = spec.SensitiveAttributes.Length;
            m.Add(new($"estimate_error.{spec.Questions[q].Id}", MetricUnit.Quantity, ResearchCounters.Error(attributes, q), ResearchCounters.Estimated(attributes, q),
                LinkingVariantsOnly: true, IsHeadline: true, Counts: "percentage points (absolute error against the whole population)", Divisor: Fine));
        }

        m.Add(new("safeguard_cost", MetricUnit.Money, N(C.SafeguardCostPence), LinkingVariantsOnly: true));
        m.Add(new("total_cost", MetricUnit.Money, N(C.TotalCostPence), PresentValue: true));
        if (HasSourcedValuation(spec))
            m.Add(new("reidentification_cost", MetricUnit.Money, N(C.ReidentificationCostPence), LinkingVariantsOnly: true, PresentValue: true));
        if (spec.ResearchValue is not null)
        {
            m.Add(new("research_value", MetricUnit.Money, N(C.ResearchValuePence), PresentValue: true));
            m.Add(new("net_benefit", MetricUnit.Money, N(C.NetBenefitPence), IsHeadline: true, PresentValue: true));
            m.Add(new("net_benefit_vs_status_quo", MetricUnit.Money, N(C.NetBenefitVsStatusQuoPence), IsHeadline: true, PresentValue: true));
        }

        return m;
    }

    private static int N(C counter) => ResearchCounters.N(counter);
}
