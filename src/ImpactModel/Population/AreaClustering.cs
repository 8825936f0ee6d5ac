using ImpactModel.Random;

namespace ImpactModel.Population;

/// <summary>
/// How much a binary attribute (membership of a group) clusters within areas: the intra-cluster
/// correlation (ICC) a cluster-randomised pilot's design effect needs, as the logit-normal model
/// implies it, as one replicate's drawn area effects give it, and as persons realise it.
/// </summary>
public static class AreaClustering
{
    /// <summary>
    /// The ICC implied by a logit-normal model with marginal prevalence <paramref name="prevalence"/>
    /// and area effects of standard deviation <paramref name="sd"/> on the logit scale:
    /// Var(expit(μ + σZ)) / (p(1 − p)), with μ solved so that E[expit(μ + σZ)] = p, Z standard normal.
    /// The expectations are integrals over Z, by composite Simpson's rule on [−12, 12] (accurate to
    /// about 1e-12: the normal density is below 1e-31 beyond).
    /// </summary>
    public static double LogitNormalIcc(double prevalence, double sd)
    {
        if (prevalence <= 0 || prevalence >= 1 || sd <= 0)
            return 0;
        double lo = -60, hi = 60;
        for (int i = 0; i < 200 && hi - lo > 1e-14; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Moments(mid, sd).Mean < prevalence)
                lo = mid;
            else
                hi = mid;
        }

        (double mean, double square) = Moments(0.5 * (lo + hi), sd);
        return (square - mean * mean) / (prevalence * (1 - prevalence));
    }

    /// <summary>E[expit(μ + σZ)] and E[expit(μ + σZ)²].</summary>
    private static (double Mean, double Square) Moments(double mu, double sd)
    {
        const int intervals = 2400; // even
        const double from = -12, to = 12, h = (to - from) / intervals;
        double mean = 0, square = 0;
        for (int k = 0; k <= intervals; k++)
        {
            double z = from + k * h;
            double weight = (k == 0 || k == intervals ? 1 : k % 2 == 1 ? 4 : 2) * DeterministicMath.Exp(-0.5 * z * z);
            double q = DeterministicMath.Expit(mu + sd * z);
            mean += weight * q;
            square += weight * q * q;
        }

        double scale = h / 3 / Math.Sqrt(2 * Math.PI);
        return (mean * scale, square * scale);
    }

    /// <summary>
    /// The ICC across areas of known prevalences <paramref name="prevalence"/> and shares
    /// <paramref name="share"/> of the persons: Σ w (p − p̄)² / (p̄(1 − p̄)), the between-area share of
    /// the variance when every area is infinitely large.
    /// </summary>
    public static double IccOf(IReadOnlyList<double> prevalence, IReadOnlyList<double> share)
    {
        ArgumentNullException.ThrowIfNull(prevalence);
        ArgumentNullException.ThrowIfNull(share);
        double total = 0, mean = 0;
        for (int i = 0; i < prevalence.Count; i++)
        {
            total += share[i];
            mean += share[i] * prevalence[i];
        }

        if (total <= 0)
            return double.NaN;
        mean /= total;
        double between = 0;
        for (int i = 0; i < prevalence.Count; i++)
            between += share[i] / total * (prevalence[i] - mean) * (prevalence[i] - mean);
        return mean > 0 && mean < 1 ? between / (mean * (1 - mean)) : 0;
    }

    /// <summary>
    /// The one-way analysis-of-variance estimate of the ICC from members and persons by area
    /// (Donner 1986, unequal cluster sizes), with its approximate standard error (Smith 1957:
    /// Var ρ̂ ≈ 2(N − 1)(1 − ρ)²(1 + (n0 − 1)ρ)² / (n0²(N − K)(K − 1))) with K taken as the effective
    /// number of areas (Σn)²/Σn², since a few large areas carry most persons. NaN when fewer than two
    /// areas hold persons.
    /// </summary>
    public static (double Icc, double StandardError) Anova(IReadOnlyList<long> members, IReadOnlyList<long> persons)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(persons);
        double n = 0, x = 0, squares = 0;
        int k = 0;
        for (int i = 0; i < persons.Count; i++)
        {
            if (persons[i] == 0)
                continue;
            k++;
            n += persons[i];
            x += members[i];
            squares += (double)persons[i] * persons[i];
        }

        if (k < 2 || n <= k)
            return (double.NaN, double.NaN);
        double p = x / n, between = 0, within = 0;
        for (int i = 0; i < persons.Count; i++)
        {
            if (persons[i] == 0)
                continue;
            double pi = (double)members[i] / persons[i];
            between += persons[i] * (pi - p) * (pi - p);
            within += persons[i] * pi * (1 - pi);
        }

        double msb = between / (k - 1), msw = within / (n - k);
        double n0 = (n - squares / n) / (k - 1);
        double icc = msb + (n0 - 1) * msw > 0 ? (msb - msw) / (msb + (n0 - 1) * msw) : 0;
        double effective = n * n / squares;
        double rho = Math.Max(0, icc);
        double spread = (1 - rho) * (1 + (n0 - 1) * rho);
        double variance = 2 * (n - 1) * spread * spread / (n0 * n0 * (n - effective) * Math.Max(1, effective - 1));
        return (icc, Math.Sqrt(variance));
    }
}
