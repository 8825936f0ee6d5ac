using ImpactModel.Linkage;
using ImpactModel.MonteCarlo;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Valuation;
using C = ImpactModel.Strands.Fraud.FraudCounters;

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

    public required RngKey DaysKey { get; init; }
}

/// <summary>What a variant changes: the matching rule, the safeguards and the action parameters.</summary>
internal sealed record VariantModel
{
    public required bool Matching { get; init; }

    public required int LinkRep { get; init; }

    /// <summary>True for the first variant of its linkage: it counts the link_* counters, which Complete copies to the others.</summary>
    public bool CountsLinkage { get; init; }

    /// <summary>The variant whose link_* counters this one copies (itself when <see cref="CountsLinkage"/>).</summary>
    public int LinkSource { get; init; }

    public required bool PeriodMatched { get; init; }

    public required double Threshold { get; init; }

    public required bool Review { get; init; }

    public required ulong CatchCut { get; init; }

    public required long ReviewCostPence { get; init; }

    public required long EvidenceCostPence { get; init; }

    public required uint ScreenMask { get; init; }

    public required ulong ScreenCut { get; init; }

    public required long ScreenCostPence { get; init; }

    public required long NoticeCostPence { get; init; }

    public required ulong[] AppealCut { get; init; }

    public required ulong[] RespondCut { get; init; }

    public required ulong[] HardshipCut { get; init; }

    public required ulong SuspendCut { get; init; }

    public required ulong AppealSuccessCut { get; init; }

    public required long LetterPence { get; init; }

    public required long SuspensionPence { get; init; }

    public required long DebtPence { get; init; }

    public required long InvestigationPence { get; init; }

    public required long AppealPence { get; init; }

    /// <summary>Enabled safeguards' annual and setup costs, pence (not per case: not scaled with persons).</summary>
    public required double FixedAnnualPence { get; init; }

    public required double SetupPence { get; init; }

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

    private readonly PersonModel _person;
    private readonly VariantModel[] _variants;
    private readonly CompiledLinkage[] _linkages;
    private readonly int _statusQuo;
    private readonly long _declared;
    private readonly double _annuity;

    private FraudReplicate(PersonModel person, VariantModel[] variants, CompiledLinkage[] linkages, int statusQuo, long declared, double annuity)
    {
        _person = person;
        _variants = variants;
        _linkages = linkages;
        _statusQuo = statusQuo;
        _declared = declared;
        _annuity = annuity;
    }

    internal PersonModel Person => _person;

    internal VariantModel[] Variants => _variants;

    internal CompiledLinkage[] Linkages => _linkages;

    public static FraudReplicate Compile(Scenario scenario, ReplicateContext context)
    {
        FraudSpec fraud = scenario.Fraud!;
        ulong seed = context.Seed;
        int replicate = context.Replicate;
        IReadOnlyList<string> groups = context.Population.GroupIds;
        int masks = 1 << groups.Count;
        double Draw(Parameter p) => ParameterSampler.Draw(p, seed, replicate);
        double[] Prob(GroupValues v) => GroupValueTable.Build(v, groups, Draw, probability: true);
        ulong[] Cuts(GroupValues v) => Prob(v).Select(CompiledLinkage.Cut).ToArray();
        static long Pence(double gbp) => (long)Math.Round(gbp * 100);

        // Claimants: log-odds c + gradient × (decile − 4.5), with c solved so that the mean over the
        // ten deciles is the group's share: the declared share is kept as the marginal for persons
        // whose deciles are spread evenly (a group with its own income gradient departs from it).
        double[] share = Prob(fraud.Claimants.Share);
        double gradient = Draw(fraud.Claimants.IncomeGradient);
        var claimCut = new ulong[masks * 10];
        for (int mask = 0; mask < masks; mask++)
        {
            double p = Math.Clamp(share[mask], 0, 1);
            double intercept = p <= 0 || p >= 1 ? 0 : Intercept(p, gradient);
            for (int d = 0; d < 10; d++)
            {
                double q = p <= 0 ? 0 : p >= 1 ? 1 : Expit(intercept + gradient * (d - 4.5));
                claimCut[mask * 10 + d] = CompiledLinkage.Cut(q);
            }
        }

        var stateCut = new ulong[masks * 3];
        var overpayment = new PersonDistribution[4];
        var prevalence = new double[3][];
        foreach (TrueStateSpec state in fraud.TrueStates)
        {
            int s = StateIndex(state.Id);
            prevalence[s - 1] = Prob(state.Prevalence);
            overpayment[s] = PersonDistribution.Of(state.AnnualOverpayment, seed, replicate);
        }

        for (int mask = 0; mask < masks; mask++)
        {
            double cum = 0;
            for (int s = 0; s < 3; s++)
            {
                cum += prevalence[s]?[mask] ?? 0;
                stateCut[mask * 3 + s] = CompiledLinkage.Cut(Math.Min(1, cum));
            }
        }

        MatchingSpec matching = fraud.Matching;
        double[] variation = GroupValueTable.Build(matching.EarningsVariation, groups, Draw, probability: false);
        DataSourceSpec target = TargetSource(scenario, matching.Linkage, out int targetIndex);
        double[] earners = Prob(matching.EarnersShare);
        var checks = fraud.StatusQuoChecks;
        long referralDebt = Pence(fraud.TrueStates.FirstOrDefault(t => t.Id == "claimant-error") is { } ce
            ? PersonDistribution.Of(ce.AnnualOverpayment, seed, replicate).Mean
            : fraud.TrueStates.Length > 0 ? PersonDistribution.Of(fraud.TrueStates[0].AnnualOverpayment, seed, replicate).Mean : 0);
        var person = new PersonModel
        {
            ClaimCut = claimCut,
            MinAge = context.Population.Spec.AgeBands.IsDefaultOrEmpty ? 0 : 16,
            StateCut = stateCut,
            Overpayment = overpayment,
            EarnerCut = earners.Select(CompiledLinkage.Cut).ToArray(),
            EarnerCutAll = CompiledLinkage.Cut(Math.Clamp(Draw(matching.EarnersShare.Base), 0, 1)),
            Earnings = PersonDistribution.Of(matching.MonthlyEarnings, seed, replicate),
            LogSd = variation.Select(cv => double.IsFinite(cv) && cv > 0 ? Math.Sqrt(DeterministicMath.Log(1 + cv * cv)) : 0).ToArray(),
            UndeclaredCut = CompiledLinkage.Cut(Draw(matching.UndeclaredShare)),
            StaleCut = Cuts(target.StaleShare),
            AwardPence = Pence(12 * Draw(fraud.Claimants.MonthlyAward)),
            CheckDetect = checks.Select(c => Cuts(c.DetectionRate)).ToArray(),
            CheckFalse = checks.Select(c => Cuts(c.FalseReferralRate)).ToArray(),
            CheckCostPence = checks.Select(c => Pence(Draw(c.CostPerCase))).ToArray(),
            ReferralDebtPence = referralDebt,
            Days = PersonDistribution.Of(fraud.Responses.DaysToResolution, seed, replicate),
            Outcomes = RngKey.From(seed, replicate, RngStream.StrandOutcomes),
            Staleness = RngKey.From(seed, replicate, RngStream.Of(RngStreamKind.Staleness, targetIndex)),
            DaysKey = RngKey.From(seed, replicate, RngStream.Of(RngStreamKind.StrandOutcomes, 1)),
        };

        // Linkages: variants whose linkage and data sources are the same records share one.
        int linkIndex = LinkageIndex(scenario, matching.Linkage);
        var reps = new List<int>();
        var linkages = new List<CompiledLinkage>();
        var variants = new VariantModel[context.Variants.Count];
        int statusQuo = 0;
        for (int v = 0; v < variants.Length; v++)
        {
            SimulationVariant variant = context.Variants[v];
            if (variant.Kind == VariantKind.StatusQuo)
                statusQuo = v;
            Scenario s = variant.Scenario;
            int rep = -1;
            bool first = false;
            if (variant.LinksData)
            {
                rep = reps.FindIndex(r => ReferenceEquals(context.Variants[r].Scenario.Linkages[linkIndex], s.Linkages[linkIndex])
                                          && context.Variants[r].Scenario.DataSources == s.DataSources);
                if (rep < 0)
                {
                    reps.Add(v);
                    linkages.Add(CompiledLinkage.Compile(s, s.Linkages[linkIndex], groups, seed, replicate));
                    rep = linkages.Count - 1;
                    first = true;
                }
            }

            variants[v] = CompileVariant(variant, groups, seed, replicate, rep) with { CountsLinkage = first, LinkSource = rep >= 0 ? reps[rep] : v };
        }

        double rate = Draw(scenario.DiscountRate);
        double annuity = PresentValue.AnnuityFactor(scenario.HorizonYears, rate);
        return new FraudReplicate(person, variants, [.. linkages], statusQuo, scenario.Population.Size, annuity);
    }

    private static VariantModel CompileVariant(SimulationVariant variant, IReadOnlyList<string> groups, ulong seed, int replicate, int rep)
    {
        Scenario s = variant.Scenario;
        FraudSpec f = s.Fraud!;
        double Draw(Parameter p) => ParameterSampler.Draw(p, seed, replicate);
        ulong[] Cuts(GroupValues v) => GroupValueTable.Build(v, groups, Draw, probability: true).Select(CompiledLinkage.Cut).ToArray();
        static long Pence(double gbp) => (long)Math.Round(gbp * 100);
        double Param(SafeguardSpec g, string name) => g.Get(name) is { } p ? Draw(p) : 0;

        bool matching = variant.LinksData;
        bool periodMatched = (variant.Setting("fraud.matching.comparison") is { } cmp
            ? cmp == "period-matched"
            : f.Matching.Comparison == EarningsComparison.PeriodMatched);
        double threshold = Draw(f.Matching.FlagThreshold);
        bool review = false;
        ulong catchCut = 0, screenCut = 0;
        long reviewCost = 0, evidenceCost = 0, screenCost = 0, noticeCost = 0;
        uint screenMask = 0;
        double appealRate = -1, fixedAnnual = 0, setup = 0;
        if (matching)
        {
            foreach (SafeguardSpec g in variant.EnabledSafeguards)
            {
                fixedAnnual += 100 * Draw(g.AnnualCost);
                setup += 100 * Draw(g.SetupCost);
                switch (g.Type)
                {
                    case "human-review":
                        review = true;
                        catchCut = CompiledLinkage.Cut(Param(g, "catch_rate"));
                        reviewCost = Pence(Param(g, "cost_per_case"));
                        break;
                    case "minimum-evidence-standard":
                        periodMatched = true;
                        evidenceCost = Pence(Param(g, "cost_per_case"));
                        break;
                    case "vulnerability-screen":
                        foreach (string id in g.Groups)
                        {
                            for (int k = 0; k < groups.Count; k++)
                            {
                                if (groups[k] == id)
                                    screenMask |= 1u << k;
                            }
                        }

                        screenCut = CompiledLinkage.Cut(Param(g, "detection_rate"));
                        screenCost = Pence(Param(g, "cost_per_case"));
                        break;
                    case "higher-threshold":
                        threshold = Param(g, "flag_threshold");
                        break;
                    case "notification-and-appeal":
                        appealRate = Param(g, "appeal_rate");
                        noticeCost = Pence(Param(g, "cost_per_case"));
                        break;
                }
            }
        }

        double[] appeal = GroupValueTable.Build(f.Responses.Appeal, groups, Draw, probability: true);
        if (appealRate >= 0)
            appeal = appeal.Select(a => Math.Max(a, appealRate)).ToArray();
        return new VariantModel
        {
            Matching = matching,
            LinkRep = rep,
            PeriodMatched = periodMatched,
            Threshold = threshold,
            Review = review,
            CatchCut = catchCut,
            ReviewCostPence = reviewCost,
            EvidenceCostPence = evidenceCost,
            ScreenMask = screenMask,
            ScreenCut = screenCut,
            ScreenCostPence = screenCost,
            NoticeCostPence = noticeCost,
            AppealCut = appeal.Select(CompiledLinkage.Cut).ToArray(),
            RespondCut = Cuts(f.Responses.RespondToLetter),
            HardshipCut = Cuts(f.Hardship.ShareOfWrongfulActions),
            SuspendCut = CompiledLinkage.Cut(Draw(f.Actions.SuspensionShare)),
            AppealSuccessCut = CompiledLinkage.Cut(Draw(f.Responses.AppealSuccessWhenWrong)),
            LetterPence = Pence(Draw(f.Actions.LetterCost)),
            SuspensionPence = Pence(Draw(f.Actions.SuspensionCost)),
            DebtPence = Pence(Draw(f.Actions.DebtCost)),
            InvestigationPence = Pence(Draw(f.Actions.InvestigationCost)),
            AppealPence = Pence(Draw(f.Responses.AppealCost)),
            FixedAnnualPence = fixedAnnual,
            SetupPence = setup,
            HardshipValuePence = FraudModel.HasSourcedValuation(f) ? 100 * Draw(f.Hardship.Valuation!) : 0,
        };
    }

    public IChunkEvaluator CreateEvaluator(int chunkCapacity) => new FraudEvaluator(this, chunkCapacity);

    /// <summary>
    /// Forms the totals and present values from the merged one-year tallies: total cost; net
    /// benefit = annuity factor × (money recovered − total cost) − setup costs; the difference from
    /// the status quo; hardship in money where valued. Fixed safeguard costs (setup, annual) belong
    /// to no person: they enter the <c>all</c> row only, divided by the scale factor so the runner's
    /// scaling to the declared population leaves them whole.
    /// </summary>
    public void Complete(TallyTable total, int counterOffset)
    {
        ArgumentNullException.ThrowIfNull(total);
        int o = counterOffset;
        long simulated = total[0, 0, o + C.Persons];
        for (int v = 1; v < _variants.Length; v++)
            total.CopyCounters(0, v, o + C.Claimants, C.CorrectClaims - C.Claimants + 1);
        for (int v = 0; v < _variants.Length; v++)
        {
            if (_variants[v].LinkSource != v)
                total.CopyCounters(_variants[v].LinkSource, v, o + C.LinkProcessed, C.LinkReviewed - C.LinkProcessed + 1);
        }

        double unscale = simulated > 0 && _declared > 0 ? (double)simulated / _declared : 1;
        for (int v = 0; v < _variants.Length; v++)
        {
            VariantModel m = _variants[v];
            for (int row = 0; row < total.Rows; row++)
            {
                if (row == 0)
                    total[v, row, o + C.SafeguardCost] += (long)Math.Round(m.FixedAnnualPence * unscale);
                long cost = total[v, row, o + C.InvestigationCost] + total[v, row, o + C.ActionCost] + total[v, row, o + C.ReviewCost]
                            + total[v, row, o + C.AppealCost] + total[v, row, o + C.SafeguardCost];
                total[v, row, o + C.TotalCost] = cost;
                double setup = row == 0 ? m.SetupPence * unscale : 0;
                total[v, row, o + C.NetBenefit] = (long)Math.Round(_annuity * (total[v, row, o + C.RecoveredPence] - cost) - setup);
                total[v, row, o + C.HardshipValue] = (long)Math.Round(_annuity * total[v, row, o + C.Hardship] * m.HardshipValuePence);
            }
        }

        for (int v = 0; v < _variants.Length; v++)
        {
            for (int row = 0; row < total.Rows; row++)
                total[v, row, o + C.NetBenefitVsStatusQuo] = total[v, row, o + C.NetBenefit] - total[_statusQuo, row, o + C.NetBenefit];
        }
    }

    internal static int StateIndex(string id) => id switch
    {
        "claimant-error" => (int)ClaimState.ClaimantError,
        "official-error" => (int)ClaimState.OfficialError,
        "fraud" => (int)ClaimState.Fraud,
        _ => throw new ArgumentException($"unknown true state '{id}'", nameof(id)),
    };

    private static DataSourceSpec TargetSource(Scenario scenario, string linkage, out int index)
    {
        LinkageSpec spec = scenario.Linkages[LinkageIndex(scenario, linkage)];
        for (int i = 0; i < scenario.DataSources.Length; i++)
        {
            if (scenario.DataSources[i].Id == spec.To)
            {
                index = i;
                return scenario.DataSources[i];
            }
        }

        throw new ArgumentException($"no data source '{spec.To}'", nameof(scenario));
    }

    private static int LinkageIndex(Scenario scenario, string linkage)
    {
        for (int i = 0; i < scenario.Linkages.Length; i++)
        {
            if (scenario.Linkages[i].Id == linkage)
                return i;
        }

        throw new ArgumentException($"no linkage '{linkage}'", nameof(scenario));
    }

    /// <summary>The intercept c with mean over d = 0 … 9 of expit(c + g (d − 4.5)) = p, by bisection (the mean is increasing in c).</summary>
    internal static double Intercept(double p, double g)
    {
        double lo = -60, hi = 60;
        for (int k = 0; k < 200; k++)
        {
            double mid = 0.5 * (lo + hi), mean = 0;
            for (int d = 0; d < 10; d++)
                mean += Expit(mid + g * (d - 4.5));
            if (mean / 10 < p)
                lo = mid;
            else
                hi = mid;
        }

        return 0.5 * (lo + hi);
    }

    private static double Expit(double x) => DeterministicMath.Expit(x);
}
