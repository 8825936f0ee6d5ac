using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ImpactModel.Worker.Hosting;

/// <summary>
/// Builds the Generic Host that every verb runs in: configuration from appsettings.json beside
/// the executable, then <c>IMPACT_*</c> environment variables (<c>IMPACT_Logging__LogLevel__Default</c>),
/// then <c>--set KEY=VALUE</c>; logging to stderr only, so stdout stays for results.
/// </summary>
public static class ImpactHost
{
    public static HostApplicationBuilder CreateBuilder(IEnumerable<string> settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });

        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("IMPACT_")
            .AddInMemoryCollection(ParseSettings(settings));

        // The log format is configuration like any other (Logging:Console:FormatterName: simple, one
        // line per entry, the default; json, one JSON object per line for a log collector; systemd,
        // the default when systemd runs the process, with priorities journald understands).
        string formatter = builder.Configuration["Logging:Console:FormatterName"] is { Length: > 0 } named
            ? named.Trim().ToLowerInvariant()
            : Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService() ? ConsoleFormatterNames.Systemd : ConsoleFormatterNames.Simple;
        if (formatter is not (ConsoleFormatterNames.Simple or ConsoleFormatterNames.Json or ConsoleFormatterNames.Systemd))
        {
            throw new Cli.UsageException(
                $"Logging:Console:FormatterName: '{formatter}' is not a log format; use simple, json or systemd");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddJsonConsole(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
        });
        builder.Logging.AddSystemdConsole();
        // After every formatter's own setting: the configured one is used, and every entry goes to stderr.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o =>
        {
            o.FormatterName = formatter;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        builder.Services.AddImpactStrands();
        // Scenario files are read with the configured size limit (Scenarios:MaxFileBytes).
        builder.Services.AddSingleton(sp => DiskScenarioFiles.From(sp.GetRequiredService<IConfiguration>()));
        return builder;
    }

    private static Dictionary<string, string?> ParseSettings(IEnumerable<string> settings)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string setting in settings)
        {
            int eq = setting.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new Cli.UsageException($"--set '{setting}': expected KEY=VALUE, e.g. --set Logging:LogLevel:Default=Debug");
            result[setting[..eq].Trim()] = setting[(eq + 1)..];
        }

        return result;
    }
}
