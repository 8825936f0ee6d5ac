namespace ImpactModel.Pilot;

/// <summary>Root finding for monotone functions, to (nearly) full double precision.</summary>
public static class Roots
{
    /// <summary>
    /// The point x in [lo, hi] where an increasing <paramref name="f"/> crosses zero, by bisection
    /// until the bracket cannot shrink further in double precision (about 60 steps). f(lo) &lt; 0 ≤ f(hi)
    /// is the caller's promise. Bisection is slower than Brent's method but never leaves the bracket
    /// and gives the same answer on every machine; R's <c>uniroot</c> stops at its <c>tol</c> instead.
    /// </summary>
    public static double Bisect(Func<double, double> f, double lo, double hi)
    {
        for (int i = 0; i < 2000; i++)
        {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi)
                break;
            if (f(mid) < 0)
                lo = mid;
            else
                hi = mid;
        }

        return hi;
    }
}
