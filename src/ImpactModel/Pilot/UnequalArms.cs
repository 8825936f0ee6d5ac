namespace ImpactModel.Pilot;

/// <summary>Two event rates with unequal person-time: t1 in arm 1 and t2 in arm 2 (normal method only).</summary>
public sealed record PoissonUnequalResult(
    PowerSettings Settings, double Rate1, double Rate2, bool SolvedForPersonTime, double PersonTime1, double PersonTime2,
    double Power, double? Mde, double? Rate2Detectable, IReadOnlyList<string> Warnings);

/// <summary>A cluster design with unequal numbers of areas (and, optionally, people per area) in the two arms.</summary>
public sealed record ClusterUnequalInput(
    double P1, double P2, double PersonsPerArea1, double PersonsPerArea2, double Icc, double SizeCv,
    long? Areas1 = null, long? Areas2 = null, double Ratio = 1);

/// <summary>
/// The answer for unequal arms of areas: each arm's design effect, its areas (unrounded when solved, and rounded up),
/// its effective (individually randomised equivalent) size, the power, and the detectable p2 when areas were given.
/// </summary>
public sealed record ClusterUnequalResult(
    ClusterUnequalInput Input, PowerSettings Settings, bool SolvedForAreas, double DesignEffect1, double DesignEffect2,
    double Areas1, long Areas1Ceil, double Areas2, long Areas2Ceil, double EffectiveN1, double EffectiveN2,
    double Power, double? Mde, double? P2Detectable, IReadOnlyList<string> Warnings);

/// <summary>
/// Unequal arms for rates and for areas.
/// <list type="bullet">
/// <item>Poisson, square-root scale: √(X_i/t_i) has variance about 1/(4t_i), so the power is
/// Φ(2|√λ1 − √λ2| / √(1/t1 + 1/t2) − z_α) and, with t2 = k·t1, t1 = (z_α + z_β)²(1 + 1/k) / (4(√λ1 − √λ2)²);
/// with k = 1 this is van Belle's rule (PoissonRates.Normal).</item>
/// <item>Areas: arm i has c_i areas of m_i people and design effect DE_i = 1 + ((CV² + 1)m_i − 1)·ICC, so it carries
/// n_i = c_i·m_i/DE_i people's worth of information (Donner, Birkett and Buck 1981; Eldridge et al. 2006), and the pooled
/// power of n1 and n2 (Allocation) applies. Solving with c2 = r·c1: k = n2/n1 = r·(m2/DE2)/(m1/DE1), n1 from the pooled
/// formula with ratio k, c1 = n1·DE1/m1.</item>
/// </list>
/// </summary>
public static class UnequalArms
{
    public static double PoissonPower(double rate1, double rate2, double t1, double t2, PowerSettings s)
        => Normal.Cdf(2 * Math.Abs(Math.Sqrt(rate1) - Math.Sqrt(rate2)) / Math.Sqrt(1 / t1 + 1 / t2) - s.ZAlpha);

    public static double PoissonPersonTime1(double rate1, double rate2, double k, PowerSettings s)
    {
        double z = s.ZAlpha + s.ZBeta;
        double d = Math.Sqrt(rate1) - Math.Sqrt(rate2);
        return z * z * (1 + 1 / k) / (4 * d * d);
    }

    /// <summary>Validates, then solves t1 and t2 = ratio·t1, or the power and detectable rate2 of given t1 and t2.</summary>
    public static PoissonUnequalResult SolvePoisson(double rate1, double rate2, double? t1, double? t2, double ratio, PowerSettings settings)
    {
        Check.Positive("rate1", rate1);
        Check.Positive("rate2", rate2);
        if (!(ratio > 0) || double.IsInfinity(ratio))
            throw new PowerInputException("ratio", $"--ratio (person-time2/person-time1) must be a positive finite number (got {Check.Show(ratio)})");
        if (t1 is null != t2 is null)
            throw new PowerInputException(t1 is null ? "person-time2" : "person-time1", "--person-time1 and --person-time2 go together: give both, or neither");
        PowerSettings s = settings.Validated();
        string inputs = $"--rate1 {Check.Show(rate1)} and --rate2 {Check.Show(rate2)}";
        Check.Representable("rate1", "sum of the rates", rate1 + rate2, inputs);
        if (t1 is null)
        {
            if (rate1 == rate2)
                throw new PowerInputException("rate2", "--rate2 equals --rate1: there is no difference to detect, so no person-time reaches the power");
            double a = PoissonPersonTime1(rate1, rate2, ratio, s);
            double b = ratio * a;
            Check.Size("rate2", "person-time in arm 1", a, "--rate2 is too close to --rate1 (or --ratio too extreme) for any pilot to detect the difference");
            Check.Size("rate2", "person-time in arm 2", b, "--rate2 is too close to --rate1 (or --ratio too extreme) for any pilot to detect the difference");
            Check.Representable("ratio", "person-time in arm 1", a, inputs);
            Check.Representable("ratio", "person-time in arm 2", b, inputs);
            Check.Representable("rate1", "expected events in arm 1", rate1 * a, inputs);
            Check.Representable("rate2", "expected events in arm 2", rate2 * b, inputs);
            return new PoissonUnequalResult(s, rate1, rate2, true, a, b, s.Power, null, null, []);
        }

        double g1 = t1.Value, g2 = t2!.Value;
        Check.Positive("person-time1", g1);
        Check.Positive("person-time2", g2);
        Check.Size("person-time1", "person-time in arm 1", g1, "give a smaller --person-time1");
        Check.Size("person-time2", "person-time in arm 2", g2, "give a smaller --person-time2");
        inputs = $"{inputs} with --person-time1 {Check.Show(g1)} and --person-time2 {Check.Show(g2)}";
        Check.Representable("person-time1", "person-time in arm 1", g1, inputs);
        Check.Representable("person-time2", "person-time in arm 2", g2, inputs);
        Check.Representable("rate1", "expected events in arm 1", rate1 * g1, inputs);
        Check.Representable("rate2", "expected events in arm 2", rate2 * g2, inputs);
        double power = PoissonPower(rate1, rate2, g1, g2, s);
        int direction = rate2 >= rate1 ? 1 : -1;
        double root = Math.Sqrt(rate1) + direction * (s.ZAlpha + s.ZBeta) * Math.Sqrt(1 / g1 + 1 / g2) / 2;
        double? detectable = root > 0 ? root * root : null;
        double? mde = detectable is { } r ? Math.Abs(r - rate1) : null;
        if (detectable is { } dr)
            Check.Representable("rate2", "smallest detectable rate2", dr, inputs);
        return new PoissonUnequalResult(s, rate1, rate2, false, g1, g2, power, mde, detectable, []);
    }

    /// <summary>Validates, then solves areas in each arm (c2 = ratio·c1), or the power and detectable p2 of given areas.</summary>
    public static ClusterUnequalResult SolveCluster(ClusterUnequalInput input, PowerSettings settings)
    {
        Check.Probability("p1", input.P1);
        Check.Probability("p2", input.P2);
        Check.AtLeast("persons-per-area", input.PersonsPerArea1, 1);
        Check.AtLeast("persons-per-area2", input.PersonsPerArea2, 1);
        if (!(input.Icc >= 0 && input.Icc < 1))
            throw new PowerInputException("icc", $"--icc must be at least 0 and below 1 (got {Check.Show(input.Icc)})");
        Check.AtLeast("size-cv", input.SizeCv, 0);
        if (!(input.Ratio > 0) || double.IsInfinity(input.Ratio))
            throw new PowerInputException("ratio", $"--ratio (areas in arm 2 / areas in arm 1) must be a positive finite number (got {Check.Show(input.Ratio)})");
        if (input.Areas1 is null != input.Areas2 is null)
            throw new PowerInputException(input.Areas1 is null ? "areas2" : "areas1", "--areas1 and --areas2 go together: give both, or neither");
        PowerSettings s = settings.Validated();
        double m1 = input.PersonsPerArea1, m2 = input.PersonsPerArea2;
        double de1 = ClusterDesign.DesignEffect(m1, input.Icc, input.SizeCv);
        double de2 = ClusterDesign.DesignEffect(m2, input.Icc, input.SizeCv);
        Check.Finite("design effect", de1);
        Check.Finite("design effect", de2);
        var q = new ProportionsQuestion(ProportionsMethod.Pooled, ProportionsUnknown.Size, input.P1, input.P2);
        var warnings = new List<string>();
        if (input.Areas1 is null)
        {
            if (input.P1 == input.P2)
                throw new PowerInputException("p2", "--p2 equals --p1: there is no difference to detect, so no number of areas reaches the power");
            double k = input.Ratio * (m2 / de2) / (m1 / de1);
            double n1 = Allocation.PooledN1(input.P1, input.P2, k, q, s);
            double c1 = n1 * de1 / m1, c2 = input.Ratio * c1;
            const string why = "--p2 is too close to --p1 for any pilot to detect the difference with areas of this size";
            Check.Size("p2", "areas in arm 1", c1, why);
            Check.Size("p2", "areas in arm 2", c2, why);
            long k1 = AtLeastTwo(TwoProportions.CeilCount(c1), c1, "arm 1", warnings);
            long k2 = AtLeastTwo(TwoProportions.CeilCount(c2), c2, "arm 2", warnings);
            FewAreas(warnings, k1, "arm 1");
            FewAreas(warnings, k2, "arm 2");
            return new ClusterUnequalResult(input, s, true, de1, de2, c1, k1, c2, k2, n1, k * n1, s.Power, null, null, warnings);
        }

        long a1 = input.Areas1.Value, a2 = input.Areas2!.Value;
        AtLeastTwoGiven("areas1", a1);
        AtLeastTwoGiven("areas2", a2);
        Check.Size("areas1", "people in arm 1", a1 * m1, "give fewer --areas1 or --persons-per-area");
        Check.Size("areas2", "people in arm 2", a2 * m2, "give fewer --areas2 or --persons-per-area2");
        FewAreas(warnings, a1, "arm 1");
        FewAreas(warnings, a2, "arm 2");
        double e1 = a1 * m1 / de1, e2 = a2 * m2 / de2;
        double power = Allocation.PooledPower(input.P1, input.P2, e1, e2 / e1, q, s);
        int direction = input.P2 >= input.P1 ? 1 : -1;
        double? p2 = Allocation.PooledDetectableP2(input.P1, direction, e1, e2, q, s);
        double? mde = p2 is { } x ? Math.Abs(x - input.P1) : null;
        if (mde is null)
            warnings.Add($"no p2 between 0 and 1 is detected with power {Check.Show(s.Power)} by {a1} and {a2} areas");
        return new ClusterUnequalResult(input, s, false, de1, de2, a1, a1, a2, a2, e1, e2, power, mde, p2, warnings);
    }

    private static void AtLeastTwoGiven(string name, long areas)
    {
        if (areas < 2)
            throw new PowerInputException(name,
                $"--{name} {areas}: with one area in an arm the variation between areas cannot be estimated, so no honest power can be given; use at least 2 (4 or more to trust the approximation)");
    }

    private static long AtLeastTwo(long ceil, double areas, string arm, List<string> warnings)
    {
        if (ceil >= 2)
            return ceil;
        warnings.Add($"the formula asks for {Check.Show(areas)} areas in {arm}, but with 1 area in an arm the variation between areas cannot be estimated; at least 2 are reported");
        return 2;
    }

    private static void FewAreas(List<string> warnings, long areas, string arm)
    {
        if (areas < ClusterDesign.TrustworthyAreasPerArm)
            warnings.Add($"{areas} areas in {arm} is fewer than {ClusterDesign.TrustworthyAreasPerArm}: the normal approximation behind this answer is untrustworthy with so few areas; plan for at least {ClusterDesign.TrustworthyAreasPerArm} per arm or analyse with methods for few clusters");
    }
}
