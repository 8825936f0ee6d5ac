using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImpactModel.Worker.Serve;

/// <summary>Registers the inbox worker of <c>impact serve</c> and its options.</summary>
public static class ServeServiceCollectionExtensions
{
    [UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "ServeOptions' validation attributes: the native build keeps this assembly whole (TrimmerRootAssembly in ImpactModel.Worker.csproj), and its published tests start serve with settings it must refuse (PublishedBuildTests).")]
    public static IServiceCollection AddImpactServe(this IServiceCollection services)
    {
        services.AddOptions<ServeOptions>().BindConfiguration(ServeOptions.Section)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                // Like `impact run`: the Run section's defaults apply unless Serve overrides them.
                o.Replicates ??= configuration.GetValue<int?>("Run:Replicates");
                o.Population ??= configuration.GetValue<long?>("Run:Population");
            })
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ServeOptions>>(
            (host, serve) => host.ShutdownTimeout = TimeSpan.FromSeconds(serve.Value.ShutdownSeconds));
        services.AddSingleton<InboxWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<InboxWorker>());
        return services;
    }
}
