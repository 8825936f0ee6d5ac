namespace ImpactModel.Pilot;

/// <summary>How two independent proportions are compared.</summary>
public enum ProportionsMethod
{
    /// <summary>
    /// Normal approximation with the pooled variance under the null (Fleiss, Levin and Paik,
    /// Statistical Methods for Rates and Proportions, 3rd ed., 2003, eq. 4.14 without continuity
    /// correction); exactly R's <c>power.prop.test</c> with <c>strict = FALSE</c>, where only the
    /// rejection tail in the direction of the effect counts in the power.
    /// </summary>
    Pooled,

    /// <summary>
    /// Cohen's effect size h = 2·asin(√p1) − 2·asin(√p2) (Cohen, Statistical Power Analysis for the
    /// Behavioral Sciences, 2nd ed., 1988, ch. 6), as R's <c>pwr::pwr.2p.test</c>: both rejection
    /// tails count in a two-sided power, so n is found numerically.
    /// </summary>
    Arcsine,
}

/// <summary>
/// The answer for two proportions; <see cref="Mde"/> and <see cref="P2Detectable"/> only when n was given.
/// <see cref="Warnings"/> are sentences for the planner (e.g. a size below 2 per arm).
/// </summary>
public sealed record ProportionsResult(
    ProportionsMethod Method, PowerSettings Settings, double P1, double P2, bool SolvedForN,
    double NPerArm, long NPerArmCeil, double Power, double? Mde, double? P2Detectable, IReadOnlyList<string> Warnings);

/// <summary>Sample size and power for comparing two independent proportions, n per arm.</summary>
public static class TwoProportions
{
    /// <summary>power.prop.test's power (strict = FALSE) at n per arm.</summary>
    public static double PooledPower(double p1, double p2, double n, PowerSettings s)
    {
        double d = Math.Abs(p1 - p2);
        double pbarTwice = (p1 + p2) * (1 - (p1 + p2) / 2); // 2·p̄·q̄
        double v = p1 * (1 - p1) + p2 * (1 - p2);
        return Normal.Cdf((Math.Sqrt(n) * d - s.ZAlpha * Math.Sqrt(pbarTwice)) / Math.Sqrt(v));
    }

    /// <summary>
    /// n per arm solving <see cref="PooledPower"/> = power: the closed form
    /// n = [(z_α·√(2p̄q̄) + z_β·√(p1q1 + p2q2)) / (p1 − p2)]², which R's uniroot approaches to its tol.
    /// </summary>
    public static double PooledN(double p1, double p2, PowerSettings s)
    {
        double d = Math.Abs(p1 - p2);
        double pbarTwice = (p1 + p2) * (1 - (p1 + p2) / 2);
        double v = p1 * (1 - p1) + p2 * (1 - p2);
        double root = (s.ZAlpha * Math.Sqrt(pbarTwice) + s.ZBeta * Math.Sqrt(v)) / d;
        return root * root;
    }

    /// <summary>
    /// n per arm with unpooled variances, n = (z_α + z_β)²·(p1q1 + p2q2)/(p1 − p2)²: the individually
    /// randomised size inside Hayes and Bennett's cluster formula (their equation 3 with k = 0).
    /// </summary>
    public static double UnpooledN(double p1, double p2, PowerSettings s)
    {
        double z = s.ZAlpha + s.ZBeta;
        double d = p1 - p2;
        return z * z * (p1 * (1 - p1) + p2 * (1 - p2)) / (d * d);
    }

    /// <summary>Cohen's h = 2·asin(√p1) − 2·asin(√p2).</summary>
    public static double CohenH(double p1, double p2) => 2 * Math.Asin(Math.Sqrt(p1)) - 2 * Math.Asin(Math.Sqrt(p2));

    /// <summary>pwr.2p.test's power at n per arm: two-sided counts both tails; one-sided is "greater" with |h|.</summary>
    public static double ArcsinePower(double p1, double p2, double n, PowerSettings s)
    {
        double h = Math.Abs(CohenH(p1, p2));
        double shift = h * Math.Sqrt(n / 2);
        double z = s.ZAlpha;
        return s.Sides == 2
            ? Normal.UpperTail(z - shift) + Normal.Cdf(-z - shift)
            : Normal.UpperTail(z - shift);
    }

    /// <summary>n per arm solving <see cref="ArcsinePower"/> = power, by bisection to full precision.</summary>
    public static double ArcsineN(double p1, double p2, PowerSettings s)
    {
        double h = Math.Abs(CohenH(p1, p2));
        double z = s.ZAlpha + s.ZBeta;
        double hi = 2 * (z / h) * (z / h); // one tail only: never below the root
        Func<double, double> f = n => ArcsinePower(p1, p2, n, s) - s.Power;
        hi = hi * 1.0001 + 1e-9;
        while (f(hi) < 0)
            hi *= 2;
        return Roots.Bisect(f, 0.0, hi);
    }

    public static double Power(ProportionsMethod method, double p1, double p2, double n, PowerSettings s)
        => method == ProportionsMethod.Pooled ? PooledPower(p1, p2, n, s) : ArcsinePower(p1, p2, n, s);

    public static double N(ProportionsMethod method, double p1, double p2, PowerSettings s)
        => method == ProportionsMethod.Pooled ? PooledN(p1, p2, s) : ArcsineN(p1, p2, s);

    /// <summary>
    /// The p2 nearest p1, on the side of <paramref name="direction"/> (+1 above p1, −1 below), that the
    /// test detects with the target power at n per arm; null when no p2 strictly inside (0, 1) does.
    /// </summary>
    public static double? DetectableP2(ProportionsMethod method, double p1, int direction, double n, PowerSettings s)
    {
        double room = direction > 0 ? 1 - p1 : p1;
        Func<double, double> f = t => Power(method, p1, p1 + direction * t, n, s) - s.Power;
        double far = room * (1 - 1e-12);
        if (f(far) < 0)
            return null;
        double t = Roots.Bisect(f, 0, far);
        return p1 + direction * t;
    }

    /// <summary>Validates, then solves n (when <paramref name="n"/> is null) or the power and detectable effect at n.</summary>
    public static ProportionsResult Solve(ProportionsMethod method, double p1, double p2, double? n, PowerSettings settings)
    {
        Check.Probability("p1", p1);
        Check.Probability("p2", p2);
        PowerSettings s = settings.Validated();
        if (n is null)
        {
            if (p1 == p2)
                throw new PowerInputException("p2", "--p2 equals --p1: there is no difference to detect, so no sample size reaches the power");
            double size = N(method, p1, p2, s);
            Check.Size("p2", "people per arm", size, "--p2 is too close to --p1 for any pilot to detect the difference");
            var warnings = new List<string>();
            long ceil = CeilCount(size);
            if (size < MinPerArm)
            {
                warnings.Add(BelowTwoWarning(size, "people per arm"));
                ceil = Math.Max(ceil, MinPerArm);
            }

            return new ProportionsResult(method, s, p1, p2, true, size, ceil, s.Power, null, null, warnings);
        }

        double given = n.Value;
        Check.AtLeast("n", given, 1);
        Check.Size("n", "people per arm", given, "give a smaller --n");
        var givenWarnings = new List<string>();
        if (given < MinPerArm)
            givenWarnings.Add($"--n {Check.Show(given)} is below {MinPerArm} people per arm: no variation within an arm can be estimated, and the normal approximation behind this power is meaningless at such sizes");
        double power = Power(method, p1, p2, given, s);
        int direction = p2 >= p1 ? 1 : -1;
        double? p2Detectable = DetectableP2(method, p1, direction, given, s);
        double? mde = p2Detectable is { } q ? Math.Abs(q - p1) : null;
        return new ProportionsResult(method, s, p1, p2, false, given, CeilCount(given), power, mde, p2Detectable, givenWarnings);
    }

    /// <summary>
    /// Fewer per arm than this cannot be compared: one person per arm leaves no variation within an arm
    /// to estimate. A solved size below it is reported as this many, with <see cref="BelowTwoWarning"/>.
    /// </summary>
    public const int MinPerArm = 2;

    /// <summary>The warning for a solved size below <see cref="MinPerArm"/> (the same sentence in every design).</summary>
    internal static string BelowTwoWarning(double size, string what)
        => $"the formula asks for {Check.Show(size)} {what}, but with fewer than {MinPerArm} no variation between people can be estimated " +
           $"and the normal approximation behind the formula is meaningless at such sizes; at least {MinPerArm} are reported";

    /// <summary>
    /// The whole count at or above <paramref name="x"/>; callers have checked x ≤ <see cref="Check.MaxSize"/>
    /// (<see cref="Check.Size"/>), so the count is exact and fits a long.
    /// </summary>
    internal static long CeilCount(double x)
    {
        if (!(x >= 0 && x <= Check.MaxSize))
            throw new ArgumentOutOfRangeException(nameof(x), x, "a size must be checked with Check.Size before it is counted");
        // A solved size that is an integer up to rounding noise (e.g. 100.00000000000001) is that integer.
        double rounded = Math.Round(x);
        double c = Math.Abs(x - rounded) <= 1e-10 * Math.Max(1, x) ? rounded : Math.Ceiling(x);
        return (long)c;
    }
}
