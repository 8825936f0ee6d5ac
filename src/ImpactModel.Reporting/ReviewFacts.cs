using ImpactModel.Safeguards;

namespace ImpactModel.Reporting;

/// <summary>A safeguard's effect of one kind whose paired 95% interval contains zero on the listed headline metrics (group all).</summary>
/// <param name="Safeguard">The safeguard id.</param>
/// <param name="Effect"><see cref="SafeguardLine.Marginal"/> or <see cref="SafeguardLine.Solo"/>.</param>
/// <param name="Metrics">The headline metrics, in the view's order.</param>
public sealed record NoDetectableEffect(string Safeguard, string Effect, IReadOnlyList<string> Metrics);

/// <summary>A data-protection principle as a row of the principles matrix.</summary>
/// <param name="Principle">The principle id (<c>purpose-limitation</c>).</param>
/// <param name="Safeguards">The safeguards that serve it (empty when none does).</param>
public sealed record PrincipleRow(string Principle, IReadOnlyList<string> Safeguards)
{
    public bool Uncovered => Safeguards.Count == 0;
}

/// <summary>
/// What the review view's files say, read the way a legal or policy reviewer asks (issue 21): which
/// effects cannot be told from zero, which weakly evidenced parameters move the decision most, which
/// principles no safeguard serves. Functions of <see cref="ReviewData"/> and the headline metrics only,
/// so the terminal summary (which has no <see cref="RunData"/>) states the same facts as the report.
/// </summary>
public static class ReviewFacts
{
    /// <summary>The grades counted as weak evidence: an assumption or an expert's judgement.</summary>
    public static readonly IReadOnlyList<string> WeakGrades = ["assumption", "expert-judgement"];

    /// <summary>The sensitivity ranks that count as moving the decision most (1 to this).</summary>
    public const int TopRanks = 5;

    /// <summary>
    /// For each safeguard and effect kind (in the file's order), the <paramref name="headline"/> metrics
    /// for everyone whose paired 95% interval contains zero (ci_low ≤ 0 ≤ ci_high); only those with at least one.
    /// </summary>
    public static IReadOnlyList<NoDetectableEffect> NoDetectableEffects(ReviewData review, IReadOnlyList<string> headline)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(headline);
        if (review.Safeguards is not { } lines)
            return [];
        var spans = lines.Where(l => l.Group == "all" && l.SpansZero).Select(l => (l.Safeguard, l.Effect, l.Metric)).ToHashSet();
        return [.. lines.Select(l => (l.Safeguard, l.Effect)).Distinct()
            .Select(k => new NoDetectableEffect(k.Safeguard, k.Effect, [.. headline.Where(m => spans.Contains((k.Safeguard, k.Effect, m)))]))
            .Where(e => e.Metrics.Count > 0)];
    }

    /// <summary>
    /// The parameters graded <see cref="WeakGrades"/> whose sensitivity rank is 1 to <see cref="TopRanks"/>:
    /// the best rank first, an assumption before an expert's judgement, then the file's order.
    /// </summary>
    public static IReadOnlyList<EvidenceLine> WeakestEvidence(ReviewData review)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (review.Evidence is not { } lines)
            return [];
        return [.. lines.Where(l => l.SensitivityRank is <= TopRanks && WeakGrades.Contains(l.Grade))
            .OrderBy(l => l.SensitivityRank).ThenBy(l => WeakGrades.ToList().IndexOf(l.Grade))];
    }

    /// <summary>The principles principles.csv lists with no safeguard, in its order (null when the file is absent).</summary>
    public static IReadOnlyList<string>? UncoveredPrinciples(ReviewData review)
    {
        ArgumentNullException.ThrowIfNull(review);
        return review.Principles is { } lines ? [.. lines.Where(l => l.Safeguard is null).Select(l => l.Principle).Distinct()] : null;
    }

    /// <summary>
    /// The principles as rows of a matrix: those no safeguard serves first (in the file's order), then
    /// the served ones in the catalogue's order (UK GDPR Article 5), then any other the file names.
    /// </summary>
    public static IReadOnlyList<PrincipleRow> PrincipleMatrix(ReviewData review)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (review.Principles is not { } lines)
            return [];
        var named = lines.Select(l => l.Principle).Distinct().ToList();
        var order = SafeguardCatalogue.Principles.ToList();
        var rows = named.Select(p => new PrincipleRow(p, [.. lines.Where(l => l.Principle == p && l.Safeguard is not null).Select(l => l.Safeguard!).Distinct()]));
        return [.. rows.OrderBy(r => r.Uncovered ? 0 : 1)
            .ThenBy(r => r.Uncovered ? named.IndexOf(r.Principle) : order.IndexOf(r.Principle) is var i and >= 0 ? i : order.Count + named.IndexOf(r.Principle))];
    }

    /// <summary>The safeguards principles.csv names, in order of first appearance (the matrix's columns).</summary>
    public static IReadOnlyList<string> PrincipleSafeguards(ReviewData review)
    {
        ArgumentNullException.ThrowIfNull(review);
        return review.Principles is { } lines ? [.. lines.Where(l => l.Safeguard is not null).Select(l => l.Safeguard!).Distinct()] : [];
    }

    /// <summary>
    /// The no-detectable-effect statements in a few words for a summary line:
    /// <c>human-review on hardship, flagged; vulnerability-screen alone on money recovered</c>; the first
    /// <paramref name="most"/> statements, then how many more and where (<paramref name="rest"/>).
    /// </summary>
    public static string InBrief(IReadOnlyList<NoDetectableEffect> effects, int most = int.MaxValue, string rest = "in report.html")
    {
        ArgumentNullException.ThrowIfNull(effects);
        var shown = effects.Take(most).Select(e =>
            $"{e.Safeguard}{(e.Effect == SafeguardLine.Solo ? " alone" : "")} on {string.Join(", ", e.Metrics.Select(m => m.Replace('_', ' ')))}");
        string text = string.Join("; ", shown);
        return effects.Count > most ? $"{text}; and {effects.Count - most} more {rest}" : text;
    }
}
