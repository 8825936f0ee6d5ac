namespace ImpactModel.Pilot;

/// <summary>How between-area variation is described.</summary>
public enum ClusterMethod
{
    /// <summary>
    /// Inflate the individually randomised size (<see cref="ProportionsMethod.Pooled"/>) by the design
    /// effect 1 + (m − 1)·ICC (Donner, Birkett and Buck 1981; Kerry and Bland, BMJ 316 (1998) 549), or with
    /// unequal area sizes 1 + ((CV² + 1)·m − 1)·ICC (Eldridge, Ashby and Kerry, Int J Epidemiol 35 (2006)
    /// 1292–1300, eq. 2, CV the coefficient of variation of the area sizes).
    /// </summary>
    DesignEffect,

    /// <summary>
    /// Hayes and Bennett (Int J Epidemiol 28 (1999) 319–326, eq. 3, unmatched trials): areas per arm
    /// c = 1 + (z_α + z_β)²·[p1q1/m + p2q2/m + k²(p1² + p2²)]/(p1 − p2)², k the between-area coefficient
    /// of variation of the true proportions; the leading 1 is their small-sample correction.
    /// </summary>
    HayesBennett,
}

/// <summary>The inputs of a cluster (area) randomised pilot of two proportions.</summary>
public sealed record ClusterInput(
    double P1, double P2, double PersonsPerArea, ClusterMethod Method,
    double Icc = 0, double SizeCv = 0, double K = 0, long? AreasPerArm = null);

/// <summary>
/// The answer in areas and persons per arm. <see cref="DesignEffect"/> is set for the design-effect
/// route; <see cref="IndividualNPerArm"/> is the individually randomised size the route starts from
/// (pooled for the design effect, unpooled for Hayes–Bennett), null when p1 = p2.
/// </summary>
public sealed record ClusterResult(
    ClusterInput Input, PowerSettings Settings, bool SolvedForAreas, double? DesignEffect, double? IndividualNPerArm,
    double AreasPerArm, long AreasPerArmCeil, double PersonsPerArm, double Power, double? Mde, double? P2Detectable,
    IReadOnlyList<string> Warnings);

/// <summary>Cluster randomisation of areas: how many areas per arm, and the power of a given number.</summary>
public static class ClusterDesign
{
    /// <summary>Fewer areas per arm than this make the normal approximation untrustworthy.</summary>
    public const int TrustworthyAreasPerArm = 4;

    /// <summary>1 + (m − 1)·ICC, or 1 + ((CV² + 1)·m − 1)·ICC with unequal area sizes.</summary>
    public static double DesignEffect(double personsPerArea, double icc, double sizeCv)
        => 1 + ((sizeCv * sizeCv + 1) * personsPerArea - 1) * icc;

    /// <summary>Hayes and Bennett's variance term p1q1/m + p2q2/m + k²(p1² + p2²).</summary>
    private static double HayesBennettVariance(double p1, double p2, double m, double k)
        => (p1 * (1 - p1) + p2 * (1 - p2)) / m + k * k * (p1 * p1 + p2 * p2);

    /// <summary>Hayes and Bennett's areas per arm c (unrounded).</summary>
    public static double HayesBennettAreas(double p1, double p2, double m, double k, PowerSettings s)
    {
        double z = s.ZAlpha + s.ZBeta;
        double d = p1 - p2;
        return 1 + z * z * HayesBennettVariance(p1, p2, m, k) / (d * d);
    }

    /// <summary>Hayes and Bennett's formula solved for the power at c areas per arm: Φ(√((c − 1)(p1 − p2)²/V) − z_α).</summary>
    public static double HayesBennettPower(double p1, double p2, double m, double k, double areas, PowerSettings s)
    {
        double d = p1 - p2;
        return Normal.Cdf(Math.Sqrt((areas - 1) * d * d / HayesBennettVariance(p1, p2, m, k)) - s.ZAlpha);
    }

    public static ClusterResult Solve(ClusterInput input, PowerSettings settings)
    {
        Check.Probability("p1", input.P1);
        Check.Probability("p2", input.P2);
        Check.AtLeast("persons-per-area", input.PersonsPerArea, 1);
        if (input.Method == ClusterMethod.DesignEffect)
        {
            if (!(input.Icc >= 0 && input.Icc < 1))
                throw new PowerInputException("icc", $"--icc must be at least 0 and below 1 (got {Check.Show(input.Icc)})");
            Check.AtLeast("size-cv", input.SizeCv, 0);
        }
        else
        {
            Check.AtLeast("cv", input.K, 0);
        }

        PowerSettings s = settings.Validated();
        var warnings = new List<string>();
        double m = input.PersonsPerArea;
        double? de = input.Method == ClusterMethod.DesignEffect ? DesignEffect(m, input.Icc, input.SizeCv) : null;
        if (de is { } checkedEffect)
            Check.Finite("design effect", checkedEffect); // --size-cv or --persons-per-area so large the product overflows

        if (input.AreasPerArm is null)
        {
            if (input.P1 == input.P2)
                throw new PowerInputException("p2", "--p2 equals --p1: there is no difference to detect, so no number of areas reaches the power");
            double individual, areas;
            if (de is { } effect)
            {
                individual = TwoProportions.PooledN(input.P1, input.P2, s);
                areas = individual * effect / m;
            }
            else
            {
                individual = TwoProportions.UnpooledN(input.P1, input.P2, s);
                areas = HayesBennettAreas(input.P1, input.P2, m, input.K, s);
            }

            Check.Size("p2", "areas per arm", areas, "--p2 is too close to --p1 for any pilot to detect the difference with areas of this size");
            long ceil = TwoProportions.CeilCount(areas);
            if (ceil < 2)
            {
                warnings.Add($"the formula asks for {Check.Show(areas)} areas per arm, but with 1 area per arm the variation between areas cannot be estimated; at least 2 per arm are reported");
                ceil = 2;
            }

            AddFewAreasWarning(warnings, ceil);
            Check.Size("persons-per-area", "people per arm", ceil * m, "fewer people per area or a larger difference would need fewer");
            return new ClusterResult(input, s, true, de, individual, areas, ceil, ceil * m, s.Power, null, null, warnings);
        }

        long given = input.AreasPerArm.Value;
        if (given < 1)
            throw new PowerInputException("areas-per-arm", $"--areas-per-arm must be at least 2 (got {given})");
        if (given == 1)
            throw new PowerInputException("areas-per-arm",
                "--areas-per-arm 1: with one area per arm the variation between areas cannot be estimated, so no honest power can be given; use at least 2 (4 or more to trust the approximation)");
        Check.Size("areas-per-arm", "people per arm", given * m, "give fewer --areas-per-arm or --persons-per-area");
        AddFewAreasWarning(warnings, given);

        double power;
        double? p2Detectable;
        int direction = input.P2 >= input.P1 ? 1 : -1;
        double? individualN = null;
        bool differ = input.P1 != input.P2;
        if (de is { } deff)
        {
            double effectiveN = given * m / deff;
            if (differ)
                individualN = TwoProportions.PooledN(input.P1, input.P2, s);
            power = TwoProportions.PooledPower(input.P1, input.P2, effectiveN, s);
            p2Detectable = TwoProportions.DetectableP2(ProportionsMethod.Pooled, input.P1, direction, effectiveN, s);
        }
        else
        {
            if (differ)
                individualN = TwoProportions.UnpooledN(input.P1, input.P2, s);
            power = HayesBennettPower(input.P1, input.P2, m, input.K, given, s);
            double room = direction > 0 ? 1 - input.P1 : input.P1;
            double far = room * (1 - 1e-12);
            Func<double, double> f = t => HayesBennettPower(input.P1, input.P1 + direction * t, m, input.K, given, s) - s.Power;
            p2Detectable = f(far) < 0 ? null : input.P1 + direction * Roots.Bisect(f, 0, far);
        }

        double? mde = p2Detectable is { } q ? Math.Abs(q - input.P1) : null;
        if (mde is null)
            warnings.Add($"no p2 between 0 and 1 is detected with power {Check.Show(s.Power)} by {given} areas per arm of {Check.Show(m)} persons");
        return new ClusterResult(input, s, false, de, individualN, given, given, given * m, power, mde, p2Detectable, warnings);
    }

    private static void AddFewAreasWarning(List<string> warnings, long areas)
    {
        if (areas < TrustworthyAreasPerArm)
            warnings.Add($"{areas} areas per arm is fewer than {TrustworthyAreasPerArm}: the normal approximation behind this answer is untrustworthy with so few areas; plan for at least {TrustworthyAreasPerArm} per arm or analyse with methods for few clusters");
    }
}
