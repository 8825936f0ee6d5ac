using System.Globalization;
using System.Text.RegularExpressions;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Scenarios.Reading;

/// <summary>Parses the compact forms <c>0.02</c>, <c>beta(2, 50)</c>, <c>lognormal(400, 150)</c> ...</summary>
public static partial class DistributionParser
{
    public static readonly IReadOnlyList<string> Names = ["uniform", "triangular", "beta", "normal", "lognormal"];

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex CallPattern();

    /// <summary>True when <paramref name="text"/> is a plain number (invariant culture, no thousands separators).</summary>
    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The distribution written in <paramref name="text"/>, or a message saying what is wrong with it.</summary>
    public static (Distribution? Value, string? Problem) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryNumber(text, out double number))
            return (new FixedValue(number), null);

        Match call = CallPattern().Match(text);
        if (!call.Success)
            return (null, $"expected a number or a distribution such as beta(2, 50), got '{text}'");

        string name = call.Groups[1].Value;
        string[] parts = call.Groups[2].Value.Split(',');
        var args = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!TryNumber(parts[i].Trim(), out args[i]))
                return (null, $"{name}(...): argument {i + 1} '{parts[i].Trim()}' is not a number");
        }

        return name switch
        {
            "uniform" => Check(name, args, 2, "uniform(min, max)", () =>
                args[0] < args[1] ? (new UniformDistribution(args[0], args[1]), null)
                                  : (null, $"uniform(min, max) needs min < max, got {text}")),
            "triangular" => Check(name, args, 3, "triangular(min, mode, max)", () =>
                args[0] <= args[1] && args[1] <= args[2] && args[0] < args[2]
                    ? (new TriangularDistribution(args[0], args[1], args[2]), null)
                    : (null, $"triangular(min, mode, max) needs min <= mode <= max and min < max, got {text}")),
            "beta" => Check(name, args, 2, "beta(alpha, beta)", () =>
                args[0] > 0 && args[1] > 0
                    ? (new BetaDistribution(args[0], args[1]), null)
                    : (null, $"beta(alpha, beta) needs alpha > 0 and beta > 0, got {text}")),
            "normal" => Check(name, args, 2, "normal(mean, sd)", () =>
                args[1] > 0
                    ? (new NormalDistribution(args[0], args[1]), null)
                    : (null, $"normal(mean, sd) needs sd > 0, got {text}")),
            "lognormal" => Check(name, args, 2, "lognormal(mean, sd)", () =>
                args[0] > 0 && args[1] > 0
                    ? (new LogNormalDistribution(args[0], args[1]), null)
                    : (null, $"lognormal(mean, sd) takes the mean and sd of the variable itself, both > 0, got {text}")),
            _ => (null, Suggest.Unknown("distribution", name, (IReadOnlyCollection<string>)Names)),
        };
    }

    private static (Distribution?, string?) Check(string name, double[] args, int count, string form,
        Func<(Distribution?, string?)> make) =>
        args.Length == count ? make() : (null, $"{name} takes {count} numbers: {form}; got {args.Length}");
}
