namespace ImpactModel.Pilot;

/// <summary>How a harm rate is tested against what we tolerate.</summary>
public enum ToleranceMethod
{
    /// <summary>Normal approximation (score test with the null variance T(1 − T)/n; Fleiss et al. 2003, §2.5.1).</summary>
    Normal,

    /// <summary>The exact one-sided binomial test (reject when at least c of n are harmed).</summary>
    Exact,
}

/// <summary>The exact test at one n: reject when at least <see cref="CriticalCount"/> of n are harmed.</summary>
public sealed record ExactToleranceAt(long N, long CriticalCount, double AttainedAlpha, double Power);

/// <summary>
/// The answer for a harm rate against a tolerance. Normal method: <see cref="N"/> is unrounded.
/// Exact method, solving: <see cref="N"/> is the smallest n reaching the power, <see cref="NStable"/>
/// the smallest n from which every larger n does, with the test's details at both.
/// </summary>
public sealed record ToleranceResult(
    ToleranceMethod Method, PowerSettings Settings, double Rate, double Tolerance, bool SolvedForN,
    double N, long NCeil, double Power, long? NStable, ExactToleranceAt? AtN, ExactToleranceAt? AtNStable,
    double? Mde, double? RateDetectable, IReadOnlyList<string> Warnings);

/// <summary>
/// Can a pilot show that a group's harm rate exceeds what we tolerate? One-sided test of
/// H0: rate ≤ T against H1: rate &gt; T, with power at a true rate P &gt; T.
/// </summary>
public static class ToleranceTest
{
    /// <summary>
    /// Largest n the exact search will scan, and the largest --n the exact method takes. The scan
    /// evaluates two binomial tails for every n up to the Chernoff bound, each costing about √(n·T)
    /// continued-fraction steps, so its time grows as n^1.5: about 5 s at 250,000 on a loaded 2-core
    /// machine (measured). The limit keeps every call to a few seconds; beyond it the normal method,
    /// accurate at such sizes, is the answer. The bound is found (cheaply) before the scan, so a
    /// refusal is immediate.
    /// </summary>
    public const long MaxExactN = 200_000;

    /// <summary>Φ((√n (P − T) − z_α √(T(1 − T))) / √(P(1 − P))).</summary>
    public static double NormalPower(double rate, double tolerance, double n, double alpha)
    {
        double z = Normal.UpperQuantile(alpha);
        return Normal.Cdf((Math.Sqrt(n) * (rate - tolerance) - z * Math.Sqrt(tolerance * (1 - tolerance)))
                          / Math.Sqrt(rate * (1 - rate)));
    }

    /// <summary>n = [(z_α √(T(1 − T)) + z_β √(P(1 − P))) / (P − T)]².</summary>
    public static double NormalN(double rate, double tolerance, double alpha, double power)
    {
        double root = (Normal.UpperQuantile(alpha) * Math.Sqrt(tolerance * (1 - tolerance))
                       + Normal.Quantile(power) * Math.Sqrt(rate * (1 - rate))) / (rate - tolerance);
        return root * root;
    }

    /// <summary>The exact test at n: its critical count, attained alpha P(X ≥ c | T) and power P(X ≥ c | P).</summary>
    public static ExactToleranceAt ExactAt(long n, double rate, double tolerance, double alpha, long criticalStart = 0)
    {
        long c = Binomial.CriticalCount(n, tolerance, alpha, criticalStart, out double attained);
        return new ExactToleranceAt(n, c, attained, Binomial.UpperTail(c, n, rate));
    }

    /// <summary>
    /// A lower bound on the exact test's power at n that never decreases with n (Chernoff bounds):
    /// the critical count satisfies c − 1 ≤ n·a, where KL(a‖T) = ln(1/α)/n, because
    /// P(X ≥ na | T) ≤ exp(−n·KL(a‖T)); then power ≥ 1 − P(X ≤ na | P) ≥ 1 − exp(−n·KL(a‖P)) for a &lt; P.
    /// a falls and n·KL(a‖P) rises with n, so once the bound reaches the target every larger n does too.
    /// </summary>
    public static double ExactPowerLowerBound(long n, double rate, double tolerance, double alpha)
    {
        double level = Math.Log(1 / alpha) / n;
        if (level >= -Math.Log(tolerance)) // KL(1‖T) = −ln T: no a < 1 qualifies
            return 0;
        double a = Roots.Bisect(x => Kl(x, tolerance) - level, tolerance, 1 - 1e-15);
        if (a >= rate)
            return 0;
        return -Accurate.ExpM1(-n * Kl(a, rate));
    }

    private static double Kl(double a, double p)
        => (a <= 0 ? 0 : a * Math.Log(a / p)) + (a >= 1 ? 0 : (1 - a) * Math.Log((1 - a) / (1 - p)));

    /// <summary>
    /// The smallest n whose exact power reaches the target, and the smallest n from which every larger
    /// n does (the power is a sawtooth in n: the attained alpha jumps as the critical count steps up).
    /// Scans n = 1, 2, … up to where <see cref="ExactPowerLowerBound"/> proves the rest.
    /// </summary>
    public static (ExactToleranceAt First, ExactToleranceAt Stable) ExactSolve(double rate, double tolerance, PowerSettings s)
    {
        // Where the bound proves every larger n: double then bisect (the bound is monotone in n).
        long hi = 1;
        while (ExactPowerLowerBound(hi, rate, tolerance, s.Alpha) < s.Power)
        {
            hi *= 2;
            if (hi > 4 * MaxExactN)
                throw new PowerInputException("method",
                    $"the exact binomial search would need more than {MaxExactN:N0} persons; use --method normal for an approximate answer");
        }

        long lo = hi / 2;
        while (hi - lo > 1)
        {
            long mid = lo + (hi - lo) / 2;
            if (ExactPowerLowerBound(mid, rate, tolerance, s.Alpha) >= s.Power) hi = mid; else lo = mid;
        }

        long bound = hi;
        if (bound > MaxExactN)
            throw new PowerInputException("method",
                $"the exact binomial search would need to scan {bound:N0} persons (limit {MaxExactN:N0}); use --method normal for an approximate answer");

        ExactToleranceAt? first = null;
        ExactToleranceAt? lastFailing = null;
        long c = 0;
        for (long n = 1; n <= bound; n++)
        {
            ExactToleranceAt at = ExactAt(n, rate, tolerance, s.Alpha, c);
            c = at.CriticalCount; // the critical count never falls as n grows
            if (at.Power >= s.Power)
                first ??= at;
            else
                lastFailing = at;
        }

        // By the bound, n = bound reaches the target, so first is set.
        ExactToleranceAt firstAt = first!;
        ExactToleranceAt stable = lastFailing is null || lastFailing.N < firstAt.N
            ? firstAt
            : ExactAt(lastFailing.N + 1, rate, tolerance, s.Alpha);
        return (firstAt, stable);
    }

    /// <summary>The smallest true rate above T that n persons detect with the target power; null if none below 1.</summary>
    public static double? DetectableRate(ToleranceMethod method, double tolerance, long n, PowerSettings s)
    {
        Func<double, double> power;
        if (method == ToleranceMethod.Normal)
        {
            power = p => NormalPower(p, tolerance, n, s.Alpha);
        }
        else
        {
            long c = Binomial.CriticalCount(n, tolerance, s.Alpha);
            if (c > n)
                return null; // even n harmed out of n would not be significant
            power = p => Binomial.UpperTail(c, n, p);
        }

        double far = 1 - 1e-12;
        if (power(far) < s.Power)
            return null;
        return Roots.Bisect(p => power(p) - s.Power, tolerance, far);
    }

    /// <summary>Validates, then solves n (when <paramref name="n"/> is null) or the power and detectable rate at n.</summary>
    public static ToleranceResult Solve(ToleranceMethod method, double rate, double tolerance, long? n, PowerSettings settings)
    {
        Check.Probability("rate", rate);
        Check.Probability("tolerance", tolerance);
        PowerSettings s = (settings with { Sides = 1 }).Validated();
        if (n is null)
        {
            if (!(rate > tolerance))
                throw new PowerInputException("rate",
                    $"--rate ({Check.Show(rate)}) must be above --tolerance ({Check.Show(tolerance)}): the pilot is sized to show harm beyond what is tolerated");
            if (method == ToleranceMethod.Normal)
            {
                double size = NormalN(rate, tolerance, s.Alpha, s.Power);
                Check.Size("rate", "people", size, "--rate is too close to --tolerance for any pilot to show the excess");
                var warnings = new List<string>();
                long ceil = TwoProportions.CeilCount(size);
                if (size < TwoProportions.MinPerArm)
                {
                    warnings.Add(TwoProportions.BelowTwoWarning(size, "people"));
                    ceil = Math.Max(ceil, TwoProportions.MinPerArm);
                }

                return new ToleranceResult(method, s, rate, tolerance, true, size, ceil, s.Power,
                    null, null, null, null, null, warnings);
            }

            (ExactToleranceAt first, ExactToleranceAt stable) = ExactSolve(rate, tolerance, s);
            return new ToleranceResult(method, s, rate, tolerance, true, first.N, first.N, s.Power,
                stable.N, first, stable, null, null, []);
        }

        long given = n.Value;
        if (given < 1)
            throw new PowerInputException("n", $"--n must be at least 1 (got {given})");
        Check.Size("n", "people", given, "give a smaller --n");
        if (method == ToleranceMethod.Exact && given > MaxExactN)
            throw new PowerInputException("n", $"--n above {MaxExactN:N0} is beyond the exact method here; use --method normal");
        double? detectable = DetectableRate(method, tolerance, given, s);
        double? mde = detectable is { } d ? d - tolerance : null;
        if (method == ToleranceMethod.Normal)
        {
            double power = NormalPower(rate, tolerance, given, s.Alpha);
            List<string> warnings = given < TwoProportions.MinPerArm
                ? [$"--n {given} is below {TwoProportions.MinPerArm} people: the normal approximation behind this power is meaningless at such sizes; use --method exact"]
                : [];
            return new ToleranceResult(method, s, rate, tolerance, false, given, given, power, null, null, null, mde, detectable, warnings);
        }

        ExactToleranceAt at = ExactAt(given, rate, tolerance, s.Alpha);
        return new ToleranceResult(method, s, rate, tolerance, false, given, given, at.Power, null, at, null, mde, detectable, []);
    }
}
