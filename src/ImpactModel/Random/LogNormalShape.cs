namespace ImpactModel.Random;

/// <summary>
/// A lognormal distribution as the parameters (μ, σ) of its logarithm, computed once from the mean
/// and standard deviation of the variable on its natural scale (how scenarios write it:
/// <c>lognormal(400, 150)</c>).
/// </summary>
public readonly record struct LogNormalShape
{
    private LogNormalShape(double mu, double sigma)
    {
        Mu = mu;
        Sigma = sigma;
    }

    /// <summary>Mean of ln X.</summary>
    public double Mu { get; }

    /// <summary>Standard deviation of ln X.</summary>
    public double Sigma { get; }

    /// <summary>E[X] = exp(μ + σ²/2).</summary>
    public double Mean => DeterministicMath.Exp(Mu + 0.5 * Sigma * Sigma);

    /// <summary>Var[X] = (exp(σ²) − 1) exp(2μ + σ²).</summary>
    public double Variance => (DeterministicMath.Exp(Sigma * Sigma) - 1) * DeterministicMath.Exp(2 * Mu + Sigma * Sigma);

    /// <summary>
    /// The lognormal with mean <paramref name="mean"/> &gt; 0 and standard deviation
    /// <paramref name="sd"/> ≥ 0: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2 (moments of the
    /// lognormal; e.g. Johnson, Kotz and Balakrishnan, Continuous Univariate Distributions 1, ch. 14).
    /// </summary>
    public static LogNormalShape FromMeanSd(double mean, double sd)
    {
        if (!(mean > 0) || double.IsInfinity(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "a lognormal mean is finite and above 0");
        if (!(sd >= 0) || double.IsInfinity(sd))
            throw new ArgumentOutOfRangeException(nameof(sd), sd, "a standard deviation is finite and at least 0");
        double cv = sd / mean;
        double sigma2 = DeterministicMath.Log(1 + cv * cv);
        return new LogNormalShape(DeterministicMath.Log(mean) - 0.5 * sigma2, Math.Sqrt(sigma2));
    }
}
