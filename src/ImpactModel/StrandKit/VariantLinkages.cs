using ImpactModel.Linkage;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>
/// One declared linkage compiled once per replicate for the variants that link data, and shared
/// among the variants that override nothing it reads: safeguards act after linkage and most
/// overrides do not touch it, so linking does not grow with the number of variants. Each shared linkage's outcomes are counted in the first variant that uses it and
/// copied to the others after the merge (<see cref="LinkCounters.CopyShared"/>).
/// </summary>
public sealed class VariantLinkages
{
    private VariantLinkages(CompiledLinkage[] distinct, int[] firstUser, int[] of, int[] countedBy)
    {
        Distinct = distinct;
        FirstUser = firstUser;
        Of = of;
        CountedBy = countedBy;
    }

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
    /// <remarks>
    /// The linkage is compiled once as declared, recording every parameter it reads (also in
    /// <see cref="ReplicateContext.Use"/>, as read for each variant). A variant that overrides none
    /// of those shares it; a variant that overrides one links with its own compiled linkage.
    /// </remarks>
    public static VariantLinkages Compile(ReplicateContext context, int linkage)
    {
        ArgumentNullException.ThrowIfNull(context);
        Scenario scenario = context.Scenario;
        LinkageSpec spec = scenario.Linkages[linkage];
        IReadOnlyList<string> groups = context.Population.GroupIds;
        var reads = new HashSet<string>(StringComparer.Ordinal);
        CompiledLinkage? declared = null;
        int shared = -1;
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
            declared ??= CompiledLinkage.Compile(scenario, spec, groups, context.Seed, context.Replicate, p =>
            {
                reads.Add(p.Path);
                context.Use.Read(p.Path, perVariant: true);
                return p;
            });
            if (!variant.Parameters.Keys.Any(reads.Contains))
            {
                if (shared < 0)
                {
                    shared = distinct.Count;
                    distinct.Add(declared);
                    firstUser.Add(v);
                }

                of[v] = shared;
            }
            else
            {
                of[v] = distinct.Count;
                distinct.Add(CompiledLinkage.Compile(scenario, spec, groups, context.Seed, context.Replicate, variant.Resolve));
                firstUser.Add(v);
            }

            countedBy[v] = firstUser[of[v]];
        }

        return new VariantLinkages([.. distinct], [.. firstUser], of, countedBy);
    }

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
