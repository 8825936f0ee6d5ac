using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace ImpactModel.Worker.Cli;

/// <summary>
/// Options shared by several verbs, and the one place where every numeric option of every verb is
/// parsed. A value that is not a number of the option's kind, or lies outside its range, is a parse
/// error of one line naming the option and the accepted form (exit 2, no help dump), e.g.
/// <c>--population: 'abc' is not a whole number from 1 to 100,000,000</c>. System.CommandLine's own
/// conversion is never used for numbers: its message names .NET types (<c>System.Nullable`1[…]</c>),
/// and a validator that reads a value it could not convert throws out of the parser.
/// The ranges of run, describe and serve are PRODUCT.md's, from <see cref="Limits"/>.
/// </summary>
public static class CommonOptions
{
    /// <summary>Most characters of a bad value quoted back: a value can be arbitrarily long.</summary>
    private const int MaxQuoted = 200;

    /// <summary><c>--population N</c>: persons, <see cref="Limits.MinPopulation"/> to <see cref="Limits.MaxPopulation"/>.</summary>
    public static Option<long?> Population(string description) =>
        Whole("--population", description, "N", Limits.MinPopulation, Limits.MaxPopulation);

    /// <summary><c>--replicates N</c>: <see cref="Limits.MinReplicates"/> to <see cref="Limits.MaxReplicates"/>.</summary>
    public static Option<int?> Replicates(string description) =>
        Whole("--replicates", description, "N", Limits.MinReplicates, Limits.MaxReplicates);

    /// <summary><c>--threads N</c>: <see cref="Limits.MinThreads"/> to <see cref="Limits.MaxThreads"/>.</summary>
    public static Option<int?> Threads() => Whole("--threads",
        "Worker threads (default: every core). Results are identical for any thread count.", "N", Limits.MinThreads, Limits.MaxThreads);

    /// <summary><c>--seed N</c>: any unsigned 64-bit number.</summary>
    public static Option<ulong?> Seed(string description) =>
        Whole("--seed", description + " An unsigned 64-bit number.", "N", ulong.MinValue, Limits.MaxSeed);

    /// <summary><c>--json</c>: one JSON object on stdout.</summary>
    public static Option<bool> Json(string description) => new("--json") { Description = description };

    /// <summary>An optional whole-number option in [<paramref name="min"/>, <paramref name="max"/>]; null when not given.</summary>
    public static Option<T?> Whole<T>(string name, string description, string helpName, T min, T max)
        where T : struct, IBinaryInteger<T>
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result => ParseWhole(result, name, min, max),
        };

    /// <summary>A whole-number option in [<paramref name="min"/>, <paramref name="max"/>] that is <paramref name="defaultValue"/> when not given.</summary>
    public static Option<T> Whole<T>(string name, string description, string helpName, T min, T max, T defaultValue)
        where T : struct, IBinaryInteger<T>
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
            // After an error the value is never read (the command does not run); the default keeps the type simple.
            CustomParser = result => ParseWhole(result, name, min, max) ?? defaultValue,
        };

    /// <summary>An optional real-number option (finite); null when not given. Its range is checked by whoever uses it.</summary>
    public static Option<double?> Real(string name, string description, string helpName)
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result => ParseReal(result, name),
        };

    /// <summary>A real-number option (finite) that is <paramref name="defaultValue"/> when not given.</summary>
    public static Option<double> Real(string name, string description, string helpName, double defaultValue)
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseReal(result, name) ?? defaultValue,
        };

    /// <summary>A real-number option (finite) that must be given.</summary>
    public static Option<double> RequiredReal(string name, string description, string helpName)
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            Required = true,
            CustomParser = result => ParseReal(result, name) ?? 0,
        };

    /// <summary>
    /// A whole-number setting (<c>Run:Replicates</c> from appsettings.json, <c>IMPACT_*</c> or <c>--set</c>),
    /// parsed and ranged like the option it stands in for; null when it is not set. A bad value is a
    /// <see cref="UsageException"/> (exit 2) naming the setting.
    /// </summary>
    public static T? Setting<T>(Microsoft.Extensions.Configuration.IConfiguration configuration, string key, T min, T max)
        where T : struct, IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[key] is not { } text)
            return null;
        return WholeNumber(text.Trim(), min, max)
               ?? throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{key}: '{Quote(text)}' is not a whole number from {min:N0} to {max:N0}"));
    }

    /// <summary>The value of a whole-number option, or null after adding the one-line error to <paramref name="result"/>.</summary>
    private static T? ParseWhole<T>(ArgumentResult result, string name, T min, T max)
        where T : struct, IBinaryInteger<T>
    {
        if (Token(result) is not { } text)
            return null; // no value at all: System.CommandLine reports the missing argument itself
        if (WholeNumber(text, min, max) is { } value)
            return value;
        result.AddError(string.Create(CultureInfo.InvariantCulture,
            $"{name}: '{Quote(text)}' is not a whole number from {min:N0} to {max:N0}"));
        return null;
    }

    /// <summary>
    /// <paramref name="text"/> as a whole number in [<paramref name="min"/>, <paramref name="max"/>], or null.
    /// A whole number written as a decimal (<c>1e6</c>, <c>2.0</c>) is accepted: it is the same number.
    /// </summary>
    internal static T? WholeNumber<T>(string text, T min, T max)
        where T : struct, IBinaryInteger<T>
    {
        if (T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T exact))
            return exact >= min && exact <= max ? exact : null;
        // decimal holds every integer up to 7.9e28 exactly, so the comparison below is exact for
        // every 64-bit range; a value beyond it (1e400) fails to parse and is refused.
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) || d != decimal.Truncate(d))
            return null;
        return d >= decimal.CreateChecked(min) && d <= decimal.CreateChecked(max) ? T.CreateChecked(d) : null;
    }

    /// <summary>The value of a real-number option, or null after adding the one-line error to <paramref name="result"/>.</summary>
    private static double? ParseReal(ArgumentResult result, string name)
    {
        if (Token(result) is not { } text)
            return null;
        // NaN, Infinity and values that overflow to infinity (1e400) are not usable inputs for any option.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            return value;
        result.AddError($"{name}: '{Quote(text)}' is not a finite number (write it like 0.05, 12 or 2.5e-3)");
        return null;
    }

    private static string? Token(ArgumentResult result) => result.Tokens.Count switch
    {
        0 => null,
        1 => result.Tokens[0].Value,
        _ => string.Join(' ', result.Tokens.Select(t => t.Value)),
    };

    private static string Quote(string text) => text.Length <= MaxQuoted ? text : string.Concat(text.AsSpan(0, MaxQuoted), "…");
}
