namespace ImpactModel.Reporting;

/// <summary>
/// One row of <c>safeguards.csv</c>: a paired difference between two variants, computed per replicate
/// on the same random numbers and summarised over replicates as results.csv is (null where empty).
/// </summary>
/// <param name="Safeguard">The safeguard id.</param>
/// <param name="Effect"><see cref="Marginal"/> (proposal minus proposal-without-X) or <see cref="Solo"/> (proposal-only-X minus proposal-no-safeguards).</param>
/// <param name="Group"><c>all</c>, a peripheral group, or <c>rest</c>.</param>
/// <param name="Metric">A metric of results.csv, or <c>&lt;harm&gt;_cost_per_avoided</c>.</param>
/// <param name="Mean">Mean of the per-replicate differences, in the metric's unit.</param>
/// <param name="Low">2.5th percentile over replicates (type 7); null with fewer than 2 replicates.</param>
/// <param name="High">97.5th percentile over replicates.</param>
/// <param name="Replicates">Replicates where the difference is defined.</param>
public sealed record SafeguardLine(string Safeguard, string Effect, string Group, string Metric, double? Mean, double? Low, double? High, int Replicates)
{
    /// <summary>What the safeguard adds to the proposal as declared.</summary>
    public const string Marginal = "marginal";

    /// <summary>What the safeguard does alone.</summary>
    public const string Solo = "solo";

    /// <summary>The suffix of a cost-per-harm-avoided metric.</summary>
    public const string CostPerAvoided = "_cost_per_avoided";

    /// <summary>The difference as a figure (never marked unreliable: safeguards.csv carries no event counts), or null when undefined.</summary>
    public Figure? Figure => Mean is { } m ? new Figure(m, Low, High, false) : null;

    /// <summary>True when the 95% interval is defined and contains zero: no detectable effect.</summary>
    public bool SpansZero => Low is { } l && High is { } h && l <= 0 && 0 <= h;
}

/// <summary>One row of <c>principles.csv</c>: a data-protection principle and a safeguard serving it, or null when none does.</summary>
public sealed record PrincipleLine(string Principle, string? Safeguard);

/// <summary>
/// One row of <c>sensitivity.csv</c>: how a parameter (or by-group family) moves one headline metric of the
/// proposal against the status quo. Null where the file's cell is empty.
/// </summary>
/// <param name="Parameter">The parameter's path as in parameters.csv, or a by-group parameter's family path.</param>
/// <param name="Metric">The headline metric (the proposal's value minus the status quo's, group all).</param>
/// <param name="Low">The value with the parameter at its 10th percentile and every other at its median (only with <c>--sensitivity</c>).</param>
/// <param name="High">The same at its 90th percentile.</param>
/// <param name="Swing">High − low, signed.</param>
/// <param name="Rank">1 for the largest |swing| (or |spearman| without swings) within the metric.</param>
/// <param name="Spearman">Rank correlation over the replicates between the parameter's draws and the value (null with fewer than 10 replicates).</param>
/// <param name="SwitchingValue">For <c>net_benefit_vs_status_quo</c>: the parameter's value where the net benefit changes sign, if within its 1st–99th percentiles.</param>
public sealed record SensitivityLine(string Parameter, string Metric, double? Low, double? High, double? Swing, int? Rank, double? Spearman, double? SwitchingValue);

/// <summary>One row of <c>evidence.csv</c>: a parameter as declared, where it comes from, and how much it moves the decision.</summary>
/// <param name="Parameter">The parameter's path as in parameters.csv.</param>
/// <param name="Value">The declared value or distribution as written (<c>beta(2, 50)</c>, <c>0.035</c>).</param>
/// <param name="Source">Its source, or null.</param>
/// <param name="Grade">Its evidence grade.</param>
/// <param name="SensitivityRank">Its (family's) best rank over the metrics of sensitivity.csv, or null.</param>
public sealed record EvidenceLine(string Parameter, string Value, string? Source, string Grade, int? SensitivityRank);

/// <summary>
/// The review view's four files of a run folder (issue 21): each null when the folder does not have it
/// (a run made before the view), so every view falls back to what it showed before.
/// </summary>
public sealed record ReviewData(
    IReadOnlyList<SafeguardLine>? Safeguards,
    IReadOnlyList<PrincipleLine>? Principles,
    IReadOnlyList<SensitivityLine>? Sensitivity,
    IReadOnlyList<EvidenceLine>? Evidence)
{
    /// <summary>A folder with none of the four files.</summary>
    public static ReviewData None { get; } = new(null, null, null, null);
}
