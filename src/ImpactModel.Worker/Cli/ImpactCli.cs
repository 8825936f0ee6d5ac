using System.CommandLine;
using ImpactModel.Scenarios;
using ImpactModel.Worker.Commands;

namespace ImpactModel.Worker.Cli;

/// <summary>
/// The command tree and the rules around it: a parse error is one line and exit 2 (never a
/// help dump), input errors exit 2, cancellation 130, anything else 1 with a one-line cause
/// (the stack trace only with <c>--verbose</c>).
/// </summary>
public static class ImpactCli
{
    /// <summary>Shown in every verb's help; prints stack traces for unexpected failures.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "More detail: for run, the full listing of headline figures in every group before the summary; " +
                      "on an unexpected failure, the full stack trace as well as the one-line cause.",
        Recursive = true,
    };

    /// <summary>Configuration overrides, e.g. <c>--set Logging:LogLevel:Default=Debug</c>.</summary>
    public static readonly Option<string[]> Settings = new("--set")
    {
        Description = "Override a configuration value (KEY=VALUE, ':' between sections); may be repeated. " +
                      "Configuration is read from appsettings.json, then IMPACT_* environment variables, then --set.",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        HelpName = "KEY=VALUE",
    };

    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand(
            "ImpactModel: models the benefits, harms and safeguards of government data-sharing proposals " +
            "over a synthetic population, and sizes pilots.");
        root.Options.Add(Verbose);
        root.Options.Add(Settings);
        root.Subcommands.Add(ValidateCommand.Create(console));
        root.Subcommands.Add(DescribeCommand.Create(console));
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(CompareCommand.Create(console));
        root.Subcommands.Add(PowerCommand.Create(console));
        root.Subcommands.Add(PilotCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(MergeCommand.Create(console));
        root.Subcommands.Add(SubmitCommand.Create(console));
        root.Subcommands.Add(StoreCommands.Runs(console));
        root.Subcommands.Add(StoreCommands.Status(console));
        root.Subcommands.Add(StoreCommands.Export(console));
        return root;
    }

    /// <summary>
    /// A verb that takes many file arguments would swallow a mistyped option (<c>--bogus</c>) as a
    /// file name; treat any argument token that looks like an option as unknown, unless it follows
    /// <c>--</c> or is a number.
    /// </summary>
    private static string? UnknownOption(ParseResult parse)
    {
        bool afterDoubleDash = false;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == System.CommandLine.Parsing.TokenType.DoubleDash)
                afterDoubleDash = true;
            else if (!afterDoubleDash && token.Type == System.CommandLine.Parsing.TokenType.Argument
                     && token.Value.Length > 1 && token.Value[0] == '-'
                     && !double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
                return $"Unrecognized option '{token.Value}'.";
        }

        return null;
    }

    /// <summary>Seconds after a signal at which System.CommandLine ends <c>impact serve</c>: past the largest Serve:ShutdownSeconds.</summary>
    private const int ServeShutdownBackstopSeconds = 630;

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        RootCommand root = Build(console);
        ParseResult parse = root.Parse(args);
        // An unknown token is the most telling problem ("Required command was not provided" is its echo).
        string? problem = parse.Errors.Count > 0
            ? (parse.UnmatchedTokens.Count > 0
                ? $"Unrecognized command or argument '{parse.UnmatchedTokens[0]}'."
                : parse.Errors[0].Message)
            : UnknownOption(parse);
        if (problem is not null)
        {
            // One line naming the first problem; System.CommandLine would otherwise print all
            // of them followed by the whole help text and exit 1.
            console.Error.WriteLine($"impact: {problem} (see 'impact --help')");
            return ExitCodes.InvalidInput;
        }

        bool verbose = parse.GetValue(Verbose);
        try
        {
            var invocation = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = console.Out,
                Error = console.Error,
                // On SIGTERM or Ctrl-C System.CommandLine cancels the action's token and, by default,
                // ends the process 2 s later. The worker's host has its own bound (Serve:ShutdownSeconds,
                // at most 600 s), so for serve this is only a backstop beyond it.
                ProcessTerminationTimeout = parse.CommandResult.Command.Name == "serve"
                    ? TimeSpan.FromSeconds(ServeShutdownBackstopSeconds)
                    : TimeSpan.FromSeconds(2),
            };
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (ScenarioException e)
        {
            foreach (ScenarioError error in e.Errors)
                console.Error.WriteLine(error.ToString());
            return ExitCodes.InvalidInput;
        }
        catch (Simulation.Shards.ShardFormatException e)
        {
            console.Error.WriteLine($"impact: a shard cannot be read: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (UsageException e)
        {
            console.Error.WriteLine($"impact: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Postgres.StoreUnavailableException e)
        {
            // One line naming the server (never the password); its cause inside may name more than it should.
            console.Error.WriteLine($"impact: error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            console.Error.WriteLine("impact: cancelled");
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // the top of the process: every failure becomes a one-line cause and exit 1
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.Error.WriteLine($"impact: error: {e.GetBaseException().Message}");
            if (verbose)
                console.Error.WriteLine(e.ToString());
            return ExitCodes.Failure;
        }
    }
}
