using Microsoft.Extensions.DependencyInjection;

namespace ImpactModel.Postgres;

/// <summary>The host's one <c>Add…</c> for this package.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers the process's one <see cref="ResultStore"/>, opened (and the schema migrated) when it
    /// is first resolved, disposed with the container. Resolving it throws
    /// <see cref="StoreUnavailableException"/> when the server cannot be used.
    /// </summary>
    public static IServiceCollection AddImpactPostgres(this IServiceCollection services, string connectionString, string? applicationName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddSingleton(_ => ResultStore.Open(connectionString, applicationName));
    }
}
