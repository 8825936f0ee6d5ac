namespace ImpactModel.Pilot;

/// <summary>What a two-proportion question leaves unknown: exactly one quantity is solved for.</summary>
public enum ProportionsUnknown
{
    /// <summary>People per arm (n1, and n2 = ratio·n1) reaching the target power.</summary>
    Size,

    /// <summary>The power of given arms at p2, and the detectable p2 at the target power.</summary>
    Power,

    /// <summary>The smallest detectable effect (p2 above and/or below p1; Cohen's h for arcsine) at given arms and power.</summary>
    Effect,

    /// <summary>The false-alarm rate at which given arms reach the target power at p2 (R's <c>sig.level = NULL</c>).</summary>
    Alpha,
}

/// <summary>Which side of p1 a detectable p2 is sought on.</summary>
public enum EffectDirection
{
    /// <summary>Both sides: the detectable p2 above p1 and the one below.</summary>
    Both,

    /// <summary>Above p1 only.</summary>
    Up,

    /// <summary>Below p1 only.</summary>
    Down,
}

/// <summary>
/// A two-proportion question with (possibly) unequal arms and the pooled method's options.
/// <see cref="Ratio"/> is n2/n1, used when solving for the size; <see cref="N1"/> and <see cref="N2"/> are
/// given arms (both or neither). <see cref="Strict"/> counts both rejection tails in a two-sided pooled power
/// (R's <c>power.prop.test(strict = TRUE)</c>); <see cref="ContinuityCorrection"/> applies Fleiss's correction
/// (Fleiss, Tytun and Ury 1980 with a ratio).
/// </summary>
public sealed record ProportionsQuestion(
    ProportionsMethod Method, ProportionsUnknown Unknown, double P1, double? P2,
    double? N1 = null, double? N2 = null, double Ratio = 1, bool Strict = false, bool ContinuityCorrection = false,
    EffectDirection Direction = EffectDirection.Both);

/// <summary>
/// The answer: arm sizes (unrounded and rounded up), the power, alpha, and for <see cref="ProportionsUnknown.Effect"/>
/// (or <see cref="ProportionsUnknown.Power"/>) the detectable p2 on each side asked for, null when none inside (0, 1).
/// <see cref="H"/> is Cohen's h: the detectable h for arcsine effects, else h of (p1, p2) when p2 is known.
/// </summary>
public sealed record ProportionsAnswer(
    ProportionsQuestion Question, PowerSettings Settings, double N1, long N1Ceil, double N2, long N2Ceil,
    double Power, double Alpha, double? H, double? P2Up, double? P2Down, IReadOnlyList<string> Warnings);

/// <summary>
/// Two proportions with n2 = k·n1 people (k the allocation ratio). Formulas, with d = |p1 − p2| and q = 1 − p:
/// <list type="bullet">
/// <item>Pooled (Fleiss, Levin and Paik 2003, §4.4): p̄ = (p1 + k·p2)/(1 + k); power =
/// Φ((√n1·d − z_α·√(p̄q̄(1 + 1/k))) / √(p1q1 + p2q2/k)), plus, when strict and two-sided,
/// 1 − Φ((√n1·d + z_α·√(p̄q̄(1 + 1/k))) / √(p1q1 + p2q2/k)). With k = 1 this is R's
/// <c>power.prop.test</c> (strict = FALSE or TRUE).</item>
/// <item>Continuity correction (Fleiss, Tytun and Ury, Biometrics 36 (1980) 343–346):
/// n1' = n1/4·(1 + √(1 + 2(k + 1)/(k·n1·d)))², n2' = k·n1'; with k = 1, n/4·(1 + √(1 + 4/(n·d)))². The power of
/// n1' people is the uncorrected power at the n1 this formula maps to n1': n1 = (n1' − a/4)²/n1', a = 2(k + 1)/(k·d)
/// (0 when n1' ≤ a/4).</item>
/// <item>Arcsine (Cohen 1988, ch. 6; R's <c>pwr::pwr.2p2n.test</c>): h = 2·asin√p1 − 2·asin√p2, power =
/// Φ(h√(n1n2/(n1 + n2)) − z_α) [+ Φ(−h√(n1n2/(n1 + n2)) − z_α) two-sided].</item>
/// </list>
/// </summary>
public static class Allocation
{
    /// <summary>(√(p̄q̄(1 + 1/k)), √(p1q1 + p2q2/k)): the standard deviations of √n1·(p̂1 − p̂2) under the null and the alternative.</summary>
    private static (double Null, double Alt) PooledSds(double p1, double p2, double k)
    {
        if (k == 1)
            return (Math.Sqrt((p1 + p2) * (1 - (p1 + p2) / 2)), Math.Sqrt(p1 * (1 - p1) + p2 * (1 - p2)));
        double pbar = (p1 + k * p2) / (1 + k);
        return (Math.Sqrt(pbar * (1 - pbar) * (1 + 1 / k)), Math.Sqrt(p1 * (1 - p1) + p2 * (1 - p2) / k));
    }

    /// <summary>The pooled power of n1 and k·n1 people, without continuity correction.</summary>
    public static double PooledPowerRaw(double p1, double p2, double n1, double k, bool strict, PowerSettings s)
    {
        (double sd0, double sd1) = PooledSds(p1, p2, k);
        double shift = Math.Sqrt(n1) * Math.Abs(p1 - p2);
        double z = s.ZAlpha;
        double power = Normal.Cdf((shift - z * sd0) / sd1);
        if (strict && s.Sides == 2)
            power += Normal.UpperTail((shift + z * sd0) / sd1);
        return power;
    }

    /// <summary>Fleiss–Tytun–Ury: the corrected n1' from the uncorrected n1.</summary>
    public static double Corrected(double n1, double d, double k)
    {
        double root = 1 + Math.Sqrt(1 + 2 * (k + 1) / (k * n1 * d));
        return n1 / 4 * root * root;
    }

    /// <summary>The inverse of <see cref="Corrected"/>: the uncorrected n1 whose correction is n1'; 0 when n1' ≤ a/4.</summary>
    public static double Uncorrected(double n1Corrected, double d, double k)
    {
        double quarterA = (k + 1) / (2 * k * d);
        if (!(n1Corrected > quarterA))
            return 0;
        double x = n1Corrected - quarterA;
        return x * x / n1Corrected;
    }

    /// <summary>The pooled power of n1 and k·n1 people, with the options of <paramref name="q"/>.</summary>
    public static double PooledPower(double p1, double p2, double n1, double k, ProportionsQuestion q, PowerSettings s)
    {
        double effective = q.ContinuityCorrection ? Uncorrected(n1, Math.Abs(p1 - p2), k) : n1;
        return PooledPowerRaw(p1, p2, effective, k, q.Strict, s);
    }

    /// <summary>n1 reaching the target: closed form n1 = [(z_α·sd0 + z_β·sd1)/d]², by bisection below it when strict, then corrected.</summary>
    public static double PooledN1(double p1, double p2, double k, ProportionsQuestion q, PowerSettings s)
    {
        (double sd0, double sd1) = PooledSds(p1, p2, k);
        double d = Math.Abs(p1 - p2);
        double root = (s.ZAlpha * sd0 + s.ZBeta * sd1) / d;
        double n1 = root * root;
        if (q.Strict && s.Sides == 2) // the second tail only adds power, so the root lies below the one-tail answer
            n1 = Roots.Bisect(n => PooledPowerRaw(p1, p2, n, k, true, s) - s.Power, 0, n1);
        return q.ContinuityCorrection ? Corrected(n1, d, k) : n1;
    }

    /// <summary>pwr.2p2n.test's power for |h| with n1 and n2 people.</summary>
    public static double ArcsinePower(double h, double n1, double n2, PowerSettings s)
    {
        double shift = Math.Abs(h) * Math.Sqrt(n1 * n2 / (n1 + n2));
        double z = s.ZAlpha;
        return s.Sides == 2 ? Normal.UpperTail(z - shift) + Normal.Cdf(-z - shift) : Normal.UpperTail(z - shift);
    }

    /// <summary>n1 (with n2 = k·n1) reaching the target on the arcsine scale, by bisection to full precision.</summary>
    public static double ArcsineN1(double h, double k, PowerSettings s)
    {
        double z = s.ZAlpha + s.ZBeta;
        double hi = (1 + 1 / k) * (z / h) * (z / h) * 1.0001 + 1e-9; // one tail only: never below the root
        Func<double, double> f = n => ArcsinePower(h, n, k * n, s) - s.Power;
        while (f(hi) < 0)
            hi *= 2;
        return Roots.Bisect(f, 0.0, hi);
    }

    /// <summary>The power of the method at n1 and n2 people.</summary>
    public static double Power(ProportionsQuestion q, double p1, double p2, double n1, double n2, PowerSettings s)
        => q.Method == ProportionsMethod.Pooled
            ? PooledPower(p1, p2, n1, n2 / n1, q, s)
            : ArcsinePower(TwoProportions.CohenH(p1, p2), n1, n2, s);

    /// <summary>The detectable Cohen's h (|h| in (0, π]) at n1 and n2 people and the target power; null when even π falls short.</summary>
    public static double? DetectableH(double n1, double n2, PowerSettings s)
    {
        Func<double, double> f = h => ArcsinePower(h, n1, n2, s) - s.Power;
        if (f(Math.PI) < 0)
            return null;
        return Roots.Bisect(f, 0, Math.PI);
    }

    /// <summary>The p2 at Cohen's h from p1 on one side: sin²(asin√p1 ± h/2); null when it leaves (0, 1).</summary>
    public static double? P2FromH(double p1, double h, int direction)
    {
        double angle = Math.Asin(Math.Sqrt(p1)) + direction * h / 2;
        if (!(angle > 0 && angle < Math.PI / 2))
            return null;
        double root = Math.Sin(angle);
        return root * root;
    }

    /// <summary>The pooled detectable p2 on one side of p1 (+1 above, −1 below) at n1 and n2; null when none inside (0, 1).</summary>
    public static double? PooledDetectableP2(double p1, int direction, double n1, double n2, ProportionsQuestion q, PowerSettings s)
    {
        double room = direction > 0 ? 1 - p1 : p1;
        double k = n2 / n1;
        Func<double, double> f = t => PooledPower(p1, p1 + direction * t, n1, k, q, s) - s.Power;
        double far = room * (1 - 1e-12);
        if (f(far) < 0)
            return null;
        return p1 + direction * Roots.Bisect(f, 0, far);
    }

    /// <summary>The detectable p2 on one side for either method.</summary>
    public static double? DetectableP2(ProportionsQuestion q, double p1, int direction, double n1, double n2, PowerSettings s)
    {
        if (q.Method == ProportionsMethod.Pooled)
            return PooledDetectableP2(p1, direction, n1, n2, q, s);
        return DetectableH(n1, n2, s) is { } h ? P2FromH(p1, h, direction) : null;
    }

    /// <summary>
    /// The alpha at which n1 and n2 people reach the target power at p2, by bisection on (0, 1 − 1e-12);
    /// R's <c>power.prop.test</c> / <c>pwr.2p2n.test</c> with <c>sig.level = NULL</c>. Null when no alpha below 1 does;
    /// refused when every alpha down to 1e-300 does (there is no finite answer to report).
    /// </summary>
    public static double? SolveAlpha(ProportionsQuestion q, double p1, double p2, double n1, double n2, PowerSettings s)
    {
        Func<double, double> f = a => Power(q, p1, p2, n1, n2, s with { Alpha = a }) - s.Power;
        const double lo = 1e-300, hi = 1 - 1e-12;
        if (f(hi) < 0)
            return null;
        if (f(lo) >= 0)
            throw new PowerInputException("power",
                "these arms reach the target power at every false-alarm rate down to 1E-300: no alpha is solved for, because any alpha will do (the pilot is far larger than this effect needs)");
        return Roots.Bisect(f, lo, hi);
    }
    /// <summary>Validates the question, then solves its one unknown.</summary>
    public static ProportionsAnswer Solve(ProportionsQuestion q, PowerSettings settings)
    {
        Check.Probability("p1", q.P1);
        if (q.Unknown == ProportionsUnknown.Effect)
        {
            if (q.P2 is not null)
                throw new PowerInputException("p2", "--p2 is what --solve effect finds; leave it out (solving for two quantities at once has no single answer)");
        }
        else if (q.P2 is not { } given2)
        {
            throw new PowerInputException("p2", "--p2 is required unless --solve effect");
        }
        else
        {
            Check.Probability("p2", given2);
        }

        if (q.Method == ProportionsMethod.Arcsine && q.Strict)
            throw new PowerInputException("strict", "--strict applies to --method pooled; the arcsine method always counts both tails");
        if (q.Method == ProportionsMethod.Arcsine && q.ContinuityCorrection)
            throw new PowerInputException("continuity-correction", "--continuity-correction applies to --method pooled only");
        if (!(q.Ratio > 0) || double.IsInfinity(q.Ratio))
            throw new PowerInputException("ratio", $"--ratio (n2/n1) must be a positive finite number (got {Check.Show(q.Ratio)}): an arm with no people compares nothing");
        if (q.N1 is null != q.N2 is null)
            throw new PowerInputException(q.N1 is null ? "n2" : "n1", "--n1 and --n2 go together: give both arms' sizes, or neither");

        PowerSettings s;
        if (q.Unknown == ProportionsUnknown.Alpha)
        {
            // alpha is the unknown: only the sides and the target power are checked here
            s = settings;
            if (s.Sides is not (1 or 2))
                throw new PowerInputException("sides", "--sides must be 1 or 2");
            Check.Probability("power", s.Power);
        }
        else
        {
            s = settings.Validated();
        }

        var warnings = new List<string>();
        double p1 = q.P1;
        if (q.Unknown == ProportionsUnknown.Size)
        {
            if (q.N1 is not null)
                throw new PowerInputException("n1", "--n1 and --n2 are given sizes; they cannot be given when solving for the size (use --ratio for n2/n1)");
            double p2 = q.P2!.Value;
            if (p1 == p2)
                throw new PowerInputException("p2", "--p2 equals --p1: there is no difference to detect, so no sample size reaches the power");
            double k = q.Ratio;
            double n1 = q.Method == ProportionsMethod.Pooled
                ? PooledN1(p1, p2, k, q, s)
                : ArcsineN1(Math.Abs(TwoProportions.CohenH(p1, p2)), k, s);
            double n2 = k * n1;
            const string why = "--p2 is too close to --p1 (or --ratio too extreme) for any pilot to detect the difference";
            Check.Size("p2", "people in arm 1", n1, why);
            Check.Size("p2", "people in arm 2", n2, why);
            long c1 = Ceil(n1, "arm 1", warnings), c2 = Ceil(n2, "arm 2", warnings);
            return new ProportionsAnswer(q, s, n1, c1, n2, c2, s.Power, s.Alpha, TwoProportions.CohenH(p1, p2), null, null, warnings);
        }

        if (q.N1 is not { } a1 || q.N2 is not { } a2)
            throw new PowerInputException("n1",
                $"--solve {Name(q.Unknown)} needs the arms' sizes (--n, or --n1 and --n2): without them two quantities are unknown at once");
        Check.AtLeast("n1", a1, 1);
        Check.AtLeast("n2", a2, 1);
        Check.Size("n1", "people in arm 1", a1, "give a smaller --n1");
        Check.Size("n2", "people in arm 2", a2, "give a smaller --n2");
        WarnSmall(warnings, "--n1", a1);
        WarnSmall(warnings, "--n2", a2);
        long g1 = TwoProportions.CeilCount(a1), g2 = TwoProportions.CeilCount(a2);

        if (q.Unknown == ProportionsUnknown.Effect)
        {
            double? h = q.Method == ProportionsMethod.Arcsine ? DetectableH(a1, a2, s) : null;
            double? up = q.Direction != EffectDirection.Down ? DetectableP2(q, p1, 1, a1, a2, s) : null;
            double? down = q.Direction != EffectDirection.Up ? DetectableP2(q, p1, -1, a1, a2, s) : null;
            if (q.Method == ProportionsMethod.Arcsine && h is null)
                warnings.Add($"no effect size h up to pi is detected with power {Check.Show(s.Power)} by these arms");
            return new ProportionsAnswer(q, s, a1, g1, a2, g2, s.Power, s.Alpha, h, up, down, warnings);
        }

        double p2Given = q.P2!.Value;
        double hGiven = TwoProportions.CohenH(p1, p2Given);
        if (q.Unknown == ProportionsUnknown.Power)
        {
            double power = Power(q, p1, p2Given, a1, a2, s);
            int direction = p2Given >= p1 ? 1 : -1;
            double? detectable = DetectableP2(q, p1, direction, a1, a2, s);
            return new ProportionsAnswer(q, s, a1, g1, a2, g2, power, s.Alpha, hGiven,
                direction > 0 ? detectable : null, direction < 0 ? detectable : null, warnings);
        }

        if (p1 == p2Given)
            throw new PowerInputException("p2", "--p2 equals --p1: with no difference the power is alpha itself, so no alpha is solved for");
        double? alpha = SolveAlpha(q, p1, p2Given, a1, a2, s);
        if (alpha is not { } found || !(found < 1 - s.Power))
            throw new PowerInputException("power",
                $"these arms reach power {Check.Show(s.Power)} only with a false-alarm rate at or above the miss rate 1 - power" +
                (alpha is { } x ? $" (alpha {Check.Show(x)})" : "") + ": such a test is at least as likely to raise a false alarm as to miss the effect; a larger pilot or lower target power is needed");
        return new ProportionsAnswer(q, s, a1, g1, a2, g2, s.Power, found, hGiven, null, null, warnings);
    }

    /// <summary>The --solve spelling of an unknown.</summary>
    public static string Name(ProportionsUnknown unknown) => unknown switch
    {
        ProportionsUnknown.Size => "size",
        ProportionsUnknown.Power => "power",
        ProportionsUnknown.Effect => "effect",
        _ => "alpha",
    };

    private static void WarnSmall(List<string> warnings, string name, double size)
    {
        if (size < TwoProportions.MinPerArm)
            warnings.Add($"{name} {Check.Show(size)} is below {TwoProportions.MinPerArm} people: no variation within an arm can be estimated, and the normal approximation behind this answer is meaningless at such sizes");
    }

    private static long Ceil(double size, string arm, List<string> warnings)
    {
        long ceil = TwoProportions.CeilCount(size);
        if (size < TwoProportions.MinPerArm)
        {
            warnings.Add(TwoProportions.BelowTwoWarning(size, $"people in {arm}"));
            ceil = Math.Max(ceil, TwoProportions.MinPerArm);
        }

        return ceil;
    }
}
