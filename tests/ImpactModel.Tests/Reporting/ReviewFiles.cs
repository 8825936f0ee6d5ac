using System.Globalization;
using System.Text;
using ImpactModel.Reporting;
using ImpactModel.Safeguards;
using ImpactModel.Simulation;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// Writes plausible review files (safeguards.csv, principles.csv, sensitivity.csv, evidence.csv, with the
/// columns of PRODUCT.md) into a finished run folder, derived from its own replicates.csv and
/// parameters.csv, until the engine writes them itself (issue 21). The paired differences are the real
/// ones (per replicate, then summarised as results.csv is); the swings are not a one-at-a-time
/// analysis but a linear stand-in (the correlation over replicates times the value's spread), which is
/// all the views need: rows of the right shape, signs and ranks.
/// </summary>
internal static class ReviewFiles
{
    /// <summary>Copies the run folder <paramref name="from"/> to <paramref name="to"/>, writes the review files there, writes its report again, and reads it.</summary>
    public static RunData Copy(string from, string to, bool swings, Action<string>? edit = null)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Write(to, swings);
        edit?.Invoke(to);
        return ReportWriter.WriteRun(to, DiskScenarioFiles.Instance);
    }

    /// <summary>Writes the four files into <paramref name="folder"/>; <paramref name="swings"/> as if run with <c>--sensitivity</c>.</summary>
    public static void Write(string folder, bool swings)
    {
        RunData run = RunFolderReader.Read(folder, DiskScenarioFiles.Instance);
        string scenario = run.Name, strand = run.Manifest.Strand;
        int n = run.Manifest.Replicates;
        var values = ReadReplicates(Path.Combine(folder, "replicates.csv"), n);
        string[] metrics = [.. run.Manifest.Metrics.Select(m => m.Name)];
        string[] harms = [.. run.View.HarmCounts.Where(run.Has)];

        // safeguards.csv
        var safeguards = new StringBuilder(string.Join(',', RunFolderReader.SafeguardsColumns) + "\n");
        var variants = run.Manifest.Variants.Select(v => v.Id).ToHashSet();
        foreach (string id in (run.Scenario?.Safeguards ?? []).Select(s => s.Id))
        {
            var pairs = new List<(string Effect, string A, string B)>();
            if (variants.Contains(VariantBuilder.WithoutPrefix + id))
                pairs.Add((SafeguardLine.Marginal, VariantBuilder.Proposal, VariantBuilder.WithoutPrefix + id));
            if (variants.Contains(VariantBuilder.OnlyPrefix + id) && variants.Contains(VariantBuilder.NoSafeguards))
                pairs.Add((SafeguardLine.Solo, VariantBuilder.OnlyPrefix + id, VariantBuilder.NoSafeguards));
            foreach ((string effect, string a, string b) in pairs)
            {
                foreach (string group in run.Groups)
                {
                    double[] Diff(string metric) => Minus(values, a, b, group, metric, n);
                    foreach (string metric in metrics)
                        Row(safeguards, [scenario, strand, id, effect, group, metric], Diff(metric));
                    double[] cost = Diff("total_cost");
                    foreach (string harm in harms)
                    {
                        double[] harmDiff = Diff(harm);
                        Row(safeguards, [scenario, strand, id, effect, group, harm + SafeguardLine.CostPerAvoided],
                            [.. Enumerable.Range(0, n).Select(r => -harmDiff[r] > 0 ? cost[r] / -harmDiff[r] : double.NaN)]);
                    }
                }
            }
        }

        File.WriteAllText(Path.Combine(folder, RunFolderReader.SafeguardsFile), safeguards.ToString());

        // principles.csv
        var principles = new StringBuilder(string.Join(',', RunFolderReader.PrinciplesColumns) + "\n");
        var served = new HashSet<string>();
        foreach (string principle in SafeguardCatalogue.Principles)
        {
            foreach (var s in run.Scenario?.Safeguards ?? [])
            {
                var of = s.Principles.Length > 0 ? [.. s.Principles] : SafeguardCatalogue.Types.First(t => t.Id == s.Type).DefaultPrinciples;
                if (of.Contains(principle))
                {
                    principles.Append(Csv([scenario, principle, s.Id])).Append('\n');
                    served.Add(principle);
                }
            }
        }

        foreach (string principle in SafeguardCatalogue.Principles.Where(p => !served.Contains(p)))
            principles.Append(Csv([scenario, principle, ""])).Append('\n');
        File.WriteAllText(Path.Combine(folder, RunFolderReader.PrinciplesFile), principles.ToString());

        // sensitivity.csv: the varying parameters, a by-group parameter as its family.
        var draws = ReadParameters(Path.Combine(folder, "parameters.csv"), n);
        var families = draws.Keys.GroupBy(Family).Where(f => f.Any(p => draws[p].Values.Distinct().Count() > 1))
            .Select(f => (Family: f.Key, Member: f.First())).ToList();
        var sensitivity = new List<(string Parameter, string Metric, double? Low, double? High, double? Swing, double? Spearman, double? Switching)>();
        foreach (string metric in run.View.Summary.Where(run.Has))
        {
            double[] value = metric.EndsWith("_vs_status_quo", StringComparison.Ordinal)
                ? Get(values, VariantBuilder.Proposal, "all", metric, n)
                : Minus(values, VariantBuilder.Proposal, VariantBuilder.StatusQuo, "all", metric, n);
            double spread = StandardDeviation(value);
            foreach ((string family, string member) in families)
            {
                double[] x = draws[member].Values;
                double? spearman = n >= 10 ? Correlation(Ranks(x), Ranks(value)) : null;
                double? low = null, high = null, swing = null, switching = null;
                if (swings)
                {
                    double r = Correlation(x, value) ?? 0, centre = value.Average();
                    low = centre - 1.2816 * r * spread;
                    high = centre + 1.2816 * r * spread;
                    swing = high - low;
                    double[] sorted = [.. x.Order()];
                    double p10 = ReplicateStatistics.Percentile(sorted, 0.1), p90 = ReplicateStatistics.Percentile(sorted, 0.9);
                    if (metric == "net_benefit_vs_status_quo" && Math.Sign(low.Value) != Math.Sign(high.Value) && high != low)
                        switching = p10 + (0 - low.Value) / (high.Value - low.Value) * (p90 - p10);
                }

                sensitivity.Add((family, metric, low, high, swing, spearman, switching));
            }
        }

        var rank = new Dictionary<(string, string), int?>();
        foreach (var byMetric in sensitivity.GroupBy(s => s.Metric))
        {
            double? Key((string, string, double?, double?, double? Swing, double? Spearman, double?) s) => swings ? s.Swing : s.Spearman;
            foreach (var s in byMetric)
            {
                double? k = Key(s);
                // 1 for the largest magnitude; ties share a rank; 0 ranks last (after every non-zero).
                rank[(s.Parameter, s.Metric)] = k is not { } v ? null
                    : v == 0 ? byMetric.Count(o => Key(o) is { } ov && ov != 0) + 1
                    : byMetric.Count(o => Key(o) is { } ov && Math.Abs(ov) > Math.Abs(v)) + 1;
            }
        }

        var text = new StringBuilder(string.Join(',', RunFolderReader.SensitivityColumns) + "\n");
        foreach (var s in sensitivity)
            text.Append(Csv([scenario, strand, s.Parameter, s.Metric, N(s.Low), N(s.High), N(s.Swing), rank[(s.Parameter, s.Metric)]?.ToString(CultureInfo.InvariantCulture) ?? "",
                N(s.Spearman), N(s.Switching)])).Append('\n');
        File.WriteAllText(Path.Combine(folder, RunFolderReader.SensitivityFile), text.ToString());

        // evidence.csv
        var best = sensitivity.GroupBy(s => s.Parameter).ToDictionary(g => g.Key, g => g.Min(s => rank[(s.Parameter, s.Metric)]));
        var evidence = new StringBuilder(string.Join(',', RunFolderReader.EvidenceColumns) + "\n");
        foreach ((string parameter, (double[] x, string source, string grade)) in draws)
        {
            string value = x.Distinct().Count() > 1
                ? string.Create(CultureInfo.InvariantCulture, $"normal({x.Average():G4}, {StandardDeviation(x):G4})")
                : x[0].ToString("R", CultureInfo.InvariantCulture);
            evidence.Append(Csv([scenario, parameter, value, source, grade, best.GetValueOrDefault(Family(parameter))?.ToString(CultureInfo.InvariantCulture) ?? ""])).Append('\n');
        }

        File.WriteAllText(Path.Combine(folder, RunFolderReader.EvidenceFile), evidence.ToString());
    }

    /// <summary>A field as the engine writes one: quoted (quotes doubled) only when it holds a comma, quote or line break.</summary>
    public static string Csv(IEnumerable<string> fields) => string.Join(',', fields.Select(f =>
        f.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));

    /// <summary>The family of a by-group parameter (<c>x.base</c>, <c>x.by_group.g</c> → <c>x</c>), else the path itself.</summary>
    public static string Family(string parameter)
    {
        int at = parameter.IndexOf(".by_group.", StringComparison.Ordinal);
        if (at > 0)
            return parameter[..at];
        return parameter.EndsWith(".base", StringComparison.Ordinal) ? parameter[..^5] : parameter;
    }

    private static void Row(StringBuilder csv, string[] keys, double[] perReplicate)
    {
        ReplicateSummary s = ReplicateStatistics.Summarise(perReplicate);
        csv.Append(Csv([.. keys, N(s.Mean), N(s.Low), N(s.High), s.Replicates.ToString(CultureInfo.InvariantCulture)])).Append('\n');
    }

    private static string N(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static double[] Get(Dictionary<(string, string, string), double[]> values, string variant, string group, string metric, int n) =>
        values.TryGetValue((variant, group, metric), out double[]? v) ? v : [.. Enumerable.Repeat(double.NaN, n)];

    private static double[] Minus(Dictionary<(string, string, string), double[]> values, string a, string b, string group, string metric, int n)
    {
        double[] x = Get(values, a, group, metric, n), y = Get(values, b, group, metric, n);
        return [.. x.Zip(y, (p, q) => p - q)];
    }

    private static Dictionary<(string Variant, string Group, string Metric), double[]> ReadReplicates(string path, int n)
    {
        var values = new Dictionary<(string, string, string), double[]>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] f = line.Split(',');
            var key = (f[1], f[2], f[3]);
            if (!values.TryGetValue(key, out double[]? v))
                values[key] = v = [.. Enumerable.Repeat(double.NaN, n)];
            v[int.Parse(f[4], CultureInfo.InvariantCulture)] = f[5].Length == 0 ? double.NaN : double.Parse(f[5], CultureInfo.InvariantCulture);
        }

        return values;
    }

    private static Dictionary<string, (double[] Values, string Source, string Grade)> ReadParameters(string path, int n)
    {
        var draws = new Dictionary<string, (double[] Values, string Source, string Grade)>();
        using var reader = new StreamReader(path);
        foreach ((int line, string[] f) in RunFolderReader.Records(reader, path).Skip(1))
        {
            if (!draws.TryGetValue(f[1], out var d))
                draws[f[1]] = d = (new double[n], f[3], f[4]);
            d.Values[int.Parse(f[0], CultureInfo.InvariantCulture)] = double.Parse(f[2], CultureInfo.InvariantCulture);
        }

        return draws;
    }

    private static double StandardDeviation(double[] x)
    {
        double[] d = [.. x.Where(double.IsFinite)];
        if (d.Length < 2)
            return 0;
        double mean = d.Average();
        return Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1));
    }

    private static double[] Ranks(double[] x)
    {
        var order = x.Select((v, i) => (v, i)).OrderBy(p => p.v).ToArray();
        var ranks = new double[x.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && order[j + 1].v == order[i].v)
                j++;
            for (int k = i; k <= j; k++)
                ranks[order[k].i] = (i + j) / 2.0 + 1;
            i = j + 1;
        }

        return ranks;
    }

    private static double? Correlation(double[] x, double[] y)
    {
        var pairs = x.Zip(y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        if (pairs.Length < 3)
            return null;
        double mx = pairs.Average(p => p.First), my = pairs.Average(p => p.Second);
        double sxy = pairs.Sum(p => (p.First - mx) * (p.Second - my)), sxx = pairs.Sum(p => (p.First - mx) * (p.First - mx)),
            syy = pairs.Sum(p => (p.Second - my) * (p.Second - my));
        return sxx == 0 || syy == 0 ? 0 : Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }
}
