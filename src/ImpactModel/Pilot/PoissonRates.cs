using System.Globalization;

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
    double PersonTimePerArm, double Power, double? Mde, double? Rate2Detectable, IReadOnlyList<string> Warnings)
{
    public double ExpectedEvents1 => Rate1 * PersonTimePerArm;

    public double ExpectedEvents2 => Rate2 * PersonTimePerArm;
}

/// <summary>Rare events as rates over person-time, equal person-time in each arm.</summary>
public static class PoissonRates
{
    /// <summary>
    /// Most expected events (both arms together) the exact method takes. One evaluation of the exact
    /// power sums about 18√M + 60 Poisson terms, each with binomial tails costing about √M steps, and the
    /// search makes a few hundred evaluations, so the time grows about as M: some 9 s at 20,000 events on
    /// a loaded 2-core machine (measured). The limit keeps a call to a few seconds; at this many events
    /// the normal method is accurate (2,287 vs 2,490 person-years at 75 events; within 0.4% at 37,000).
    /// The limit is checked from the normal-approximation size before any search.
    /// </summary>
    public const double MaxExactEvents = 10_000;

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
    /// P(Y ≥ c_N | N, ½) ≤ α/sides. The sum covers N within mean ± (9√mean + 30): by the Chernoff bound
    /// P(|N − M| ≥ x) ≤ 2exp(−x²/(2(M + x/3))), and with x = 9√M + 30 the exponent is at least 40 for every
    /// M, so the Poisson mass left out is below 1e-17.
    /// </summary>
    public static double ExactPower(double rate1, double rate2, double t, PowerSettings s)
    {
        double mean = (rate1 + rate2) * t;
        double pi = Math.Max(rate1, rate2) / (rate1 + rate2);
        double tail = s.Alpha / s.Sides;
        long lo = (long)Math.Max(0, Math.Floor(mean - 9 * Math.Sqrt(mean) - 30));
        long hi = (long)Math.Ceiling(mean + 9 * Math.Sqrt(mean) + 30);
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
        // Refuse before searching: near the limit the exact size is within a few per cent of the normal
        // one, so a normal size beyond the limit means the search would run (for minutes, or for ever
        // with nearly equal rates) only to pass it. A NaN or infinite guess is refused here too.
        double guessEvents = (rate1 + rate2) * guess;
        if (!(guessEvents <= MaxExactEvents))
            throw new PowerInputException("method",
                $"the exact test would need about {guessEvents.ToString("G4", CultureInfo.InvariantCulture)} expected events (the normal approximation asks for " +
                $"{guess.ToString("G4", CultureInfo.InvariantCulture)} person-time per arm), beyond its limit of {MaxExactEvents.ToString("N0", CultureInfo.InvariantCulture)}; " +
                "use --method normal, which is accurate at that many events");
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

        // Exact: search the ratio rate2/rate1 on a log scale up to 1e6 (or down to 1e-6), but upward only
        // as far as the expected events stay within the exact method's limit.
        Func<double, double> f = logRatio => ExactPower(rate1, rate1 * Math.Exp(direction * logRatio), t, s) - s.Power;
        double far = Math.Log(1e6);
        if (direction > 0 && (rate1 + rate1 * Math.Exp(far)) * t > MaxExactEvents)
            far = Math.Log((MaxExactEvents / t - rate1) / rate1);
        if (!(far > 0) || f(far) < 0)
            return null;
        double x = Roots.Bisect(f, 0, far);
        return rate1 * Math.Exp(direction * x);
    }

    /// <summary>
    /// Validates, then solves the person-time (when <paramref name="personTime"/> is null) or the power and
    /// detectable rate at it. Every reported quantity must be a finite, normal double: rates so extreme
    /// that the arithmetic overflows or underflows (e.g. 1e308 against 1e-308) are refused, not answered.
    /// </summary>
    public static PoissonResult Solve(PoissonMethod method, double rate1, double rate2, double? personTime, PowerSettings settings)
    {
        Check.Positive("rate1", rate1);
        Check.Positive("rate2", rate2);
        PowerSettings s = settings.Validated();
        string inputs = $"--rate1 {Check.Show(rate1)} and --rate2 {Check.Show(rate2)}";
        Check.Representable("rate1", "sum of the rates", rate1 + rate2, inputs);
        if (personTime is null)
        {
            if (rate1 == rate2)
                throw new PowerInputException("rate2", "--rate2 equals --rate1: there is no difference to detect, so no person-time reaches the power");
            double t = method == PoissonMethod.Normal
                ? NormalPersonTime(rate1, rate2, s)
                : ExactPersonTime(rate1, rate2, s);
            Check.Size("rate2", "person-time per arm", t, "--rate2 is too close to --rate1 for any pilot to detect the difference");
            CheckReported(inputs, t, null);
            return new PoissonResult(method, s, rate1, rate2, true, t, s.Power, null, null, []);
        }

        double given = personTime.Value;
        Check.Positive("person-time", given);
        Check.Size("person-time", "person-time per arm", given, "give a smaller --person-time");
        inputs = $"{inputs} with --person-time {Check.Show(given)}";
        if (method == PoissonMethod.Exact && !((rate1 + rate2) * given <= MaxExactEvents))
            throw new PowerInputException("person-time",
                $"--person-time gives more than {MaxExactEvents:N0} expected events, beyond the exact method here; use --method normal");
        double power = Power(method, rate1, rate2, given, s);
        int direction = rate2 >= rate1 ? 1 : -1;
        double? detectable = DetectableRate2(method, rate1, direction, given, s);
        double? mde = detectable is { } d ? Math.Abs(d - rate1) : null;
        CheckReported(inputs, given, detectable);
        if (mde is { } difference)
            Check.Representable("rate2", "smallest detectable difference", difference, inputs);
        return new PoissonResult(method, s, rate1, rate2, false, given, power, mde, detectable, []);

        void CheckReported(string what, double time, double? rate2Detectable)
        {
            Check.Representable("person-time", "person-time per arm", time, what);
            Check.Representable("rate1", "expected events in arm 1", rate1 * time, what);
            Check.Representable("rate2", "expected events in arm 2", rate2 * time, what);
            if (rate2Detectable is { } r)
                Check.Representable("rate2", "smallest detectable rate2", r, what);
        }
    }
}
