using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Strands.Research;

/// <summary>
/// The cells of a release: the released quasi-identifiers at their levels, a person's cell the mixed-radix
/// number of their codes (the first quasi-identifier most significant).
/// </summary>
internal sealed class CellLayout
{
    public CellLayout(ImmutableArray<ReleaseLevel> levels)
    {
        Levels = levels;
        Strides = new int[levels.Length];
        long cells = 1;
        for (int q = levels.Length - 1; q >= 0; q--)
        {
            Strides[q] = (int)cells;
            cells *= levels[q].Categories;
            if (cells > ReleasePlan.MaxCells)
                throw new ArgumentException($"a release of {cells:N0} cells is more than the {ReleasePlan.MaxCells:N0} this strand counts");
        }

        Cells = (int)cells;
    }

    public ImmutableArray<ReleaseLevel> Levels { get; }

    public int[] Strides { get; }

    public int Cells { get; }

    /// <summary>The codes of cell <paramref name="cell"/>, one per quasi-identifier.</summary>
    public void Decode(int cell, Span<int> codes)
    {
        for (int q = 0; q < Levels.Length; q++)
        {
            codes[q] = cell / Strides[q];
            cell -= codes[q] * Strides[q];
        }
    }

    public bool SameAs(CellLayout other) => Levels.SequenceEqual(other.Levels);
}

/// <summary>Who is in a variant's extract: the sample, opt-outs, consent and excluded groups (the same persons for variants with the same key).</summary>
/// <param name="Key">What decides membership, as text (variants with equal keys share the extract; the first one's draws decide the cuts).</param>
internal sealed record ExtractPlan(string Key);

/// <summary>
/// A release's class counts: a cell layout over one extract. Variants with the same layout and extract
/// share one accumulator, whatever their suppression, noise or process safeguards do afterwards.
/// </summary>
internal sealed record ClassPlan(CellLayout Layout, int Extract)
{
    /// <summary>Integers per cell: F, f, positives per attribute, then per row slot (rest, group 0, 1 …) its members and their positives per attribute.</summary>
    public static int Width(int attributes, int groups) => 2 + attributes + (groups + 1) * (1 + attributes);
}

/// <summary>
/// What a variant releases, decided from the scenario alone (so the accumulators are known before any
/// replicate): each variant's levels after generalisation, its extract, its release form, and which
/// variants share class counts.
/// </summary>
internal sealed class ReleasePlan
{
    /// <summary>Most cells a release may have (the accumulators hold integers per cell, not per person); the reader refuses more at the declared levels.</summary>
    public const int MaxCells = Scenarios.Reading.ResearchReader.MaxCells;

    /// <summary>Safeguard types that decide who is in the extract.</summary>
    public static readonly string[] ExtractSafeguards = ["opt-out", "consent", "sensitive-category-exclusion"];

    public ReleasePlan(Scenario scenario, IReadOnlyList<SimulationVariant> variants)
    {
        ResearchSpec spec = scenario.Research!;
        PopulationSpec population = scenario.Population;
        Qis = spec.QuasiIdentifiers;
        var extracts = new List<ExtractPlan>();
        var classes = new List<ClassPlan>();
        VariantClass = new int[variants.Count];
        VariantAttackLayout = new CellLayout?[variants.Count];
        VariantForm = new ReleaseForm[variants.Count];
        for (int v = 0; v < variants.Count; v++)
        {
            SimulationVariant variant = variants[v];
            if (!variant.LinksData)
            {
                VariantClass[v] = -1;
                continue;
            }

            string? form = variant.Setting("research.release.form");
            VariantForm[v] = form is null ? spec.Release : form == "public-tables" ? ReleaseForm.PublicTables : ReleaseForm.RecordLevelTre;
            var levels = ImmutableArray.CreateBuilder<ReleaseLevel>();
            var known = ImmutableArray.CreateBuilder<ReleaseLevel>();
            foreach (QuasiIdentifierSpec qi in Qis)
            {
                string chosen = variant.Setting($"research.quasi_identifiers.{qi.Id}.released") ?? qi.Released;
                DetailLevel level = qi.Levels.First(l => l.Id == chosen);
                foreach (SafeguardSpec g in variant.EnabledSafeguards.Where(g => g.Type == "generalisation"))
                {
                    // A safeguard only ever coarsens: of its level and the one released so far, the one with fewer values.
                    string? coarser = variant.Setting(GeneralisedPath(g, qi)) ?? g.Levels.GetValueOrDefault(qi.Id);
                    if (coarser is not null && qi.Levels.FirstOrDefault(l => l.Id == coarser) is { } coarse && coarse.Categories < level.Categories)
                        level = coarse;
                }

                ReleaseLevel resolved = ReleaseLevels.Of(population, qi.Id, level.Id, level.Categories)
                    ?? throw new InvalidOperationException($"quasi-identifier '{qi.Id}' level '{level.Id}' was not checked by the loader");
                levels.Add(resolved);
                known.Add(spec.Attack.Knows.Contains(qi.Id) ? resolved : new ReleaseLevel(1, LevelSource.None));
            }

            var layout = new CellLayout(levels.ToImmutable());
            var attack = new CellLayout(known.ToImmutable());
            VariantAttackLayout[v] = attack.SameAs(layout) ? null : attack;
            string key = ExtractKey(spec, variant);
            int e = extracts.FindIndex(x => x.Key == key);
            if (e < 0)
            {
                e = extracts.Count;
                extracts.Add(new ExtractPlan(key));
            }

            int c = classes.FindIndex(x => x.Extract == e && x.Layout.SameAs(layout));
            if (c < 0)
            {
                c = classes.Count;
                classes.Add(new ClassPlan(layout, e));
            }

            VariantClass[v] = c;
        }

        Extracts = extracts;
        Classes = classes;

        // A layout that coarsens another's cells is read through a map from the finer cell (one
        // lookup a person instead of a loop per quasi-identifier).
        int[] areaOf = [.. population.LocalAuthorities.Select(a => population.Areas.Select(x => x.Id).ToList().IndexOf(a.Area))];
        DerivedFrom = new int[classes.Count];
        CellMaps = new int[classes.Count][];
        for (int c = 0; c < classes.Count; c++)
        {
            DerivedFrom[c] = -1;
            for (int f = 0; f < c && DerivedFrom[c] < 0; f++)
            {
                if (DerivedFrom[f] < 0 && Coarsens(classes[c].Layout, classes[f].Layout, areaOf) is { } map)
                {
                    DerivedFrom[c] = f;
                    CellMaps[c] = map;
                }
            }
        }
    }

    public ImmutableArray<QuasiIdentifierSpec> Qis { get; }

    /// <summary>Per class plan, the earlier plan whose cells it coarsens (its cells are <see cref="CellMaps"/> of that plan's), or −1.</summary>
    public int[] DerivedFrom { get; }

    /// <summary>Per class plan derived from another, its cell for each of the other's cells.</summary>
    public int[]?[] CellMaps { get; }

    /// <summary>
    /// The map from <paramref name="fine"/>'s cells to <paramref name="coarse"/>'s when every
    /// quasi-identifier's coarse level is a coarsening of its fine one (the same level; nothing
    /// released; age bands whose width is a multiple; an authority's area), else null.
    /// </summary>
    private static int[]? Coarsens(CellLayout coarse, CellLayout fine, int[] areaOf)
    {
        for (int q = 0; q < coarse.Levels.Length; q++)
        {
            ReleaseLevel c = coarse.Levels[q], f = fine.Levels[q];
            bool ok = c == f || c.Source == LevelSource.None
                      || (c.Source == LevelSource.Age && f.Source == LevelSource.Age && c.Width % f.Width == 0)
                      || (c.Source == LevelSource.Area && f.Source == LevelSource.LocalAuthority && areaOf.All(a => a >= 0));
            if (!ok)
                return null;
        }

        var map = new int[fine.Cells];
        Span<int> codes = stackalloc int[fine.Levels.Length];
        for (int cell = 0; cell < fine.Cells; cell++)
        {
            fine.Decode(cell, codes);
            int to = 0;
            for (int q = 0; q < codes.Length; q++)
            {
                ReleaseLevel c = coarse.Levels[q], f = fine.Levels[q];
                int code = c.Source switch
                {
                    LevelSource.None => 0,
                    LevelSource.Age => Math.Min(codes[q] * f.Width / c.Width, c.Categories - 1),
                    LevelSource.Area when f.Source == LevelSource.LocalAuthority => areaOf[codes[q]],
                    _ => codes[q],
                };
                to += code * coarse.Strides[q];
            }

            map[cell] = to;
        }

        return map;
    }

    public IReadOnlyList<ExtractPlan> Extracts { get; }

    public IReadOnlyList<ClassPlan> Classes { get; }

    /// <summary>Per variant, its class plan, or −1 for a variant that releases nothing (the status quo).</summary>
    public int[] VariantClass { get; }

    /// <summary>Per variant, the classes of what the attacker knows when they are coarser than the release's; null when the same.</summary>
    public CellLayout?[] VariantAttackLayout { get; }

    public ReleaseForm[] VariantForm { get; }

    /// <summary>The setting a variant overrides to change the level a generalisation safeguard releases a quasi-identifier at.</summary>
    public static string GeneralisedPath(SafeguardSpec safeguard, QuasiIdentifierSpec qi) => $"safeguards.{safeguard.Id}.levels.{qi.Id}";

    /// <summary>What decides who is in the extract of <paramref name="variant"/>, as text.</summary>
    private static string ExtractKey(ResearchSpec spec, SimulationVariant variant)
    {
        var parts = new List<string> { "sample " + variant.Resolve(spec.SampleFraction).Value };
        foreach (SafeguardSpec g in variant.EnabledSafeguards.Where(g => ExtractSafeguards.Contains(g.Type)))
        {
            parts.Add($"{g.Type}:{g.Id}:{string.Join(",", g.Groups)}:" +
                      string.Join(",", g.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={variant.Resolve(p.Value).Value}")));
        }

        return string.Join(";", parts);
    }
}
