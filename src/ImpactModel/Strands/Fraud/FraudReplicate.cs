using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using ImpactModel.Valuation;
using C = ImpactModel.Strands.Fraud.FraudCounter;

namespace ImpactModel.Strands.Fraud;

/// <summary>What one claimant's state is.</summary>
internal enum ClaimState : byte
{
    Correct = 0,
    ClaimantError = 1,
    OfficialError = 2,
    Fraud = 3,
}

/// <summary>The person-level model of one replicate: who claims, their true state and amounts (the same in every variant).</summary>
internal sealed class PersonModel
{
    /// <summary>Cut on word 0 of the outcomes block, indexed mask × 10 + income decile.</summary>
    public required ulong[] ClaimCut { get; init; }

    /// <summary>Youngest claimant age when the population declares ages (0: no age rule).</summary>
    public required int MinAge { get; init; }

    /// <summary>
    /// Per class of ages, whether its persons are under <see cref="MinAge"/> (16), when the class tells
    /// (<see cref="CompiledPopulation.AgeClassTellsAdults"/>): then no ages are generated. Null: read the age.
    /// </summary>
    public required bool[]? MinorByAgeClass { get; init; }

    /// <summary>Cumulative cuts on word 1, per mask: claimant error, + official error, + fraud.</summary>
    public required ulong[] StateCut { get; init; } // mask × 3

    public required PersonDistribution[] Overpayment { get; init; } // by ClaimState (index 0 unused)

    public required ulong[] EarnerCut { get; init; }

    public required ulong EarnerCutAll { get; init; }

    public required PersonDistribution Earnings { get; init; }

    /// <summary>Log-scale sd of the month factor per mask: s² = ln(1 + cv²).</summary>
    public required double[] LogSd { get; init; }

    public required ulong UndeclaredCut { get; init; }

    public required ulong[] StaleCut { get; init; }

    public required long AwardPence { get; init; }

    /// <summary>Status-quo checks: per check, detection and false-referral cuts per mask, and cost per case in pence.</summary>
    public required ulong[][] CheckDetect { get; init; }

    public required ulong[][] CheckFalse { get; init; }

    public required long[] CheckCostPence { get; init; }

    /// <summary>The debt raised on an unanswered status-quo referral of a correct claim: the mean claimant-error overpayment, pence.</summary>
    public required long ReferralDebtPence { get; init; }

    public required PersonDistribution Days { get; init; }

    public required RngKey Outcomes { get; init; }

    public required RngKey Staleness { get; init; }

    /// <summary>Stream index 1 of the strand's outcomes: draw 0 days to resolution, draw 1 word 0 whether review wrongly clears a true case.</summary>
    public required RngKey DaysKey { get; init; }

    /// <summary>Share of an established debt eventually recovered (the replicate's draw of <c>fraud.recovery.rate</c>).</summary>
    public required double RecoveryRate { get; init; }
}

/// <summary>
/// What a variant changes: the matching rule, the safeguards and the action parameters. Filled while
/// the variant is compiled (the safeguards' mechanisms set what they change), read-only after.
/// </summary>
internal sealed class VariantModel
{
    public bool Matching { get; init; }

    /// <summary>The variant's linkage among the replicate's distinct ones, or −1 when it links nothing.</summary>
    public int LinkRep { get; init; }

    /// <summary>True for the first variant of its linkage: it counts the link.* counters, which Complete copies to the others.</summary>
    public bool CountsLinkage { get; init; }

    public bool PeriodMatched { get; set; }

    public double Threshold { get; set; }

    public bool Review { get; set; }

    public ulong CatchCut { get; set; }

    /// <summary>Threshold of review wrongly clearing a true case (the overpayment is then missed); 0 for never.</summary>
    public ulong ClearCut { get; set; }

    /// <summary>What clerical review of one linkage pair costs, pence (0 when the variant's linkage has no review band).</summary>
    public long ClericalPence { get; init; }

    public long ReviewCostPence { get; set; }

    public long EvidenceCostPence { get; set; }

    public uint ScreenMask { get; set; }

    public ulong ScreenCut { get; set; }

    public long ScreenCostPence { get; set; }

    public long NoticeCostPence { get; set; }

    /// <summary>The appeal rate notification-and-appeal raises every group's to; −1 when none does.</summary>
    public double AppealFloor { get; set; } = -1;

    /// <summary>Appeal thresholds per mask for an action that follows today's process (a status-quo referral): the declared rates.</summary>
    public ulong[] AppealCut { get; set; } = [];

    /// <summary>Appeal thresholds per mask for an action on a matching flag, where notification-and-appeal raises the rates to its floor.</summary>
    public ulong[] SafeguardedAppealCut { get; set; } = [];

    public required ulong[] RespondCut { get; init; }

    public required ulong[] HardshipCut { get; init; }

    public required ulong SuspendCut { get; init; }

    public required ulong AppealSuccessCut { get; init; }

    public required long LetterPence { get; init; }

    public required long SuspensionPence { get; init; }

    public required long DebtPence { get; init; }

    public required long InvestigationPence { get; init; }

    public required long AppealPence { get; init; }

    /// <summary>Enabled safeguards' annual and setup costs (not per case: not scaled with persons).</summary>
    public required FixedCosts Fixed { get; init; }

    public required double HardshipValuePence { get; init; }
}

/// <summary>One replicate of the fraud strand: the person model, each variant's model, and the linkages the variants share.</summary>
internal sealed class FraudReplicate : IStrandReplicate
{
    /// <summary>
    /// Share of extra earnings withdrawn from Housing Benefit: the 65% taper (Housing Benefit
    /// Regulations 2006, SI 2006/213, reg. 71). An overpayment of X a year from undeclared earnings
    /// means undeclared earnings of X / 12 / 0.65 a month; a discrepancy of d a month implies a debt
    /// of 12 × 0.65 × d a year.
    /// </summary>
    public const double Taper = 0.65;

    /// <summary>The mechanism of each safeguard type that acts in this strand (checked against the catalogue when first used).</summary>
    private static readonly SafeguardMechanisms<VariantModel> Mechanisms = new(StrandIds.Fraud, new Dictionary<string, SafeguardMechanism<VariantModel>>
    {
        ["human-review"] = (m, g, d) =>
        {
            m.Review = true;
            m.CatchCut = BernoulliThreshold.Cut(d.Draw(g.Get("catch_rate"), 0));
            m.ClearCut = BernoulliThreshold.Cut(d.Draw(g.Get("false_clearance_rate"), 0));
            m.ReviewCostPence = ReplicateDraws.ToPence(d.Draw(g.Get("cost_per_case"), 0));
        },
        ["minimum-evidence-standard"] = (m, g, d) =>
        {
            m.PeriodMatched = true;
            m.EvidenceCostPence = ReplicateDraws.ToPence(d.Draw(g.Get("cost_per_case"), 0));
        },
        ["vulnerability-screen"] = (m, g, d) =>
        {
            m.ScreenMask |= d.MaskOf(g.Groups);
            m.ScreenCut = BernoulliThreshold.Cut(d.Draw(g.Get("detection_rate"), 0));
            m.ScreenCostPence = ReplicateDraws.ToPence(d.Draw(g.Get("cost_per_case"), 0));
        },
        ["higher-threshold"] = (m, g, d) => m.Threshold = d.Draw(g.Get("flag_threshold"), 0),
        ["notification-and-appeal"] = (m, g, d) =>
        {
            m.AppealFloor = d.Draw(g.Get("appeal_rate"), 0);
            m.NoticeCostPence = ReplicateDraws.ToPence(d.Draw(g.Get("cost_per_case"), 0));
        },
        ["sanctions-and-audit"] = SafeguardMechanisms.CostOnly<VariantModel>(),
    });

    private readonly VariantLinkages _linkages;
    private readonly int _statusQuo;
    private readonly long _declared;
    private readonly long _simulated;
    private readonly double _annuity;
    private readonly double _recoveryFactor;

    private FraudReplicate(PersonModel person, VariantModel[] variants, VariantLinkages linkages, int statusQuo, long declared, long simulated,
        double annuity, double recoveryFactor)
    {
        _recoveryFactor = recoveryFactor;
        Person = person;
        Variants = variants;
        _linkages = linkages;
        _statusQuo = statusQuo;
        _declared = declared;
        _simulated = simulated;
        _annuity = annuity;
    }

    /// <summary>The safeguard types this strand has a mechanism for.</summary>
    internal static IEnumerable<string> SafeguardTypes => Mechanisms.Types;

    internal PersonModel Person { get; }

    internal VariantModel[] Variants { get; }

    /// <summary>The distinct compiled linkages of the matching rule (variants that link the same records share one).</summary>
    internal IReadOnlyList<CompiledLinkage> Linkages => _linkages.Distinct;

    public static FraudReplicate Compile(Scenario scenario, ReplicateContext context)
    {
        var draws = new ReplicateDraws(context);
        PersonModel person = CompilePerson(scenario, context, draws);
        var linkages = VariantLinkages.Compile(context, VariantLinkages.IndexOf(scenario, scenario.Fraud!.Matching.Linkage), MatchingLinkageSetting);
        var variants = new VariantModel[context.Variants.Count];
        int statusQuo = 0;
        for (int v = 0; v < variants.Length; v++)
        {
            if (context.Variants[v].Kind == VariantKind.StatusQuo)
                statusQuo = v;
            variants[v] = CompileVariant(context.Variants[v], draws, linkages.Of[v] is var rep && rep >= 0 ? linkages.Distinct[rep] : null,
                linkages.Of[v], linkages.Counts(v));
        }

        double rate = draws.Draw(scenario.DiscountRate);
        double annuity = PresentValue.AnnuityFactor(scenario.HorizonYears, rate);
        double recoveryFactor = PresentValue.OfStaggered(scenario.HorizonYears, rate, scenario.Fraud.Recovery.Timing.AsSpan());
        return new FraudReplicate(person, variants, linkages, statusQuo, scenario.Population.Size, context.Persons, annuity, recoveryFactor);
    }

    /// <summary>The setting by which a variant matches through another linkage of the same records (e.g. one without the NINo).</summary>
    public const string MatchingLinkageSetting = "fraud.matching.linkage";

    /// <summary>Who claims, their true state and amounts, their earnings, today's checks: the same in every variant.</summary>
    private static PersonModel CompilePerson(Scenario scenario, ReplicateContext context, ReplicateDraws draws)
    {
        FraudSpec fraud = scenario.Fraud!;
        ulong seed = context.Seed;
        int replicate = context.Replicate;
        int masks = draws.Masks;

        // Claimants: log-odds c + gradient × (decile − 4.5), with c solved so that the mean over the
        // ten deciles is the group's share: the declared share is kept as the marginal for persons
        // whose deciles are spread evenly (a group with its own income gradient departs from it).
        double[] share = draws.ByMask(fraud.Claimants.Share, probability: true);
        double gradient = draws.Draw(fraud.Claimants.IncomeGradient);
        var claimCut = new ulong[masks * 10];
        var intercepts = new Dictionary<double, double>(); // most masks share a few shares: solve each once
        for (int mask = 0; mask < masks; mask++)
        {
            double p = Math.Clamp(share[mask], 0, 1);
            if (!intercepts.TryGetValue(p, out double intercept))
                intercepts[p] = intercept = p <= 0 || p >= 1 ? 0 : Intercept(p, gradient);
            for (int d = 0; d < 10; d++)
            {
                double q = p <= 0 ? 0 : p >= 1 ? 1 : Expit(intercept + gradient * (d - 4.5));
                claimCut[mask * 10 + d] = BernoulliThreshold.Cut(q);
            }
        }

        var stateCut = new ulong[masks * 3];
        var overpayment = new PersonDistribution[4];
        var prevalence = new double[3][];
        foreach (TrueStateSpec state in fraud.TrueStates)
        {
            int s = StateIndex(state.Id);
            prevalence[s - 1] = draws.ByMask(state.Prevalence, probability: true);
            overpayment[s] = draws.PerPerson(state.AnnualOverpayment);
        }

        for (int mask = 0; mask < masks; mask++)
        {
            double cum = 0;
            for (int s = 0; s < 3; s++)
            {
                cum += prevalence[s]?[mask] ?? 0;
                stateCut[mask * 3 + s] = BernoulliThreshold.Cut(Math.Min(1, cum));
            }
        }

        MatchingSpec matching = fraud.Matching;
        double[] variation = draws.ByMask(matching.EarningsVariation, probability: false);
        int targetIndex = TargetSourceIndex(scenario, matching.Linkage);
        var checks = fraud.StatusQuoChecks;
        long referralDebt = ReplicateDraws.ToPence(fraud.TrueStates.FirstOrDefault(t => t.Id == "claimant-error") is { } ce
            ? draws.PerPerson(ce.AnnualOverpayment).Mean
            : fraud.TrueStates.Length > 0 ? draws.PerPerson(fraud.TrueStates[0].AnnualOverpayment).Mean : 0);
        return new PersonModel
        {
            ClaimCut = claimCut,
            MinAge = context.Population.Spec.AgeBands.IsDefaultOrEmpty ? 0 : PopulationSpec.AdultAge,
            MinorByAgeClass = CompiledPopulation.AgeClassTellsAdults(context.Population.Spec) ? context.Population.MinorByAgeClass() : null,
            StateCut = stateCut,
            Overpayment = overpayment,
            EarnerCut = draws.Thresholds(matching.EarnersShare),
            EarnerCutAll = BernoulliThreshold.Cut(draws.Draw(matching.EarnersShare.Base)),
            Earnings = draws.PerPerson(matching.MonthlyEarnings),
            LogSd = variation.Select(cv => double.IsFinite(cv) && cv > 0 ? Math.Sqrt(DeterministicMath.Log(1 + cv * cv)) : 0).ToArray(),
            UndeclaredCut = draws.Threshold(matching.UndeclaredShare),
            StaleCut = draws.Thresholds(scenario.DataSources[targetIndex].StaleShare),
            AwardPence = ReplicateDraws.ToPence(12 * draws.Draw(fraud.Claimants.MonthlyAward)),
            CheckDetect = checks.Select(c => draws.Thresholds(c.DetectionRate)).ToArray(),
            CheckFalse = checks.Select(c => draws.Thresholds(c.FalseReferralRate)).ToArray(),
            CheckCostPence = checks.Select(c => draws.Pence(c.CostPerCase)).ToArray(),
            ReferralDebtPence = referralDebt,
            Days = draws.PerPerson(fraud.Responses.DaysToResolution),
            Outcomes = draws.OutcomeKey(StrandIds.Fraud, 0),
            Staleness = RngKey.From(seed, replicate, RngStream.Of(RngStreamKind.Staleness, targetIndex)),
            DaysKey = draws.OutcomeKey(StrandIds.Fraud, 1),
            RecoveryRate = draws.Draw(fraud.Recovery.Rate),
        };
    }

    /// <summary>The matching rule, actions and responses as <paramref name="variant"/> sees them, then its enabled safeguards' mechanisms.</summary>
    private static VariantModel CompileVariant(SimulationVariant variant, ReplicateDraws replicateDraws, CompiledLinkage? linkage, int linkRep,
        bool countsLinkage)
    {
        ReplicateDraws draws = replicateDraws.For(variant);
        FraudSpec f = variant.Scenario.Fraud!;
        bool matching = variant.LinksData;
        var model = new VariantModel
        {
            Matching = matching,
            LinkRep = linkRep,
            CountsLinkage = countsLinkage,
            ClericalPence = linkage is null ? 0 : ReplicateDraws.ToPence(linkage.ReviewCostPerPair),
            PeriodMatched = draws.Setting("fraud.matching.comparison") is { } cmp
                ? cmp == "period-matched"
                : f.Matching.Comparison == EarningsComparison.PeriodMatched,
            Threshold = draws.Draw(f.Matching.FlagThreshold),
            RespondCut = draws.Thresholds(f.Responses.RespondToLetter),
            HardshipCut = draws.Thresholds(f.Hardship.ShareOfWrongfulActions),
            SuspendCut = draws.Threshold(f.Actions.SuspensionShare),
            AppealSuccessCut = draws.Threshold(f.Responses.AppealSuccessWhenWrong),
            LetterPence = draws.Pence(f.Actions.LetterCost),
            SuspensionPence = draws.Pence(f.Actions.SuspensionCost),
            DebtPence = draws.Pence(f.Actions.DebtCost),
            InvestigationPence = draws.Pence(f.Actions.InvestigationCost),
            AppealPence = draws.Pence(f.Responses.AppealCost),
            Fixed = matching ? FixedCosts.Of(variant, draws) : default,
            HardshipValuePence = FraudModel.HasSourcedValuation(f) ? 100 * draws.Draw(f.Hardship.Valuation!) : 0,
        };
        if (matching)
            Mechanisms.Apply(variant, model, draws);

        double[] appeal = draws.ByMask(f.Responses.Appeal, probability: true);
        double floor = model.AppealFloor;
        model.AppealCut = Array.ConvertAll(appeal, BernoulliThreshold.Cut);
        model.SafeguardedAppealCut = floor >= 0 ? Array.ConvertAll(appeal, a => BernoulliThreshold.Cut(Math.Max(a, floor))) : model.AppealCut;
        return model;
    }

    public IChunkEvaluator CreateEvaluator(int pass, int chunkCapacity) => new FraudEvaluator(this, chunkCapacity);

    /// <summary>
    /// Forms the totals and present values from the merged one-year tallies: total cost (clerical
    /// review of linkage pairs included); net benefit = recovery factor × money recovered − annuity
    /// factor × total cost − setup costs, where the recovery factor discounts each year's recoveries
    /// as <c>fraud.recovery.timing</c> spreads them (<see cref="PresentValue.OfStaggered"/>); the difference from
    /// the status quo; hardship in money where valued. Fixed safeguard costs (setup, annual) belong
    /// to no person: they enter the <c>all</c> row only, divided by the scale factor so the runner's
    /// scaling to the declared population leaves them whole.
    /// </summary>
    public void Complete(StrandTally total)
    {
        StrandTally<C> t = total.As<C>();
        for (int v = 1; v < Variants.Length; v++)
            t.CopyCounters(0, v, C.Claimants, C.CorrectClaims);
        LinkCounters.CopyShared(total.Slice(FraudCounters.LinkBlock, LinkCounters.Set.Count), _linkages);

        double unscale = FixedCosts.Unscale(_simulated, _declared);
        for (int v = 0; v < Variants.Length; v++)
        {
            FixedCosts fixedCosts = Variants[v].Fixed;
            for (int row = 0; row < t.Rows; row++)
            {
                if (row == 0)
                    t[v, row, C.SafeguardCostPence] += fixedCosts.AnnualCounter(unscale);
                long cost = t[v, row, C.InvestigationCostPence] + t[v, row, C.ActionCostPence] + t[v, row, C.ReviewCostPence]
                            + t[v, row, C.AppealCostPence] + t[v, row, C.SafeguardCostPence] + t[v, row, C.ClericalCostPence];
                t[v, row, C.TotalCostPence] = cost;
                t[v, row, C.NetBenefitPence] = fixedCosts.NetPresentValue(_recoveryFactor, t[v, row, C.RecoveredPence], _annuity, cost, withFixed: row == 0, unscale);
                t[v, row, C.HardshipValuePence] = (long)Math.Round(_annuity * t[v, row, C.Hardship] * Variants[v].HardshipValuePence);
            }
        }

        StatusQuoDifference.Form(t, C.NetBenefitPence, C.NetBenefitVsStatusQuoPence, _statusQuo);
    }

    internal static int StateIndex(string id) => id switch
    {
        "claimant-error" => (int)ClaimState.ClaimantError,
        "official-error" => (int)ClaimState.OfficialError,
        "fraud" => (int)ClaimState.Fraud,
        _ => throw new ArgumentException($"unknown true state '{id}'", nameof(id)),
    };

    /// <summary>The index among the scenario's data sources of the matching linkage's target (the source whose records may be stale).</summary>
    private static int TargetSourceIndex(Scenario scenario, string linkage)
    {
        string target = scenario.Linkages[VariantLinkages.IndexOf(scenario, linkage)].To;
        for (int i = 0; i < scenario.DataSources.Length; i++)
        {
            if (scenario.DataSources[i].Id == target)
                return i;
        }

        throw new ArgumentException($"no data source '{target}'", nameof(scenario));
    }

    /// <summary>The intercept c with mean over d = 0 … 9 of expit(c + g (d − 4.5)) = p (<see cref="MarginalIntercept"/>).</summary>
    internal static double Intercept(double p, double g) => MarginalIntercept.Of(p, g);

    private static double Expit(double x) => DeterministicMath.Expit(x);
}
