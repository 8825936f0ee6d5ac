using System.CommandLine;
using System.Globalization;
using ImpactModel.Worker.Cli;

namespace ImpactModel.Tests.Cli;

/// <summary>
/// Every numeric option of every verb, given a value that is not a number of its kind or is out of
/// its range: one line on stderr naming the option and the accepted form, exit 2, nothing on stdout,
/// no .NET type name and no stack trace (issue 15, item 1).
/// </summary>
public class NumericOptionTests
{
    private static readonly string Fraud = ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml");

    private static void AssertOneLineNaming(CliRun run, string option, string value)
    {
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Error}");
        Assert.Empty(run.Out);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("impact: ", line, StringComparison.Ordinal);
        Assert.Contains(option, line, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadWholeNumbers => new()
    {
        { "--population", "abc" }, { "--population", "1e12" }, { "--population", "0" }, { "--population", "-5" },
        { "--population", "100000001" }, { "--population", "1.5" }, { "--population", "99999999999999999999999" },
        { "--population", "0x10" }, { "--population", "NaN" }, { "--population", "1e400" }, { "--population", "" },
        { "--replicates", "abc" }, { "--replicates", "0" }, { "--replicates", "100001" }, { "--replicates", "2.5" },
        { "--replicates", "4294967297" },
        { "--threads", "abc" }, { "--threads", "0" }, { "--threads", "1025" }, { "--threads", "-1" },
        { "--seed", "-1" }, { "--seed", "abc" }, { "--seed", "18446744073709551616" }, { "--seed", "1.5" }, { "--seed", "1e30" },
    };

    [Theory]
    [InlineData("Run:Replicates", "abc")]
    [InlineData("Run:Replicates", "0")]
    [InlineData("Run:Population", "1e12")]
    [InlineData("Run:Population", "-5")]
    public void A_bad_run_setting_is_one_line_naming_the_setting_and_exit_2(string key, string value)
        => AssertOneLineNaming(CliRun.Of("--set", $"{key}={value}", "run", Fraud, "--out",
            Path.Combine(Path.GetTempPath(), "impact-never-" + Guid.NewGuid().ToString("N"))), key, value);

    [Theory]
    [MemberData(nameof(BadWholeNumbers))]
    public void Run_refuses_a_bad_whole_number_with_one_line_naming_the_option(string option, string value)
        => AssertOneLineNaming(CliRun.Of("run", Fraud, option, value, "--out", Path.Combine(Path.GetTempPath(), "impact-never-" + Guid.NewGuid().ToString("N"))),
            option, value);

    /// <summary>describe has no --replicates: it simulates one population.</summary>
    public static TheoryData<string, string> DescribeBadWholeNumbers()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in BadWholeNumbers)
        {
            if ((string)row[0] != "--replicates")
                data.Add((string)row[0], (string)row[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DescribeBadWholeNumbers))]
    public void Describe_refuses_a_bad_whole_number_with_one_line_naming_the_option(string option, string value)
        => AssertOneLineNaming(CliRun.Of("describe", Fraud, option, value), option, value);

    [Theory]
    [InlineData("--population", "abc")]
    [InlineData("--population", "1e12")]
    [InlineData("--replicates", "abc")]
    [InlineData("--replicates", "-3")]
    public void Serve_refuses_a_bad_whole_number_before_it_starts(string option, string value)
        => AssertOneLineNaming(CliRun.Of("serve", "--inbox", "/nonexistent-impact-inbox", option, value), option, value);

    [Theory]
    [InlineData("--p1", "abc", "proportions", "--p1", "abc", "--p2", "0.3")]
    [InlineData("--p2", "NaN", "proportions", "--p1", "0.2", "--p2", "NaN")]
    [InlineData("--n", "Infinity", "proportions", "--p1", "0.2", "--p2", "0.3", "--n", "Infinity")]
    [InlineData("--n", "1e400", "proportions", "--p1", "0.2", "--p2", "0.3", "--n", "1e400")]
    [InlineData("--alpha", "five", "proportions", "--p1", "0.2", "--p2", "0.3", "--alpha", "five")]
    [InlineData("--power", "0,8", "proportions", "--p1", "0.2", "--p2", "0.3", "--power", "0,8")]
    [InlineData("--sides", "abc", "proportions", "--p1", "0.2", "--p2", "0.3", "--sides", "abc")]
    [InlineData("--sides", "3", "proportions", "--p1", "0.2", "--p2", "0.3", "--sides", "3")]
    [InlineData("--sides", "1.5", "poisson", "--rate1", "0.1", "--rate2", "0.2", "--sides", "1.5")]
    [InlineData("--rate", "abc", "tolerance", "--rate", "abc", "--tolerance", "0.02")]
    [InlineData("--tolerance", "-", "tolerance", "--rate", "0.04", "--tolerance", "-")]
    [InlineData("--n", "abc", "tolerance", "--rate", "0.04", "--tolerance", "0.02", "--n", "abc")]
    [InlineData("--n", "1e15", "tolerance", "--rate", "0.04", "--tolerance", "0.02", "--n", "1e15")]
    [InlineData("--n", "2.5", "tolerance", "--rate", "0.04", "--tolerance", "0.02", "--n", "2.5")]
    [InlineData("--n", "-1", "tolerance", "--rate", "0.04", "--tolerance", "0.02", "--n", "-1")]
    [InlineData("--n", "99999999999999999999", "tolerance", "--rate", "0.04", "--tolerance", "0.02", "--n", "99999999999999999999")]
    [InlineData("--rate1", "abc", "poisson", "--rate1", "abc", "--rate2", "0.01")]
    [InlineData("--rate2", "1e999", "poisson", "--rate1", "0.02", "--rate2", "1e999")]
    [InlineData("--person-time", "lots", "poisson", "--rate1", "0.02", "--rate2", "0.01", "--person-time", "lots")]
    [InlineData("--persons-per-area", "abc", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "abc", "--icc", "0.02")]
    [InlineData("--icc", "abc", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "abc")]
    [InlineData("--size-cv", "abc", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--size-cv", "abc")]
    [InlineData("--cv", "abc", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--cv", "abc")]
    [InlineData("--areas-per-arm", "1e15", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "1e15")]
    [InlineData("--areas-per-arm", "abc", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "abc")]
    [InlineData("--areas-per-arm", "0", "cluster", "--p1", "0.2", "--p2", "0.3", "--persons-per-area", "50", "--icc", "0.02", "--areas-per-arm", "0")]
    public void Power_refuses_a_value_that_is_not_a_number_of_the_option_s_kind_with_one_line_naming_it(string option, string value, params string[] args)
        => AssertOneLineNaming(CliRun.Of(["power", .. args]), option, value);

    [Fact]
    public void The_message_names_the_option_the_value_and_the_range_from_the_limits()
    {
        CliRun run = CliRun.Of("run", Fraud, "--population", "abc");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(
            $"impact: --population: 'abc' is not a whole number from 1 to {Limits.MaxPopulation.ToString("N0", CultureInfo.InvariantCulture)}",
            Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_message_states_the_unsigned_64_bit_range_without_a_type_name()
    {
        CliRun run = CliRun.Of("describe", Fraud, "--seed", "-1");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("impact: --seed: '-1' is not a whole number from 0 to 18,446,744,073,709,551,615",
            Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_very_long_bad_value_is_quoted_only_in_part()
    {
        string value = new('x', 100_000);
        CliRun run = CliRun.Of("describe", Fraud, "--population", value);
        Assert.Equal(2, run.ExitCode);
        Assert.InRange(Assert.Single(run.ErrorLines).Length, 1, 400);
    }

    [Theory]
    [InlineData("1e3", 1000)]
    [InlineData("2000.0", 2000)]
    [InlineData("+1500", 1500)]
    [InlineData(" 1200 ", 1200)]
    public void A_whole_number_written_as_a_decimal_is_the_same_number(string text, long expected)
        => Assert.Equal(expected, CommonOptions.WholeNumber(text, Limits.MinPopulation, Limits.MaxPopulation));

    [Theory]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("0", 0UL)]
    public void Every_unsigned_64_bit_seed_is_accepted_exactly(string text, ulong expected)
        => Assert.Equal(expected, CommonOptions.WholeNumber(text, ulong.MinValue, Limits.MaxSeed));

    [Fact]
    public void A_population_written_as_1e3_is_simulated_as_1000_persons()
    {
        CliRun run = CliRun.Of("describe", Fraud, "--population", "1e3", "--json", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = System.Text.Json.JsonDocument.Parse(run.Out);
        Assert.Equal(1000, doc.RootElement.GetProperty("simulated_population").GetInt64());
    }

    private static IEnumerable<(string[] Path, Option Option)> NumericOptions(Command command, string[] path)
    {
        foreach (Option option in command.Options)
        {
            Type type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            if ((type.IsPrimitive && type != typeof(bool) && type != typeof(char)) || type == typeof(decimal))
                yield return (path, option);
        }

        foreach (Command sub in command.Subcommands)
        {
            foreach (var found in NumericOptions(sub, [.. path, sub.Name]))
                yield return found;
        }
    }

    [Fact]
    public void Every_numeric_option_of_every_verb_is_parsed_by_the_one_numeric_parser()
    {
        // Walks the real command tree, so an option added later without CommonOptions fails here:
        // System.CommandLine's own conversion would name a .NET type in its message.
        RootCommand root = ImpactCli.Build(new CliConsole(TextWriter.Null, TextWriter.Null, IsTerminal: false));
        var options = NumericOptions(root, []).ToList();
        Assert.True(options.Count >= 20, $"only {options.Count} numeric options found");
        foreach (var (path, option) in options)
        {
            ParseResult parse = root.Parse([.. path, option.Name, "abc"]);
            string messages = string.Join(" | ", parse.Errors.Select(e => e.Message));
            Assert.True(parse.Errors.Any(e => e.Message.StartsWith($"{option.Name}: 'abc' is not a ", StringComparison.Ordinal)),
                $"{string.Join(' ', path)} {option.Name}: {messages}");
            Assert.DoesNotContain("System.", messages, StringComparison.Ordinal);
        }
    }
}
