using System.Globalization;
using ImpactModel.Pilot;
using Xunit.Abstractions;

namespace ImpactModel.Tests.Pilot;

/// <summary>
/// Issue 22 against R (R/power_reference_unequal.R made the values with uniroot(tol = 1e-12); see its header):
/// unequal arms for the pooled and arcsine methods, Poisson rates and cluster designs, both tails (strict),
/// Fleiss's continuity correction, and solving for the effect or alpha. Every answer must agree to a relative
/// difference of at most 1e-9, and every rounded-up size must be R's.
/// </summary>
public class UnequalReferenceTests(ITestOutputHelper output)
{
    public sealed record Row(
        string Method, string Solve, double P1, double? P2, double? Alpha, int Sides, double Power, double? Ratio,
        double? N1, double? N2, bool Strict, bool Cc, double? M1, double? M2, double? Icc, double? Answer)
    {
        public override string ToString()
            => $"{Method} {Solve} p1={P1} p2={P2} a={Alpha} s={Sides} power={Power} k={Ratio} n1={N1} n2={N2} strict={Strict} cc={Cc} m={M1}/{M2} icc={Icc}";
    }

    /// <summary>The contract of the issue: relative difference on n, power, p2, h and alpha.</summary>
    private const double Relative = 1e-9;

    internal static IReadOnlyList<Row> Rows { get; } = Parse(PowerReferenceUnequalData.Rows);

    private static List<Row> Parse(string csv)
    {
        var rows = new List<Row>();
        foreach (string line in csv.Split('\n').Skip(1))
        {
            string[] f = line.Trim().Split(',');
            double? D(int i) => f[i].Length == 0 ? null : double.Parse(f[i], CultureInfo.InvariantCulture);
            rows.Add(new Row(f[0], f[1], D(2)!.Value, D(3), D(4), int.Parse(f[5], CultureInfo.InvariantCulture), D(6)!.Value, D(7),
                D(8), D(9), f[10] == "1", f[11] == "1", D(12), D(13), D(14), D(15)));
        }

        return rows;
    }

    public static TheoryData<Row> Cases(string method, string solve)
    {
        var data = new TheoryData<Row>();
        foreach (Row row in Rows.Where(r => r.Method == method && r.Solve == solve))
            data.Add(row);
        return data;
    }

    private static ProportionsMethod MethodOf(Row row) => row.Method == "pooled" ? ProportionsMethod.Pooled : ProportionsMethod.Arcsine;

    private static PowerSettings SettingsOf(Row row) => new(row.Alpha ?? 0.05, row.Sides, row.Power);

    private static double Rel(double engine, double r) => Math.Abs(engine - r) / Math.Abs(r);

    /// <summary>The engine's answer for a row, and R's: the quantity solved for (for power rows, the power).</summary>
    private static (double Engine, double R) Compare(Row row)
    {
        PowerSettings s = SettingsOf(row);
        switch (row.Method, row.Solve)
        {
            case ("pooled" or "arcsine", "size"):
                {
                    ProportionsAnswer a = Allocation.Solve(new ProportionsQuestion(MethodOf(row), ProportionsUnknown.Size, row.P1, row.P2,
                        Ratio: row.Ratio!.Value, Strict: row.Strict, ContinuityCorrection: row.Cc), s);
                    Assert.Equal((long)Math.Ceiling(row.Answer!.Value), a.N1Ceil);
                    Assert.Equal((long)Math.Ceiling(row.Ratio.Value * row.Answer.Value), a.N2Ceil);
                    return (a.N1, row.Answer.Value);
                }

            case ("pooled" or "arcsine", "power"):
                {
                    ProportionsAnswer a = Allocation.Solve(new ProportionsQuestion(MethodOf(row), ProportionsUnknown.Power, row.P1, row.P2,
                        row.N1, row.N2, Strict: row.Strict, ContinuityCorrection: row.Cc), s);
                    return (a.Power, row.Power);
                }

            case ("pooled", "effect-up" or "effect-down"):
                {
                    bool up = row.Solve == "effect-up";
                    ProportionsAnswer a = Allocation.Solve(new ProportionsQuestion(ProportionsMethod.Pooled, ProportionsUnknown.Effect, row.P1, null,
                        row.N1, row.N2, Strict: row.Strict, ContinuityCorrection: row.Cc, Direction: up ? EffectDirection.Up : EffectDirection.Down), s);
                    double? p2 = up ? a.P2Up : a.P2Down;
                    Assert.Null(up ? a.P2Down : a.P2Up); // only the side asked for
                    Assert.NotNull(p2);
                    return (p2.Value, row.Answer!.Value);
                }

            case ("arcsine", "effect-h"):
                {
                    ProportionsAnswer a = Allocation.Solve(new ProportionsQuestion(ProportionsMethod.Arcsine, ProportionsUnknown.Effect, row.P1, null,
                        row.N1, row.N2), s);
                    Assert.NotNull(a.H);
                    Assert.Equal(Allocation.P2FromH(row.P1, a.H.Value, 1), a.P2Up);
                    Assert.Equal(Allocation.P2FromH(row.P1, a.H.Value, -1), a.P2Down);
                    return (a.H.Value, row.Answer!.Value);
                }

            case ("pooled" or "arcsine", "alpha"):
                {
                    ProportionsAnswer a = Allocation.Solve(new ProportionsQuestion(MethodOf(row), ProportionsUnknown.Alpha, row.P1, row.P2,
                        row.N1, row.N2, Strict: row.Strict, ContinuityCorrection: row.Cc), s);
                    return (a.Alpha, row.Answer!.Value);
                }

            case ("poisson", "size"):
                {
                    PoissonUnequalResult r = UnequalArms.SolvePoisson(row.P1, row.P2!.Value, null, null, row.Ratio!.Value, s);
                    Assert.Equal(row.Ratio.Value * r.PersonTime1, r.PersonTime2);
                    return (r.PersonTime1, row.Answer!.Value);
                }

            case ("poisson", "power"):
                return (UnequalArms.SolvePoisson(row.P1, row.P2!.Value, row.N1, row.N2, 1, s).Power, row.Power);

            case ("cluster", "size"):
                {
                    ClusterUnequalResult r = UnequalArms.SolveCluster(new ClusterUnequalInput(row.P1, row.P2!.Value, row.M1!.Value, row.M2!.Value,
                        row.Icc!.Value, 0, Ratio: row.Ratio!.Value), s);
                    Assert.Equal(Math.Max(2, (long)Math.Ceiling(row.Answer!.Value)), r.Areas1Ceil);
                    Assert.Equal(Math.Max(2, (long)Math.Ceiling(row.Ratio.Value * row.Answer.Value)), r.Areas2Ceil);
                    return (r.Areas1, row.Answer.Value);
                }

            case ("cluster", "power"):
                {
                    ClusterUnequalResult r = UnequalArms.SolveCluster(new ClusterUnequalInput(row.P1, row.P2!.Value, row.M1!.Value, row.M2!.Value,
                        row.Icc!.Value, 0, (long)row.N1!.Value, (long)row.N2!.Value), s);
                    return (r.Power, row.Power);
                }

            default:
                throw new InvalidOperationException($"unknown reference row {row}");
        }
    }

    [Fact]
    public void There_are_at_least_24_cases_per_new_method_and_direction()
    {
        string[] kinds =
        [
            "pooled/size", "pooled/power", "arcsine/size", "arcsine/power", "pooled/effect-up", "pooled/effect-down",
            "arcsine/effect-h", "pooled/alpha", "arcsine/alpha", "poisson/size", "poisson/power", "cluster/size", "cluster/power",
        ];
        foreach (string kind in kinds)
            Assert.True(Rows.Count(r => $"{r.Method}/{r.Solve}" == kind && r.Ratio is not 1 && !r.Strict && !r.Cc) >= 24 || Rows.Count(r => $"{r.Method}/{r.Solve}" == kind) >= 24, kind);
        Assert.True(Rows.Count(r => r.Strict && r.Solve == "size") >= 24, "strict size");
        Assert.True(Rows.Count(r => r.Strict && r.Solve == "power") >= 24, "strict power");
        Assert.True(Rows.Count(r => r.Cc && r.Solve == "size") >= 24, "continuity-corrected size");
        Assert.True(Rows.Count(r => r.Cc && r.Solve == "power") >= 24, "continuity-corrected power");
    }

    [Theory]
    [MemberData(nameof(Cases), "pooled", "size")]
    [MemberData(nameof(Cases), "pooled", "power")]
    [MemberData(nameof(Cases), "pooled", "effect-up")]
    [MemberData(nameof(Cases), "pooled", "effect-down")]
    [MemberData(nameof(Cases), "pooled", "alpha")]
    [MemberData(nameof(Cases), "arcsine", "size")]
    [MemberData(nameof(Cases), "arcsine", "power")]
    [MemberData(nameof(Cases), "arcsine", "effect-h")]
    [MemberData(nameof(Cases), "arcsine", "alpha")]
    [MemberData(nameof(Cases), "poisson", "size")]
    [MemberData(nameof(Cases), "poisson", "power")]
    [MemberData(nameof(Cases), "cluster", "size")]
    [MemberData(nameof(Cases), "cluster", "power")]
    public void Matches_R_to_1e_9_relative(Row row)
    {
        (double engine, double r) = Compare(row);
        Assert.True(Rel(engine, r) <= Relative, $"engine {engine:R} vs R {r:R}: relative {Rel(engine, r):R}");
    }

    [Fact]
    public void Largest_differences_from_R_are_reported_and_small()
    {
        var worst = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (Row row in Rows)
        {
            string key = $"{row.Method} {row.Solve}{(row.Strict ? " strict" : "")}{(row.Cc ? " cc" : "")}";
            (double engine, double r) = Compare(row);
            worst[key] = Math.Max(worst.GetValueOrDefault(key), Rel(engine, r));
        }

        foreach ((string key, double value) in worst)
            output.WriteLine($"{key}: worst relative difference {value:R}");
        Assert.All(worst, w => Assert.True(w.Value <= Relative, $"{w.Key}: {w.Value:R}"));
    }
}
