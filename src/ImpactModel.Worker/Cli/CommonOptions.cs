using System.CommandLine;
using System.Globalization;

namespace ImpactModel.Worker.Cli;

/// <summary>Options shared by several verbs, with PRODUCT.md's limits checked at parse time (one line, exit 2).</summary>
public static class CommonOptions
{
    public const long MaxPopulation = 100_000_000;
    public const int MaxReplicates = 100_000;

    public static Option<long?> Population(string description) => Ranged<long>("--population", description, 1, MaxPopulation, "N");

    public static Option<int?> Replicates(string description) => Ranged<int>("--replicates", description, 1, MaxReplicates, "N");

    public static Option<int?> Threads() => Ranged<int>("--threads",
        "Worker threads (default: every core). Results are identical for any thread count.", 1, 1024, "N");

    public static Option<ulong?> Seed(string description) => new("--seed")
    {
        Description = description + " An unsigned 64-bit number.",
        HelpName = "N",
    };

    public static Option<bool> Json(string description) => new("--json") { Description = description };

    private static Option<T?> Ranged<T>(string name, string description, long min, long max, string helpName)
        where T : struct, IConvertible
    {
        var option = new Option<T?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(result =>
        {
            T? value = result.GetValueOrDefault<T?>();
            if (value is { } v)
            {
                long x = v.ToInt64(CultureInfo.InvariantCulture);
                if (x < min || x > max)
                    result.AddError($"{name} must be between {min.ToString("N0", CultureInfo.InvariantCulture)} and {max.ToString("N0", CultureInfo.InvariantCulture)}, got {x.ToString("N0", CultureInfo.InvariantCulture)}");
            }
        });
        return option;
    }
}
