using System.Globalization;

namespace ImpactModel.Reporting.Charts;

/// <summary>How a metric's values are drawn: divided by <paramref name="Divisor"/> and named <paramref name="Words"/> on the axis.</summary>
/// <param name="Divisor">1, 1,000 or 1,000,000.</param>
/// <param name="Words">The unit in words after scaling ("£ million", "thousand people", "% of claimants").</param>
/// <param name="Kind">What the metric is.</param>
internal readonly record struct AxisScale(double Divisor, string Words, UnitKind Kind)
{
    public double Apply(double value) => value / Divisor;
}

internal enum UnitKind
{
    Money,
    Count,
    Rate,
    Ratio,
}

/// <summary>Metric names, units and numbers in words for axes and data tables (InvariantCulture throughout).</summary>
internal static class ChartUnits
{
    public const string UnreliableNote = "unreliable (fewer than 30 simulated events)";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A metric name in words: <c>wrongful_adverse_actions</c> → "Wrongful adverse actions"; a qualifier after a dot in brackets.</summary>
    public static string Words(string metric)
    {
        string name = metric, qualifier = "";
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            name = metric[..dot];
            qualifier = " (" + metric[(dot + 1)..] + ")";
        }

        string words = name.Replace("_vs_", " vs ", StringComparison.Ordinal).Replace('_', ' ');
        return words.Length == 0 ? metric : char.ToUpperInvariant(words[0]) + words[1..] + qualifier;
    }

    /// <summary>The kind of a manifest unit.</summary>
    public static UnitKind KindOf(string unit) =>
        unit.StartsWith("GBP", StringComparison.Ordinal) ? UnitKind.Money
        : unit == "rate" ? UnitKind.Rate
        : unit == "ratio" ? UnitKind.Ratio
        : UnitKind.Count;

    /// <summary>What a count counts, in words: "persons" → "people".</summary>
    public static string Noun(string unit) => unit == "persons" ? "people" : unit;

    /// <summary>The words after "GBP" in a money unit ("present value over 5 years at 2014 prices, discounted at 3.5%"), else empty.</summary>
    public static string MoneyTail(string unit) => unit.StartsWith("GBP ", StringComparison.Ordinal) ? unit[4..] : "";

    /// <summary>The scale for values of <paramref name="metric"/> whose largest magnitude is <paramref name="maxAbs"/>.</summary>
    public static AxisScale ScaleOf(ManifestMetric? metric, double maxAbs)
    {
        string unit = metric?.Unit ?? "";
        UnitKind kind = KindOf(unit);
        return kind switch
        {
            UnitKind.Money => maxAbs >= 1e6 ? new(1e6, "£ million", kind) : maxAbs >= 1e4 ? new(1e3, "£ thousand", kind) : new(1, "£", kind),
            UnitKind.Rate => new(0.01, metric?.Denominator is { Length: > 0 } d ? "% of " + d : "%", kind),
            UnitKind.Ratio => new(1, "ratio", kind),
            _ => maxAbs >= 1e6 ? new(1e6, "million " + Noun(unit), kind) : maxAbs >= 1e4 ? new(1e3, "thousand " + Noun(unit), kind) : new(1, Noun(unit), kind),
        };
    }

    /// <summary>An axis label: the metric in words with its unit in brackets.</summary>
    public static string AxisLabel(string words, ManifestMetric? metric, AxisScale scale)
    {
        // The axis keeps the money's basis short ("present value over 5 years"); the price year and
        // discount rate are in the data table's unit and the report's manifest.
        string tail = metric is null ? "" : MoneyTail(metric.Unit);
        int at = tail.IndexOf(" at ", StringComparison.Ordinal);
        tail = at > 0 ? tail[..at] : tail;
        return words + " (" + scale.Words + (tail.Length > 0 ? ", " + tail : "") + ")";
    }

    /// <summary>A metric's unit as the data table states it.</summary>
    public static string TableUnit(ManifestMetric? metric) => metric is null ? "" : KindOf(metric.Unit) switch
    {
        UnitKind.Money => "£ " + MoneyTail(metric.Unit),
        UnitKind.Rate => metric.Denominator is { Length: > 0 } d ? "% of " + d : "%",
        UnitKind.Ratio => "ratio to " + (metric.Denominator ?? "rest"),
        _ => Noun(metric.Unit),
    };

    /// <summary>A value as the data table prints it: money and counts whole, rates as percentages, ratios to 2 decimals.</summary>
    public static string Number(double? value, ManifestMetric? metric)
    {
        if (value is not { } v || !double.IsFinite(v))
            return "";
        return (metric is null ? UnitKind.Count : KindOf(metric.Unit)) switch
        {
            UnitKind.Money => (v < 0 ? "−£" : "£") + Math.Abs(v).ToString("N0", Invariant),
            UnitKind.Rate => (v * 100).ToString(Math.Abs(v) >= 0.01 ? "0.00" : "0.####", Invariant),
            UnitKind.Ratio => v.ToString("0.00", Invariant),
            _ => Math.Abs(v) >= 100 ? v.ToString("N0", Invariant) : v.ToString("0.##", Invariant),
        };
    }

    /// <summary>A short number for a sentence (alt text): "£12.3 million", "4,560 people".</summary>
    public static string Short(double value, ManifestMetric? metric)
    {
        AxisScale s = ScaleOf(metric, Math.Abs(value));
        string sign = value < 0 ? "−" : "";
        string n = s.Apply(Math.Abs(value)).ToString(s.Divisor > 1 ? "0.#" : "N0", Invariant);
        return s.Kind switch
        {
            UnitKind.Money => sign + (s.Divisor switch { 1e6 => $"£{n} million", 1e3 => $"£{n} thousand", _ => $"£{n}" }),
            UnitKind.Rate => sign + s.Apply(Math.Abs(value)).ToString("0.##", Invariant) + "%",
            UnitKind.Ratio => value.ToString("0.00", Invariant),
            _ => $"{sign}{n} {s.Words}",
        };
    }
}
