using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Valuation;

namespace ImpactModel.Strands.Research;

/// <summary>Who is in one extract (one replicate): the cuts on the persons' words.</summary>
internal sealed class ExtractCuts
{
    /// <summary>Has a record in the extract's source, per group mask (word 0 of the source's coverage stream); all persons when the extract names no source.</summary>
    public required ulong[] CoverageCut { get; init; }

    /// <summary>Sampled into the extract when word 0 of the strand's draw 0 is below this.</summary>
    public required ulong SampleCut { get; init; }

    /// <summary>Left out (opted out, or no consent) when word 1 is below this.</summary>
    public ulong NotReleasedCut { get; set; }

    /// <summary>Members of these groups are left out (sensitive-category exclusion).</summary>
    public uint ExcludedMask { get; set; }
}

/// <summary>What a variant does after the extract is drawn. Filled while compiling, read-only after.</summary>
internal sealed class ReleaseVariant
{
    public bool Releases { get; init; }

    public ReleaseForm Form { get; init; }

    /// <summary>No released class (record level) or table cell below this; 1 without suppression.</summary>
    public int Threshold { get; set; } = 1;

    /// <summary>Laplace noise on released counts with this budget per release; 0 without noise.</summary>
    public double Epsilon { get; set; }

    public double CatchRate { get; set; }

    public double Deterrence { get; set; }

    public double AccessReduction { get; set; }

    public double KnowledgeReduction { get; set; }

    /// <summary>Opt-outs, consent and exclusions (they act on the extract; the cuts live in <see cref="ExtractCuts"/>).</summary>
    public ExtractCuts? Extract { get; init; }

    public double Attempts { get; init; }

    public double SuccessIfUnique { get; init; }

    public double ReleasesPerYear { get; init; }

    public int HighRiskMax { get; init; }

    public FixedCosts Fixed { get; init; }

    public double ResearchValuePence { get; init; }

    public double ReidentificationValuePence { get; init; }

    /// <summary>The risk table this variant reads in pass 1, and whether it is the first variant to read it (it counts; the others copy).</summary>
    public int Risk { get; set; } = -1;

    public bool CountsRisk { get; set; }
}

/// <summary>Per-cell values of one (class counts, threshold, form, high-risk threshold, output checking, noise) combination, read by pass 1.</summary>
internal sealed class RiskTable
{
    public required string Key { get; init; }

    /// <summary>Its position in the replicate's tables.</summary>
    public required int Index { get; init; }

    public required int Class { get; init; }

    public required int Extract { get; init; }

    public required int Representative { get; init; }

    /// <summary>The representative variant's suppression threshold (1: none).</summary>
    public required int Threshold { get; init; }

    /// <summary>The representative variant's largest class at high risk.</summary>
    public required int HighRiskMax { get; init; }

    /// <summary>True when the attacker's classes are coarser than the release's, so the attack sum is counted apart.</summary>
    public required bool AttackApart { get; init; }

    /// <summary>Where this table's <see cref="ClassRisk.Stride"/> integers start within a cell's block of <see cref="ResearchReplicate.ClassTables"/>.</summary>
    public int Offset { get; set; }

    /// <summary>With exact class sizes and an attacker who knows less than is released: the attacker's risk per cell (fixed point).</summary>
    public long[]? AttackCells { get; set; }

    /// <summary>With exact class sizes, for public tables: per cell, bit a set when a disclosure of attribute a is left after output checking and noise.</summary>
    public byte[]? AllowedDisclosures { get; set; }
}

/// <summary>One replicate of the research and statistics strand.</summary>
internal sealed partial class ResearchReplicate : IStrandReplicate
{
    private static readonly SafeguardMechanisms<ReleaseVariant> Mechanisms = new(StrandIds.Research, new Dictionary<string, SafeguardMechanism<ReleaseVariant>>
    {
        ["generalisation"] = SafeguardMechanisms.CostOnly<ReleaseVariant>(), // its levels decide the variant's cells (ReleasePlan)
        ["suppression"] = (m, g, d) => m.Threshold = Math.Max(m.Threshold, (int)Math.Min(MaxThreshold, Math.Ceiling(d.Draw(g.Get("threshold")!)))),
        ["noise"] = (m, g, d) => m.Epsilon = d.Draw(g.Get("epsilon")!),
        ["trusted-research-environment"] = (m, g, d) =>
        {
            m.AccessReduction = d.Draw(g.Get("access_reduction")!);
            m.KnowledgeReduction = d.Draw(g.Get("knowledge_reduction"), 0);
        },
        ["output-checking"] = (m, g, d) => m.CatchRate = d.Draw(g.Get("catch_rate")!),
        ["accreditation"] = (m, g, d) => m.Deterrence = d.Draw(g.Get("deterrence")!),
        ["opt-out"] = (m, g, d) => m.Extract!.NotReleasedCut = Math.Max(m.Extract.NotReleasedCut, d.Threshold(g.Get("opt_out_rate")!)),
        ["consent"] = (m, g, d) => m.Extract!.NotReleasedCut = Math.Max(m.Extract.NotReleasedCut, BernoulliThreshold.Cut(1 - d.Draw(g.Get("consent_rate")!))),
        ["sensitive-category-exclusion"] = (m, g, d) => m.Extract!.ExcludedMask |= d.MaskOf(g.Groups),
        ["sanctions-and-audit"] = SafeguardMechanisms.CostOnly<ReleaseVariant>(),
    });

    /// <summary>The safeguard types this strand has a mechanism for.</summary>
    internal static IEnumerable<string> SafeguardTypes => Mechanisms.Types;

    private readonly ResearchModel _model;
    private readonly ReplicateContext _context;

    private ResearchReplicate(ResearchModel model, ReplicateContext context, ReplicateDraws draws, ReleaseVariant[] variants, ExtractCuts[] extracts,
        ulong[][] attributeCuts, RiskTable[] risks, double annuity)
    {
        _model = model;
        _context = context;
        Variants = variants;
        Extracts = extracts;
        AttributeCuts = attributeCuts;
        Risks = risks;
        _annuity = annuity;
        Outcomes = draws.OutcomeKey(StrandIds.Research, 0);
        NoiseKey = draws.OutcomeKey(StrandIds.Research, 1);
        CheckingKey = draws.OutcomeKey(StrandIds.Research, 2);
        CoverageKey = model.ExtractSource is { } source ? RngKey.From(context.Seed, context.Replicate, RngStream.Coverage(source)) : default;
        Rho = context.Persons >= context.Scenario.Population.Size || context.Persons <= 1
            ? 1
            : (context.Scenario.Population.Size - 1.0) / (context.Persons - 1.0);
        ReleasePlan plan = model.Plan;
        VariantsOfExtract = [.. Enumerable.Range(0, extracts.Length)
            .Select(e => Enumerable.Range(0, variants.Length).Where(v => variants[v].Releases && plan.Classes[plan.VariantClass[v]].Extract == e).ToArray())];
    }

    private readonly double _annuity;

    internal ResearchModel Model => _model;

    internal ReleaseVariant[] Variants { get; }

    internal ExtractCuts[] Extracts { get; }

    /// <summary>Per extract, the variants that release from it (whose persons' flags it decides).</summary>
    internal int[][] VariantsOfExtract { get; }

    /// <summary>Per sensitive attribute, its cut per group mask.</summary>
    internal ulong[][] AttributeCuts { get; }

    internal RiskTable[] Risks { get; }

    /// <summary>
    /// Per class plan, the risk tables that read its counts, interleaved cell by cell (a cell's
    /// values of every table side by side, so a person's lookups touch one or two cache lines):
    /// filled at the end of pass 0.
    /// </summary>
    internal long[][] ClassTables { get; private set; } = [];

    /// <summary>With exact class sizes, per class plan, <see cref="CompactWidth"/> integers per cell that every table's values are formed from.</summary>
    internal long[][] CompactCells { get; private set; } = [];

    /// <summary>Per class plan, its risk tables (indices into <see cref="Risks"/>), in offset order.</summary>
    internal int[][] TablesOfClass { get; private set; } = [];

    /// <summary>Words of draw 0: sampled, opted out, attributes 0 … 2 (words 2 and 3, then draw 1's word 0).</summary>
    internal RngKey Outcomes { get; }

    internal RngKey NoiseKey { get; }

    internal RngKey CheckingKey { get; }

    internal RngKey CoverageKey { get; }

    /// <summary>1 when the declared population is simulated (class sizes exact); otherwise the scaling of other persons to it.</summary>
    internal double Rho { get; }

    /// <summary>Estimates per variant, result row and question (NaN where the release allows none), formed at the end of pass 0.</summary>
    internal double[][][] Estimates { get; private set; } = [];

    /// <summary>Per variant and result row: cells with members, cells suppressed, whether any member is released.</summary>
    internal long[][] CellsWithMembers { get; private set; } = [];

    internal long[][] CellsSuppressed { get; private set; } = [];

    internal bool[][] RowReleased { get; private set; } = [];

    /// <summary>
    /// Per variant releasing tables and result row: the attribute disclosures (record × attribute) of
    /// the row's own table — the table of everyone for <c>all</c>, of the group's members for a group
    /// — formed at the end of pass 0.
    /// </summary>
    internal double[][] TableDisclosures { get; private set; } = [];

    public static ResearchReplicate Compile(ResearchModel model, ReplicateContext context)
    {
        Scenario scenario = context.Scenario;
        ResearchSpec spec = scenario.Research!;
        ReleasePlan plan = model.Plan;
        var draws = new ReplicateDraws(context);
        ulong[][] attributeCuts = [.. spec.SensitiveAttributes.Select(a => draws.Thresholds(a.Prevalence))];
        var extracts = new ExtractCuts[plan.Extracts.Count];
        var variants = new ReleaseVariant[context.Variants.Count];
        int groups = scenario.Population.Groups.Length;
        for (int v = 0; v < variants.Length; v++)
        {
            SimulationVariant variant = context.Variants[v];
            ReplicateDraws d = draws.For(variant);
            int c = plan.VariantClass[v];
            if (c < 0)
            {
                variants[v] = new ReleaseVariant { Releases = false };
                continue;
            }

            // The plan read the variant's settings from the scenario alone; read them here too so an override is seen to act.
            _ = d.Setting("research.release.form");
            foreach (QuasiIdentifierSpec qi in spec.QuasiIdentifiers)
            {
                _ = d.Setting($"research.quasi_identifiers.{qi.Id}.released");
                foreach (SafeguardSpec g in variant.EnabledSafeguards.Where(g => g.Type == "generalisation"))
                    _ = d.Setting(ReleasePlan.GeneralisedPath(g, qi));
            }
            int e = plan.Classes[c].Extract;
            bool first = extracts[e] is null;
            extracts[e] ??= new ExtractCuts
            {
                CoverageCut = model.ExtractSource is { } s ? d.Thresholds(scenario.DataSources[s].Coverage) : Enumerable.Repeat(BernoulliThreshold.Cut(1), 1 << groups).ToArray(),
                SampleCut = d.Threshold(spec.SampleFraction),
            };
            double tau = d.Draw(spec.HighRiskThreshold!);
            var m = new ReleaseVariant
            {
                Releases = true,
                Form = plan.VariantForm[v],
                // Only the first variant of an extract applies the extract's safeguards; the others share it (the plan keyed them alike).
                Extract = first ? extracts[e] : new ExtractCuts { CoverageCut = [], SampleCut = 0 },
                Attempts = d.Draw(spec.Attack.AttemptsPerYear),
                SuccessIfUnique = d.Draw(spec.Attack.SuccessIfUnique),
                ReleasesPerYear = d.Draw(spec.ReleasesPerYear!),
                HighRiskMax = HighRiskMax(tau),
                Fixed = FixedCosts.Of(variant, d),
                ResearchValuePence = spec.ResearchValue is { } value ? 100 * d.Draw(value) : 0,
                ReidentificationValuePence = ResearchModel.HasSourcedValuation(spec) ? 100 * d.Draw(spec.ReidentificationValuation!) : 0,
            };
            Mechanisms.Apply(variant, m, d);
            variants[v] = m;
        }

        // Risk tables: one per distinct (class counts, threshold, form, high-risk threshold, checking and noise on tables, attacker's classes).
        var risks = new List<RiskTable>();
        for (int v = 0; v < variants.Length; v++)
        {
            ReleaseVariant m = variants[v];
            if (!m.Releases)
                continue;
            bool tables = m.Form == ReleaseForm.PublicTables;
            CellLayout? attack = plan.VariantAttackLayout[v];
            string key = FormattableString.Invariant(
                $"{plan.VariantClass[v]}|{m.Threshold}|{m.HighRiskMax}|{m.Form}|{(tables ? m.CatchRate : 0):R}|{(tables ? m.Epsilon : 0):R}|{(attack is null ? "" : string.Join(",", attack.Levels))}");
            int r = risks.FindIndex(x => x.Key == key);
            m.CountsRisk = r < 0;
            if (r < 0)
            {
                r = risks.Count;
                risks.Add(new RiskTable
                {
                    Key = key, Index = r, Class = plan.VariantClass[v], Threshold = m.Threshold, HighRiskMax = m.HighRiskMax, Extract = plan.Classes[plan.VariantClass[v]].Extract, Representative = v, AttackApart = attack is not null,
                });
            }

            m.Risk = r;
        }

        double annuity = PresentValue.AnnuityFactor(scenario.HorizonYears, draws.Draw(scenario.DiscountRate));
        return new ResearchReplicate(model, context, draws, variants, extracts, attributeCuts, [.. risks], annuity);
    }

    /// <summary>
    /// The largest class size whose prosecutor risk 1/f is above <paramref name="tau"/> (0 when none
    /// is; <see cref="int.MaxValue"/> when every class is, τ at or below 1/2^31).
    /// </summary>
    internal static int HighRiskMax(double tau)
    {
        if (tau * int.MaxValue <= 1)
            return int.MaxValue;
        long f = Math.Max(0, (long)Math.Ceiling(1 / tau) - 1);
        while (f > 0 && f * tau >= 1)
            f--;
        while ((f + 1) * tau < 1)
            f++;
        return (int)f;
    }

    /// <summary>The largest suppression threshold a run uses: no class of the declared population is larger (2^30 is far above any).</summary>
    private const int MaxThreshold = 1 << 30;

    /// <summary>
    /// For tests, after pass 0 has ended: each person's record in variant <paramref name="variant"/>'s
    /// release (the same values pass 1 attributes): −1 in <paramref name="released"/> for a person not in
    /// the extract, else its probability of being released, and its prosecutor risk 1/f and journalist
    /// risk 1/F (0 when suppressed): the probability in units of <see cref="ResearchCounters.Fixed"/>, the
    /// risks in units of <see cref="ResearchCounters.Fine"/>.
    /// </summary>
    internal void RecordValues(int variant, PersonChunk persons, Span<long> released, Span<long> prosecutor, Span<long> journalist)
    {
        ArgumentNullException.ThrowIfNull(persons);
        ReleaseVariant m = Variants[variant];
        if (!m.Releases)
            throw new ArgumentException($"variant {variant} releases nothing", nameof(variant));
        var prepared = new ExtractPersons(this, persons.Capacity);
        prepared.Prepare(persons);
        RiskTable risk = Risks[m.Risk];
        int stride = ClassRisk.Stride(AttributeCuts.Length);
        int[] own = TablesOfClass[risk.Class];
        int block = own.Length * stride;
        for (int i = 0; i < persons.Count; i++)
        {
            if (prepared.InExtract[risk.Extract][i] == 0)
            {
                released[i] = -1;
                prosecutor[i] = journalist[i] = 0;
                continue;
            }

            int cell = prepared.Cells[risk.Class][i];
            if (CompactCells.Length > 0)
            {
                long[] compact = CompactCells[risk.Class];
                bool kept = compact[cell * CompactWidth] >= risk.Threshold && risk.AllowedDisclosures is null;
                released[i] = kept ? ClassRisk.Fixed(1) : 0;
                prosecutor[i] = kept ? compact[cell * CompactWidth + 1] : 0;
                journalist[i] = kept ? compact[cell * CompactWidth + 2] : 0;
            }
            else
            {
                int at = cell * block + risk.Offset;
                long[] table = ClassTables[risk.Class];
                released[i] = table[at + ClassRisk.Released];
                prosecutor[i] = table[at + ClassRisk.Prosecutor];
                journalist[i] = table[at + ClassRisk.Journalist];
            }
        }
    }

    public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity) => pass == 0
        ? new ClassCounter(this, chunkCapacity)
        : _model.FormsTallies ? new HarmMarker(this, chunkCapacity) : new RiskAttributor(this, chunkCapacity);
}
