using System.Collections.Immutable;
using System.Globalization;
using ImpactModel.Simulation;

namespace ImpactModel.Reporting.Html;

/// <summary>A piece of a summary sentence; <paramref name="FromScenario"/> marks text a scenario wrote (a group's name), which a report isolates for right-to-left text.</summary>
public readonly record struct SummaryPart(string Text, bool FromScenario);

/// <summary>One sentence of <see cref="PlainSummary"/>, in parts so that a report can isolate the scenario's own text.</summary>
public sealed record SummarySentence(ImmutableArray<SummaryPart> Parts)
{
    /// <summary>The sentence as plain text.</summary>
    public string Text => string.Concat(Parts.Select(p => p.Text));

    public override string ToString() => Text;
}

/// <summary>
/// Five to ten sentences that say, from the numbers alone and in neutral wording, what a run's
/// proposal gains, what it costs, who bears disproportionate harm, which safeguards matter most and
/// how uncertain this is. Every figure carries its unit in words and its 95% interval, and a figure
/// resting on fewer than 30 simulated events carries <see cref="FigureText.UnreliableMark"/>. The
/// report prints these; a terminal summary can take <see cref="SummarySentence.Text"/>.
/// </summary>
public static class PlainSummary
{
    /// <summary>The sentences for <paramref name="facts"/>, in the order above.</summary>
    public static IReadOnlyList<SummarySentence> Of(RunFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var sentences = new List<SummarySentence>();
        sentences.Add(Gain(facts));
        if (Cost(facts) is { } cost)
            sentences.Add(cost);
        sentences.AddRange(facts.HarmCounts.Select(h => HarmCount(facts, h)));
        sentences.AddRange(Groups(facts));
        sentences.Add(Safeguards(facts));
        sentences.AddRange(Uncertainty(facts.Run));
        return sentences;
    }

    private static SummarySentence Gain(RunFacts facts)
    {
        RunData run = facts.Run;
        if (facts.Benefit is not { } benefit)
            return Plain("The run reports no money case for this strand, so it does not say what the proposal gains in money.");
        ManifestMetric? metric = run.Metric(benefit);
        const string Suffix = "_vs_status_quo";
        if (benefit.EndsWith(Suffix, StringComparison.Ordinal))
        {
            string words = FigureText.MetricWords(benefit[..^Suffix.Length]);
            return facts.Of(VariantBuilder.Proposal, benefit) is { } gain
                ? Plain($"Against the status quo, the proposal's {words} is {FigureText.Phrase(gain, metric)}.")
                : Plain($"The run does not define the proposal's {words} against the status quo.");
        }

        return Against(facts, benefit, $"The proposal's {FigureText.MetricWords(benefit)} is ");
    }

    private static SummarySentence? Cost(RunFacts facts) =>
        facts.Run.Has("total_cost") ? Against(facts, "total_cost", "Its total cost is ") : null;

    private static SummarySentence HarmCount(RunFacts facts, string harm)
    {
        string words = FigureText.MetricWords(harm);
        return Against(facts, harm, $"{char.ToUpperInvariant(words[0])}{words[1..]} under the proposal: ");
    }

    // "<lead><proposal>, against <status quo> under the status quo."
    private static SummarySentence Against(RunFacts facts, string metric, string lead)
    {
        ManifestMetric? m = facts.Run.Metric(metric);
        Figure? proposal = facts.Of(VariantBuilder.Proposal, metric), statusQuo = facts.Of(VariantBuilder.StatusQuo, metric);
        string p = proposal is { } pf ? FigureText.Phrase(pf, m) : "undefined";
        return statusQuo is { } sq
            ? Plain($"{lead}{p}, against {FigureText.Phrase(sq, m)} under the status quo.")
            : Plain($"{lead}{p}.");
    }

    private static IEnumerable<SummarySentence> Groups(RunFacts facts)
    {
        RunData run = facts.Run;
        IReadOnlyList<GroupHarm> top = facts.TopHarmRatios(3);
        if (top.Count == 0)
        {
            yield return Plain("The run gives no harm rate by group, so it cannot say whether any group bears disproportionate harm.");
            yield break;
        }

        string rate = FigureText.MetricWords(run.View.HarmRate);
        ManifestMetric? ratio = run.Metric(run.View.HarmRatio);
        GroupHarm first = top[0];
        yield return new SummarySentence([
            new($"Under the proposal, the {rate} among ", false),
            new(first.Label, true),
            new($" is {RatioPhrase(first.Ratio!.Value, ratio)}.", false),
        ]);
        if (top.Count > 1)
        {
            var parts = ImmutableArray.CreateBuilder<SummaryPart>();
            parts.Add(new("The next highest are ", false));
            for (int i = 1; i < top.Count; i++)
            {
                if (i > 1)
                    parts.Add(new(i == top.Count - 1 ? " and " : ", ", false));
                parts.Add(new(top[i].Label, true));
                Figure r = top[i].Ratio!.Value;
                parts.Add(new($", at {FigureText.Value(r.Mean, ratio)} times that rate ({FigureText.Interval(r, ratio)}{(r.Unreliable ? "; " + FigureText.UnreliableMark : "")})", false));
            }

            parts.Add(new(".", false));
            yield return new SummarySentence(parts.ToImmutable());
        }
    }

    // "2.31 times the rate for people in no peripheral group (95% interval 1.8 to 2.9)"
    private static string RatioPhrase(Figure ratio, ManifestMetric? metric) =>
        $"{FigureText.Value(ratio.Mean, metric)} times the rate for people in no peripheral group " +
        $"({FigureText.Interval(ratio, metric)}{(ratio.Unreliable ? "; " + FigureText.UnreliableMark : "")})";

    private static SummarySentence Safeguards(RunFacts facts)
    {
        RunData run = facts.Run;
        var effects = facts.SafeguardEffects().Where(e => e.Harm is not null).ToList();
        if (effects.Count == 0 || facts.Harm is not { } harm)
            return NoDetectable(facts, Plain("The run measures no safeguard's effect on harm (the proposal declares none, or the strand has no headline harm)."));
        SafeguardEffect most = effects.OrderByDescending(e => Math.Abs(e.Harm!.Value.Mean)).ThenBy(e => e.Safeguard, StringComparer.Ordinal).First();
        var parts = ImmutableArray.CreateBuilder<SummaryPart>();
        if (most.Paired)
        {
            parts.Add(new($"Of the {effects.Count} safeguard{(effects.Count == 1 ? "" : "s")} on in the proposal, ", false));
            parts.Add(new(most.Safeguard, true));
            parts.Add(new($" changes {FigureText.MetricWords(harm)} the most, by {Signed(most.Harm!.Value, run.Metric(harm))}", false));
            if (most.Benefit is { } paired && facts.Benefit is { } pb)
                parts.Add(new($", and the {FigureText.MetricWords(pb)} by {Signed(paired, run.Metric(pb))}", false));
            parts.Add(new("; these are paired differences, the proposal minus the proposal without it in each replicate on the same random numbers.", false));
            return NoDetectable(facts, new SummarySentence(parts.ToImmutable()));
        }

        parts.Add(new($"Of the {effects.Count} safeguard{(effects.Count == 1 ? "" : "s")}, removing ", false));
        parts.Add(new(most.Safeguard, true));
        parts.Add(new($" changes {FigureText.MetricWords(harm)} the most, by {Signed(most.Harm!.Value, run.Metric(harm))}", false));
        if (most.Benefit is { } benefit && facts.Benefit is { } b)
            parts.Add(new($", and the {FigureText.MetricWords(b)} by {Signed(benefit, run.Metric(b))}", false));
        parts.Add(new("; these intervals treat the two variants as independent, so they are wider than paired ones.", false));
        return new SummarySentence(parts.ToImmutable());
    }

    /// <summary>Safeguards whose paired intervals include zero, added to <paramref name="sentence"/> (the summary keeps to ten sentences): "No detectable effect: human-review on hardship; …".</summary>
    private static SummarySentence NoDetectable(RunFacts facts, SummarySentence sentence)
    {
        IReadOnlyList<NoDetectableEffect> none = facts.NoDetectableEffects();
        if (none.Count == 0)
            return sentence;
        return new SummarySentence([.. sentence.Parts, new(
            $" No detectable effect (a paired 95% interval that includes zero): {ReviewFacts.InBrief(none, MostStatements, "listed under what each safeguard buys")}.", false)]);
    }

    /// <summary>Safeguard statements the summary's no-detectable-effect sentence names before it counts the rest.</summary>
    public const int MostStatements = 4;

    private static string Signed(Figure figure, ManifestMetric? metric) =>
        (figure.Mean > 0 ? "+" : "") + FigureText.Phrase(figure, metric);

    private static IEnumerable<SummarySentence> Uncertainty(RunData run)
    {
        RunManifest m = run.Manifest;
        string persons = FigureText.Whole(m.Population);
        yield return Plain(m.Population == m.DeclaredPopulation
            ? $"These figures come from {m.Replicates} replicate{(m.Replicates == 1 ? "" : "s")} of all {persons} persons the scenario declares."
            : $"These figures come from {m.Replicates} replicate{(m.Replicates == 1 ? "" : "s")} of {persons} simulated persons, with counts and money scaled up to the declared population of {FigureText.Whole(m.DeclaredPopulation)}.");
        int drawn = m.Uncertainty?.PerReplicate ?? run.Parameters.Count;
        int varying = m.Uncertainty?.Uncertain ?? run.Parameters.Count(p => p.Varies);
        string vary = string.Create(CultureInfo.InvariantCulture, $"{varying} of the {drawn} parameters drawn for each replicate vary between replicates");
        string weakest = WeakestClause(run);
        yield return Plain(m.Replicates >= 2
            ? $"Each 95% interval runs from the 2.5th to the 97.5th percentile over the replicates, so it carries both the uncertainty in the parameters and chance; {vary}{weakest}."
            : $"With a single replicate the figures have no intervals; {vary}{weakest}.");
        if (m.Warnings.Count > 0)
            yield return Plain($"The run recorded {m.Warnings.Count} warning{(m.Warnings.Count == 1 ? "" : "s")}, listed with the manifest at the end of this report.");
    }

    // "; the weakest-evidenced parameter that moves the decision most is X (an assumption, sensitivity rank 1)", or nothing.
    private static string WeakestClause(RunData run) =>
        ReviewFacts.WeakestEvidence(run.Review) is [var top, ..]
            ? $"; the weakest-evidenced parameter that moves the decision most is {top.Parameter} ({Grade(top.Grade)}, sensitivity rank {top.SensitivityRank})"
            : "";

    private static string Grade(string grade) => grade switch
    {
        "assumption" => "an assumption",
        "expert-judgement" => "an expert's judgement",
        _ => grade,
    };

    private static SummarySentence Plain(string text) => new([new SummaryPart(text, false)]);
}
