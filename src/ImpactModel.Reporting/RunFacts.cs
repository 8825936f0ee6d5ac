using ImpactModel.Simulation;

namespace ImpactModel.Reporting;

/// <summary>A figure with its 95% interval (null ends when the run had fewer than 2 replicates), and whether it rests on too few events to quote.</summary>
public readonly record struct Figure(double Mean, double? Low, double? High, bool Unreliable)
{
    public static Figure? Of(ResultLine? line) =>
        line is { Mean: { } mean } ? new Figure(mean, line.Low, line.High, line.Unreliable) : null;
}

/// <summary>A group's harm in the proposal: its rate and its ratio against rest.</summary>
public sealed record GroupHarm(string Group, string Label, Figure? Rate, Figure? Ratio);

/// <summary>
/// A safeguard's effect on the headline harm and the money case. <paramref name="Paired"/>: what the
/// safeguard adds to the proposal (proposal minus proposal-without-X), paired over replicates on common
/// random numbers (safeguards.csv's marginal effect); otherwise, from a run folder without that file,
/// what removing it changes (proposal-without-X minus proposal) with intervals taken as independent.
/// </summary>
public sealed record SafeguardEffect(string Safeguard, string Variant, Figure? Harm, Figure? Benefit, bool Paired = false);

/// <summary>A variant on the benefit–harm plane; dominated when another variant has no more harm and no less benefit, and is better on one.</summary>
public sealed record FrontierPoint(string Variant, Figure Harm, Figure Benefit, bool Dominated);

/// <summary>
/// The comparisons every view of a run draws (terminal summary, charts, report): the money case,
/// the harm each group bears, what each safeguard buys, the frontier. Computed from
/// <see cref="RunData"/> only, with the strand's <see cref="StrandView"/> naming the metrics.
/// </summary>
public sealed class RunFacts(RunData run)
{
    public RunData Run { get; } = run ?? throw new ArgumentNullException(nameof(run));

    /// <summary>The money case's metric: the first of the view's benefits the run reports, or null.</summary>
    public string? Benefit => Run.View.Benefits.FirstOrDefault(Run.Has);

    /// <summary>The headline harm counts the run reports.</summary>
    public IReadOnlyList<string> HarmCounts => [.. Run.View.HarmCounts.Where(Run.Has)];

    /// <summary>The first headline harm count (the frontier's x), or null.</summary>
    public string? Harm => HarmCounts.Count > 0 ? HarmCounts[0] : null;

    /// <summary>Variant ids in the run's order, the status quo and the proposal first.</summary>
    public IReadOnlyList<string> Variants =>
        [.. Run.Manifest.Variants.Select(v => v.Id).OrderBy(id => id == VariantBuilder.StatusQuo ? 0 : id == VariantBuilder.Proposal ? 1 : 2)];

    /// <summary>The figure of a variant, group and metric, or null when undefined or absent.</summary>
    public Figure? Of(string variant, string metric, string group = "all") => Figure.Of(Run.Find(variant, group, metric));

    /// <summary>Each peripheral group and rest: the harm rate in the proposal and its ratio against rest, the groups sorted by ratio (highest first; rest last).</summary>
    public IReadOnlyList<GroupHarm> GroupHarms()
    {
        string rate = Run.View.HarmRate, ratio = Run.View.HarmRatio;
        if (rate.Length == 0 || !Run.Has(rate))
            return [];
        var groups = Run.Manifest.Groups
            .Select(g => new GroupHarm(g, Run.GroupLabel(g), Of(VariantBuilder.Proposal, rate, g), Of(VariantBuilder.Proposal, ratio, g)))
            .OrderByDescending(g => g.Ratio?.Mean ?? double.NegativeInfinity).ThenBy(g => g.Group, StringComparer.Ordinal);
        return [.. groups, new GroupHarm("rest", Run.GroupLabel("rest"), Of(VariantBuilder.Proposal, rate, "rest"), new Figure(1, 1, 1, false))];
    }

    /// <summary>The <paramref name="count"/> groups with the highest harm ratio against rest (defined ratios only).</summary>
    public IReadOnlyList<GroupHarm> TopHarmRatios(int count) =>
        [.. GroupHarms().Where(g => g.Group != "rest" && g.Ratio is not null).Take(count)];

    /// <summary>
    /// For each safeguard on in the proposal: its marginal effect on the headline harm and the money case,
    /// paired (<see cref="SafeguardEffect.Paired"/>) when the folder has safeguards.csv; otherwise, for each
    /// proposal-without variant, the change from removing it with unpaired intervals (<see cref="Difference"/>).
    /// </summary>
    public IReadOnlyList<SafeguardEffect> SafeguardEffects()
    {
        string? harm = Harm, benefit = Benefit;
        if (Run.Review.Safeguards is { } lines)
        {
            return [.. lines.Where(l => l.Effect == SafeguardLine.Marginal).Select(l => l.Safeguard).Distinct()
                .Select(s => new SafeguardEffect(s, VariantBuilder.WithoutPrefix + s,
                    harm is null ? null : Paired(s, SafeguardLine.Marginal, harm), benefit is null ? null : Paired(s, SafeguardLine.Marginal, benefit), Paired: true))];
        }

        return [.. Run.Manifest.Variants
            .Where(v => v.Id.StartsWith(VariantBuilder.WithoutPrefix, StringComparison.Ordinal))
            .Select(v => new SafeguardEffect(v.Id[VariantBuilder.WithoutPrefix.Length..], v.Id,
                harm is null ? null : Difference(Of(v.Id, harm), Of(VariantBuilder.Proposal, harm)),
                benefit is null ? null : Difference(Of(v.Id, benefit), Of(VariantBuilder.Proposal, benefit))))];
    }

    /// <summary>The paired difference of a safeguard's effect (<see cref="SafeguardLine.Marginal"/> or <see cref="SafeguardLine.Solo"/>) on a metric for a group, or null when undefined or absent.</summary>
    public Figure? Paired(string safeguard, string effect, string metric, string group = "all") =>
        Run.Review.Safeguards?.FirstOrDefault(l => l.Safeguard == safeguard && l.Effect == effect && l.Group == group && l.Metric == metric)?.Figure;

    /// <summary>The safeguards safeguards.csv reports, in its order (the scenario's).</summary>
    public IReadOnlyList<string> ReviewedSafeguards => [.. (Run.Review.Safeguards ?? []).Select(l => l.Safeguard).Distinct()];

    /// <summary>The strand's headline metrics the run reports (the report's headline table and the summary's).</summary>
    public IReadOnlyList<string> Headline => [.. Run.View.Summary.Where(Run.Has)];

    /// <summary>The headline harm counts' cost-per-harm-avoided metrics that safeguards.csv reports, in the harms' order.</summary>
    public IReadOnlyList<string> CostPerAvoided
    {
        get
        {
            HashSet<string> reported = (Run.Review.Safeguards ?? []).Select(l => l.Metric).ToHashSet(StringComparer.Ordinal);
            return [.. Run.Manifest.Metrics.Select(m => m.Name + SafeguardLine.CostPerAvoided)
                .Where(reported.Contains)
                .OrderBy(m => HarmCounts.Contains(m[..^SafeguardLine.CostPerAvoided.Length]) ? 0 : 1)];
        }
    }

    /// <summary>
    /// A metric's manifest entry, including safeguards.csv's <c>&lt;harm&gt;_cost_per_avoided</c> (GBP of
    /// total cost per harm avoided, at the run's prices), or null.
    /// </summary>
    public ManifestMetric? MetricOf(string metric)
    {
        if (Run.Metric(metric) is { } m)
            return m;
        if (!metric.EndsWith(SafeguardLine.CostPerAvoided, StringComparison.Ordinal))
            return null;
        string harm = metric[..^SafeguardLine.CostPerAvoided.Length];
        ManifestMetric? h = Run.Metric(harm);
        string per = h is null ? "harm" : h.Unit switch { "persons" => "person", _ => h.Unit.TrimEnd('s') };
        return new ManifestMetric(metric, $"GBP at {Run.Manifest.Basis.PriceYear} prices per {per} avoided", null, false);
    }

    /// <summary>For each safeguard and effect kind, the headline metrics whose paired 95% interval contains zero (<see cref="ReviewFacts.NoDetectableEffects"/>).</summary>
    public IReadOnlyList<NoDetectableEffect> NoDetectableEffects() => ReviewFacts.NoDetectableEffects(Run.Review, Headline);

    /// <summary>The weakest-evidenced parameters that move the decision most (<see cref="ReviewFacts.WeakestEvidence"/>).</summary>
    public IReadOnlyList<EvidenceLine> WeakestEvidence() => ReviewFacts.WeakestEvidence(Run.Review);

    /// <summary>The principles no safeguard serves (null when the folder has no principles.csv).</summary>
    public IReadOnlyList<string>? UncoveredPrinciples() => ReviewFacts.UncoveredPrinciples(Run.Review);

    /// <summary>The metrics sensitivity.csv ranks parameters on, in its order.</summary>
    public IReadOnlyList<string> SensitivityMetrics => [.. (Run.Review.Sensitivity ?? []).Select(l => l.Metric).Distinct()];

    /// <summary>True when some parameter has a swing on <paramref name="metric"/> (the run was made with <c>--sensitivity</c>).</summary>
    public bool HasSwings(string metric) => Run.Review.Sensitivity?.Any(l => l.Metric == metric && l.Swing is not null) == true;

    /// <summary>
    /// The <paramref name="count"/> parameters that move <paramref name="metric"/> most: by |swing| when the run has
    /// swings, else by |spearman| (defined ones only); ties by rank, then the file's order.
    /// </summary>
    public IReadOnlyList<SensitivityLine> TopSensitivity(string metric, int count)
    {
        var lines = (Run.Review.Sensitivity ?? []).Where(l => l.Metric == metric);
        return HasSwings(metric)
            ? [.. lines.Where(l => l.Swing is not null).OrderByDescending(l => Math.Abs(l.Swing!.Value)).ThenBy(l => l.Rank ?? int.MaxValue).Take(count)]
            : [.. lines.Where(l => l.Spearman is not null).OrderByDescending(l => Math.Abs(l.Spearman!.Value)).ThenBy(l => l.Rank ?? int.MaxValue).Take(count)];
    }

    /// <summary>
    /// The proposal's value of <paramref name="metric"/> minus the status quo's (everyone), from results.csv: what a
    /// sensitivity swing moves. A metric already against the status quo is the proposal's own.
    /// </summary>
    public double? ProposalMinusStatusQuo(string metric)
    {
        if (Of(VariantBuilder.Proposal, metric) is not { } p)
            return null;
        if (metric.EndsWith("_vs_status_quo", StringComparison.Ordinal))
            return p.Mean;
        return Of(VariantBuilder.StatusQuo, metric) is { } s ? p.Mean - s.Mean : null;
    }

    /// <summary>Every variant with both a headline harm and a money case, and whether another variant dominates it.</summary>
    public IReadOnlyList<FrontierPoint> Frontier()
    {
        string? harm = Harm, benefit = Benefit;
        if (harm is null || benefit is null)
            return [];
        var points = Variants
            .Select(v => (Variant: v, Harm: Of(v, harm), Benefit: Of(v, benefit)))
            .Where(p => p.Harm is not null && p.Benefit is not null)
            .Select(p => (p.Variant, Harm: p.Harm!.Value, Benefit: p.Benefit!.Value))
            .ToList();
        return [.. points.Select(p => new FrontierPoint(p.Variant, p.Harm, p.Benefit, points.Any(q =>
            q.Variant != p.Variant && q.Harm.Mean <= p.Harm.Mean && q.Benefit.Mean >= p.Benefit.Mean
            && (q.Harm.Mean < p.Harm.Mean || q.Benefit.Mean > p.Benefit.Mean))))];
    }

    /// <summary>
    /// <paramref name="a"/> − <paramref name="b"/> with an interval from the two intervals taken as
    /// independent (each side's half-widths added in quadrature): wider than the paired interval the
    /// replicates allow, which the safeguard view gives.
    /// </summary>
    public static Figure? Difference(Figure? a, Figure? b)
    {
        if (a is not { } x || b is not { } y)
            return null;
        double d = x.Mean - y.Mean;
        double? low = x.Low is { } xl && y.High is { } yh ? d - Math.Sqrt(Sq(x.Mean - xl) + Sq(yh - y.Mean)) : null;
        double? high = x.High is { } xh && y.Low is { } yl ? d + Math.Sqrt(Sq(xh - x.Mean) + Sq(y.Mean - yl)) : null;
        return new Figure(d, low, high, x.Unreliable || y.Unreliable);
    }

    private static double Sq(double v) => v * v;
}
