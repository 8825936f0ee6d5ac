using System.Globalization;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Pilot.Simulation;

/// <summary>
/// What a pilot planner reads first, in sentences made from the rows: for each outcome, the smallest
/// pilot of each design and duration that reaches the target power (and, for the benefit, the one to
/// plan for); for each harm, whether any pilot within the candidate areas can detect it.
/// </summary>
public static class PilotSummary
{
    /// <summary>The sentences, in the outcomes' order.</summary>
    public static IReadOnlyList<string> Of(PilotStudyResult study)
    {
        ArgumentNullException.ThrowIfNull(study);
        PilotSetup setup = study.Setup;
        double target = setup.Spec.Power.Mean;
        string units = setup.ByAuthority ? "local authorities" : "areas";
        var lines = new List<string>();
        foreach (PilotOutcome outcome in study.Outcomes)
        {
            var rows = study.Rows.Where(r => r.Outcome == outcome.Spec.Id).ToList();
            if (rows.Count == 0)
                continue;
            int largest = rows.Max(r => r.AreasPerArm);
            // The smallest pilot that reaches the target: fewest persons, then fewest months.
            PilotRow? smallest = rows.Where(r => r.Power >= target).OrderBy(r => r.Persons).ThenBy(r => r.Months).ThenBy(r => r.Design, StringComparer.Ordinal).FirstOrDefault();
            string what = Words(outcome);
            if (outcome.Spec.Kind == PilotOutcomeKind.HarmTolerance)
            {
                string group = GroupWords(setup.Scenario, outcome.Group);
                string tolerance = Percent(outcome.Target);
                PilotRow best = rows.OrderByDescending(r => r.AreasPerArm).ThenByDescending(r => r.Months).ThenByDescending(r => r.Power).First();
                string rate = double.IsNaN(best.TrueEffect) ? "" : $"; the scenario's rate is {Percent(best.TrueEffect)}{(study.Settings.YearlyOutcomes ? " a year" : "")}{(best.TrueEffect <= outcome.Target ? ", at or below the tolerance, so a pilot should not find harm above it" : "")}";
                lines.Add(smallest is null
                    ? $"no pilot within {largest} {units} per arm can detect {what} above {tolerance} among {group} (power {Fixed(best.Power)} at {best.AreasPerArm} {units}, {best.Months} months, {best.Design}{rate})"
                    : $"a pilot can detect {what} above {tolerance} among {group}: {Design(smallest, units)} reaches power {Fixed(smallest.Power)} ± {Fixed(smallest.PowerSe)}{rate}");
                continue;
            }

            string effect = outcome.Spec.Kind == PilotOutcomeKind.Benefit
                ? $"a difference of {Number(rows[0].TrueEffect)} a person{(study.Settings.YearlyOutcomes ? " a year" : "")} in the simulation; minimum effect of interest {Number(outcome.Target)}"
                : $"it prevents {Percent(rows[0].TrueEffect)} of {Words(outcome.Metric)} in the simulation; minimum effect of interest {Percent(outcome.Target)}";
            lines.Add(smallest is null
                ? $"{outcome.Spec.Id} ({what}; {effect}): no pilot within {largest} {units} per arm reaches power {Fixed(target)} (at most {Fixed(rows.Max(r => r.Power))})"
                : $"{outcome.Spec.Id} ({what}; {effect}): the smallest pilot that reaches power {Fixed(target)} is {Design(smallest, units)} (power {Fixed(smallest.Power)} ± {Fixed(smallest.PowerSe)}; analytic {(smallest.AnalyticPower is { } a ? Fixed(a) : "n/a")}{Detects(outcome, smallest)}{Cost(smallest)})");
            foreach (var design in rows.GroupBy(r => (r.Design, r.Months)))
            {
                PilotRow? first = design.Where(r => r.Power >= target).OrderBy(r => r.AreasPerArm).FirstOrDefault();
                lines.Add(first is null
                    ? $"  {design.Key.Design}, {design.Key.Months} months: not within {largest} {units} per arm (power {Fixed(design.Max(r => r.Power))} at most)"
                    : $"  {design.Key.Design}, {design.Key.Months} months: {first.AreasPerArm} {units} per arm, {first.Persons:N0} persons (power {Fixed(first.Power)} ± {Fixed(first.PowerSe)}{Cost(first)})");
            }
        }

        return lines;
    }

    private static string Design(PilotRow row, string units) => row.Design == PilotSimulator.Cluster
        ? $"a cluster-randomised pilot of {row.AreasPerArm} {units} per arm for {row.Months} months ({row.Persons:N0} persons)"
        : $"an individually randomised pilot in {2 * row.AreasPerArm} {units} for {row.Months} months ({row.Persons:N0} persons, half in each arm)";

    /// <summary>The smallest effect the pilot detects at the target power, against the minimum effect of interest.</summary>
    private static string Detects(PilotOutcome outcome, PilotRow row) => row.Mde is not { } mde ? ""
        : outcome.Spec.Kind == PilotOutcomeKind.Benefit
            ? $"; it detects a difference from {Number(mde)}, {(mde <= outcome.Target ? "within" : "above")} the minimum of interest {Number(outcome.Target)}"
            : $"; it detects a share prevented from {Percent(mde)}, {(mde <= outcome.Target ? "within" : "above")} the minimum of interest {Percent(outcome.Target)}";

    private static string Cost(PilotRow row) => row.Cost is { } c ? string.Create(CultureInfo.InvariantCulture, $"; cost about GBP {c:N0}") : "";

    private static string Words(PilotOutcome o) => o.Spec.Kind switch
    {
        PilotOutcomeKind.SafeguardEfficacy => $"what the safeguard '{o.Spec.Safeguard}' prevents",
        _ => Words(o.Metric),
    };

    private static string Words(string metric) => metric.Replace('_', ' ').Replace('.', ' ');

    private static string GroupWords(Scenario scenario, string group)
    {
        GroupSpec? spec = scenario.Population.Groups.FirstOrDefault(g => g.Id == group);
        return spec?.Name is { } name ? $"the group '{name}'" : $"the group '{group}'";
    }

    private static string Percent(double value) => double.IsNaN(value) ? "n/a" : (value * 100).ToString(value * 100 >= 1 ? "0.#" : "0.###", CultureInfo.InvariantCulture) + "%";

    private static string Fixed(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Number(double value) => double.IsNaN(value) ? "n/a" : value.ToString("G3", CultureInfo.InvariantCulture);
}
