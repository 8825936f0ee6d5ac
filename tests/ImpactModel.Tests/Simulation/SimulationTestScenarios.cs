using System.Globalization;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Tests.Scenarios;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Tests.Simulation;

/// <summary>Scenarios and helpers for the runner tests.</summary>
internal static class SimulationTestScenarios
{
    /// <summary>
    /// One area, no area effects, no income gradient, no overlaps: frequent-mover's marginal
    /// prevalence is its beta(2, 8) draw exactly (in expectation over persons), so its scaled count
    /// depends on that one parameter and on binomial chance.
    /// </summary>
    public const string BetaPopulation = """
        population:
          size: 1000000
          area_variation: 0
          areas:
            - { id: north, share: 1 }
          groups:
            - { id: no-fixed-address, prevalence: 0.01 }
            - { id: frequent-mover, prevalence: "beta(2, 8)" }
            - { id: disabled, prevalence: 0.2 }
        """;

    public const double Alpha = 2, Beta = 8;

    public static Scenario Fixture()
    {
        var result = ScenarioFixture.Load();
        Assert.True(result.IsValid, result.Summary);
        return result.Scenario!;
    }

    public static Scenario BetaScenario()
    {
        var result = ScenarioFixture.Load(population: BetaPopulation);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    /// <summary>The text one of <see cref="RunFolder"/>'s CSV writers writes for <paramref name="result"/>.</summary>
    public static string Csv(RunResult result, Action<RunResult, TextWriter> write)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        write(result, w);
        return w.ToString();
    }

    /// <summary>Values of one (variant, group, metric) read back from replicates.csv text, in replicate order.</summary>
    public static double[] FromReplicatesCsv(string csv, string variant, string group, string metric)
    {
        var values = new SortedDictionary<int, double>();
        foreach (string line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            string[] c = line.Split(',');
            if (c[1] == variant && c[2] == group && c[3] == metric)
                values[int.Parse(c[4], CultureInfo.InvariantCulture)] = double.Parse(c[5], CultureInfo.InvariantCulture);
        }

        return [.. values.Values];
    }

    public static RunResult Run(Scenario scenario, ulong seed, int replicates, long persons, int threads = 0, int chunk = 4096) =>
        SimulationRunner.Run(scenario, new RunSettings(seed, replicates, persons, threads, chunk), BuiltInStrands.Registry);

    /// <summary>
    /// CDF of beta(a, b) for integer a, b: I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a)
    /// (Abramowitz and Stegun 26.5.24).
    /// </summary>
    public static double BetaCdf(double x, int a, int b)
    {
        int n = a + b - 1;
        double below = 0;
        for (int j = 0; j < a; j++)
            below += Choose(n, j) * Math.Pow(x, j) * Math.Pow(1 - x, n - j);
        return 1 - below;
    }

    public static double BetaDensity(double x, int a, int b) =>
        Math.Pow(x, a - 1) * Math.Pow(1 - x, b - 1) / (Factorial(a - 1) * Factorial(b - 1) / Factorial(a + b - 1));

    public static double BetaQuantile(double p, int a, int b)
    {
        double lo = 0, hi = 1;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (BetaCdf(mid, a, b) < p)
                lo = mid;
            else
                hi = mid;
        }

        return (lo + hi) / 2;
    }

    private static double Choose(int n, int k) => Factorial(n) / (Factorial(k) * Factorial(n - k));

    private static double Factorial(int n)
    {
        double f = 1;
        for (int i = 2; i <= n; i++)
            f *= i;
        return f;
    }
}
