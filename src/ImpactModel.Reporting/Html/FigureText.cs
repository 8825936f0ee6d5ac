using System.Globalization;

namespace ImpactModel.Reporting.Html;

/// <summary>
/// A figure written for people: its value rounded to three significant figures in the unit's own
/// form (£ with "million"/"billion", counts with thousands separators, rates as per cent, ratios as
/// "times"), its 95% interval, its unit in words, and the mark of a figure resting on fewer than
/// <see cref="RunData.ReliableEvents"/> simulated events. Shared by the report, its summary and any
/// other view that quotes figures (so they all round the same way).
/// </summary>
public static class FigureText
{
    /// <summary>The mark of a figure resting on too few simulated events (never quoted bare).</summary>
    public const string UnreliableMark = "unreliable (fewer than 30 simulated events)";

    /// <summary>What stands for an interval when the run had fewer than 2 replicates.</summary>
    public const string NoInterval = "no interval (fewer than 2 replicates)";

    /// <summary>What a ratio against <c>rest</c> is in words.</summary>
    public const string RatioWords = "times the figure for people in no peripheral group";

    private const char Minus = '\u2212';

    /// <summary>The unit in words for people: <c>persons</c> reads "people", money loses its leading "GBP" (the value carries £).</summary>
    public static string UnitWords(ManifestMetric? metric)
    {
        if (metric is null)
            return "";
        string unit = metric.Unit switch
        {
            "persons" => "people",
            "rate" => metric.Denominator is { } d ? "per cent of " + d : "per cent",
            "ratio" => RatioWords,
            _ => metric.Unit,
        };
        return IsMoney(metric) ? unit[4..] : unit;
    }

    /// <summary>True for a metric in GBP.</summary>
    public static bool IsMoney(ManifestMetric? metric) => metric is not null && metric.Unit.StartsWith("GBP ", StringComparison.Ordinal);

    /// <summary>A metric's name in words: <c>net_benefit_vs_status_quo</c> reads "net benefit against the status quo".</summary>
    public static string MetricWords(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        string words = metric.Replace("_vs_", " against the ", StringComparison.Ordinal).Replace('_', ' ');
        int dot = words.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? words : $"{words[..dot]} ({words[(dot + 1)..]})";
    }

    /// <summary>The value alone in the metric's form (<c>£668 million</c>, <c>50,600</c>, <c>1.23%</c>, <c>2.31</c>).</summary>
    public static string Value(double value, ManifestMetric? metric)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            return "undefined";
        string unit = metric?.Unit ?? "";
        string sign = value < 0 ? Minus.ToString() : "";
        double magnitude = Math.Abs(value);
        if (IsMoney(metric))
            return sign + "£" + Large(magnitude);
        if (unit == "rate")
            return sign + Significant(magnitude * 100) + "%";
        if (unit == "ratio")
            return sign + Significant(magnitude);
        return sign + Large(magnitude);
    }

    /// <summary>The 95% interval in words (<c>95% interval £452 million to £853 million</c>), or <see cref="NoInterval"/>.</summary>
    public static string Interval(Figure figure, ManifestMetric? metric) =>
        figure.Low is { } low && figure.High is { } high
            ? $"95% interval {Value(low, metric)} to {Value(high, metric)}"
            : NoInterval;

    /// <summary>
    /// The figure as a phrase: value, unit, interval and (when it rests on too few events) the
    /// unreliable mark, e.g. <c>50,600 people (95% interval 30,400 to 78,200)</c> or
    /// <c>£668 million present value over 5 years … (95% interval …)</c>.
    /// </summary>
    public static string Phrase(Figure figure, ManifestMetric? metric)
    {
        string unit = UnitWords(metric);
        string value = Value(figure.Mean, metric);
        if (metric?.Unit == "rate")
            unit = metric.Denominator is { } d ? "of " + d : "";
        else if (metric?.Unit == "ratio")
            unit = RatioWords;
        string head = unit.Length == 0 ? value : value + " " + unit.TrimEnd();
        return $"{head} ({Interval(figure, metric)}{(figure.Unreliable ? "; " + UnreliableMark : "")})";
    }

    /// <summary>A table cell's value: the value, with the unreliable mark when it rests on too few events.</summary>
    public static string Cell(Figure figure, ManifestMetric? metric) =>
        figure.Unreliable ? $"{Value(figure.Mean, metric)} ({UnreliableMark})" : Value(figure.Mean, metric);

    /// <summary>A table cell's interval: <c>£452 million to £853 million</c>, or <see cref="NoInterval"/>.</summary>
    public static string IntervalCell(Figure figure, ManifestMetric? metric) =>
        figure.Low is { } low && figure.High is { } high ? $"{Value(low, metric)} to {Value(high, metric)}" : NoInterval;

    /// <summary>A parameter's value: four significant figures, invariant culture, no exponent for everyday sizes.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            return "undefined";
        double a = Math.Abs(value);
        return a != 0 && (a >= 1e9 || a < 1e-4)
            ? value.ToString("G4", CultureInfo.InvariantCulture)
            : RoundSignificant(value, 4).ToString("#,0.##########", CultureInfo.InvariantCulture);
    }

    /// <summary>A whole count with thousands separators (<c>67,596,281</c>).</summary>
    public static string Whole(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    // A magnitude of money or a count: three significant figures, "million" and "billion" in words.
    // Rounded before the scale is chosen, so 999,999.5 reads "1 million", not "1,000,000" (nor "1,000 thousand").
    private static string Large(double magnitude)
    {
        double rounded = RoundSignificant(magnitude, 3);
        return rounded switch
        {
            >= 1e9 => Significant(rounded / 1e9) + " billion",
            >= 1e6 => Significant(rounded / 1e6) + " million",
            >= 1000 => rounded.ToString("N0", CultureInfo.InvariantCulture),
            _ => Significant(rounded),
        };
    }

    // Three significant figures without an exponent: 2.31, 0.0123, 668, 12,300.
    private static string Significant(double magnitude)
    {
        if (magnitude == 0)
            return "0";
        double rounded = RoundSignificant(magnitude, 3);
        int decimals = Math.Max(0, 2 - (int)Math.Floor(Math.Log10(rounded)));
        return rounded.ToString("#,0." + new string('#', Math.Min(decimals, 12)), CultureInfo.InvariantCulture).TrimEnd('.');
    }

    private static double RoundSignificant(double value, int digits)
    {
        if (value == 0)
            return 0;
        int scale = digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(value)));
        return scale >= 0
            ? Math.Round(value, Math.Min(scale, 15), MidpointRounding.AwayFromZero)
            : Math.Round(value / Math.Pow(10, -scale), MidpointRounding.AwayFromZero) * Math.Pow(10, -scale);
    }
}
