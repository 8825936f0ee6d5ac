using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Valuation;
using C = ImpactModel.Strands.TailoredServices.TailoredCounter;

namespace ImpactModel.Strands.TailoredServices;

/// <summary>Who is in need and who would apply, the same in every variant (one replicate).</summary>
internal sealed class NeedModel
{
    /// <summary>Need cut on word 0, indexed (mask × units + unit) × 10 + income decile.</summary>
    public required ulong[] NeedCut { get; init; }

    /// <summary>Units of the need table: local authorities when an odds ratio names one, else areas.</summary>
    public required int Units { get; init; }

    public required bool ByAuthority { get; init; }

    /// <summary>Self-application cut on word 1 (eligible persons), per mask.</summary>
    public required ulong[] ApplyCut { get; init; }

    public required long ApplicationPence { get; init; }

    /// <summary>The sources the rule reads that no rule linkage has as its target: their coverage keys and cuts per mask.</summary>
    public required RngKey[] CoverageKeys { get; init; }

    public required ulong[][] CoverageCuts { get; init; }

    /// <summary>The share of persons in need (over the calibration persons): a false match's record is in need with it.</summary>
    public required double MarginalNeed { get; init; }

    public required long BenefitPence { get; init; }

    /// <summary>Words: draw 0 need, apply, flag, response; draw 1 opt-out of the action, opt-out of matching or consent, intrusion kept, outreach.</summary>
    public required RngKey Outcomes { get; init; }
}

/// <summary>What a variant changes: the rule, the action and the safeguards. Filled while compiling, read-only after.</summary>
internal sealed class ServiceVariant
{
    public bool Links { get; init; }

    /// <summary>Per rule linkage, its index among the replicate's distinct compiled linkages of that linkage; −1 when the variant links nothing.</summary>
    public required int[] LinkRep { get; init; }

    /// <summary>Per rule linkage, whether this variant counts its link.* counters (the first to use it).</summary>
    public required bool[] CountsLinkage { get; init; }

    public required ulong[] SensitivityCut { get; set; }

    public required ulong[] FalsePositiveCut { get; init; }

    /// <summary>The rule's flag cut for a person linked to someone else's record: the flag rate of a person drawn at random (in need with the marginal share; the variant's base sensitivity and false-positive rate).</summary>
    public required ulong OtherCut { get; init; }

    public required ulong[] ResponseCut { get; init; }

    /// <summary>Opt-out of the action per mask: automatic enrolment's; zero for proactive contact, where a person who does not want the service just does not respond.</summary>
    public required ulong[] OptOutCut { get; init; }

    public required long ContactPence { get; init; }

    public required bool SensitiveInference { get; init; }

    /// <summary>Opt-out of matching (opt-out safeguard) or refusal of consent: a person is not matched when word &lt; this.</summary>
    public ulong NotMatchedCut { get; set; }

    /// <summary>A contacted ineligible person's inference counts as an intrusion when word &lt; this (data minimisation lowers it).</summary>
    public ulong IntrusionCut { get; set; } = BernoulliThreshold.Cut(1);

    public uint ExcludedMask { get; set; }

    public uint OutreachMask { get; set; }

    public ulong OutreachCut { get; set; }

    public long OutreachPence { get; set; }

    public required long RunningPence { get; init; }

    public required FixedCosts Fixed { get; init; }

    /// <summary>The money value of one intrusion, pence a year (0 unless the scenario values intrusion with a source).</summary>
    public required double IntrusionValuePence { get; init; }
}

/// <summary>One replicate of the tailored-services strand.</summary>
internal sealed class TailoredReplicate : IStrandReplicate
{
    private static readonly SafeguardMechanisms<ServiceVariant> Mechanisms = new(StrandIds.TailoredServices, new Dictionary<string, SafeguardMechanism<ServiceVariant>>
    {
        ["opt-out"] = (m, g, d) => m.NotMatchedCut = Math.Max(m.NotMatchedCut, d.Threshold(g.Get("opt_out_rate")!)),
        ["consent"] = (m, g, d) => m.NotMatchedCut = Math.Max(m.NotMatchedCut, BernoulliThreshold.Cut(1 - d.Draw(g.Get("consent_rate")!))),
        ["data-minimisation"] = (m, g, d) =>
        {
            m.IntrusionCut = BernoulliThreshold.Cut(1 - d.Draw(g.Get("reduction")!));
            double loss = d.Draw(g.Get("sensitivity_loss"), 0);
            m.SensitivityCut = Array.ConvertAll(m.SensitivityCut, c => (ulong)Math.Round(c * (1 - loss)));
        },
        ["sensitive-category-exclusion"] = (m, g, d) => m.ExcludedMask |= d.MaskOf(g.Groups),
        ["outreach-channel"] = (m, g, d) =>
        {
            m.OutreachMask |= d.MaskOf(g.Groups);
            m.OutreachCut = d.Threshold(g.Get("reach_rate")!);
            m.OutreachPence = ReplicateDraws.ToPence(d.Draw(g.Get("cost_per_case"), 0));
        },
        ["sanctions-and-audit"] = SafeguardMechanisms.CostOnly<ServiceVariant>(),
    });

    private readonly VariantLinkages[] _linkages;
    private readonly int _statusQuo;
    private readonly long _declared;
    private readonly long _simulated;
    private readonly double _annuity;

    private TailoredReplicate(NeedModel need, ServiceVariant[] variants, VariantLinkages[] linkages, int statusQuo, long declared, long simulated, double annuity)
    {
        Need = need;
        Variants = variants;
        _linkages = linkages;
        _statusQuo = statusQuo;
        _declared = declared;
        _simulated = simulated;
        _annuity = annuity;
    }

    internal NeedModel Need { get; }

    internal ServiceVariant[] Variants { get; }

    /// <summary>Per rule linkage, its distinct compiled linkages (variants that link the same records share one).</summary>
    internal IReadOnlyList<IReadOnlyList<CompiledLinkage>> Linkages => [.. _linkages.Select(l => l.Distinct)];

    /// <summary>The safeguard types this strand has a mechanism for.</summary>
    internal static IEnumerable<string> SafeguardTypes => Mechanisms.Types;

    /// <summary>The strand's stream of local-authority effects for its need (<see cref="CompiledPopulation.AuthorityEffects"/>).</summary>
    internal const int NeedEffectsStream = 0;

    /// <summary>True when the need varies by local authority (declared effects, or an odds ratio naming an authority): it then depends on the person's authority.</summary>
    internal static bool ByAuthority(Scenario scenario)
    {
        NeedSpec need = scenario.TailoredServices!.Need;
        if (need.LocalAuthorityVariation is not null && !scenario.Population.LocalAuthorities.IsEmpty)
            return true;
        var authorities = scenario.Population.LocalAuthorities.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        return need.AreaOddsRatios.Any(o => authorities.Contains(o.Area));
    }

    /// <summary>
    /// The indices of the sources the rule reads that no rule linkage links to (their coverage is
    /// drawn here; a linkage's target coverage is the linkage's own outcome).
    /// </summary>
    internal static int[] CoverageSources(Scenario scenario)
    {
        IdentificationSpec id = scenario.TailoredServices!.Identification;
        var targets = id.Linkages.Select(l => scenario.Linkages[VariantLinkages.IndexOf(scenario, l)].To).ToHashSet(StringComparer.Ordinal);
        return [.. id.Sources.Where(s => !targets.Contains(s)).Select(s => scenario.DataSources.Select(d => d.Id).ToList().IndexOf(s))];
    }

    public static TailoredReplicate Compile(Scenario scenario, int[] ruleLinkages, ReplicateContext context)
    {
        var draws = new ReplicateDraws(context);
        NeedModel need = CompileNeed(scenario, context, draws);
        var linkages = new VariantLinkages[ruleLinkages.Length];
        for (int l = 0; l < ruleLinkages.Length; l++)
            linkages[l] = VariantLinkages.Compile(context, ruleLinkages[l]);
        var variants = new ServiceVariant[context.Variants.Count];
        int statusQuo = 0;
        for (int v = 0; v < variants.Length; v++)
        {
            if (context.Variants[v].Kind == VariantKind.StatusQuo)
                statusQuo = v;
            variants[v] = CompileVariant(context.Variants[v], draws, need, linkages, v);
        }

        double annuity = PresentValue.AnnuityFactor(scenario.HorizonYears, draws.Draw(scenario.DiscountRate));
        return new TailoredReplicate(need, variants, linkages, statusQuo, scenario.Population.Size, context.Persons, annuity);
    }

    /// <summary>Persons of the replicate the need's intercepts are calibrated on (fewer when the run simulates fewer).</summary>
    internal const int CalibrationPersons = 100_000;

    /// <summary>Fewest calibration persons of a mask for its own spread to be used (fewer: everyone's spread).</summary>
    internal const int MinCalibrationPersons = 200;

    /// <summary>
    /// How the persons of each group mask spread over units and income deciles: counts by (mask ×
    /// units + unit) × 10 + decile over the replicate's first <see cref="CalibrationPersons"/>
    /// persons (the run's own persons, so the same for any thread count or chunk size). Group
    /// membership depends on income and area, so a mask's persons are not spread like everyone.
    /// </summary>
    private static long[] MaskCells(CompiledPopulation population, bool byAuthority, int units, int masks, long persons)
    {
        var counts = new long[masks * units * 10];
        var chunk = new PersonChunk(PersonChunk.DefaultCapacity);
        long n = Math.Min(persons, CalibrationPersons);
        PersonAttributes wanted = byAuthority ? PersonAttributes.LocalAuthority : PersonAttributes.None;
        for (long first = 0; first < n; first += chunk.Capacity)
        {
            int count = (int)Math.Min(chunk.Capacity, n - first);
            population.Generate(chunk, first, count, wanted);
            for (int i = 0; i < count; i++)
            {
                int unit = byAuthority ? chunk.LocalAuthority[i] : chunk.Area[i];
                counts[((int)chunk.Groups[i] * units + unit) * 10 + chunk.IncomeDecile[i]]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// Need: log-odds c + log(area odds ratio) + gradient × (decile − 4.5), c solved per mask so that
    /// the mean over that mask's own persons' units and deciles (<see cref="MaskCells"/>) is the
    /// mask's prevalence; a mask too rare to be seen in the calibration persons is solved over
    /// everyone's spread (units by their shares, ten equal deciles).
    /// </summary>
    private static NeedModel CompileNeed(Scenario scenario, ReplicateContext context, ReplicateDraws draws)
    {
        TailoredServicesSpec spec = scenario.TailoredServices!;
        CompiledPopulation population = context.Population;
        bool byAuthority = ByAuthority(scenario);
        PopulationSpec pop = scenario.Population;
        int units = byAuthority ? pop.LocalAuthorities.Length : pop.Areas.Length;
        double[] weights = [.. byAuthority ? population.AuthorityShares : population.AreaShares];
        var ratio = spec.Need.AreaOddsRatios.ToDictionary(o => o.Area, o => draws.Draw(o.OddsRatio), StringComparer.Ordinal);
        var offsets = new double[units];
        for (int u = 0; u < units; u++)
        {
            string id = byAuthority ? pop.LocalAuthorities[u].Id : pop.Areas[u].Id;
            string? area = byAuthority ? pop.LocalAuthorities[u].Area : null;
            double or = ratio.TryGetValue(id, out double own) ? own : area is not null && ratio.TryGetValue(area, out double regional) ? regional : 1;
            offsets[u] = DeterministicMath.Log(or);
        }

        if (byAuthority && spec.Need.LocalAuthorityVariation is { } variation)
        {
            // Normal effects on the log-odds, one per authority, from the strand's own stream: the
            // intercepts below are solved with them in, so the declared prevalences still hold.
            double[] effects = population.AuthorityEffects(draws.Draw(variation), NeedEffectsStream);
            for (int u = 0; u < units; u++)
                offsets[u] += effects[u];
        }

        double[] prevalence = draws.ByMask(spec.Need.Prevalence, probability: true);
        double gradient = draws.Draw(spec.Need.IncomeGradient);
        int masks = draws.Masks;
        long[] cells = MaskCells(population, byAuthority, units, masks, context.Persons);
        var cut = new ulong[masks * units * 10];
        var cellOffsets = new double[units * 10];
        var cellWeights = new double[units * 10];
        var usedOffsets = new double[units * 10];
        var everyoneWeights = new double[units * 10]; // each unit by its share, the ten deciles equally
        var everyone = new Dictionary<double, double>(); // masks too rare to calibrate share a few prevalences: solve each once
        for (int u = 0; u < units; u++)
        {
            for (int d = 0; d < 10; d++)
            {
                cellOffsets[u * 10 + d] = offsets[u] + gradient * (d - 4.5);
                everyoneWeights[u * 10 + d] = weights[u] / 10;
            }
        }

        double needSum = 0;
        long sampled = 0;
        for (int mask = 0; mask < masks; mask++)
        {
            double p = Math.Clamp(prevalence[mask], 0, 1);
            long n = 0;
            for (int k = 0; k < units * 10; k++)
                n += cells[mask * units * 10 + k];
            double c;
            if (p <= 0 || p >= 1)
                c = 0;
            else if (n >= MinCalibrationPersons)
            {
                // The mask's own cells (those it has persons in), each with its share of them.
                int used = 0;
                for (int k = 0; k < units * 10; k++)
                {
                    long count = cells[mask * units * 10 + k];
                    if (count == 0)
                        continue;
                    cellWeights[used] = (double)count / n;
                    usedOffsets[used++] = cellOffsets[k];
                }

                c = MarginalIntercept.OfCells(p, usedOffsets.AsSpan(0, used), cellWeights.AsSpan(0, used));
            }
            else if (!everyone.TryGetValue(p, out c))
            {
                everyone[p] = c = MarginalIntercept.OfCells(p, cellOffsets, everyoneWeights);
            }

            needSum += n * p;
            sampled += n;
            for (int u = 0; u < units; u++)
            {
                for (int d = 0; d < 10; d++)
                {
                    double q = p <= 0 ? 0 : p >= 1 ? 1 : DeterministicMath.Expit(c + offsets[u] + gradient * (d - 4.5));
                    cut[(mask * units + u) * 10 + d] = BernoulliThreshold.Cut(q);
                }
            }
        }

        int[] sources = CoverageSources(scenario);
        return new NeedModel
        {
            NeedCut = cut,
            Units = units,
            ByAuthority = byAuthority,
            ApplyCut = draws.Thresholds(spec.StatusQuoTakeUp),
            ApplicationPence = draws.Pence(spec.ApplicationCost),
            CoverageKeys = [.. sources.Select(s => RngKey.From(context.Seed, context.Replicate, RngStream.Coverage(s)))],
            CoverageCuts = [.. sources.Select(s => draws.Thresholds(scenario.DataSources[s].Coverage))],
            MarginalNeed = sampled > 0 ? needSum / sampled : prevalence[0],
            BenefitPence = draws.Pence(spec.BenefitPerPersonReached),
            Outcomes = draws.OutcomeKey(StrandIds.TailoredServices, 0),
        };
    }

    private static ServiceVariant CompileVariant(SimulationVariant variant, ReplicateDraws replicateDraws, NeedModel need, VariantLinkages[] linkages, int v)
    {
        ReplicateDraws draws = replicateDraws.For(variant);
        TailoredServicesSpec spec = variant.Scenario.TailoredServices!;
        bool links = variant.LinksData;
        bool enrolment = draws.Setting("tailored_services.action.type") is { } type
            ? type == "automatic-enrolment"
            : spec.Action == ServiceAction.AutomaticEnrolment;
        var model = new ServiceVariant
        {
            Links = links,
            LinkRep = [.. linkages.Select(l => l.Of[v])],
            CountsLinkage = [.. linkages.Select(l => l.Counts(v))],
            SensitivityCut = draws.Thresholds(spec.Identification.Sensitivity),
            FalsePositiveCut = draws.Thresholds(spec.Identification.FalsePositiveRate),
            OtherCut = BernoulliThreshold.Cut(need.MarginalNeed * draws.Draw(spec.Identification.Sensitivity.Base)
                                              + (1 - need.MarginalNeed) * draws.Draw(spec.Identification.FalsePositiveRate.Base)),
            ResponseCut = draws.Thresholds(spec.Response),
            OptOutCut = enrolment ? draws.Thresholds(spec.OptOut) : new ulong[draws.Masks],
            ContactPence = draws.Pence(spec.ContactCost),
            SensitiveInference = spec.Identification.SensitiveInference,
            RunningPence = links ? draws.Pence(spec.AnnualRunningCost) : 0,
            Fixed = links ? FixedCosts.Of(variant, draws) : default,
            IntrusionValuePence = TailoredServicesModel.HasSourcedValuation(spec) ? 100 * draws.Draw(spec.IntrusionValuation!) : 0,
        };
        if (links)
            Mechanisms.Apply(variant, model, draws);
        return model;
    }

    public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity) => new TailoredEvaluator(this, chunkCapacity);

    /// <summary>
    /// Forms the totals and present values from the merged one-year tallies: the best achievable
    /// recall of each row (the most any variant of the rule identifies); the running and safeguards'
    /// annual costs (row all, divided by the scale factor so the runner's scaling leaves them whole);
    /// total cost; net benefit = annuity factor × (value delivered − total cost) − setup costs; and
    /// the difference from the status quo.
    /// </summary>
    public void Complete(StrandTally total)
    {
        StrandTally<C> t = total.As<C>();
        for (int v = 1; v < Variants.Length; v++)
            t.CopyCounters(0, v, C.Eligible, C.Applied);
        for (int v = 1; v < Variants.Length; v++)
            t.CopyCounters(0, v, C.ApplicationCostPence, C.ApplicationCostPence);
        for (int l = 0; l < _linkages.Length; l++)
            LinkCounters.CopyShared(total.Slice(TailoredCounters.LinkBlock(l), LinkCounters.Set.Count), _linkages[l]);

        double unscale = FixedCosts.Unscale(_simulated, _declared);
        for (int row = 0; row < t.Rows; row++)
        {
            long best = 0;
            for (int v = 0; v < Variants.Length; v++)
                best = Math.Max(best, t[v, row, C.Identified]);
            for (int v = 0; v < Variants.Length; v++)
                t[v, row, C.BestIdentified] = best;
        }

        for (int v = 0; v < Variants.Length; v++)
        {
            ServiceVariant m = Variants[v];
            t[v, 0, C.RunningCostPence] += (long)Math.Round(m.RunningPence * unscale);
            t[v, 0, C.SafeguardCostPence] += m.Fixed.AnnualCounter(unscale);
            for (int row = 0; row < t.Rows; row++)
            {
                long cost = t[v, row, C.ApplicationCostPence] + t[v, row, C.ContactCostPence] + t[v, row, C.OutreachCostPence]
                            + t[v, row, C.RunningCostPence] + t[v, row, C.SafeguardCostPence];
                t[v, row, C.TotalCostPence] = cost;
                t[v, row, C.NetBenefitPence] = m.Fixed.NetPresentValue(_annuity, t[v, row, C.ValuePence] - cost, withFixed: row == 0, unscale);
                t[v, row, C.IntrusionValuePence] = (long)Math.Round(_annuity * t[v, row, C.Intrusions] * m.IntrusionValuePence);
            }
        }

        StatusQuoDifference.Form(t, C.NetBenefitPence, C.NetBenefitVsStatusQuoPence, _statusQuo);
    }
}
