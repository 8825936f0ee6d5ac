using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Pilot.Simulation;

/// <summary>The settings of a pilot simulation.</summary>
/// <param name="Seed">The seed of the engine's replicates and of the pilots' randomisation.</param>
/// <param name="Simulations">Simulated pilots per design point (one engine replicate each, shared by every point).</param>
/// <param name="AreasPerArm">The grid of local authorities per arm.</param>
/// <param name="YearlyOutcomes">True when the strand's counts are a year's events (scaled to the pilot's months); false when a pilot sees them whole.</param>
/// <param name="Fraction">The share of each unit's persons simulated (a pilot's cost is scaled from it to whole units).</param>
public sealed record PilotSettings(ulong Seed, int Simulations, ImmutableArray<int> AreasPerArm, bool YearlyOutcomes, double Fraction = 1);

/// <summary>One row of <c>pilot.csv</c>, plus what the summary needs.</summary>
/// <param name="Design">cluster-randomised or individually-randomised.</param>
/// <param name="Outcome">The outcome's id.</param>
/// <param name="Group">The group (<c>all</c> for a benefit or a safeguard).</param>
/// <param name="Months">The pilot's duration.</param>
/// <param name="AreasPerArm">Local authorities per arm (individually randomised: the pilot runs in twice as many, each person's arm drawn at random).</param>
/// <param name="Persons">Persons enrolled in the pilot (both arms; mean over the simulations).</param>
/// <param name="Power">Share of simulated pilots whose test rejects in the direction of the true effect.</param>
/// <param name="PowerSe">Its Monte Carlo standard error √(p(1 − p)/N).</param>
/// <param name="Bias">Mean of estimate − true value, on the outcome's annual scale.</param>
/// <param name="BiasSe">Its Monte Carlo standard error.</param>
/// <param name="Coverage">Share of pilots whose interval (two-sided; a harm's one-sided lower bound) holds the true value.</param>
/// <param name="Mde">The smallest effect detectable at the target power: (z of alpha + z of power) × the estimates' standard deviation (a harm: tolerance + that).</param>
/// <param name="Icc">The intra-cluster correlation the simulated units imply at this duration.</param>
/// <param name="AnalyticPower">The analytic answer for the same design, size, rates and ICC (impact power's formulas).</param>
/// <param name="TrueEffect">The mean true value (annual scale): the difference, the group's rate, or the share of harm prevented.</param>
/// <param name="Estimates">Pilots with an estimate (some pilots have no data on a rare group).</param>
/// <param name="Cost">Mean cost of the pilot, GBP: running the proposal for its treated persons over its months (added to the status quo's), and evaluating each of its units; null when the strand reports no running cost and the section no evaluation cost.</param>
public sealed record PilotRow(string Design, string Outcome, string Group, int Months, int AreasPerArm, long Persons, double Power, double PowerSe,
    double? Bias, double? BiasSe, double? Coverage, double? Mde, double? Icc, double? AnalyticPower, double TrueEffect, int Estimates, double? Cost);

/// <summary>
/// Simulates pilots from the engine's unit-by-unit counts: for each simulated pilot (one engine
/// replicate, so parameters, area effects and persons are fresh in each), draws the order in which
/// candidate units join the pilot, and for each size takes the first units (treated, then control:
/// sizes are nested, so power curves are smooth), scales the year's events to each duration by
/// binomial thinning, splits persons between arms for the individually randomised design, and
/// analyses each outcome as the real pilot would (<see cref="TrialAnalysis"/>). Pilots are
/// independent and their answers are reduced in pilot order: any thread count gives the same rows.
/// </summary>
public static class PilotSimulator
{
    public const string Cluster = "cluster-randomised";
    public const string Individual = "individually-randomised";

    /// <summary>Simulates every design × duration × size × outcome of <paramref name="setup"/>.</summary>
    /// <param name="setup">The resolved pilot section.</param>
    /// <param name="counts">The engine's counts, one replicate per simulated pilot.</param>
    /// <param name="enrolled">Persons enrolled in each unit.</param>
    /// <param name="settings">Seed, simulations, grid, and whether counts are a year's.</param>
    /// <param name="threads">Threads (0: every core).</param>
    /// <param name="cancellationToken">Stops between pilots.</param>
    /// <param name="outcomes">The outcomes as simulated (a safeguard's harm chosen).</param>
    public static IReadOnlyList<PilotRow> Simulate(PilotSetup setup, AreaCounts counts, IReadOnlyList<long> enrolled, PilotSettings settings,
        int threads, CancellationToken cancellationToken, out ImmutableArray<PilotOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(enrolled);
        ArgumentNullException.ThrowIfNull(settings);
        PilotOutcome[] chosen = [.. setup.Outcomes.Select(o => PilotSetup.ChooseHarm(o, slot => Events(setup, counts, slot)))];
        outcomes = [.. chosen];
        string[] designs = [.. setup.Spec.Designs];
        int[] months = [.. setup.Spec.DurationsMonths.Select(m => (int)m)];
        int[] sizes = [.. settings.AreasPerArm];
        int n = settings.Simulations, o = chosen.Length;
        double alpha = setup.Spec.Alpha.Mean, target = setup.Spec.Power.Mean;
        int cells = designs.Length * months.Length * sizes.Length;
        // Per pilot: per cell × outcome, the estimate, whether it rejects, whether it covers; per cell, persons and cost.
        var estimate = new double[n, cells * o];
        var truth = new double[n, designs.Length * o];
        var reject = new bool[n, cells * o];
        var covers = new bool[n, cells * o];
        var persons = new long[n, cells];
        var cost = new double[n, cells];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, n, parallel, i =>
            {
                var pilot = new OnePilot(setup, counts, enrolled, settings, chosen, i, alpha);
                for (int d = 0; d < designs.Length; d++)
                {
                    for (int oi = 0; oi < o; oi++)
                        truth[i, d * o + oi] = pilot.Truth(chosen[oi], designs[d] == Cluster);
                }

                int cell = 0;
                foreach (string design in designs)
                {
                    bool cluster = design == Cluster;
                    int truthAt = Array.IndexOf(designs, design) * o;
                    foreach (int m in months)
                    {
                        pilot.Thin(m);
                        foreach (int k in sizes)
                        {
                            persons[i, cell] = pilot.Persons(k);
                            cost[i, cell] = pilot.Cost(k, m, cluster);
                            for (int oi = 0; oi < o; oi++)
                            {
                                TrialAnswer a = pilot.Analyse(oi, k, m, cluster, truth[i, truthAt + oi]);
                                estimate[i, cell * o + oi] = a.Estimate;
                                reject[i, cell * o + oi] = a.PValue < alpha;
                                covers[i, cell * o + oi] = a.Covers;
                            }

                            cell++;
                        }
                    }
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // A body stopped by the token: the caller sees a cancellation, as from the runner.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }

        var analytic = new AnalyticPilot(setup, counts, chosen, settings, alpha, target);
        var rows = new List<PilotRow>();
        int c = 0;
        for (int d = 0; d < designs.Length; d++)
        {
            string design = designs[d];
            foreach (int m in months)
            {
                foreach (int k in sizes)
                {
                    double meanPersons = 0, meanCost = 0;
                    for (int i = 0; i < n; i++)
                    {
                        meanPersons += persons[i, c];
                        meanCost += cost[i, c];
                    }

                    meanPersons /= n;
                    meanCost /= n;
                    for (int oi = 0; oi < o; oi++)
                    {
                        PilotOutcome outcome = chosen[oi];
                        int column = c * o + oi, t = d * o + oi;
                        double meanTruth = 0;
                        int truths = 0;
                        for (int i = 0; i < n; i++)
                        {
                            if (!double.IsNaN(truth[i, t]))
                                (meanTruth, truths) = (meanTruth + truth[i, t], truths + 1);
                        }

                        meanTruth = truths > 0 ? meanTruth / truths : double.NaN;
                        int hits = 0, covered = 0, valid = 0;
                        double sum = 0, sumSq = 0, sumEst = 0, sumEstSq = 0;
                        for (int i = 0; i < n; i++)
                        {
                            double e = estimate[i, column];
                            // A rejection counts when its estimate points the way of the true effect (an estimate that
                            // cannot be formed, as a share prevented of no harm, points nowhere).
                            bool inDirection = outcome.Sides == 1 || (!double.IsNaN(e)
                                && (double.IsNaN(meanTruth) || meanTruth == Null(outcome) || Math.Sign(e - Null(outcome)) == Math.Sign(meanTruth - Null(outcome))));
                            if (reject[i, column] && inDirection)
                                hits++;
                            if (double.IsNaN(e) || double.IsNaN(truth[i, t]))
                                continue;
                            valid++;
                            covered += covers[i, column] ? 1 : 0;
                            double error = e - truth[i, t];
                            sum += error;
                            sumSq += error * error;
                            sumEst += e;
                            sumEstSq += e * e;
                        }

                        double power = (double)hits / n;
                        double? bias = valid > 0 ? sum / valid : null;
                        double? biasSe = valid > 1 ? Math.Sqrt(Math.Max(0, (sumSq - sum * sum / valid) / (valid - 1)) / valid) : null;
                        double? sd = valid > 1 ? Math.Sqrt(Math.Max(0, (sumEstSq - sumEst * sumEst / valid) / (valid - 1))) : null;
                        double z = Normal.UpperQuantile(alpha / outcome.Sides) + Normal.Quantile(target);
                        double? mde = sd is { } s ? (outcome.Spec.Kind == PilotOutcomeKind.HarmTolerance ? outcome.Target : 0) + z * s : null;
                        (double? icc, double? analyticPower) = analytic.At(oi, design, m, k);
                        rows.Add(new PilotRow(design, outcome.Spec.Id, outcome.Group, m, k, (long)Math.Round(meanPersons), power,
                            Math.Sqrt(power * (1 - power) / n), bias, biasSe, valid > 0 ? (double)covered / valid : null, mde, icc, analyticPower,
                            meanTruth, valid, setup.Cost is null && setup.Spec.EvaluationCostPerArea is null ? null : meanCost));
                    }

                    c++;
                }
            }
        }

        return rows;
    }

    /// <summary>The value of no effect: 0 for a difference or a share prevented; the tolerance for a harm.</summary>
    internal static double Null(PilotOutcome outcome) => outcome.Spec.Kind == PilotOutcomeKind.HarmTolerance ? outcome.Target : 0;

    /// <summary>A rate's events over every unit and replicate: Σ numerator (in events).</summary>
    internal static double Events(PilotSetup setup, AreaCounts counts, RateSlot slot) => slot.Events(Sums(setup, counts, slot).Numerator);

    /// <summary>A rate's value pooled over every unit and replicate: Σ numerator / Σ denominator.</summary>
    internal static double PooledRate(PilotSetup setup, AreaCounts counts, RateSlot slot)
    {
        (double x, double d) = Sums(setup, counts, slot);
        return slot.Rate(x, d);
    }

    /// <summary>A slot's numerator and denominator, as counted, summed over every unit and replicate.</summary>
    private static (double Numerator, double Denominator) Sums(PilotSetup setup, AreaCounts counts, RateSlot slot)
    {
        int num = setup.CounterIndex(slot.Variant, slot.Row, slot.Numerator), den = setup.CounterIndex(slot.Variant, slot.Row, slot.Denominator);
        double x = 0, d = 0;
        for (int r = 0; r < counts.Replicates; r++)
        {
            for (int u = 0; u < counts.Units; u++)
            {
                x += counts[r, u, num];
                d += counts[r, u, den];
            }
        }

        return (x, d);
    }
}
