using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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

        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            o => o.LogToStandardErrorThreshold = LogLevel.Trace);
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
