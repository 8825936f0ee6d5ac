using System.Globalization;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Reporting;

namespace ImpactModel.Worker.Output;

/// <summary>
/// The basis a run's money is stated on, from its scenario: the price year, and for present values
/// the horizon and discount rate (null when the rate is uncertain: drawn per replicate).
/// </summary>
/// <param name="PriceYear">The scenario's <c>price_year</c>.</param>
/// <param name="HorizonYears">The scenario's <c>horizon_years</c>.</param>
/// <param name="DiscountRate">The scenario's <c>discount_rate</c> when it is a fixed value; null when it is a distribution.</param>
/// <param name="DiscountText">The discount rate as declared, a number or a distribution.</param>
/// <param name="Population">The population's name (its year basis, e.g. "United Kingdom, mid-2022"), or null.</param>
public sealed record MoneyBasis(int PriceYear, int HorizonYears, double? DiscountRate, string? DiscountText = null, string? Population = null)
{
    /// <summary>The basis of <paramref name="scenario"/>'s money.</summary>
    public static MoneyBasis Of(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return new(scenario.PriceYear, scenario.HorizonYears, !scenario.DiscountRate.IsUncertain && scenario.DiscountRate.Value is FixedValue f ? f.Value : null,
            scenario.DiscountRate.Value.ToString(), scenario.Population.Name);
    }

    /// <summary>The manifest's <c>basis</c>.</summary>
    public ManifestBasis ToManifest() =>
        new(PriceYear, HorizonYears, DiscountText ?? DiscountRate?.ToString("R", CultureInfo.InvariantCulture) ?? "uncertain", Population);
}

/// <summary>
/// The one place a metric's unit becomes words, for the manifest's <c>metrics</c>, the printed run
/// summary and <c>impact run --json</c> (docs/metrics.md gives the same units by hand): persons (or
/// what a count counts), GBP a year or present value with the price year, a rate with what it is
/// per, a ratio against <c>rest</c>. Also how a figure is quoted, and when it is not.
/// </summary>
public static class MetricUnits
{
    /// <summary>
    /// Fewest simulated events (summed over replicates) for a figure to be quoted. A rule of thumb: a
    /// Poisson count of 30 has a relative standard error of 1/√30 ≈ 18%, so below it the figure is
    /// mostly the chance of which few persons the simulation happened to draw.
    /// </summary>
    public const int ReliableEvents = 30;

    /// <summary>What the 95% interval of the printed summary is, and when a figure is not quoted (said once).</summary>
    public static string IntervalNote { get; } = string.Create(CultureInfo.InvariantCulture,
        $"95% interval: the 2.5th to 97.5th percentile over replicates (parameter uncertainty and chance); " +
        $"a figure resting on fewer than {ReliableEvents} simulated events (summed over replicates) is not quoted");

    /// <summary>The years a run's figures are stated in, in words: the population, prices, horizon and discount rate.</summary>
    public static string BasisLine(MoneyBasis money)
    {
        ArgumentNullException.ThrowIfNull(money);
        string population = money.Population is { } p ? $"persons of {p}; " : "";
        string rate = money.DiscountRate is null && money.DiscountText is { } text ? $"a rate drawn from {text}" : Discount(money);
        return string.Create(CultureInfo.InvariantCulture,
            $"{population}money in GBP at {money.PriceYear} prices; present values over {money.HorizonYears} years discounted at {rate}");
    }

    /// <summary>How many parameters carried uncertainty and how, in one sentence.</summary>
    public static string UncertaintyLine(UncertaintySummary u)
    {
        ArgumentNullException.ThrowIfNull(u);
        int defaults = u.HeldFixed.Count(h => h.Reason == Parameter.EngineDefaultReason);
        return string.Create(CultureInfo.InvariantCulture,
            $"{u.Uncertain} of {u.PerReplicate} parameters drawn per replicate vary ({u.Declared} given distributions, {u.SpreadByGrade} single numbers " +
            $"spread by grade: σ {u.AssumptionSpread} for assumptions, {u.ExpertJudgementSpread} for expert judgement); " +
            $"held as written: {u.FixedByEvidence} published or survey figures, {u.Choices} design choices, {u.HeldFixed.Length - defaults} held fixed with a reason, " +
            $"{defaults} engine defaults, {u.Certain} certain (a probability of 0 or 1, an amount of 0); " +
            $"{u.PerPerson.Length} quantities vary from person to person (manifest: uncertainty)");
    }

    /// <summary>What a ratio against rest is per.</summary>
    public const string RatioDenominator = "the same metric for rest";

    /// <summary>The unit of <paramref name="metric"/> in words: <c>persons</c>, <c>claims</c>, <c>GBP a year at 2014 prices</c>, <c>rate</c>, <c>ratio</c>.</summary>
    public static string Unit(ReportedMetric metric, MoneyBasis money)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(money);
        if (metric.IsRatio)
            return "ratio";
        MetricDefinition d = metric.Definition;
        return d.Unit switch
        {
            MetricUnit.Persons => d.Counts ?? "persons",
            MetricUnit.Money when d.PresentValue => string.Create(CultureInfo.InvariantCulture,
                $"GBP present value over {money.HorizonYears} years at {money.PriceYear} prices, discounted at {Discount(money)}"),
            MetricUnit.Money => string.Create(CultureInfo.InvariantCulture, $"GBP a year at {money.PriceYear} prices"),
            MetricUnit.Quantity => d.Counts ?? "value",
            _ => "rate",
        };
    }

    /// <summary>What a rate is per, in words (<c>claimants</c>, <c>correct claims</c>); for a ratio, <see cref="RatioDenominator"/>; otherwise null.</summary>
    public static string? Denominator(ReportedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (metric.IsRatio)
            return RatioDenominator;
        if (metric.Definition.Unit != MetricUnit.Rate)
            return null;
        return metric.Definition.Per ?? Words(metric.DenominatorCounter ?? throw new InvalidOperationException($"rate '{metric.Name}' has no denominator counter"));
    }

    /// <summary>The manifest's <c>metrics</c>: every metric of the run once, in the run's order.</summary>
    public static IReadOnlyList<ManifestMetric> Manifest(RunResult result, MoneyBasis money)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Metrics.Select(m => new ManifestMetric(m.Name, Unit(m, money), Denominator(m), m.Definition.IsHarm, result.HeadlineMetrics.Contains(m.Name)))];
    }

    /// <summary>The run's metric named <paramref name="name"/>.</summary>
    public static ReportedMetric Find(RunResult result, string name)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Metrics.FirstOrDefault(m => m.Name == name) ?? throw new InvalidOperationException($"the run reports no metric '{name}'");
    }

    /// <summary>
    /// A figure of the printed summary with its unit in words: <c>761 persons</c>, <c>£446,950,328 a year (2014 prices)</c>,
    /// <c>0.99% of claimants</c>, <c>2.3 times rest</c>, then its 95% interval in the same form; <c>undefined</c> without
    /// a value; <c>unreliable (rests on 12 simulated events over 40 replicates)</c>, and no number, when fewer than
    /// <see cref="ReliableEvents"/> events are behind it.
    /// </summary>
    public static string Figure(ResultRow row, ReportedMetric metric, MoneyBasis money, int replicates)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(money);
        if (row.Summary.Mean is not { } mean)
            return "undefined";
        if (row.Events is 0)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"none simulated over {replicates:N0} {(replicates == 1 ? "replicate" : "replicates")} (too rare to quote a figure)");
        }

        if (row.Events is { } events && events < ReliableEvents)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"unreliable (rests on {events:N0} simulated {(events == 1 ? "event" : "events")} over {replicates:N0} {(replicates == 1 ? "replicate" : "replicates")})");
        }

        string figure = Number(mean, metric) + Suffix(metric, money);
        return row.Summary is { Low: { } low, High: { } high }
            ? $"{figure}, 95% interval {Number(low, metric)} to {Number(high, metric)}"
            : figure;
    }

    /// <summary>A value in its unit's form, without the unit's words: <c>761</c>, <c>£446,950,328</c>, <c>0.99%</c>, <c>2.3</c>.</summary>
    private static string Number(double x, ReportedMetric metric)
    {
        if (metric.IsRatio)
            return Significant(x, 2);
        return metric.Definition.Unit switch
        {
            MetricUnit.Persons => Math.Round(x).ToString("N0", CultureInfo.InvariantCulture),
            MetricUnit.Money => (x < 0 ? "-£" : "£") + Math.Round(Math.Abs(x)).ToString("N0", CultureInfo.InvariantCulture),
            MetricUnit.Quantity => Significant(x, 3),
            _ => Significant(100 * x, 3) + "%",
        };
    }

    /// <summary>What follows the number of a summary figure: <c> persons</c>, <c> a year (2014 prices)</c>, <c> of claimants</c>, <c> times rest</c>.</summary>
    private static string Suffix(ReportedMetric metric, MoneyBasis money)
    {
        if (metric.IsRatio)
            return " times rest";
        MetricDefinition d = metric.Definition;
        return d.Unit switch
        {
            MetricUnit.Persons => " " + (d.Counts ?? "persons"),
            MetricUnit.Money when d.PresentValue => string.Create(CultureInfo.InvariantCulture,
                $" present value over {money.HorizonYears} years ({money.PriceYear} prices)"),
            MetricUnit.Money => string.Create(CultureInfo.InvariantCulture, $" a year ({money.PriceYear} prices)"),
            MetricUnit.Quantity => d.Counts is { } unit ? " " + unit : "",
            _ => " of " + Denominator(metric),
        };
    }

    /// <summary>The discount rate as a percentage (<c>3.5%</c>), or the scenario's parameter when it is uncertain.</summary>
    private static string Discount(MoneyBasis money) => money.DiscountRate is { } r
        ? (100 * r).ToString("0.######", CultureInfo.InvariantCulture) + "%"
        : "the scenario's discount_rate";

    /// <summary><paramref name="x"/> to <paramref name="digits"/> significant digits in fixed point, trailing zeros dropped: 0.99, 12.3, 1,250.</summary>
    internal static string Significant(double x, int digits)
    {
        if (x == 0 || !double.IsFinite(x))
            return x.ToString(CultureInfo.InvariantCulture);
        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        int decimals = Math.Clamp(digits - 1 - magnitude, 0, 12);
        string text = Math.Round(x, decimals, MidpointRounding.AwayFromZero).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return decimals > 0 ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>A counter's name in words: the part after any block prefix, underscores as spaces (<c>correct_claims</c>: correct claims).</summary>
    private static string Words(string counter) => counter[(counter.LastIndexOf('.') + 1)..].Replace('_', ' ');
}
