namespace ImpactModel.Pilot;

/// <summary>How two event rates are compared.</summary>
public enum PoissonMethod
{
    /// <summary>
    /// Normal approximation on the square-root scale: √X has variance about 1/4 whatever the Poisson
    /// mean, so 2(√X2 − √X1)/√2 is roughly normal with mean √(2t)(√λ2 − √λ1). This gives
    /// t = (z_α + z_β)² / (2(√λ1 − √λ2)²) per arm (van Belle, Statistical Rules of Thumb, 2nd ed.,
    /// 2008, rule 2.6 "4/(√θ1 − √θ2)²" at α = 0.05 two-sided and 80% power). Only the tail in the
    /// direction of the effect counts in the power.
    /// </summary>
    Normal,

    /// <summary>
    /// The exact conditional test (Przyborowski and Wileński 1940; Gu, Ng, Tang and Schucany, Biometrical
    /// Journal 50 (2008) 283–298): given N events in all, the events in arm 2 are Binomial(N, λ2/(λ1 + λ2)),
    /// which is Binomial(N, ½) under equal rates. Two-sided tests put α/2 in each tail. The power averages
    /// the conditional power over N ~ Poisson((λ1 + λ2)·t).
    /// </summary>
    Exact,
}

/// <summary>The answer for two rates; person-time is per arm, in the units the rates are per.</summary>
public sealed record PoissonResult(
    PoissonMethod Method, PowerSettings Settings, double Rate1, double Rate2, bool SolvedForPersonTime,
    double PersonTimePerArm, double Power, double? Mde, double? Rate2Detectable)
{
    public double ExpectedEvents1 => Rate1 * PersonTimePerArm;

    public double ExpectedEvents2 => Rate2 * PersonTimePerArm;
}

/// <summary>Rare events as rates over person-time, equal person-time in each arm.</summary>
public static class PoissonRates
{
    /// <summary>Most expected events the exact method sums over (beyond this the normal method is as good).</summary>
    public const double MaxExactEvents = 2_000_000;

    public static double NormalPower(double rate1, double rate2, double t, PowerSettings s)
        => Normal.Cdf(Math.Sqrt(2 * t) * Math.Abs(Math.Sqrt(rate1) - Math.Sqrt(rate2)) - s.ZAlpha);

    public static double NormalPersonTime(double rate1, double rate2, PowerSettings s)
    {
        double z = s.ZAlpha + s.ZBeta;
        double d = Math.Sqrt(rate1) - Math.Sqrt(rate2);
        return z * z / (2 * d * d);
    }

    /// <summary>
    /// The exact conditional test's power at person-time t per arm: Σ_N P(N) · P(reject | N), where the
    /// count Y in the arm with the higher rate is Binomial(N, π), π = max(λ)/(λ1 + λ2); reject when
    /// Y ≥ c_N (one-sided) or also Y ≤ N − c_N (two-sided), c_N the smallest count with
    /// P(Y ≥ c_N | N, ½) ≤ α/sides. The sum covers N within mean ± (12√mean + 30), where the Poisson
    /// mass left out is far below 1e-16.
    /// </summary>
    public static double ExactPower(double rate1, double rate2, double t, PowerSettings s)
    {
        double mean = (rate1 + rate2) * t;
        double pi = Math.Max(rate1, rate2) / (rate1 + rate2);
        double tail = s.Alpha / s.Sides;
        long lo = (long)Math.Max(0, Math.Floor(mean - 12 * Math.Sqrt(mean) - 30));
        long hi = (long)Math.Ceiling(mean + 12 * Math.Sqrt(mean) + 30);
        double sum = 0;
        long c = 0;
        for (long n = lo; n <= hi; n++)
        {
            double weight = Math.Exp(Binomial.PoissonLogPmf(n, mean));
            if (weight == 0)
                continue;
            c = Binomial.CriticalCount(n, 0.5, tail, Math.Max(0, c - 1));
            double reject = Binomial.UpperTail(c, n, pi);
            if (s.Sides == 2 && n - c >= 0)
                reject += Binomial.LowerTail(n - c, n, pi);
            sum += weight * reject;
        }

        return Math.Min(1.0, sum);
    }

    public static double Power(PoissonMethod method, double rate1, double rate2, double t, PowerSettings s)
        => method == PoissonMethod.Normal ? NormalPower(rate1, rate2, t, s) : ExactPower(rate1, rate2, t, s);

    /// <summary>
    /// The smallest person-time per arm at which the exact power reaches the target: a scan upward in
    /// steps of 1% from well below the normal-approximation answer finds the first crossing, then
    /// bisection narrows it to about 1e-12 relative. (Averaging over N smooths the binomial sawtooth, but
    /// with few events the power need not rise strictly, so the scan, not a bracket, picks the crossing.)
    /// </summary>
    public static double ExactPersonTime(double rate1, double rate2, PowerSettings s)
    {
        double guess = NormalPersonTime(rate1, rate2, s);
        Func<double, double> f = t => ExactPower(rate1, rate2, t, s) - s.Power;
        double t0 = guess / 8;
        while (f(t0) >= 0 && t0 > 1e-300)
            t0 /= 8;
        double prev = t0;
        double next = t0 * 1.01;
        while (f(next) < 0)
        {
            prev = next;
            next *= 1.01;
            if ((rate1 + rate2) * next > MaxExactEvents)
                throw new PowerInputException("method",
                    $"the exact test would need more than {MaxExactEvents:N0} expected events; use --method normal");
        }

        return Roots.Bisect(f, prev, next);
    }

    /// <summary>The rate in arm 2, on the side of rate1 that <paramref name="direction"/> gives, detected with the target power; null if none.</summary>
    public static double? DetectableRate2(PoissonMethod method, double rate1, int direction, double t, PowerSettings s)
    {
        if (method == PoissonMethod.Normal)
        {
            double step = (s.ZAlpha + s.ZBeta) / Math.Sqrt(2 * t);
            double root = Math.Sqrt(rate1) + direction * step;
            return root > 0 ? root * root : null;
        }

        // Exact: search the ratio rate2/rate1 on a log scale up to 1e6 (or down to 1e-6).
        Func<double, double> f = logRatio => ExactPower(rate1, rate1 * Math.Exp(direction * logRatio), t, s) - s.Power;
        double far = Math.Log(1e6);
        if ((rate1 + rate1 * Math.Exp(direction * far)) * t > MaxExactEvents || f(far) < 0)
            return null;
        double x = Roots.Bisect(f, 0, far);
        return rate1 * Math.Exp(direction * x);
    }

    public static PoissonResult Solve(PoissonMethod method, double rate1, double rate2, double? personTime, PowerSettings settings)
    {
        Check.Positive("rate1", rate1);
        Check.Positive("rate2", rate2);
        PowerSettings s = settings.Validated();
        if (personTime is null)
        {
            if (rate1 == rate2)
                throw new PowerInputException("rate2", "--rate2 equals --rate1: there is no difference to detect, so no person-time reaches the power");
            double t = method == PoissonMethod.Normal
                ? NormalPersonTime(rate1, rate2, s)
                : ExactPersonTime(rate1, rate2, s);
            Check.Finite("person_time_per_arm", t);
            return new PoissonResult(method, s, rate1, rate2, true, t, s.Power, null, null);
        }

        double given = personTime.Value;
        Check.Positive("person-time", given);
        if (method == PoissonMethod.Exact && (rate1 + rate2) * given > MaxExactEvents)
            throw new PowerInputException("person-time",
                $"--person-time gives more than {MaxExactEvents:N0} expected events, beyond the exact method here; use --method normal");
        double power = Power(method, rate1, rate2, given, s);
        int direction = rate2 >= rate1 ? 1 : -1;
        double? detectable = DetectableRate2(method, rate1, direction, given, s);
        double? mde = detectable is { } d ? Math.Abs(d - rate1) : null;
        return new PoissonResult(method, s, rate1, rate2, false, given, power, mde, detectable);
    }
}
