using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Simulation;

/// <summary>A scenario's models, in the order their counters and metrics follow each other, and why any part of its strand does not run.</summary>
/// <param name="Models">The models to run.</param>
/// <param name="Warnings">One line each, for stderr and the manifest (e.g. the strand has no model yet).</param>
public sealed record StrandModels(IReadOnlyList<IStrandModel> Models, ImmutableArray<string> Warnings);

/// <summary>
/// Which models run a scenario of each strand: filled by whoever composes the engine (the
/// <c>impact</c> host, a test, a benchmark), so the runner knows no strand by name.
/// </summary>
/// <remarks>
/// A strand with no model registered still runs what every scenario has (the population and
/// its linkages: <see cref="Fallback"/>), and says so in one warning, so that <c>validate</c> and
/// <c>run</c> agree on which scenarios are valid while a strand is being built.
/// </remarks>
public sealed class StrandRegistry
{
    private readonly ImmutableDictionary<string, Func<Scenario, IReadOnlyList<IStrandModel>>> _strands;

    /// <param name="fallback">The models of a scenario whose strand has no model: what every scenario has.</param>
    public StrandRegistry(Func<Scenario, IReadOnlyList<IStrandModel>> fallback)
        : this(fallback, ImmutableDictionary<string, Func<Scenario, IReadOnlyList<IStrandModel>>>.Empty.WithComparers(StringComparer.Ordinal))
    {
    }

    private StrandRegistry(Func<Scenario, IReadOnlyList<IStrandModel>> fallback, ImmutableDictionary<string, Func<Scenario, IReadOnlyList<IStrandModel>>> strands)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        Fallback = fallback;
        _strands = strands;
    }

    /// <summary>The models of a scenario whose strand has none registered.</summary>
    public Func<Scenario, IReadOnlyList<IStrandModel>> Fallback { get; }

    /// <summary>The strand ids with a model, in ordinal order.</summary>
    public IEnumerable<string> Strands => _strands.Keys.Order(StringComparer.Ordinal);

    /// <summary>A registry that also runs <paramref name="strand"/>'s scenarios with <paramref name="models"/> (every model they need, in order).</summary>
    public StrandRegistry With(string strand, Func<Scenario, IReadOnlyList<IStrandModel>> models)
    {
        ArgumentNullException.ThrowIfNull(strand);
        ArgumentNullException.ThrowIfNull(models);
        if (!StrandIds.All.Contains(strand))
            throw new ArgumentException($"unknown strand '{strand}'; known: {string.Join(", ", StrandIds.All)}", nameof(strand));
        if (_strands.ContainsKey(strand))
            throw new ArgumentException($"strand '{strand}' is registered twice", nameof(strand));
        return new StrandRegistry(Fallback, _strands.Add(strand, models));
    }

    /// <summary>The models of <paramref name="scenario"/>, with a warning when its strand has no model yet.</summary>
    public StrandModels For(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (_strands.TryGetValue(scenario.Strand, out var models))
            return new StrandModels(models(scenario), []);
        return new StrandModels(Fallback(scenario),
        [
            $"strand '{scenario.Strand}' has no model yet: this run reports the population and its linkage rates only, "
            + "none of the strand's benefits, harms or safeguards",
        ]);
    }
}
