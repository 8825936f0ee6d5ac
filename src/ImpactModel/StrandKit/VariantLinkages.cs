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
    /// <param name="context">The replicate.</param>
    /// <param name="linkage">The declared linkage.</param>
    /// <param name="choice">
    /// The path of the setting by which a variant may choose another linkage instead (e.g.
    /// <c>fraud.matching.linkage</c>), or null when the linkage is fixed.
    /// </param>
    /// <remarks>
    /// Each linkage a variant uses is compiled once as declared, recording every parameter it reads
    /// (also in <see cref="ReplicateContext.Use"/>, as read for each variant). A variant that
    /// overrides none of those shares it with the other variants of that linkage; a variant that
    /// overrides one links with its own compiled linkage.
    /// </remarks>
    public static VariantLinkages Compile(ReplicateContext context, int linkage, string? choice = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        Scenario scenario = context.Scenario;
        IReadOnlyList<string> groups = context.Population.GroupIds;
        var declared = new Dictionary<int, Declared>();
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
            int index = linkage;
            if (choice is not null)
            {
                context.Use.Read(choice, perVariant: true);
                if (variant.Setting(choice) is { } chosen)
                    index = IndexOf(scenario, chosen);
            }

            LinkageSpec spec = scenario.Linkages[index];
            if (!declared.TryGetValue(index, out Declared? d))
            {
                var reads = new HashSet<string>(StringComparer.Ordinal);
                d = new Declared(CompiledLinkage.Compile(scenario, spec, groups, context.Seed, context.Replicate, p =>
                {
                    reads.Add(p.Path);
                    context.Use.Read(p.Path, perVariant: true);
                    return context.Pins.Apply(p);
                }), reads);
                declared[index] = d;
            }

            if (!variant.Parameters.Keys.Any(d.Reads.Contains))
            {
                if (d.Shared < 0)
                {
                    d.Shared = distinct.Count;
                    distinct.Add(d.Compiled);
                    firstUser.Add(v);
                }

                of[v] = d.Shared;
            }
            else
            {
                of[v] = distinct.Count;
                distinct.Add(CompiledLinkage.Compile(scenario, spec, groups, context.Seed, context.Replicate, p => context.Pins.Apply(variant.Resolve(p))));
                firstUser.Add(v);
            }

            countedBy[v] = firstUser[of[v]];
        }

        return new VariantLinkages([.. distinct], [.. firstUser], of, countedBy);
    }

    /// <summary>A linkage compiled as declared, what it reads, and its index among the distinct ones once a variant shares it (−1 before).</summary>
    private sealed class Declared(CompiledLinkage compiled, HashSet<string> reads)
    {
        public CompiledLinkage Compiled { get; } = compiled;

        public HashSet<string> Reads { get; } = reads;

        public int Shared { get; set; } = -1;
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

    /// <summary>The <c>.qualifier</c> of one linkage's own <c>link_*</c> metrics (<see cref="CompiledLinkage.QualifierOf"/>).</summary>
    public static string? MetricQualifier(Scenario scenario, int linkage)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return CompiledLinkage.QualifierOf(scenario, scenario.Linkages[linkage]);
    }
}
