using System.Collections.Immutable;
using ImpactModel.MonteCarlo;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Review;

/// <summary>
/// One row of <c>sensitivity.csv</c>: how a headline metric of the proposal against the status quo
/// moves with one uncertain parameter. Null where not computed: the swing columns without
/// <c>--sensitivity</c>, the rank correlation with fewer than <see cref="SensitivityAnalysis.MinimumReplicates"/> replicates.
/// </summary>
/// <param name="Parameter">The parameter's path, or a by-group parameter's family path (its base and every group's value move together).</param>
/// <param name="Metric">The headline metric; its value is the proposal's minus the status quo's, for everyone.</param>
/// <param name="Low">The value with the parameter at its 10th percentile and every other at its median.</param>
/// <param name="High">The same at its 90th percentile.</param>
/// <param name="Swing"><paramref name="High"/> − <paramref name="Low"/>: signed, so its sign is the direction of the parameter's effect.</param>
/// <param name="Rank">1 for the largest absolute swing within the metric (by absolute rank correlation without swings); ties share a rank; a swing of 0 ranks last (the number of parameters).</param>
/// <param name="Spearman">The rank correlation between the parameter's draws and the metric over the run's replicates.</param>
/// <param name="SwitchingValue">For the net benefit against the status quo: the parameter's value at which it changes sign, or null when none within the 1st–99th percentiles does.</param>
public sealed record SensitivityRow(string Parameter, string Metric, double? Low, double? High, double? Swing, int? Rank, double? Spearman, double? SwitchingValue);

/// <summary>A parameter the runner draws once per replicate from a distribution, with the group values that move with it.</summary>
/// <param name="Path">The family's path (<see cref="SensitivityAnalysis.FamilyOf"/>).</param>
/// <param name="Members">Its parameters (the base first), each pinned at the same percentile.</param>
/// <param name="Draw">Index in the run's drawn parameters (<see cref="RunResult.ParameterKeys"/>) of the first member, whose draws the rank correlation uses.</param>
public sealed record UncertainFamily(string Path, ImmutableArray<Parameter> Members, int Draw);

/// <summary>Where a sensitivity analysis is: evaluations made, and the most it will make.</summary>
public readonly record struct SensitivityProgress(int Evaluations, int Planned);

/// <summary>
/// Which uncertain parameters drive the answer: for each headline metric of the proposal against
/// the status quo, a one-at-a-time swing for every uncertain parameter (the Green Book's
/// sensitivity analysis, HM Treasury 2022, 5.74–5.82, and its switching values) and the rank
/// correlation over the run's replicates between the parameter's draws and the metric.
/// </summary>
/// <remarks>
/// <para>The swings are evaluated, not estimated: the scenario is run again with the status quo and
/// the proposal only, every uncertain parameter pinned at its median (<see cref="ParameterPins"/>)
/// and the one analysed at its 10th, then 90th percentile, on the random numbers of the run's
/// replicate 0 (the same persons, the same per-person draws), so the swing is the parameter's and
/// not chance. A by-group parameter (a base and values by group) moves as one: every member at the same percentile.</para>
/// <para>The switching value of <see cref="SwitchingMetric"/> is found on the same random numbers:
/// when the net benefit has opposite signs at the parameter's 1st and 99th percentiles, by the
/// Illinois variant of regula falsi on the percentile (Dowell and Jarratt 1971), to a bracket of
/// 1e-4 in probability; the value reported is the parameter's (the family base's) at that percentile.
/// A sign change inside the range that returns before its end is not seen.</para>
/// </remarks>
public static class SensitivityAnalysis
{
    public const double LowPercentile = 0.1, HighPercentile = 0.9, Median = 0.5, RangeLow = 0.01, RangeHigh = 0.99;

    /// <summary>Replicates the rank correlation needs.</summary>
    public const int MinimumReplicates = 10;

    /// <summary>
    /// Fewest simulated events behind the proposal's value in an evaluation for a metric's swings to be
    /// quoted (as the run summary and the report quote no figure on fewer): one replicate of a harm
    /// that few simulated persons bear moves by whole persons, so its swings would be noise.
    /// </summary>
    public const int ReliableEvents = 30;

    /// <summary>The metric whose sign change gives a switching value.</summary>
    public const string SwitchingMetric = "net_benefit_vs_status_quo";

    /// <summary>Bracket width in probability at which the switching value's search stops.</summary>
    public const double SwitchingTolerance = 1e-4;

    /// <summary>Iterations of the switching value's search at most.</summary>
    public const int SwitchingIterations = 24;

    private const string Base = ".base", ByGroup = ".by_group.";

    /// <summary>
    /// The family of a parameter path: a by-group parameter's base (<c>x.base</c>) and group values
    /// (<c>x.by_group.g</c>) are the family <c>x</c>; any other path is its own family.
    /// </summary>
    public static string FamilyOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int group = path.LastIndexOf(ByGroup, StringComparison.Ordinal);
        if (group > 0 && path.IndexOf('.', group + ByGroup.Length) < 0)
            return path[..group];
        return path.EndsWith(Base, StringComparison.Ordinal) ? path[..^Base.Length] : path;
    }

    /// <summary>The uncertain parameters of <paramref name="result"/>'s run (drawn per replicate, with a spread), by family, in the run's order.</summary>
    public static IReadOnlyList<UncertainFamily> Families(Scenario scenario, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(result);
        var byPath = ScenarioParameters.All(scenario).ToDictionary(p => p.Path, StringComparer.Ordinal);
        var families = new List<(string Path, List<Parameter> Members, int Draw)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < result.ParameterKeys.Count; k++)
        {
            if (!byPath.TryGetValue(result.ParameterKeys[k].Parameter, out Parameter? p) || !(ParameterSampler.Variance(p) > 0))
                continue;
            string family = FamilyOf(p.Path);
            if (!index.TryGetValue(family, out int f))
            {
                index[family] = f = families.Count;
                families.Add((family, [], k));
            }

            families[f].Members.Add(p);
        }

        return [.. families.Select(f => new UncertainFamily(f.Path, [.. f.Members], f.Draw))];
    }

    /// <summary>The rank correlations alone (no extra evaluation): ranked by their absolute value, swing columns empty.</summary>
    public static IReadOnlyList<SensitivityRow> Correlations(Scenario scenario, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(result);
        var families = Families(scenario, result);
        double[][]? draws = Draws(result, families);
        var rows = new List<SensitivityRow>();
        foreach (string metric in Metrics(result))
        {
            double?[] rho = Spearman(result, families, draws, metric);
            int?[] rank = Ranks([.. rho.Select(r => r is { } x ? Math.Abs(x) : (double?)null)]);
            rows.AddRange(Ordered(families.Count, rank).Select(f => new SensitivityRow(families[f].Path, metric, null, null, null, rank[f], rho[f], null)));
        }

        return rows;
    }

    /// <summary>
    /// The full analysis: swings and switching values evaluated with <paramref name="models"/> on the
    /// run's persons (<paramref name="result"/>'s settings), and the rank correlations.
    /// </summary>
    public static IReadOnlyList<SensitivityRow> Analyse(Scenario scenario, RunResult result, IReadOnlyList<IStrandModel> models,
        IProgress<SensitivityProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(models);
        var families = Families(scenario, result);
        IReadOnlyList<string> metrics = Metrics(result);
        int switching = metrics.ToList().IndexOf(SwitchingMetric);
        int planned = families.Count * (switching >= 0 ? 4 : 2), done = 0;
        var settings = result.Settings with { Replicates = 1 };
        var scope = new RunScope([VariantBuilder.StatusQuo, VariantBuilder.Proposal], ParameterPins.None);
        var fewestEvents = new long[metrics.Count];
        Array.Fill(fewestEvents, long.MaxValue);
        var medians = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (UncertainFamily family in families)
        {
            foreach (Parameter p in family.Members)
                medians[p.Path] = ParameterQuantiles.Of(p, Median);
        }

        double[] Evaluate(UncertainFamily family, double percentile)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pins = new Dictionary<string, double>(medians, StringComparer.Ordinal);
            foreach (Parameter p in family.Members)
                pins[p.Path] = ParameterQuantiles.Of(p, percentile);
            RunResult run = SimulationRunner.Run(scenario, settings, models, scope: scope with { Pins = new ParameterPins(pins) },
                cancellationToken: cancellationToken);
            progress?.Report(new SensitivityProgress(++done, Math.Max(planned, done)));
            for (int m = 0; m < metrics.Count; m++)
            {
                if (run.Rows.FirstOrDefault(r => r.Variant == VariantBuilder.Proposal && r.Group == "all" && r.Metric == metrics[m])?.Events is { } events)
                    fewestEvents[m] = Math.Min(fewestEvents[m], events);
            }

            return [.. metrics.Select(m => Difference(run, m))];
        }

        var low = new double[families.Count][];
        var high = new double[families.Count][];
        var switches = new double?[families.Count];
        for (int f = 0; f < families.Count; f++)
        {
            low[f] = Evaluate(families[f], LowPercentile);
            high[f] = Evaluate(families[f], HighPercentile);
            if (switching >= 0)
                switches[f] = SwitchingValue(families[f], q => Evaluate(families[f], q)[switching]);
        }

        var rows = new List<SensitivityRow>();
        double[][]? draws = Draws(result, families);
        for (int m = 0; m < metrics.Count; m++)
        {
            double?[] rho = Spearman(result, families, draws, metrics[m]);
            if (fewestEvents[m] < ReliableEvents)
            {
                // Too few simulated events for a swing to be quoted: the rank correlations alone, as without --sensitivity.
                int?[] byRho = Ranks([.. rho.Select(r => r is { } x ? Math.Abs(x) : (double?)null)]);
                rows.AddRange(Ordered(families.Count, byRho).Select(f => new SensitivityRow(families[f].Path, metrics[m], null, null, null, byRho[f], rho[f], null)));
                continue;
            }

            double?[] swing = [.. Enumerable.Range(0, families.Count).Select(f => Swing(low[f][m], high[f][m]))];
            int?[] rank = Ranks([.. swing.Select(s => s is { } x ? Math.Abs(x) : (double?)null)]);
            rows.AddRange(Ordered(families.Count, rank).Select(f => new SensitivityRow(families[f].Path, metrics[m], Defined(low[f][m]), Defined(high[f][m]),
                swing[f], rank[f], rho[f], m == switching ? switches[f] : null)));
        }

        return rows;
    }

    /// <summary>
    /// The headline metrics the proposal reports and changes (its value minus the status quo's is not
    /// zero in every replicate of the run: a count of persons the proposal cannot change has no driver), in the strands' order.
    /// </summary>
    private static IReadOnlyList<string> Metrics(RunResult result) =>
        [.. result.HeadlineMetrics.Where(m => result.Rows.Any(r => r.Variant == VariantBuilder.Proposal && r.Group == "all" && r.Metric == m)
                                             && DifferenceByReplicate(result, m).Any(d => double.IsFinite(d) && d != 0))];

    /// <summary>
    /// The proposal's mean minus the status quo's for everyone, NaN when the proposal's is undefined;
    /// the status quo's counts as 0 where it lacks the metric or leaves it undefined (a rate over
    /// flags when the status quo flags no one), so the value is then the proposal's own.
    /// </summary>
    private static double Difference(RunResult run, string metric)
    {
        ResultRow? proposal = run.Rows.FirstOrDefault(r => r.Variant == VariantBuilder.Proposal && r.Group == "all" && r.Metric == metric);
        ResultRow? statusQuo = run.Rows.FirstOrDefault(r => r.Variant == VariantBuilder.StatusQuo && r.Group == "all" && r.Metric == metric);
        return proposal?.Summary.Mean is { } p ? p - (statusQuo?.Summary.Mean ?? 0) : double.NaN;
    }

    /// <summary>Per replicate, the proposal's value minus the status quo's for everyone (NaN where undefined).</summary>
    private static double[] DifferenceByReplicate(RunResult result, string metric)
    {
        int replicates = result.Values.Replicates;
        double[] Column(string variant)
        {
            var values = new double[replicates];
            int index = IndexOf(result.SeriesKeys, new SeriesKey(variant, "all", metric));
            if (index >= 0)
                result.Values.ReadColumns(index, 1, values);
            return values; // zeros for a metric the variant lacks (as where it is undefined: see Difference)
        }

        double[] proposal = Column(VariantBuilder.Proposal), statusQuo = Column(VariantBuilder.StatusQuo);
        return [.. proposal.Select((p, r) => p - (double.IsFinite(statusQuo[r]) ? statusQuo[r] : 0))];
    }

    /// <summary>The index of <paramref name="key"/> among the run's series, or −1.</summary>
    private static int IndexOf(IReadOnlyList<SeriesKey> keys, SeriesKey key)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] == key)
                return i;
        }

        return -1;
    }

    /// <summary>Each family's rank correlation with the metric over the replicates (all null with fewer than <see cref="MinimumReplicates"/>).</summary>
    private static double?[] Spearman(RunResult result, IReadOnlyList<UncertainFamily> families, double[][]? draws, string metric)
    {
        var rho = new double?[families.Count];
        if (draws is null)
            return rho;
        double[] y = DifferenceByReplicate(result, metric);
        for (int f = 0; f < families.Count; f++)
            rho[f] = RankCorrelation.Spearman(draws[f], y, MinimumReplicates);
        return rho;
    }

    /// <summary>Each family's draws over the replicates, one column each (null with too few replicates for a correlation).</summary>
    private static double[][]? Draws(RunResult result, IReadOnlyList<UncertainFamily> families)
    {
        int replicates = result.Values.Replicates;
        if (replicates < MinimumReplicates)
            return null;
        // The drawn parameters follow the series in each record.
        return [.. families.Select(f =>
        {
            var draws = new double[replicates];
            result.Values.ReadColumns(result.SeriesKeys.Count + f.Draw, 1, draws);
            return draws;
        })];
    }

    /// <summary>
    /// The parameter's value at which <paramref name="net"/> (of the percentile) changes sign, when it
    /// has opposite signs at the 1st and 99th percentiles; else null.
    /// </summary>
    private static double? SwitchingValue(UncertainFamily family, Func<double, double> net)
    {
        double a = RangeLow, b = RangeHigh, fa = net(a), fb = net(b);
        if (!double.IsFinite(fa) || !double.IsFinite(fb) || fa * fb > 0 || (fa == 0 && fb == 0))
            return null;
        if (fa == 0)
            return ParameterQuantiles.Of(family.Members[0], a);
        if (fb == 0)
            return ParameterQuantiles.Of(family.Members[0], b);
        int side = 0; // which end the last step moved: −1 the lower, +1 the upper
        for (int i = 0; i < SwitchingIterations && b - a > SwitchingTolerance; i++)
        {
            double c = (a * fb - b * fa) / (fb - fa);
            if (!(c > a && c < b))
                c = 0.5 * (a + b);
            double fc = net(c);
            if (!double.IsFinite(fc))
                return null;
            if (fc == 0)
                return ParameterQuantiles.Of(family.Members[0], c);
            if (fc * fa > 0)
            {
                (a, fa) = (c, fc);
                if (side == -1)
                    fb /= 2; // Illinois: the end kept twice in a row counts half, so the bracket closes from both sides
                side = -1;
            }
            else
            {
                (b, fb) = (c, fc);
                if (side == 1)
                    fa /= 2;
                side = 1;
            }
        }

        return ParameterQuantiles.Of(family.Members[0], 0.5 * (a + b));
    }

    /// <summary>
    /// Competition ranks: 1 for the largest, ties sharing a rank; a magnitude of 0 (a parameter the
    /// metric does not depend on) takes the last rank there is, the number of parameters; undefined values are unranked.
    /// </summary>
    private static int?[] Ranks(double?[] magnitudes)
    {
        var rank = new int?[magnitudes.Length];
        for (int i = 0; i < magnitudes.Length; i++)
        {
            if (magnitudes[i] is not { } x)
                continue;
            rank[i] = x == 0 ? magnitudes.Length : 1 + magnitudes.Count(y => y is { } v && v > x);
        }

        return rank;
    }

    /// <summary>Families by rank (unranked last), ties in the run's order.</summary>
    private static IEnumerable<int> Ordered(int count, int?[] rank) =>
        Enumerable.Range(0, count).OrderBy(f => rank[f] ?? int.MaxValue).ThenBy(f => f);

    private static double? Defined(double x) => double.IsFinite(x) ? x : null;

    /// <summary>
    /// <paramref name="high"/> − <paramref name="low"/>, 0 when they differ by no more than the rounding
    /// of doubles (10⁻¹² of their size: the values are integer tallies scaled and differenced, so equal
    /// counts can come back a few units in the last place apart), null when either is undefined.
    /// </summary>
    private static double? Swing(double low, double high)
    {
        double swing = high - low;
        if (!double.IsFinite(swing))
            return null;
        return Math.Abs(swing) <= 1e-12 * (Math.Abs(low) + Math.Abs(high)) ? 0 : swing;
    }
}
