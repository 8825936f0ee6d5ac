using System.Globalization;
using ImpactModel.Pilot;

namespace ImpactModel.Tests.Pilot;

/// <summary>
/// The exact binomial (tolerance) and exact conditional Poisson solvers against brute force: every n
/// (or a fine grid of person-time) is tried with binomial probabilities summed term by term, which
/// shares no code with the incomplete-beta tails the engine uses.
/// </summary>
public class ExactSolverTests
{
    /// <summary>P(X ≥ k), X ~ Binomial(n, p), as a plain sum of pmf terms in log space.</summary>
    private static double NaiveUpper(long k, long n, double p)
    {
        if (k <= 0) return 1;
        double sum = 0;
        for (long x = Math.Max(k, 0); x <= n; x++)
            sum += Math.Exp(LogChoose(n, x) + x * Math.Log(p) + (n - x) * Math.Log(1 - p));
        return sum;
    }

    // ln k! by plain summation of logs, tabulated once (no gamma function involved).
    private static readonly double[] LogFactorials = BuildLogFactorials(20_000);

    private static double[] BuildLogFactorials(int max)
    {
        var table = new double[max + 1];
        for (int i = 2; i <= max; i++)
            table[i] = table[i - 1] + Math.Log(i);
        return table;
    }

    private static double LogChoose(long n, long k) => LogFactorials[n] - LogFactorials[k] - LogFactorials[n - k];

    private static double LogFactorial(long n) => LogFactorials[n];

    private static (long Critical, double Alpha, double Power) NaiveExactTest(long n, double rate, double tolerance, double alpha)
    {
        // Upper tails under the tolerance, summed from the top count down; c is the last count whose tail stays within alpha.
        double tail = 0;
        long c = n + 1;
        for (long x = n; x >= 0; x--)
        {
            double term = Math.Exp(LogChoose(n, x) + x * Math.Log(tolerance) + (n - x) * Math.Log(1 - tolerance));
            if (tail + term > alpha) break;
            tail += term;
            c = x;
        }

        return (c, tail, NaiveUpper(c, n, rate));
    }

    [Theory]
    [InlineData(10, 3, 0.2)]
    [InlineData(200, 15, 0.05)]
    [InlineData(1000, 40, 0.03)]
    [InlineData(57, 57, 0.9)]
    public void Binomial_tail_matches_a_term_by_term_sum(long n, long k, double p)
    {
        double naive = NaiveUpper(k, n, p);
        Assert.True(Math.Abs(Binomial.UpperTail(k, n, p) - naive) <= 1e-12 * Math.Max(naive, 1e-300) + 1e-300,
            $"{Binomial.UpperTail(k, n, p):R} vs {naive:R}");
        Assert.True(Math.Abs(Binomial.LowerTail(k - 1, n, p) - (1 - naive)) < 1e-12);
    }

    [Theory]
    [InlineData(0.10, 0.05, 0.05, 0.80)]
    [InlineData(0.05, 0.02, 0.05, 0.80)]
    [InlineData(0.30, 0.15, 0.05, 0.90)]
    [InlineData(0.20, 0.10, 0.025, 0.90)]
    public void Exact_tolerance_solver_matches_a_brute_force_search_over_n(double rate, double tolerance, double alpha, double power)
    {
        var s = new PowerSettings(alpha, 1, power);
        (ExactToleranceAt first, ExactToleranceAt stable) = ToleranceTest.ExactSolve(rate, tolerance, s);

        // Brute force: every n up to 3 × the stable answer (beyond it the Chernoff bound in the engine
        // is what proves the rest; here we just look well past it).
        long limit = 3 * stable.N;
        long? bruteFirst = null;
        long lastFailing = 0;
        for (long n = 1; n <= limit; n++)
        {
            (_, _, double pw) = NaiveExactTest(n, rate, tolerance, alpha);
            if (pw >= power) bruteFirst ??= n; else lastFailing = n;
        }

        Assert.Equal(bruteFirst, first.N);
        Assert.Equal(lastFailing + 1, stable.N);
        (long crit, double att, double pow) = NaiveExactTest(first.N, rate, tolerance, alpha);
        Assert.Equal(crit, first.CriticalCount);
        Assert.Equal(att, first.AttainedAlpha, 12);
        Assert.Equal(pow, first.Power, 12);
        Assert.True(first.AttainedAlpha <= alpha && stable.AttainedAlpha <= alpha);
    }

    [Fact]
    public void Exact_tolerance_solver_matches_R_brute_force()
    {
        foreach (string line in PowerReferenceData.ToleranceExact.Split('\n').Skip(1))
        {
            double[] f = line.Trim().Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            (ExactToleranceAt first, ExactToleranceAt stable) = ToleranceTest.ExactSolve(f[0], f[1], new PowerSettings(f[2], 1, f[3]));
            Assert.Equal((long)f[4], first.N);
            Assert.Equal((long)f[5], stable.N);
            Assert.Equal((long)f[6], first.CriticalCount);
            Assert.Equal(f[7], first.AttainedAlpha, 12);
            Assert.Equal(f[8], first.Power, 12);
            Assert.Equal((long)f[9], stable.CriticalCount);
            Assert.Equal(f[10], stable.AttainedAlpha, 12);
            Assert.Equal(f[11], stable.Power, 12);
        }
    }

    [Fact]
    public void Chernoff_lower_bound_never_exceeds_the_exact_power()
    {
        for (long n = 1; n <= 600; n++)
        {
            ExactToleranceAt at = ToleranceTest.ExactAt(n, 0.1, 0.05, 0.05);
            Assert.True(ToleranceTest.ExactPowerLowerBound(n, 0.1, 0.05, 0.05) <= at.Power + 1e-15, $"n={n}");
        }
    }

    /// <summary>
    /// The exact conditional power summed term by term over the Poisson total N and the binomial split.
    /// P(reject | N) depends on N only, so it is tabulated once (by plain pmf sums) for every N up to
    /// <paramref name="maxN"/>; the person-time only changes the Poisson weights.
    /// </summary>
    private static Func<double, double> NaivePoissonPower(double rate1, double rate2, double alpha, int sides, int maxN)
    {
        double pi = Math.Max(rate1, rate2) / (rate1 + rate2);
        var reject = new double[maxN + 1];
        for (int n = 0; n <= maxN; n++)
        {
            // tails under H0 (½) and H1 (pi) for every count, from the top down
            var pmf0 = new double[n + 2];
            var pmf1 = new double[n + 2];
            for (int x = 0; x <= n; x++)
            {
                double lc = LogChoose(n, x);
                pmf0[x] = Math.Exp(lc + n * Math.Log(0.5));
                pmf1[x] = Math.Exp(lc + x * Math.Log(pi) + (n - x) * Math.Log(1 - pi));
            }

            double tail0 = 0;
            int c = n + 1;
            for (int x = n; x >= 0; x--)
            {
                if (tail0 + pmf0[x] > alpha / sides) break;
                tail0 += pmf0[x];
                c = x;
            }

            double r = 0;
            for (int x = c; x <= n; x++) r += pmf1[x];
            if (sides == 2)
                for (int x = 0; x <= n - c; x++) r += pmf1[x];
            reject[n] = r;
        }

        return t =>
        {
            double mean = (rate1 + rate2) * t, sum = 0;
            for (int n = 0; n <= maxN; n++)
                sum += Math.Exp(-mean + n * Math.Log(mean) - LogFactorial(n)) * reject[n];
            return sum;
        };
    }

    [Theory]
    [InlineData(0.02, 0.01, 2)]
    [InlineData(0.5, 1.5, 1)]
    [InlineData(0.1, 0.03, 2)]
    public void Exact_poisson_solver_matches_a_brute_force_grid_search(double rate1, double rate2, int sides)
    {
        var s = new PowerSettings(0.05, sides, 0.8);
        double t = PoissonRates.ExactPersonTime(rate1, rate2, s);
        Assert.True(PoissonRates.ExactPower(rate1, rate2, t, s) >= 0.8 - 1e-12);

        // Brute force over a grid of person-time in steps of 0.25% of the answer: the first grid point
        // that reaches the target must lie within one step above the solver's answer.
        double step = t * 0.0025;
        double? firstGrid = null;
        int maxN = (int)((rate1 + rate2) * 1.5 * t + 15 * Math.Sqrt((rate1 + rate2) * 1.5 * t) + 40);
        Func<double, double> naive = NaivePoissonPower(rate1, rate2, 0.05, sides, maxN);
        for (int i = 1; i <= 600; i++)
        {
            if (naive(i * step) >= 0.8)
            {
                firstGrid = i * step;
                break;
            }
        }

        Assert.NotNull(firstGrid);
        Assert.InRange(firstGrid.Value, t * (1 - 1e-9), t + step * (1 + 1e-9));
    }

    [Fact]
    public void Exact_poisson_power_agrees_with_its_term_by_term_sum()
    {
        var s = new PowerSettings(0.05, 2, 0.8);
        Func<double, double> naive = NaivePoissonPower(0.02, 0.01, 0.05, 2, 400);
        foreach (double t in new[] { 100.0, 1000.0, 2500.0 })
            Assert.Equal(naive(t), PoissonRates.ExactPower(0.02, 0.01, t, s), 10);
    }
}
