using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Review;

/// <summary>How a safeguard's effect is measured.</summary>
public enum EffectKind
{
    /// <summary>The proposal minus the proposal without the safeguard: what it adds to the proposal as declared.</summary>
    Marginal,

    /// <summary>The proposal with the safeguard alone minus the proposal with none: what it does by itself.</summary>
    Solo,
}

/// <summary>One row of <c>safeguards.csv</c>: a safeguard's paired effect on a metric of a group, summarised over replicates.</summary>
public sealed record SafeguardEffectRow(string Safeguard, EffectKind Effect, string Group, string Metric, ReplicateSummary Summary)
{
    /// <summary>The effect's id in <c>safeguards.csv</c>.</summary>
    public string EffectId => Effect == EffectKind.Marginal ? "marginal" : "solo";

    /// <summary>True when the interval is known and contains zero: the run cannot tell the effect from none.</summary>
    public bool SpansZero => Summary is { Low: { } low, High: { } high } && low <= 0 && high >= 0;
}

/// <summary>
/// What each safeguard buys, as paired differences: for every replicate, the difference between two
/// variants evaluated on the same random numbers (common random numbers: the same persons, the same
/// draws), then summarised over replicates as <c>results.csv</c> is (<see cref="ReplicateStatistics.Summarise"/>).
/// Pairing removes the chance and parameter variation the two variants share, so the interval is
/// that of the safeguard's effect, not of the two levels.
/// </summary>
/// <remarks>
/// A marginal effect exists only for a safeguard that is on in the proposal (the runner builds no
/// <c>proposal-without-</c> variant for one that is off). For every harm rate a strand declares
/// (<see cref="MetricDefinition.IsHarm"/>), the count it is a rate of (<see cref="HarmCounts"/>) gets
/// <c>&lt;count&gt;_cost_per_avoided</c>: the mean difference in <see cref="CostMetric"/> over the mean
/// harms avoided, with the spread of the per-replicate ratios when every replicate avoids some (<see cref="CostPerHarmAvoided"/>).
/// </remarks>
public static class SafeguardEffects
{
    /// <summary>The metric whose difference is a safeguard's cost: every strand reports it.</summary>
    public const string CostMetric = "total_cost";

    /// <summary>The suffix of a harm count's cost per harm avoided.</summary>
    public const string CostPerAvoided = "_cost_per_avoided";

    /// <summary>
    /// Every safeguard's marginal and solo effects, in the scenario's safeguard order, then by effect,
    /// group (as results.csv) and metric; <paramref name="models"/> (the run's) say which counts are harms.
    /// </summary>
    public static IReadOnlyList<SafeguardEffectRow> Of(Scenario scenario, RunResult result, IReadOnlyList<IStrandModel> models)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(result);
        var blocks = Blocks(result);
        string[] groups = ["all", .. result.Groups, "rest"];
        var harms = HarmCounts(models);
        var rows = new List<SafeguardEffectRow>();
        foreach (SafeguardSpec safeguard in scenario.Safeguards)
        {
            if (safeguard.Enabled)
                Add(rows, result, blocks, groups, harms, safeguard.Id, EffectKind.Marginal, VariantBuilder.Proposal, VariantBuilder.WithoutPrefix + safeguard.Id);
            Add(rows, result, blocks, groups, harms, safeguard.Id, EffectKind.Solo, VariantBuilder.OnlyPrefix + safeguard.Id, VariantBuilder.NoSafeguards);
        }

        return rows;
    }

    /// <summary>
    /// The harm counts that get a cost per harm avoided: for each harm rate a model declares, the
    /// metric of the same model that counts persons or events from the same numerator counter, the
    /// nearest before it, else the nearest after (e.g. <c>wrongful_adverse_actions</c> for
    /// <c>wrongful_adverse_action_rate</c>, <c>records_at_high_risk</c> for <c>high_risk_rate</c>);
    /// a harm rate without such a count has none.
    /// </summary>
    public static IReadOnlyList<string> HarmCounts(IReadOnlyList<IStrandModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var counts = new List<string>();
        foreach (IStrandModel model in models)
        {
            IReadOnlyList<MetricDefinition> metrics = model.Metrics;
            bool Counts(MetricDefinition d, MetricDefinition harm) => d.Unit == MetricUnit.Persons && d.Numerator == harm.Numerator;
            for (int i = 0; i < metrics.Count; i++)
            {
                MetricDefinition harm = metrics[i];
                if (!harm.IsHarm || harm.Unit != MetricUnit.Rate)
                    continue;
                MetricDefinition? count = metrics.Take(i).LastOrDefault(d => Counts(d, harm)) ?? metrics.Skip(i + 1).FirstOrDefault(d => Counts(d, harm));
                if (count is not null && !counts.Contains(count.Name))
                    counts.Add(count.Name);
            }
        }

        return counts;
    }

    /// <summary>Each variant's first series and the metric names of its series, which follow each other metric by metric, group by group.</summary>
    private static Dictionary<string, (int First, List<string> Metrics)> Blocks(RunResult result)
    {
        var blocks = new Dictionary<string, (int First, List<string> Metrics)>(StringComparer.Ordinal);
        int rows = result.Groups.Length + 2;
        for (int i = 0; i < result.SeriesKeys.Count; i += rows)
        {
            SeriesKey key = result.SeriesKeys[i];
            if (!blocks.TryGetValue(key.Variant, out var block))
                blocks[key.Variant] = block = (i, []);
            block.Metrics.Add(key.Metric);
        }

        return blocks;
    }

    private static void Add(List<SafeguardEffectRow> rows, RunResult result, Dictionary<string, (int First, List<string> Metrics)> blocks, string[] groups,
        IReadOnlyList<string> harms, string safeguard, EffectKind effect, string with, string without)
    {
        if (!blocks.TryGetValue(with, out var a) || !blocks.TryGetValue(without, out var b))
            throw new InvalidOperationException($"safeguard '{safeguard}': the run has no variant '{(blocks.ContainsKey(with) ? without : with)}'");
        if (!a.Metrics.SequenceEqual(b.Metrics, StringComparer.Ordinal))
            throw new InvalidOperationException($"variants '{with}' and '{without}' report different metrics");
        int replicates = result.Values.Replicates, n = groups.Length, columns = a.Metrics.Count * n;
        var summaries = new ReplicateSummary[columns];
        // Both variants' series in blocks of bounded size; a series is metric k, group g at k × groups + g.
        int perBlock = Math.Max(1, Math.Min(columns, ReplicateStores.BlockValues / Math.Max(1, replicates)));
        var left = new double[(long)perBlock * replicates];
        var right = new double[left.Length];
        var difference = new double[replicates];
        for (int start = 0; start < columns; start += perBlock)
        {
            int count = Math.Min(perBlock, columns - start);
            result.Values.ReadColumns(a.First + start, count, left);
            result.Values.ReadColumns(b.First + start, count, right);
            for (int c = 0; c < count; c++)
            {
                for (int r = 0; r < replicates; r++)
                    difference[r] = left[c * replicates + r] - right[c * replicates + r]; // NaN on either side stays NaN: undefined
                summaries[start + c] = ReplicateStatistics.Summarise(difference);
            }
        }

        int cost = a.Metrics.IndexOf(CostMetric);
        // Each harm's cost per harm avoided, for every group at once: a metric's series for the groups follow each other.
        var perAvoided = new List<(string Metric, ReplicateSummary[] ByGroup)>();
        if (cost >= 0)
        {
            double[] costWith = Groups(result, a.First + cost * n, n), costWithout = Groups(result, b.First + cost * n, n);
            foreach (string harm in harms)
            {
                int h = a.Metrics.IndexOf(harm);
                if (h >= 0)
                    perAvoided.Add((harm + CostPerAvoided, CostPerHarmAvoided(costWith, costWithout, Groups(result, a.First + h * n, n), Groups(result, b.First + h * n, n), n, replicates)));
            }
        }

        for (int g = 0; g < n; g++)
        {
            for (int k = 0; k < a.Metrics.Count; k++)
                rows.Add(new SafeguardEffectRow(safeguard, effect, groups[g], a.Metrics[k], summaries[k * n + g]));
            foreach (var (metric, byGroup) in perAvoided)
                rows.Add(new SafeguardEffectRow(safeguard, effect, groups[g], metric, byGroup[g]));
        }
    }

    /// <summary>The values of <paramref name="count"/> consecutive series, series after series.</summary>
    private static double[] Groups(RunResult result, int first, int count)
    {
        var values = new double[(long)count * result.Values.Replicates];
        result.Values.ReadColumns(first, count, values);
        return values;
    }

    /// <summary>
    /// For each group, the cost per harm avoided: the mean cost difference over the mean harms avoided
    /// (a ratio of means, so replicates that avoid few harms do not dominate it; undefined when on
    /// average none is avoided); the interval is the 2.5th and 97.5th percentiles of the per-replicate
    /// ratios, given only when every replicate avoids some harm (where one avoids none its ratio, and
    /// so the interval, has no bound); replicates: those that avoid some harm.
    /// </summary>
    private static ReplicateSummary[] CostPerHarmAvoided(double[] costWith, double[] costWithout, double[] harmWith, double[] harmWithout, int groups, int replicates)
    {
        var summaries = new ReplicateSummary[groups];
        var ratio = new double[replicates];
        for (int g = 0; g < groups; g++)
        {
            double cost = 0, avoided = 0;
            for (int r = 0; r < replicates; r++)
            {
                int i = g * replicates + r;
                double a = harmWithout[i] - harmWith[i], c = costWith[i] - costWithout[i];
                ratio[r] = a > 0 ? c / a : double.NaN;
                cost += c; // in replicate order: reproducible
                avoided += a;
            }

            ReplicateSummary spread = ReplicateStatistics.Summarise(ratio);
            bool everyReplicate = spread.Replicates == replicates;
            summaries[g] = avoided > 0 && double.IsFinite(cost)
                ? new ReplicateSummary(cost / avoided, everyReplicate ? spread.Low : null, everyReplicate ? spread.High : null, spread.Replicates)
                : new ReplicateSummary(null, null, null, spread.Replicates);
        }

        return summaries;
    }
}
