using System.Collections.Frozen;
using ImpactModel.Safeguards;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>What a safeguard of one type does to a strand's variant model while it is compiled.</summary>
/// <typeparam name="TVariant">The strand's variant model under construction.</typeparam>
public delegate void SafeguardMechanism<in TVariant>(TVariant variant, SafeguardSpec safeguard, ReplicateDraws draws);

/// <summary>Mechanisms every strand may use.</summary>
public static class SafeguardMechanisms
{
    /// <summary>A mechanism for a safeguard whose only effect in the strand is its cost (counted by <see cref="FixedCosts"/>).</summary>
    public static SafeguardMechanism<TVariant> CostOnly<TVariant>() => static (_, _, _) => { };
}

/// <summary>
/// A strand's safeguard mechanisms, by safeguard type: the dispatch every strand uses instead of its
/// own switch. Built once per strand and checked against <see cref="SafeguardCatalogue"/>, which is
/// what the loader refuses scenarios by (a type with no mechanism in the scenario's strand is an
/// error at its position): a strand must give a mechanism for exactly the types the catalogue says
/// act in it, so the catalogue cannot promise a mechanism the strand does not have, nor the strand
/// hold one the loader never lets through.
/// </summary>
public sealed class SafeguardMechanisms<TVariant>
{
    private readonly FrozenDictionary<string, SafeguardMechanism<TVariant>> _byType;

    /// <param name="strand">The strand id.</param>
    /// <param name="byType">The mechanism of each safeguard type that acts in the strand.</param>
    /// <exception cref="InvalidOperationException">The types differ from the catalogue's for the strand (a bug).</exception>
    public SafeguardMechanisms(string strand, IReadOnlyDictionary<string, SafeguardMechanism<TVariant>> byType)
    {
        ArgumentNullException.ThrowIfNull(strand);
        ArgumentNullException.ThrowIfNull(byType);
        Strand = strand;
        string[] catalogued = [.. SafeguardCatalogue.Types.Where(t => t.Strands.Contains(strand)).Select(t => t.Id).Order(StringComparer.Ordinal)];
        string[] missing = [.. catalogued.Except(byType.Keys, StringComparer.Ordinal)];
        string[] extra = [.. byType.Keys.Except(catalogued, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (missing.Length > 0 || extra.Length > 0)
        {
            throw new InvalidOperationException($"strand '{strand}': safeguard mechanisms differ from the catalogue"
                + (missing.Length > 0 ? $"; catalogued without a mechanism: {string.Join(", ", missing)}" : "")
                + (extra.Length > 0 ? $"; a mechanism the catalogue does not list for the strand: {string.Join(", ", extra)}" : ""));
        }

        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The strand the mechanisms act in.</summary>
    public string Strand { get; }

    /// <summary>The types with a mechanism.</summary>
    public IEnumerable<string> Types => _byType.Keys;

    /// <summary>Applies each safeguard enabled in <paramref name="variant"/>, in declaration order, to <paramref name="model"/>.</summary>
    public void Apply(SimulationVariant variant, TVariant model, ReplicateDraws draws)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(draws);
        foreach (SafeguardSpec safeguard in variant.EnabledSafeguards)
        {
            if (!_byType.TryGetValue(safeguard.Type, out var mechanism))
                throw new InvalidOperationException($"safeguard '{safeguard.Id}': type '{safeguard.Type}' has no mechanism in strand '{Strand}' (the loader refuses it)");
            mechanism(model, safeguard, draws);
        }
    }
}
