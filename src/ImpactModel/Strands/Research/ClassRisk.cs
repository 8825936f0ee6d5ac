using ImpactModel.Random;

namespace ImpactModel.Strands.Research;

/// <summary>
/// What a record of one class contributes, in fixed point: probabilities in units of 2^-24
/// (<see cref="ResearchCounters.Fixed"/>), the risks 1/f, 1/F and the attacker's in units of 2^-40
/// (<see cref="ResearchCounters.Fine"/>: a class of 30 million records still has 3 significant
/// figures, and the risks of a row sum to at most its classes, so 2^40 per class cannot overflow),
/// laid out per cell as <see cref="Stride"/> integers: released, suppressed, sample unique, population
/// unique, high risk, 1/f, 1/F, the attacker's 1/(released records sharing what they know), then for
/// each sensitive attribute the disclosure of a record that holds it.
/// </summary>
/// <remarks>
/// <para>With the declared population simulated, the class sizes are the true ones: f in the
/// extract, F in the population, and each value is exactly 0, 1 or 1/f (rounded to fixed point).</para>
/// <para>With fewer persons simulated than declared, a class seen in the sample says little about
/// its size in the declared population (a simulated unique is rarely a declared one), so the class
/// sizes are estimated from a log-linear model of main effects (Skinner and Holmes 1998; Elamir
/// and Skinner 2006): a cell's share is the product of its quasi-identifiers' shares, estimated on
/// the simulated extract and population. A record's class in the declared extract then holds it
/// and X others, X ~ Poisson(μ), μ = (n − 1)·p̂ for the declared extract's n records; its population
/// class Z more outside the extract, Z ~ Poisson(λ), λ = (N − 1)·P̂ − μ. For a suppression threshold
/// k (1: none): P(released) = P(X ≥ k − 1); P(sample unique) = e^(−μ) when k ≤ 1; P(population
/// unique) = e^(−μ−λ) when k ≤ 1; E[1/(1+X); released] = P(X′ ≥ k)/μ with X′ ~ Poisson(μ);
/// E[1/(1+X+Z); released] ≈ Σ P(X = x)/(1 + x + λ) (Z at its mean: a lower bound by Jensen's
/// inequality, never above the prosecutor risk); a record holding an attribute that a share r of
/// its class holds is disclosed with probability Σ_{x ≥ k−1} P(X = x) r^x = e^(−μ(1−r)) P(Poisson(μr) ≥ k − 1).
/// docs/metrics.md ("Estimating class sizes") gives the estimator and the test against the full population.</para>
/// </remarks>
internal static class ClassRisk
{
    public const int Released = 0, Suppressed = 1, Unique = 2, PopulationUnique = 3, HighRisk = 4, Prosecutor = 5, Journalist = 6, Attack = 7, Disclosure = 8;

    /// <summary>Integers per cell for <paramref name="attributes"/> sensitive attributes.</summary>
    public static int Stride(int attributes) => Disclosure + attributes;

    /// <summary>Above this Poisson mean a class is large: tail probabilities of thresholds in the tens are 1 and means are taken at the mean.</summary>
    private const double LargeMean = 50;

    /// <summary>
    /// Fills one cell's values from its exact sizes: <paramref name="f"/> records in the extract,
    /// <paramref name="population"/> persons in the population, <paramref name="positives"/> of the
    /// extract's records holding each attribute; <paramref name="k"/> the suppression threshold (1:
    /// none); <paramref name="highRiskMax"/> the largest class whose 1/f is above the high-risk threshold.
    /// </summary>
    public static void Exact(long f, long population, ReadOnlySpan<long> positives, int k, int highRiskMax, Span<long> cell)
    {
        cell.Clear();
        if (f <= 0)
            return;
        if (f < k)
        {
            cell[Suppressed] = Fixed(1);
            return;
        }

        cell[Released] = Fixed(1);
        cell[Unique] = f == 1 ? Fixed(1) : 0;
        cell[PopulationUnique] = population == 1 ? Fixed(1) : 0;
        cell[HighRisk] = f <= highRiskMax ? Fixed(1) : 0;
        cell[Prosecutor] = cell[Attack] = Risk(1.0 / f);
        cell[Journalist] = Risk(1.0 / Math.Max(population, f));
        for (int a = 0; a < positives.Length; a++)
            cell[Disclosure + a] = positives[a] == f ? Fixed(1) : 0;
    }

    /// <summary>
    /// Fills one cell's values as expectations for a record of the cell: <paramref name="mu"/> the
    /// expected other records of its class in the declared extract, <paramref name="lambda"/> the
    /// expected further persons of its population class outside the extract, <paramref name="shares"/>
    /// the share of the class holding each attribute.
    /// </summary>
    public static void Estimated(double mu, double lambda, ReadOnlySpan<double> shares, int k, int highRiskMax, Span<long> cell)
    {
        cell.Clear();
        double released = Tail(mu, k - 1);
        cell[Released] = Fixed(released);
        cell[Suppressed] = Fixed(1) - cell[Released];
        if (k <= 1)
        {
            cell[Unique] = Fixed(DeterministicMath.Exp(-mu));
            cell[PopulationUnique] = Fixed(DeterministicMath.Exp(-mu - lambda));
        }

        // P(k − 1 ≤ X ≤ highRiskMax − 1); every released record when the threshold puts no class size above it.
        cell[HighRisk] = highRiskMax == int.MaxValue ? cell[Released] : highRiskMax >= k ? Fixed(Math.Max(0, released - Tail(mu, highRiskMax))) : 0;
        double prosecutor = mu <= 0 ? (k <= 1 ? 1 : 0) : Tail(mu, Math.Max(k, 1)) / mu;
        cell[Prosecutor] = cell[Attack] = Risk(prosecutor);
        cell[Journalist] = Risk(Math.Min(prosecutor, JournalistMean(mu, lambda, k)));
        for (int a = 0; a < shares.Length; a++)
        {
            double r = Math.Clamp(shares[a], 0, 1);
            cell[Disclosure + a] = Fixed(DeterministicMath.Exp(-mu * (1 - r)) * Tail(mu * r, k - 1));
        }
    }

    /// <summary>P(X ≥ m) for X ~ Poisson(μ).</summary>
    public static double Tail(double mu, int m)
    {
        if (m <= 0)
            return 1;
        if (mu <= 0)
            return 0;
        if (mu > LargeMean + 4.0 * m)
            return 1; // the lower tail below m is under e^(−50)
        if (m > mu + 12 * Math.Sqrt(mu + 1) + 40)
            return 0; // the upper tail beyond 12 standard deviations and 40 more
        if (mu > 700)
            return UpperNormal((m - 0.5 - mu) / Math.Sqrt(mu)); // e^(−μ) would underflow: the normal approximation, continuity-corrected
        double term = DeterministicMath.Exp(-mu), below = 0;
        for (int x = 0; x < m; x++)
        {
            below += term;
            term *= mu / (x + 1);
        }

        return Math.Clamp(1 - below, 0, 1);
    }

    /// <summary>
    /// P(Z &gt; z) for a standard normal Z from deterministic arithmetic only (the same bits on every
    /// machine): Abramowitz and Stegun 7.1.26 for erfc, absolute error below 1.5e-7 — ample for a
    /// continuity-corrected Poisson tail of a mean above 700.
    /// </summary>
    private static double UpperNormal(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * DeterministicMath.Exp(-x * x);
        return z >= 0 ? erfc / 2 : 1 - erfc / 2;
    }

    /// <summary>Σ_{x ≥ k−1} P(X = x)/(1 + x + λ), X ~ Poisson(μ); a large class at its mean.</summary>
    private static double JournalistMean(double mu, double lambda, int k)
    {
        if (mu > LargeMean)
            return Tail(mu, k - 1) / (1 + mu + lambda);
        double term = DeterministicMath.Exp(-mu), sum = 0;
        int last = (int)(mu + 12 * Math.Sqrt(mu + 1) + 30);
        for (int x = 0; x <= last; x++)
        {
            if (x >= k - 1)
                sum += term / (1 + x + lambda);
            term *= mu / (x + 1);
        }

        return sum;
    }

    /// <summary>A probability in fixed point (2^-24), rounded to the nearest unit.</summary>
    public static int Fixed(double x) => (int)Math.Round(x * ResearchCounters.Fixed);

    /// <summary>A risk (1/f, 1/F, the attacker's) in fine fixed point (2^-40), rounded to the nearest unit.</summary>
    public static long Risk(double x) => (long)Math.Round(x * ResearchCounters.Fine);

    /// <summary>Fine units of a risk per fixed unit of a record: what a risk sum over a record count is divided by.</summary>
    public const double RiskPerRecord = (double)ResearchCounters.Fine / ResearchCounters.Fixed;

    /// <summary>
    /// A Laplace draw of scale <paramref name="scale"/> from one 32-bit word: u = (word + ½)/2^32 − ½ in
    /// (−½, ½), −scale · sgn(u) · ln(1 − 2|u|). Its variance is 2·scale² (2/ε² for the noise of a count
    /// of sensitivity 1 under budget ε).
    /// </summary>
    public static double Laplace(uint word, double scale)
    {
        double u = (word + 0.5) / 4294967296.0 - 0.5;
        double magnitude = -scale * DeterministicMath.Log(1 - 2 * Math.Abs(u));
        return u < 0 ? -magnitude : magnitude;
    }
}
