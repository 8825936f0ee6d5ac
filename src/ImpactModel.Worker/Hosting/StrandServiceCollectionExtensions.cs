using ImpactModel.Simulation;
using ImpactModel.Strands;
using Microsoft.Extensions.DependencyInjection;

namespace ImpactModel.Worker.Hosting;

/// <summary>Composes the engine: which model runs each strand's scenarios.</summary>
public static class StrandServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="StrandRegistry"/> of the built strands (<see cref="BuiltInStrands"/>).</summary>
    public static IServiceCollection AddImpactStrands(this IServiceCollection services)
    {
        services.AddSingleton(BuiltInStrands.Registry);
        return services;
    }
}
