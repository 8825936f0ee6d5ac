using System.Numerics;
using ImpactModel.Scenarios;

namespace ImpactModel.Simulation.Packages;

/// <summary>One row of <c>package.csv</c>: a metric of a group, summarised over replicates.</summary>
public sealed record PackageRow(string Group, string Metric, ReplicateSummary Summary);

/// <summary>A contradiction found: its key, names, metric and the persons of the whole population in it.</summary>
/// <param name="Protecting">The protecting scenario's name.</param>
/// <param name="Safeguard">The protecting safeguard's id.</param>
/// <param name="SafeguardType">Its type.</param>
/// <param name="Groups">The groups it lists (an exclusion); empty for opt-out or consent.</param>
/// <param name="Exposing">The exposing scenario's name.</param>
/// <param name="Metric">Its metric in <c>package.csv</c>.</param>
/// <param name="Persons">Persons in it (group <c>all</c>, scaled to the declared population).</param>
public sealed record Contradiction(string Protecting, string Safeguard, string SafeguardType, IReadOnlyList<string> Groups, string Exposing,
    string Metric, ReplicateSummary Persons)
{
    /// <summary>True when any replicate counted a person in it.</summary>
    public bool Found => Persons.Mean is > 0;
}

/// <summary>
/// The cumulative burden of a package's scenarios on the same persons, per group: from each
/// replicate's <see cref="BurdenTally"/> (integers), the values of every metric (persons scaled to
/// the declared population, rates of the group's persons, ratios of a group's rate to <c>rest</c>'s),
/// summarised over replicates like <c>results.csv</c>: the mean and the 2.5th and 97.5th percentiles.
/// </summary>
public sealed class PackageBurden
{
    private PackageBurden(IReadOnlyList<PackageRow> rows, IReadOnlyList<Contradiction> contradictions)
    {
        Rows = rows;
        Contradictions = contradictions;
    }

    /// <summary>The rows of <c>package.csv</c>, group by group (all, the groups, rest), each group's metrics in a fixed order.</summary>
    public IReadOnlyList<PackageRow> Rows { get; }

    /// <summary>Every contradiction the package looked for, found or not.</summary>
    public IReadOnlyList<Contradiction> Contradictions { get; }

    /// <summary>The summary of <paramref name="metric"/> in <paramref name="group"/>, or null when the package has no such row.</summary>
    public ReplicateSummary? Of(string group, string metric) =>
        Rows.FirstOrDefault(r => r.Group == group && r.Metric == metric)?.Summary;

    /// <param name="package">The package.</param>
    /// <param name="groups">The population's group ids, in order.</param>
    /// <param name="keys">The contradictions looked for.</param>
    /// <param name="replicates">Each replicate's counts.</param>
    /// <param name="settings">The run's settings (persons, for the scale).</param>
    /// <param name="marks">Per scenario, whether its strand marks persons harmed and benefited at this population:
    /// a metric that takes in a scenario that marks no such person is undefined, never 0.</param>
    internal static PackageBurden Of(Package package, string[] groups, ContradictionKey[] keys, IReadOnlyList<BurdenTally> replicates, RunSettings settings,
        (bool Harms, bool Benefits)[] marks)
    {
        string[] names = [.. package.Scenarios.Select(e => e.Name)];
        string[] rows = ["all", .. groups, "rest"];
        double scale = (double)package.DeclaredPopulation / settings.Persons;
        string[] contradictionNames = [.. keys.Select(c => $"contradiction.{names[c.Protecting]}--{c.Safeguard}--{names[c.Exposing]}")];
        var result = new List<PackageRow>();
        int restRow = rows.Length - 1;
        var values = new double[replicates.Count];
        for (int row = 0; row < rows.Length; row++)
        {
            foreach (Metric metric in Metrics(names, marks, contradictionNames, row == restRow))
            {
                for (int r = 0; r < replicates.Count; r++)
                    values[r] = metric.Value(replicates[r], row, restRow, scale);
                result.Add(new PackageRow(rows[row], metric.Name, ReplicateStatistics.Summarise(values)));
            }
        }

        var contradictions = new List<Contradiction>();
        for (int c = 0; c < keys.Length; c++)
        {
            ContradictionKey key = keys[c];
            string[] listed = [.. groups.Where((_, g) => (key.Groups & (1u << g)) != 0)];
            ReplicateSummary persons = result.First(x => x.Group == "all" && x.Metric == contradictionNames[c]).Summary;
            contradictions.Add(new Contradiction(names[key.Protecting], key.Safeguard, key.SafeguardType, listed, names[key.Exposing], contradictionNames[c], persons));
        }

        return new PackageBurden(result, contradictions);
    }

    /// <summary>A metric of one group in one replicate: its name and how its value is formed from the counts.</summary>
    private sealed record Metric(string Name, Func<BurdenTally, int, int, double, double> Value);

    /// <summary>
    /// A group's metrics, in order. For each kind (harmed, benefited), a metric that takes in a scenario
    /// whose strand marks no person of that kind (or not at this population) is undefined: a scenario's
    /// own, a pair with it, and all of them; any, two or more and exactly n count over the scenarios that
    /// mark it, and are undefined where fewer of them mark it than they need.
    /// </summary>
    private static IEnumerable<Metric> Metrics(string[] names, (bool Harms, bool Benefits)[] marks, string[] contradictions, bool rest)
    {
        int k = names.Length;
        yield return new Metric("persons", (t, row, _, scale) => t.Persons(row) * scale);
        foreach ((string kind, bool harm) in new[] { ("harmed", true), ("benefited", false) })
        {
            bool[] marking = [.. marks.Select(m => harm ? m.Harms : m.Benefits)];
            int markers = marking.Count(m => m);
            for (int s = 0; s < k; s++)
            {
                int bit = 1 << s;
                foreach (Metric m in Family($"{kind}_by", "." + names[s], p => (p & bit) != 0, harm, rest, marking[s]))
                    yield return m;
            }

            foreach (Metric m in Family($"{kind}_by_any", "", p => p != 0, harm, rest, markers >= 1))
                yield return m;
            foreach (Metric m in Family($"{kind}_by_two_or_more", "", p => BitOperations.PopCount((uint)p) >= 2, harm, rest, markers >= 2))
                yield return m;
            foreach (Metric m in Family($"{kind}_by_all", "", p => p == (1 << k) - 1, harm, rest, markers == k))
                yield return m;
            for (int n = 1; n <= k; n++)
            {
                int count = n;
                foreach (Metric m in Family($"{kind}_by_exactly", "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                             p => BitOperations.PopCount((uint)p) == count, harm, rest: true, defined: n <= markers))
                    yield return m;
            }

            for (int a = 0; a < k; a++)
            {
                for (int b = a + 1; b < k; b++)
                {
                    int both = (1 << a) | (1 << b);
                    foreach (Metric m in Family($"{kind}_by_pair", $".{names[a]}--{names[b]}", p => (p & both) == both, harm, rest, marking[a] && marking[b]))
                        yield return m;
                }
            }
        }

        for (int c = 0; c < contradictions.Length; c++)
        {
            int index = c;
            yield return new Metric(contradictions[c], (t, row, _, scale) => t.Contradicted(row, index) * scale);
        }
    }

    /// <summary>
    /// The persons of a group whose pattern passes <paramref name="counts"/> (scaled), their rate of the
    /// group's persons, and that rate's ratio to <c>rest</c>'s (not in the row of <c>rest</c>, nor when
    /// <paramref name="rest"/> asks for none): <c>NAME.q</c>, <c>NAME_rate.q</c>, <c>NAME_rate_ratio_vs_rest.q</c>;
    /// all undefined (NaN: an empty cell) unless <paramref name="defined"/>.
    /// </summary>
    private static IEnumerable<Metric> Family(string name, string qualifier, Func<int, bool> counts, bool harm, bool rest, bool defined)
    {
        if (!defined)
        {
            yield return new Metric(name + qualifier, (_, _, _, _) => double.NaN);
            yield return new Metric(name + "_rate" + qualifier, (_, _, _, _) => double.NaN);
            if (!rest)
                yield return new Metric(name + "_rate_ratio_vs_rest" + qualifier, (_, _, _, _) => double.NaN);
            yield break;
        }

        long Count(BurdenTally t, int row)
        {
            long sum = 0;
            for (int p = 0; p < t.Patterns; p++)
            {
                if (counts(p))
                    sum += harm ? t.Harmed(row, p) : t.Benefited(row, p);
            }

            return sum;
        }

        double Rate(BurdenTally t, int row)
        {
            long persons = t.Persons(row);
            return persons == 0 ? double.NaN : (double)Count(t, row) / persons;
        }

        yield return new Metric(name + qualifier, (t, row, _, scale) => Count(t, row) * scale);
        yield return new Metric(name + "_rate" + qualifier, (t, row, _, _) => Rate(t, row));
        if (!rest)
        {
            yield return new Metric(name + "_rate_ratio_vs_rest" + qualifier, (t, row, restRow, _) =>
            {
                double other = Rate(t, restRow);
                return other > 0 ? Rate(t, row) / other : double.NaN;
            });
        }
    }
}
