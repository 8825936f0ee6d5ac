using ImpactModel.Random;

namespace ImpactModel.StrandKit;

/// <summary>
/// The intercept c of a logistic model expit(c + offset + g × (decile − 4.5)) whose mean over the
/// persons concerned (over the ten income deciles, or over cells of area, authority and decile each
/// with its share) is a declared marginal p: how a strand keeps a group's declared share while income and area move it
/// around (the fraud strand's claims, the tailored-services strand's need).
/// </summary>
public static class MarginalIntercept
{
    /// <summary>
    /// The intercept c with (1/10) Σ_d expit(c + g (d − 4.5)) = p over the ten income deciles, by
    /// bisection on [−60, 60] (the mean is increasing in c): stopped once a step leaves the bracket
    /// as it was, since every later step would too, which gives the 200-step answer bit for bit.
    /// </summary>
    /// <param name="p">The marginal, in (0, 1).</param>
    /// <param name="gradient">Log-odds per income decile.</param>
    public static double Of(double p, double gradient)
    {
        double lo = -60, hi = 60;
        for (int k = 0; k < 200; k++)
        {
            double mid = 0.5 * (lo + hi), sum = 0;
            for (int d = 0; d < 10; d++)
                sum += DeterministicMath.Expit(mid + gradient * (d - 4.5));
            (double newLo, double newHi) = sum / 10 < p ? (mid, hi) : (lo, mid);
            if (newLo == lo && newHi == hi)
                break;
            (lo, hi) = (newLo, newHi);
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// The intercept c with Σ_k w[k] × expit(c + offset[k]) = p over cells k (each with its whole
    /// offset, e.g. area, authority effect and income decile together, and its share of the persons
    /// concerned; the shares add to 1), by Newton's method kept inside a bracket that every step
    /// narrows (the mean is increasing in c, with slope Σ w q (1 − q)): a step that would leave the
    /// bracket bisects it instead. Stops when a step no longer moves c, or the bracket is a few ulps
    /// wide; the same inputs give the same bits.
    /// </summary>
    public static double OfCells(double p, ReadOnlySpan<double> offsets, ReadOnlySpan<double> weights)
    {
        if (offsets.Length != weights.Length)
            throw new ArgumentException("one weight per offset", nameof(weights));
        double lo = -60, hi = 60, centre = 0;
        for (int k = 0; k < offsets.Length; k++)
            centre += weights[k] * offsets[k];
        double c = Math.Clamp(DeterministicMath.Log(p / (1 - p)) - centre, lo, hi);
        for (int step = 0; step < 200; step++)
        {
            double mean = 0, slope = 0;
            for (int k = 0; k < offsets.Length; k++)
            {
                double q = DeterministicMath.Expit(c + offsets[k]);
                mean += weights[k] * q;
                slope += weights[k] * q * (1 - q);
            }

            if (mean < p)
                lo = c;
            else
                hi = c;
            double next = slope > 0 ? c + (p - mean) / slope : double.NaN;
            if (!(next > lo && next < hi))
                next = 0.5 * (lo + hi);
            if (next == c || hi - lo <= 1e-14 * Math.Max(1, Math.Abs(c)))
                break;
            c = next;
        }

        return c;
    }
}
