using System.Globalization;
using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using C = ImpactModel.Strands.TailoredServices.TailoredCounter;

namespace ImpactModel.Strands.TailoredServices;

/// <summary>
/// The tailored public services strand (PRODUCT.md, strand 2; docs/metrics.md, "Tailored public
/// services"): a true need with a status-quo take-up by self-application, and the proposal's rule
/// that finds people through the declared sources and linkages and acts on a proxy: who it reaches
/// who would not have applied, whom it contacts on a sensitive inference without need, whom the data
/// cannot see, and which groups no variant of the rule can identify at all.
/// </summary>
public sealed class TailoredServicesModel : IStrandModel
{
    /// <summary>Below this best achievable recall a group is reported as not identifiable, unless the scenario says otherwise.</summary>
    public const double DefaultIdentifiableRecall = 0.05;

    private readonly Scenario _scenario;
    private readonly int[] _linkages;

    public TailoredServicesModel(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        TailoredServicesSpec spec = scenario.TailoredServices
            ?? throw new ArgumentException($"scenario '{scenario.Name}' has no tailored_services section", nameof(scenario));
        _scenario = scenario;
        _linkages = [.. spec.Identification.Linkages.Select(id => VariantLinkages.IndexOf(scenario, id))];
        Counters = TailoredCounters.For(_linkages.Length);
        Reads = TailoredReplicate.ByAuthority(scenario) ? PersonAttributes.LocalAuthority : PersonAttributes.None;
        SharedParameters =
        [
            "tailored_services.need", "tailored_services.status_quo",
            .. TailoredReplicate.CoverageSources(scenario).Select(i => $"data_sources.{scenario.DataSources[i].Id}.coverage"),
            "discount_rate",
        ];

        var m = new List<MetricDefinition>();
        for (int l = 0; l < _linkages.Length; l++)
            m.AddRange(LinkCounters.Metrics(TailoredCounters.LinkBlock(l), CompiledLinkage.QualifierOf(scenario, scenario.Linkages[_linkages[l]])));
        m.AddRange(
        [
            new("eligible", MetricUnit.Persons, N(C.Eligible)),
            new("eligible_reached", MetricUnit.Persons, N(C.Reached), IsHeadline: true),
            new("additional_take_up", MetricUnit.Persons, N(C.Additional), IsHeadline: true),
            new("eligible_missed", MetricUnit.Persons, N(C.Missed)),
            new("missed_not_in_data", MetricUnit.Persons, N(C.MissedNotInData), LinkingVariantsOnly: true, IsHeadline: true),
            new("exclusion_rate", MetricUnit.Rate, N(C.Missed), N(C.Eligible), IsHarm: true, IsHeadline: true, Per: "eligible persons"),
            new("reached_by_data", MetricUnit.Persons, N(C.DataReached), LinkingVariantsOnly: true),
            new("reached_by_outreach", MetricUnit.Persons, N(C.OutreachReached), LinkingVariantsOnly: true),
            new("contacted", MetricUnit.Persons, N(C.Contacted), LinkingVariantsOnly: true),
            new("ineligible_contacted", MetricUnit.Persons, N(C.IneligibleContacted), LinkingVariantsOnly: true, IsHeadline: true),
            new("intrusion_rate", MetricUnit.Rate, N(C.Intrusions), N(C.Ineligible), IsHarm: true, IsHeadline: true, Per: "ineligible persons"),
            new("opted_out", MetricUnit.Persons, N(C.OptedOut), LinkingVariantsOnly: true),
            new("data_recall", MetricUnit.Rate, N(C.Identified), N(C.Eligible), LinkingVariantsOnly: true, Per: "eligible persons"),
            new("best_achievable_recall", MetricUnit.Rate, N(C.BestIdentified), N(C.Eligible), IsHeadline: true, Per: "eligible persons"),
            new("value_delivered", MetricUnit.Money, N(C.ValuePence), Events: N(C.Reached)),
            new("application_cost", MetricUnit.Money, N(C.ApplicationCostPence), Events: N(C.Applied)),
            new("contact_cost", MetricUnit.Money, N(C.ContactCostPence), LinkingVariantsOnly: true, Events: N(C.Contacted)),
            new("outreach_cost", MetricUnit.Money, N(C.OutreachCostPence), LinkingVariantsOnly: true, Events: N(C.OutreachReached)),
            new("running_cost", MetricUnit.Money, N(C.RunningCostPence), LinkingVariantsOnly: true),
            new("safeguard_cost", MetricUnit.Money, N(C.SafeguardCostPence), LinkingVariantsOnly: true),
            new("total_cost", MetricUnit.Money, N(C.TotalCostPence)),
            new("net_benefit", MetricUnit.Money, N(C.NetBenefitPence), IsHeadline: true, PresentValue: true),
            new("net_benefit_vs_status_quo", MetricUnit.Money, N(C.NetBenefitVsStatusQuoPence), IsHeadline: true, PresentValue: true),
        ]);
        if (HasSourcedValuation(spec))
            m.Add(new("intrusion_value", MetricUnit.Money, N(C.IntrusionValuePence), LinkingVariantsOnly: true, Events: N(C.Intrusions), PresentValue: true));
        Metrics = m;
    }

    public CounterSet Counters { get; }

    /// <summary>Need depends on the person's local authority when an odds ratio names one.</summary>
    public PersonAttributes Reads { get; }

    /// <summary>Who is in need, who would apply by themselves, and who has a record in each source the rule reads: the same people in every variant.</summary>
    public IReadOnlyList<string> SharedParameters { get; }

    public IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>
    /// Per person and linking variant: <see cref="PersonOutcome.Harmed"/>, an intrusion (a person not in need
    /// contacted on a sensitive inference, after minimisation); <see cref="PersonOutcome.Benefited"/>, a
    /// person in need reached who would not have applied (by the rule or by an outreach channel);
    /// <see cref="PersonOutcome.Exposed"/>, flagged by the rule and so contacted or enrolled, in need or
    /// not (those who then opt out of the enrolment included: that opt-out is the action's, drawn only
    /// among the flagged, and withholds nobody from matching); <see cref="PersonOutcome.Protected"/>, a
    /// person the rule looks for (a record in every source it reads outside its linkages) whom a
    /// safeguard withholds from matching: a member of a group a <c>sensitive-category-exclusion</c> lists,
    /// or else opted out (<c>opt-out</c>) or without consent (<c>consent</c>), one draw a person. No
    /// metric counts exactly the protected: <c>opted_out</c> adds the action's opt-outs and leaves out
    /// the excluded. A person is never both exposed and protected in one variant.
    /// </summary>
    public IReadOnlyList<PersonMark> Marks { get; } =
    [
        new(PersonOutcome.Harmed, "intrusion on a sensitive inference", "intrusion_rate", LinkingVariantsOnly: true),
        new(PersonOutcome.Benefited, "reached by a service they would not have applied for", "additional_take_up", LinkingVariantsOnly: true),
        new(PersonOutcome.Exposed, "flagged and contacted or enrolled on a data inference", "contacted", LinkingVariantsOnly: true),
        new(PersonOutcome.Protected, "withheld from matching: excluded sensitive category, opted out or no consent", null, LinkingVariantsOnly: true),
    ];

    public IStrandReplicate Compile(ReplicateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TailoredReplicate.Compile(_scenario, _linkages, context);
    }

    /// <summary>
    /// The groups no variant of the rule can identify: best achievable recall (mean over replicates)
    /// below the scenario's <c>identifiable_recall</c> (default 5%); and where that disagrees with the
    /// scenario's own <c>unidentifiable_groups</c>.
    /// </summary>
    public IEnumerable<string> Findings(IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        TailoredServicesSpec spec = _scenario.TailoredServices!;
        double threshold = spec.IdentifiableRecall;
        var declared = spec.UnidentifiableGroups.ToHashSet(StringComparer.Ordinal);
        foreach (GroupSpec group in _scenario.Population.Groups)
        {
            ResultRow? row = rows.FirstOrDefault(r => r.Group == group.Id && r.Metric == "best_achievable_recall");
            if (row?.Summary.Mean is not { } recall)
            {
                if (declared.Contains(group.Id))
                    yield return $"tailored_services.unidentifiable_groups lists '{group.Id}', but no member of it in need was simulated: the claim could not be checked";
                continue;
            }
            string name = group.Name is { } label ? $"'{group.Id}' ({label})" : $"'{group.Id}'";
            string figure = Percent(recall);
            if (recall < threshold)
            {
                yield return $"group {name} is not identifiable from the data in this scenario: the best recall any variant of the rule reaches is {figure} " +
                             $"of its eligible members (threshold {Percent(threshold)})";
                if (!declared.Contains(group.Id))
                    yield return $"group '{group.Id}' is not identifiable here, but tailored_services.unidentifiable_groups does not list it";
            }
            else if (declared.Contains(group.Id))
            {
                yield return $"tailored_services.unidentifiable_groups lists '{group.Id}', but the rule reaches {figure} of its eligible members " +
                             $"in its best variant (threshold {Percent(threshold)})";
            }
        }
    }

    /// <summary>Intrusion is valued in money only where the scenario gives a valuation with a source (never in the net benefit).</summary>
    internal static bool HasSourcedValuation(TailoredServicesSpec spec) =>
        spec.IntrusionValuation is { } v && !string.IsNullOrWhiteSpace(v.Evidence.Source);

    private static string Percent(double x) => (100 * x).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static int N(C counter) => CounterSet.IndexOf(counter);
}
