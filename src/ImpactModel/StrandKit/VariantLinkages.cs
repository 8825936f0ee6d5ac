using ImpactModel.Linkage;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>
/// One declared linkage compiled once per replicate for the variants that link data, and shared
/// among variants whose linkage and data sources are the same records: safeguards act after
/// linkage and most overrides do not touch it, so linking does not grow with the number of
/// variants. Each shared linkage's outcomes are counted in the first variant that uses it and
/// copied to the others after the merge (<see cref="LinkCounters.CopyShared"/>).
/// </summary>
public sealed class VariantLinkages
{
    private VariantLinkages(int linkage, CompiledLinkage[] distinct, int[] firstUser, int[] of, int[] countedBy)
    {
        Linkage = linkage;
        Distinct = distinct;
        FirstUser = firstUser;
        Of = of;
        CountedBy = countedBy;
    }

    /// <summary>The linkage's index among the scenario's linkages.</summary>
    public int Linkage { get; }

    /// <summary>The distinct compiled linkages, in the order of the first variant that uses each.</summary>
    public IReadOnlyList<CompiledLinkage> Distinct { get; }

    /// <summary>Per distinct linkage: the first variant that uses it, which counts its outcomes.</summary>
    public IReadOnlyList<int> FirstUser { get; }

    /// <summary>Per variant: the index into <see cref="Distinct"/> of its linkage, or −1 when it links no data (the status quo).</summary>
    public IReadOnlyList<int> Of { get; }

    /// <summary>Per variant: the variant whose counters hold its linkage's outcomes (itself when it counts them, or when it links nothing).</summary>
    public IReadOnlyList<int> CountedBy { get; }

    /// <summary>True when <paramref name="variant"/> counts its linkage's outcomes (it is the first to use it).</summary>
    public bool Counts(int variant) => Of[variant] >= 0 && CountedBy[variant] == variant;

    /// <summary>Compiles linkage <paramref name="linkage"/> (an index into the scenario's linkages) for the replicate's variants.</summary>
    public static VariantLinkages Compile(ReplicateContext context, int linkage)
    {
        ArgumentNullException.ThrowIfNull(context);
        var distinct = new List<CompiledLinkage>();
        var firstUser = new List<int>();
        int variants = context.Variants.Count;
        var of = new int[variants];
        var countedBy = new int[variants];
        for (int v = 0; v < variants; v++)
        {
            SimulationVariant variant = context.Variants[v];
            countedBy[v] = v;
            of[v] = -1;
            if (!variant.LinksData)
                continue;
            Scenario s = variant.Scenario;
            // A variant that overrides anything the linkage reads links its own records; the others share.
            bool own = OverridesLinkage(variant, s.Linkages[linkage]);
            int same = own ? -1 : firstUser.FindIndex(u => ReferenceEquals(context.Variants[u].Scenario.Linkages[linkage], s.Linkages[linkage])
                                                          && context.Variants[u].Scenario.DataSources == s.DataSources
                                                          && !OverridesLinkage(context.Variants[u], s.Linkages[linkage]));
            if (same < 0)
            {
                same = distinct.Count;
                firstUser.Add(v);
                distinct.Add(CompiledLinkage.Compile(s, s.Linkages[linkage], context.Population.GroupIds, context.Seed, context.Replicate, variant.Resolve));
            }

            of[v] = same;
            countedBy[v] = firstUser[same];
        }

        return new VariantLinkages(linkage, [.. distinct], [.. firstUser], of, countedBy);
    }

    /// <summary>True when <paramref name="variant"/> overrides a parameter of the linkage or of the data sources it links.</summary>
    private static bool OverridesLinkage(SimulationVariant variant, LinkageSpec spec) =>
        variant.OverridesUnder($"linkage.{spec.Id}") || variant.OverridesUnder($"data_sources.{spec.From}") || variant.OverridesUnder($"data_sources.{spec.To}");

    /// <summary>The index of the linkage named <paramref name="id"/> among the scenario's linkages.</summary>
    public static int IndexOf(Scenario scenario, string id)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        for (int i = 0; i < scenario.Linkages.Length; i++)
        {
            if (scenario.Linkages[i].Id == id)
                return i;
        }

        throw new ArgumentException($"no linkage '{id}'", nameof(id));
    }

    /// <summary>The <c>.qualifier</c> of the linkage's <c>link_*</c> metrics: its target source when the scenario's linkages reach more than one, else none.</summary>
    public static string? MetricQualifier(Scenario scenario, int linkage)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.Linkages.Select(l => l.To).Distinct(StringComparer.Ordinal).Count() > 1 ? scenario.Linkages[linkage].To : null;
    }
}
