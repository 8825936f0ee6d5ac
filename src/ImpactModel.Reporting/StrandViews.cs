using System.Collections.Immutable;

namespace ImpactModel.Reporting;

/// <summary>
/// What a strand's charts, report and terminal summary show, by metric name: its money case, its
/// headline harm counts, and the harm rate whose ratio against <c>rest</c> says who bears harm
/// disproportionately. The chart and report code is the same for every strand; a strand (or a
/// later view) extends them by declaring its metrics here, never by copying chart code.
/// </summary>
/// <param name="Strand">The strand id.</param>
/// <param name="Benefits">Candidates for the money case, in order of preference: the first the run reports is used (net benefit against the status quo where the scenario values the strand).</param>
/// <param name="HarmCounts">Headline harms as counts of people (or records), shown beside the benefit.</param>
/// <param name="HarmRate">The harm rate whose <c>_ratio_vs_rest</c> ranks the groups.</param>
/// <param name="Summary">The metrics the terminal summary and the report's headline table give for the status quo and the proposal, all persons.</param>
public sealed record StrandView(string Strand, ImmutableArray<string> Benefits, ImmutableArray<string> HarmCounts, string HarmRate, ImmutableArray<string> Summary)
{
    /// <summary>The ratio-against-rest metric of <see cref="HarmRate"/>.</summary>
    public string HarmRatio => HarmRate + "_ratio_vs_rest";
}

/// <summary>The declared view of each strand (PRODUCT.md's three strand ids).</summary>
public static class StrandViews
{
    public static readonly StrandView Fraud = new(
        "fraud-error-debt",
        ["net_benefit_vs_status_quo"],
        ["wrongful_adverse_actions", "hardship"],
        "wrongful_adverse_action_rate",
        ["net_benefit_vs_status_quo", "money_recovered", "money_wrongly_recovered", "flagged", "wrongful_adverse_actions", "hardship"]);

    public static readonly StrandView Tailored = new(
        "tailored-services",
        ["net_benefit_vs_status_quo"],
        ["eligible_missed", "ineligible_contacted"],
        "exclusion_rate",
        ["net_benefit_vs_status_quo", "eligible_reached", "additional_take_up", "eligible_missed", "ineligible_contacted"]);

    public static readonly StrandView Research = new(
        "research-statistics",
        ["net_benefit_vs_status_quo", "records_released"],
        ["sample_uniques", "records_at_high_risk"],
        "prosecutor_risk",
        ["net_benefit_vs_status_quo", "records_released", "sample_uniques", "records_at_high_risk", "expected_reidentifications"]);

    public static IReadOnlyList<StrandView> All { get; } = [Fraud, Tailored, Research];

    /// <summary>The view of <paramref name="strand"/>; an unknown strand shows no strand-specific figures.</summary>
    public static StrandView For(string strand) =>
        All.FirstOrDefault(v => v.Strand == strand) ?? new StrandView(strand, [], [], "", []);
}
