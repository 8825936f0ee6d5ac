using System.Buffers;
using System.Runtime.CompilerServices;
using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using C = ImpactModel.Strands.Fraud.FraudCounter;

namespace ImpactModel.Strands.Fraud;

/// <summary>
/// Evaluates every variant on a chunk of persons. Non-claimants cost one word compare each (word 0
/// of the outcomes block, filled for the whole chunk). The claimants are gathered into a list;
/// each distinct linkage runs once over the list and the draws most claimants need are filled for
/// it in bulk (<see cref="Philox.FillListed(in RngKey, ReadOnlySpan{uint}, uint, Span{uint})"/>: the
/// same bits as drawing them one at a time). For a claimant the person is then generated once
/// (state, overpayment, earnings, month factors, record staleness, someone else's earnings, and
/// every response word), and each variant reads the same numbers: common random numbers, so
/// variants differ only where what they change acts.
/// </summary>
/// <remarks>
/// <para>Random words (stream <c>StrandOutcomes</c>, index 0; person id as counter): draw 0 words
/// 0–3: claims, state, earner, (spare); draw 1: overpayment; draw 2: monthly earnings; draw 3: this
/// month's earnings factor; draw 4: the stale month's factor; draw 5: the earnings of the person a
/// false match links to; draw 6: word 0 that person is an earner, word 1 the overpayment is undeclared
/// earnings; draw 7: respond, suspend, appeal, appeal succeeds;
/// draw 8: hardship from the debt, review catches, vulnerability screen detects, hardship from the suspension; draws 9 + 2k and 10 + 2k:
/// detection and false referral by status-quo checks 4k … 4k + 3. Days to resolution: draw 0 of
/// <c>StrandOutcomes</c> index 1; whether review wrongly clears a true case: word 0 of its draw 1. Draws 1, 2, 3, 6 and the checks' blocks are filled for every
/// claimant; 4, 5, 7, 8 and the days only for claimants who need them. Staleness is word 0 of draw 0 of
/// <c>Staleness(target source)</c>: a property of the record.</para>
/// </remarks>
internal sealed class FraudEvaluator : IChunkEvaluator
{
    private readonly PersonModel _p;
    private readonly VariantModel[] _v;
    private readonly CompiledLinkage[] _linkages;
    private readonly uint[] _words;
    private readonly double[] _period;
    private readonly double[] _annual;
    private readonly byte[] _kind; // per linkage: 0 not linked, 1 own record, 2 someone else's
    private readonly LinkOutcome[] _raw;
    private readonly bool _anyMatching;
    private readonly int _capacity;

    // The chunk's claimants, gathered: person id, group mask, and per listed draw their blocks
    // (draw slot d of claimant j at words 4 · (d · capacity + j)), filled by the vectorised generator.
    private readonly uint[] _ids;
    private readonly uint[] _masks;
    private readonly uint[] _drawn;
    private readonly LinkOutcome[] _linked; // linkage r of claimant j at r · capacity + j
    private readonly uint[] _listedDraws;

    // Claimants alike in every variant, kept by group mask for the pass and added to the tally's rows
    // once, in Finish (each addition to a tally touches every row of the person's groups): the
    // counts every variant shares, the overpaying claimants no variant flags, each linkage's outcomes
    // and its clerical reviews; and what the variant loop counts for flagged claimants, by mask and
    // variant. The tables are null when there are too many masks or the fast paths are off.
    private readonly bool _fast;
    private readonly int _maskCount;
    private readonly long[]? _byMask;        // [mask × Kept.Count + k]
    private readonly LinkCounts? _linkCounts;
    private readonly long[]? _clerical;      // [linkage × masks + mask]: claimants whose best pair went to clerical review
    private long[]? _byVariant;              // [(mask × variants + v) × Counters + counter]: the variant loop's counts (rented; returned in Finish)
    private readonly int _byVariantLength;   // its entries in use (a rented array may be longer)
    private readonly long[] _scratchRow = new long[Counters]; // one variant's counts of a claimant, without _byVariant
    private readonly MatchRule[] _rules;     // the variants' distinct matching rules
    private readonly int[] _matchingVariants; // variants that match through a linkage

    /// <summary>What <see cref="_byMask"/> keeps for each group mask.</summary>
    private enum Kept
    {
        Claimants,
        OverpayingClaims,
        OverpaidPence,
        CorrectClaims,
        MissedEverywhere,
        MissedEverywherePence,
        Count,
    }

    /// <summary>A matching rule as a variant applies it: through linkage <c>Rep</c>, on the period-matched or the annual discrepancy, above a threshold.</summary>
    private readonly record struct MatchRule(int Rep, bool PeriodMatched, double Threshold);

    /// <summary>
    /// Whether claimants that no variant can affect skip the variant loop, and alike claimants are
    /// counted by group mask (the default). Off only to test that both are exact: they change no
    /// result, so flipping it while other runs go on is harmless.
    /// </summary>
    internal static bool FastPaths { get; set; } = true;

    public FraudEvaluator(FraudReplicate replicate, int capacity)
    {
        _p = replicate.Person;
        _v = replicate.Variants;
        _linkages = [.. replicate.Linkages];
        _capacity = capacity;
        _words = new uint[capacity * 4];
        _period = new double[_linkages.Length];
        _annual = new double[_linkages.Length];
        _kind = new byte[_linkages.Length];
        _raw = new LinkOutcome[_linkages.Length];
        _anyMatching = _v.Any(v => v.Matching);
        _ids = new uint[capacity];
        _masks = new uint[capacity];
        _listedDraws = ListedDraws(_p.CheckCostPence.Length);
        _drawn = new uint[4 * capacity * (_listedDraws.Length + 1)];
        _linked = new LinkOutcome[capacity * _linkages.Length];

        _fast = FastPaths;
        _maskCount = _p.ClaimCut.Length / 10;
        _matchingVariants = [.. Enumerable.Range(0, _v.Length).Where(v => _v[v].Matching && _v[v].LinkRep >= 0)];
        _rules = [.. _matchingVariants.Select(v => new MatchRule(_v[v].LinkRep, _v[v].PeriodMatched, _v[v].Threshold)).Distinct()];
        if (_fast && _maskCount <= LinkCounts.MaxMasks)
        {
            _byMask = new long[_maskCount * (int)Kept.Count];
            _linkCounts = LinkCounts.For(_v.Length, [.. _matchingVariants.Where(v => _v[v].CountsLinkage)], _maskCount);
            _clerical = new long[_linkages.Length * _maskCount];
            // Megabytes for many groups and variants, made for each thread of each pass: rented from the
            // shared pool, so a run of many replicates reuses the same few arrays rather than collecting them.
            _byVariantLength = _maskCount * _v.Length * Counters;
            _byVariant = ArrayPool<long>.Shared.Rent(_byVariantLength);
            Array.Clear(_byVariant, 0, _byVariantLength);
        }
    }

    /// <summary>The strand's own counters (the link block excluded): a row of <see cref="_byVariant"/>.</summary>
    private static readonly int Counters = FraudCounters.LinkBlock;

    /// <summary>Slots of the draws most claimants need, filled in bulk; the rest are drawn one at a time when needed.</summary>
    private const int OverpaymentSlot = 0, EarningsSlot = 1, FactorSlot = 2, EarnerOtherSlot = 3, ChecksSlot = 4;

    /// <summary>
    /// The draw index of each bulk slot: overpayment (1), earnings (2), this month's factor (3),
    /// draw 6, then the status-quo checks' blocks (9, 10, 11, 12, … two per four checks). The
    /// staleness word (another stream) takes the slot after the last.
    /// </summary>
    private static uint[] ListedDraws(int checks)
    {
        int checkBlocks = 2 * ((checks + 3) / 4);
        var draws = new uint[ChecksSlot + checkBlocks];
        (draws[OverpaymentSlot], draws[EarningsSlot], draws[FactorSlot], draws[EarnerOtherSlot]) = (1, 2, 3, 6);
        for (int b = 0; b < checkBlocks; b++)
            draws[ChecksSlot + b] = (uint)(9 + b);
        return draws;
    }

    /// <summary>Block of bulk slot <paramref name="slot"/> of claimant <paramref name="j"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a few times per claimant
    private PhiloxBlock Drawn(int slot, int j)
    {
        int at = 4 * (slot * _capacity + j);
        uint[] d = _drawn;
        return new PhiloxBlock(d[at], d[at + 1], d[at + 2], d[at + 3]);
    }

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        ArgumentNullException.ThrowIfNull(persons);
        int n = persons.Count;
        PersonModel p = _p;
        StrandTally<C> tally = output.Tally.As<C>();
        StrandTally link = output.Tally.Slice(FraudCounters.LinkBlock, LinkCounters.Set.Count);
        Span<uint> words = _words.AsSpan(0, 4 * n);
        Philox.Fill(p.Outcomes, persons.FirstPerson, 0, words);
        ReadOnlySpan<uint> masks = persons.Groups;
        ReadOnlySpan<byte> decile = persons.IncomeDecile.AsSpan(0, n);
        // Adults only (when the population declares ages): by the person's class of ages when it
        // tells (one class: all alike), else by age.
        bool[]? minorByClass = p.MinorByAgeClass;
        int minAge = p.MinAge;
        bool byClass = minorByClass is not null, oneClass = minorByClass is { Length: 1 }, byAge = !byClass && minAge > 0;
        ReadOnlySpan<byte> age = byAge ? persons.Age.AsSpan(0, n) : default;
        ReadOnlySpan<byte> ageClass = byClass && !oneClass ? persons.AgeClassStorage.AsSpan(0, n) : default;
        ulong[] claimCut = p.ClaimCut;
        uint[] ids = _ids, claimantMasks = _masks;
        int claimants = 0;
        for (int i = 0; i < n; i++)
        {
            uint mask = masks[i];
            if (words[4 * i] >= claimCut[(int)mask * 10 + decile[i]])
                continue;
            if (byClass ? minorByClass![oneClass ? 0 : ageClass[i]] : byAge && age[i] < minAge)
                continue;
            ids[claimants] = (uint)(persons.FirstPerson + i);
            claimantMasks[claimants] = mask;
            words[4 * claimants + 1] = words[4 * i + 1]; // compacted in place: claimants ≤ i
            words[4 * claimants + 2] = words[4 * i + 2];
            claimants++;
        }

        // The claimants' linkages and common draws, by the vectorised generator over the gathered list.
        ReadOnlySpan<uint> listed = ids.AsSpan(0, claimants), listedMasks = claimantMasks.AsSpan(0, claimants);
        int reps = _anyMatching ? _linkages.Length : 0;
        for (int r = 0; r < reps; r++)
            _linkages[r].Link(listed, listedMasks, _linked.AsSpan(r * _capacity, claimants));
        for (int d = 0; d < _listedDraws.Length; d++)
            Philox.FillListed(p.Outcomes, listed, _listedDraws[d], _drawn.AsSpan(4 * d * _capacity, 4 * claimants));
        if (reps > 0)
            Philox.FillListed(p.Staleness, listed, 0, _drawn.AsSpan(4 * _listedDraws.Length * _capacity, 4 * claimants));

        for (int j = 0; j < claimants; j++)
            Claimant(j, ids[j], (int)(ids[j] - persons.FirstPerson), claimantMasks[j], words[4 * j + 1], words[4 * j + 2], tally, link, output.Flags);
    }

    /// <summary>
    /// Stage 1, today's checks (the same in every variant): whether any status-quo check refers the
    /// claim, and what the referrals cost in pence.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per claimant
    private bool StatusQuoChecks(int j, int m, bool overpaying, out long referralCost)
    {
        PersonModel p = _p;
        bool referred = false;
        referralCost = 0;
        for (int k = 0; k < p.CheckCostPence.Length; k++)
        {
            PhiloxBlock b = Drawn(ChecksSlot + 2 * (k / 4) + (overpaying ? 0 : 1), j);
            uint w = (k & 3) switch { 0 => b.W0, 1 => b.W1, 2 => b.W2, _ => b.W3 };
            ulong cut = overpaying ? p.CheckDetect[k][m] : p.CheckFalse[k][m];
            if (w < cut)
            {
                referred = true;
                referralCost += p.CheckCostPence[k];
            }
        }

        return referred;
    }

    /// <summary>
    /// Stage 2, the matching rule's discrepancy (record − declared, GBP a month) under each
    /// comparison, for each distinct linkage: into <see cref="_period"/>, <see cref="_annual"/> and
    /// <see cref="_kind"/> (0 not linked, 1 own record, 2 someone else's), with the raw outcomes in
    /// <see cref="_raw"/>. Returns whether the claimant's own record is stale.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per claimant in a run that links
    private bool Discrepancies(int j, long id, int m, uint earnerWord, bool misdeclared, double overpayment)
    {
        PersonModel p = _p;
        int reps = _linkages.Length;
        double[] period = _period, annual = _annual;
        byte[] kind = _kind;
        bool anyOwn = false, anyOther = false;
        for (int r = 0; r < reps; r++)
        {
            LinkOutcome lo = _linked[r * _capacity + j];
            _raw[r] = lo;
            anyOwn |= (lo & LinkOutcome.LinkedOwn) != 0;
            anyOther |= (lo & LinkOutcome.LinkedOther) != 0;
        }

        PhiloxBlock b6 = Drawn(EarnerOtherSlot, j);
        bool earner = earnerWord < p.EarnerCut[m];
        double average = earner && (anyOwn || anyOther) ? p.Earnings.Sample(Drawn(EarningsSlot, j)) : 0;
        double s = p.LogSd[m], half = 0.5 * s * s;
        double factor = average > 0 && s > 0 ? DeterministicMath.Exp(s * Philox.ToNormal(Drawn(FactorSlot, j)) - half) : 1;
        double declared = average * factor;
        bool undeclared = misdeclared && b6.W1 < p.UndeclaredCut;
        double hidden = undeclared ? overpayment / 12 / FraudReplicate.Taper : 0;
        bool stale = anyOwn && Drawn(_listedDraws.Length, j).W0 < p.StaleCut[m];
        double oldFactor = stale && average > 0 && s > 0 ? DeterministicMath.Exp(s * Philox.ToNormal(Philox.Block(p.Outcomes, id, 4)) - half) : factor;
        double other = anyOther && b6.W0 < p.EarnerCutAll ? p.Earnings.Sample(Philox.Block(p.Outcomes, id, 5)) : 0;
        for (int r = 0; r < reps; r++)
        {
            LinkOutcome lo = _raw[r];
            if ((lo & LinkOutcome.LinkedOwn) != 0)
            {
                kind[r] = 1;
                // Period-matched: this month's record (an older month's when the record is stale).
                period[r] = average * (oldFactor - factor) + hidden;
                // Annual average: the year's average spread over months, whatever the month.
                annual[r] = average * (1 - factor) + hidden;
            }
            else if ((lo & LinkOutcome.LinkedOther) != 0)
            {
                kind[r] = 2;
                period[r] = annual[r] = other - declared;
            }
            else
            {
                kind[r] = 0;
                period[r] = annual[r] = double.NegativeInfinity;
            }
        }

        return stale;
    }

    /// <summary>
    /// One claimant in every variant: their true state and overpayment, today's checks (stage 1) and
    /// the matching rule's discrepancy (stage 2) once, then per variant the flag and what follows it
    /// (stage 3: review, letter, suspension, debt, appeal, hardship), on the same draws.
    /// </summary>
    private void Claimant(int j, long id, int index, uint mask, uint stateWord, uint earnerWord, StrandTally<C> tally, StrandTally link, PersonFlags flags)
    {
        PersonModel p = _p;
        int m = (int)mask;
        ClaimState state = stateWord < p.StateCut[m * 3] ? ClaimState.ClaimantError
            : stateWord < p.StateCut[m * 3 + 1] ? ClaimState.OfficialError
            : stateWord < p.StateCut[m * 3 + 2] ? ClaimState.Fraud
            : ClaimState.Correct;
        bool overpaying = state != ClaimState.Correct;
        RngKey key = p.Outcomes;
        double overpayment = overpaying ? p.Overpayment[(int)state].Sample(Drawn(OverpaymentSlot, j)) : 0;
        long overPence = (long)Math.Round(overpayment * 100);
        long recoveredPence = (long)Math.Round(overPence * p.RecoveryRate); // what recovery eventually brings back of the debt
        // The rarer blocks are drawn only when needed (most claimants are never flagged): what is
        // drawn is a pure function of (key, person, draw), so drawing it late, in bulk or not at all
        // changes no other draw.
        bool misdeclared = state is ClaimState.ClaimantError or ClaimState.Fraud;

        bool referred = StatusQuoChecks(j, m, overpaying, out long referralCost);
        bool stale = _anyMatching && _linkages.Length > 0 && Discrepancies(j, id, m, earnerWord, misdeclared, overpayment);
        double[] period = _period, annual = _annual;
        byte[] kind = _kind;
        double discPeriod = 0;
        bool linkedOther = false, linked = false;

        bool drawn = false;
        uint respond = 0, suspend = 0, appeal = 0, success = 0, hardshipWord = 0, catchWord = 0, screenWord = 0, hardship2Word = 0;
        double days = -1;
        uint clearWord = 0;
        bool clearDrawn = false;
        CountClaim(tally, mask, overpaying, overPence);
        if (_matchingVariants.Length > 0)
            CountLinks(tally, link, mask);
        if (_fast && !referred && !AnyRuleFlags())
        {
            // No variant flags the claim: an overpayment goes on unnoticed in every variant.
            if (overpaying)
                CountMissedEverywhere(tally, mask, overPence);
            return;
        }

        // The variant's counts go into its row of the table by mask, or else into a scratch row that is
        // added to the tally when the next variant starts and after the last. Added to in place: a
        // method for it, called at the forty-odd places below, was compiled as a call, not inlined.
        long[]? table = _byVariant;
        Span<long> scratch = _scratchRow;
        for (int v = 0; v < _v.Length; v++)
        {
            VariantModel vm = _v[v];
            if (table is null && v > 0)
                FlushScratch(tally, v - 1, mask);
            Span<long> row = table is not null ? table.AsSpan(((int)mask * _v.Length + v) * Counters, Counters) : scratch;

            bool matchFlag = false;
            double disc = 0;
            byte how = 0;
            if (vm.Matching && vm.LinkRep >= 0)
            {
                int r = vm.LinkRep;
                how = kind[r];
                disc = vm.PeriodMatched ? period[r] : annual[r];
                matchFlag = how != 0 && disc > vm.Threshold;
                discPeriod = period[r];
                linkedOther = how == 2;
                linked = how == 1;
            }

            if (!matchFlag && !referred)
            {
                if (overpaying)
                {
                    row[(int)C.MissedOverpayments]++;
                    row[(int)C.MissedOverpaymentPence] += overPence;
                }

                continue;
            }

            if (!drawn)
            {
                drawn = true;
                PhiloxBlock b7 = Philox.Block(key, id, 7), b8 = Philox.Block(key, id, 8);
                (respond, suspend, appeal, success) = (b7.W0, b7.W1, b7.W2, b7.W3);
                (hardshipWord, catchWord, screenWord, hardship2Word) = (b8.W0, b8.W1, b8.W2, b8.W3);
            }

            bool safeguarded = matchFlag && !referred; // a referral by today's checks follows today's process
            row[(int)C.Flagged]++;
            flags.Mark(v, index, PersonOutcome.Exposed); // flagged by matching or by today's checks, right or wrong
            row[(int)(overpaying ? C.TruePositives : C.FalsePositives)]++;
            if (referred)
                row[(int)C.InvestigationCostPence] += referralCost;
            if (matchFlag && !overpaying)
            {
                if (linkedOther)
                    row[(int)C.FalseMatchFlags]++;
                else if (linked && !vm.PeriodMatched && !(discPeriod > vm.Threshold))
                    row[(int)C.AveragingFlags]++;
                else if (linked && stale)
                    row[(int)C.StaleFlags]++;
            }

            if (safeguarded && vm.EvidenceCostPence > 0)
                row[(int)C.SafeguardCostPence] += vm.EvidenceCostPence;
            if (safeguarded && vm.Review)
            {
                row[(int)C.Reviewed]++;
                row[(int)C.ReviewCostPence] += vm.ReviewCostPence;
                if (!overpaying && catchWord < vm.CatchCut)
                {
                    row[(int)C.ReviewStopped]++; // stopped before any action
                    continue;
                }

                if (overpaying && vm.ClearCut > 0)
                {
                    if (!clearDrawn)
                    {
                        clearDrawn = true;
                        clearWord = Philox.Block(p.DaysKey, id, 1).W0;
                    }

                    if (clearWord < vm.ClearCut)
                    {
                        // The reviewer wrongly clears a true case: no action, the overpayment goes on unrecovered.
                        row[(int)C.ReviewCleared]++;
                        row[(int)C.MissedOverpayments]++;
                        row[(int)C.MissedOverpaymentPence] += overPence;
                        continue;
                    }
                }
            }

            // Every flag that goes ahead: a letter asking for evidence.
            row[(int)C.Letters]++;
            long actionCost = vm.LetterPence;
            bool responds = respond < vm.RespondCut[m];
            bool routed = false;
            if (safeguarded && (mask & vm.ScreenMask) != 0 && screenWord < vm.ScreenCut)
            {
                routed = true; // a person handles the case: no automatic suspension
                row[(int)C.RoutedToPerson]++;
                row[(int)C.SafeguardCostPence] += vm.ScreenCostPence;
            }

            bool suspended = !responds && !routed && suspend < vm.SuspendCut;
            if (overpaying)
            {
                // The overpayment is established and recovered: investigation, a debt, suspension while unanswered.
                row[(int)C.InvestigationCostPence] += vm.InvestigationPence;
                row[(int)C.Debts]++;
                row[(int)C.EstablishedPence] += overPence;
                row[(int)C.TrueDebts]++;
                row[(int)C.RecoveredPence] += recoveredPence;
                actionCost += vm.DebtPence;
                if (suspended)
                {
                    row[(int)C.Suspensions]++;
                    actionCost += vm.SuspensionPence;
                }

                if (safeguarded && vm.NoticeCostPence > 0)
                    row[(int)C.SafeguardCostPence] += vm.NoticeCostPence;
                if (appeal < (safeguarded ? vm.SafeguardedAppealCut : vm.AppealCut)[m])
                {
                    row[(int)C.Appeals]++;
                    row[(int)C.AppealCostPence] += vm.AppealPence;
                }

                row[(int)C.ActionCostPence] += actionCost;
                continue;
            }

            // A correct claim: every action on it is wrongful.
            row[(int)C.WrongfulLetters]++;
            row[(int)C.WrongfulAdverseActions]++;
            flags.Mark(v, index, PersonOutcome.Harmed);
            if (days < 0)
                days = p.Days.Sample(Philox.Block(p.DaysKey, id, 0));

            row[(int)C.WrongfulActionDays] += (long)Math.Round(days);
            if (responds)
            {
                row[(int)C.ActionCostPence] += actionCost; // the evidence clears the flag
                continue;
            }

            // No evidence comes back: a debt is raised on what the flag implies, and some claims are suspended.
            long debt = matchFlag && !referred
                ? (long)Math.Round(12 * FraudReplicate.Taper * Math.Max(disc, 0) * 100)
                : p.ReferralDebtPence;
            row[(int)C.Debts]++;
            row[(int)C.WrongfulDebts]++;
            actionCost += vm.DebtPence;
            if (suspended)
            {
                row[(int)C.Suspensions]++;
                row[(int)C.WrongfulSuspensions]++;
                actionCost += vm.SuspensionPence;
            }

            row[(int)C.ActionCostPence] += actionCost;
            if (safeguarded && vm.NoticeCostPence > 0)
                row[(int)C.SafeguardCostPence] += vm.NoticeCostPence;
            bool reversed = false;
            if (appeal < (safeguarded ? vm.SafeguardedAppealCut : vm.AppealCut)[m])
            {
                row[(int)C.Appeals]++;
                row[(int)C.AppealCostPence] += vm.AppealPence;
                reversed = success < vm.AppealSuccessCut;
                if (reversed)
                    row[(int)C.Reversals]++;
            }

            // Each wrongful adverse action that stands (a suspension; a debt not reversed on appeal)
            // puts the person in hardship with the group's share, independently; a person counts once.
            if (!reversed)
                row[(int)C.WronglyRecoveredPence] += (long)Math.Round(debt * p.RecoveryRate);
            if ((!reversed && hardshipWord < vm.HardshipCut[m]) || (suspended && hardship2Word < vm.HardshipCut[m]))
                row[(int)C.Hardship]++;
        }

        if (table is null && _v.Length > 0)
            FlushScratch(tally, _v.Length - 1, mask);
    }

    /// <summary>Without a table by mask: adds the scratch row's counts to variant <paramref name="variant"/> and clears it.</summary>
    private void FlushScratch(StrandTally<C> tally, int variant, uint mask)
    {
        Span<long> scratch = _scratchRow;
        for (int c = 0; c < scratch.Length; c++)
        {
            if (scratch[c] != 0)
                tally.Add(variant, mask, (C)c, scratch[c]);
        }

        scratch.Clear();
    }

    /// <summary>Whether any variant's matching rule flags the claimant, on the discrepancies of <see cref="Discrepancies"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per claimant
    private bool AnyRuleFlags()
    {
        foreach (MatchRule rule in _rules)
        {
            int r = rule.Rep;
            if (_kind[r] != 0 && (rule.PeriodMatched ? _period[r] : _annual[r]) > rule.Threshold)
                return true;
        }

        return false;
    }

    /// <summary>What every variant counts of a claim, whatever it does: in variant 0 (FraudReplicate.Complete copies it to the others), by mask when it can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per claimant
    private void CountClaim(StrandTally<C> tally, uint mask, bool overpaying, long overPence)
    {
        if (_byMask is { } kept)
        {
            int at = (int)mask * (int)Kept.Count;
            kept[at + (int)Kept.Claimants]++;
            if (overpaying)
            {
                kept[at + (int)Kept.OverpayingClaims]++;
                kept[at + (int)Kept.OverpaidPence] += overPence;
            }
            else
            {
                kept[at + (int)Kept.CorrectClaims]++;
            }

            return;
        }

        tally.Add(0, mask, C.Claimants, 1);
        tally.Add(0, mask, C.AwardPence, _p.AwardPence);
        if (overpaying)
        {
            tally.Add(0, mask, C.OverpayingClaims, 1);
            tally.Add(0, mask, C.OverpaidPence, overPence);
        }
        else
        {
            tally.Add(0, mask, C.CorrectClaims, 1);
        }
    }

    /// <summary>
    /// The claimant's outcome of each linkage, in the variants that match through it: the <c>link.*</c>
    /// counters once per linkage (in its first variant; FraudReplicate.Complete copies them to the
    /// others), and in every such variant the clerical review of its linkage's pair, paid for by each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per claimant in a run that links
    private void CountLinks(StrandTally<C> tally, StrandTally link, uint mask)
    {
        if (_linkCounts is { } counts && _clerical is { } clerical)
        {
            for (int r = 0; r < _linkages.Length; r++)
            {
                if ((_raw[r] & LinkOutcome.Reviewed) != 0)
                    clerical[r * _maskCount + (int)mask]++;
            }

            foreach (int v in _matchingVariants)
            {
                if (_v[v].CountsLinkage)
                    counts.Add(v, mask, _raw[_v[v].LinkRep]);
            }

            return;
        }

        foreach (int v in _matchingVariants)
        {
            VariantModel vm = _v[v];
            LinkOutcome outcome = _raw[vm.LinkRep];
            if (vm.CountsLinkage)
                LinkCounters.Add(link, v, mask, outcome);
            if ((outcome & LinkOutcome.Reviewed) != 0)
            {
                tally.Add(v, mask, C.ClericalReviews, 1);
                tally.Add(v, mask, C.ClericalCostPence, vm.ClericalPence);
            }
        }
    }

    /// <summary>An overpaying claimant whom no variant flags: the overpayment is missed in every variant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per such claimant
    private void CountMissedEverywhere(StrandTally<C> tally, uint mask, long overPence)
    {
        if (_byMask is { } kept)
        {
            int at = (int)mask * (int)Kept.Count;
            kept[at + (int)Kept.MissedEverywhere]++;
            kept[at + (int)Kept.MissedEverywherePence] += overPence;
            return;
        }

        for (int v = 0; v < _v.Length; v++)
        {
            tally.Add(v, mask, C.MissedOverpayments, 1);
            tally.Add(v, mask, C.MissedOverpaymentPence, overPence);
        }
    }

    /// <summary>
    /// Adds what the pass kept by group mask, as the claimants one by one would have: the shared
    /// counts (in variant 0), the overpayments missed in every variant, each linkage's outcomes
    /// (<see cref="LinkCounts"/>) and, in every variant matching through a linkage, its clerical
    /// reviews and their cost; and the variant loop's counts (the rows of <see cref="Claimant"/>).
    /// </summary>
    public void Finish(in ChunkOutput output)
    {
        if (_byMask is not { } kept || _clerical is not { } clerical || _byVariant is not { } byVariant)
            return;
        StrandTally<C> tally = output.Tally.As<C>();
        for (int row = 0; row < _byVariantLength / Counters; row++)
        {
            int at = row * Counters;
            for (int c = 0; c < Counters; c++)
            {
                if (byVariant[at + c] != 0)
                    tally.Add(row % _v.Length, (uint)(row / _v.Length), (C)c, byVariant[at + c]);
            }
        }

        _byVariant = null; // Finish ends the evaluator's pass: no count comes after it
        ArrayPool<long>.Shared.Return(byVariant, clearArray: false);
        for (int m = 0; m < _maskCount; m++)
        {
            int at = m * (int)Kept.Count;
            long claimants = kept[at + (int)Kept.Claimants];
            if (claimants == 0)
                continue; // nothing else is kept for a mask without claimants
            uint mask = (uint)m;
            tally.Add(0, mask, C.Claimants, claimants);
            tally.Add(0, mask, C.AwardPence, claimants * _p.AwardPence);
            tally.Add(0, mask, C.OverpayingClaims, kept[at + (int)Kept.OverpayingClaims]);
            tally.Add(0, mask, C.OverpaidPence, kept[at + (int)Kept.OverpaidPence]);
            tally.Add(0, mask, C.CorrectClaims, kept[at + (int)Kept.CorrectClaims]);
            long missed = kept[at + (int)Kept.MissedEverywhere], missedPence = kept[at + (int)Kept.MissedEverywherePence];
            if (missed == 0)
                continue;
            for (int v = 0; v < _v.Length; v++)
            {
                tally.Add(v, mask, C.MissedOverpayments, missed);
                tally.Add(v, mask, C.MissedOverpaymentPence, missedPence);
            }
        }

        Array.Clear(kept);
        _linkCounts?.Flush(output.Tally.Slice(FraudCounters.LinkBlock, LinkCounters.Set.Count));
        for (int r = 0; r < _linkages.Length; r++)
        {
            for (int m = 0; m < _maskCount; m++)
            {
                long reviewed = clerical[r * _maskCount + m];
                if (reviewed == 0)
                    continue;
                foreach (int v in _matchingVariants)
                {
                    if (_v[v].LinkRep != r)
                        continue;
                    tally.Add(v, (uint)m, C.ClericalReviews, reviewed);
                    tally.Add(v, (uint)m, C.ClericalCostPence, reviewed * _v[v].ClericalPence);
                }
            }
        }

        Array.Clear(clerical);
    }
}
