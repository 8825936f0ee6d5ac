using System.Runtime.CompilerServices;
using ImpactModel.Linkage;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using C = ImpactModel.Strands.TailoredServices.TailoredCounter;

namespace ImpactModel.Strands.TailoredServices;

/// <summary>
/// Evaluates every variant on a chunk of persons. Two blocks of the strand's outcome stream are
/// filled for the whole chunk (draw 0: need, self-application, the rule's flag, the response; draw 1:
/// opt-out of the action, opt-out of matching or consent, whether an inference intrudes, outreach),
/// and word 0 of draw 0 of each source's coverage stream the rule reads outside its linkages (the same
/// word every model reads for "has a record in that source"). The persons with a record in every such
/// source are gathered and linked once per distinct linkage; then each person is evaluated in every
/// variant on the same words (common random numbers).
/// </summary>
internal sealed class TailoredEvaluator : IChunkEvaluator
{
    private readonly NeedModel _need;
    private readonly ServiceVariant[] _v;
    private readonly CompiledLinkage[][] _linkages; // [rule linkage][distinct]
    private readonly uint[] _w0;
    private readonly uint[] _w1;
    private readonly uint[] _coverage;
    private readonly uint[] _ids;
    private readonly uint[] _masks;
    private readonly int[] _slot;                  // person index in chunk → index in the gathered list, or −1
    private readonly int[] _busy;                  // the chunk's persons with a record to match, in order
    private readonly int[] _needy;                 // the chunk's persons in need with no record to match, in order
    private readonly bool[] _inNeed;               // person index in chunk → in need
    private readonly LinkOutcome[] _linked;        // [rule linkage][distinct][listed person]
    private readonly int _capacity;
    private readonly bool _anyLinks;
    private readonly bool _fast;                   // FastPaths when the evaluator was made

    // Fast paths, formed once: the most any linking variant flags a person not in need with (per
    // mask), whatever the person's links and when none links the person to someone else's record,
    // and the variants counting each rule linkage's link.* counters.
    private readonly ulong[] _maxIneligibleCut;
    private readonly ulong[] _maxFalsePositiveCut;
    private readonly int[][] _counting;
    private readonly LinkCounts?[] _linkCounts; // per rule linkage: its outcomes by mask, added to the tally in Finish
    private readonly int[] _withholding; // linking variants whose safeguards withhold some persons from matching (exclusion, opt-out, consent)

    // Listed persons not in need whom no variant flags, when nobody's marks are kept: only whether
    // they opt out of matching differs between variants, so they are counted by group mask and by
    // where their matching word falls among the withholding variants' distinct cuts, and each variant's
    // opt-outs are summed from those counts in Finish (as the outreach words of the unlisted are).
    private readonly ulong[] _withheldCuts;     // distinct opt-out-of-matching cuts, ascending
    private readonly int[] _withheldCutOf;      // per withholding variant (in _withholding's order): the index of its cut
    private readonly long[]? _unflaggedByCut;   // [mask × (cuts + 1) + b]: b cuts at or below the matching word

    // Persons in need with no record the rule could match behave alike in every variant but for
    // outreach: counted here by group mask (and, when they did not apply, by where their outreach word
    // falls among the variants' distinct outreach cuts), and added to every variant once, in Finish.
    private const int MaxDeferredMasks = LinkCounts.MaxMasks; // up to 10 groups: the counts by mask stay small
    private const int IdleLanes = 4;
    private readonly ulong[] _outreachCuts;     // distinct outreach cuts, ascending
    private readonly int[] _outreachCutOf;      // per variant: the index of its cut in _outreachCuts
    private readonly long[]? _unmatchedApplied; // [mask]: in need, no record, applied of their own accord
    private readonly long[]? _unmatchedByCut;   // [mask × (cuts + 1) + b]: did not apply, b cuts at or below the outreach word
    private readonly long[]? _shared;           // [mask × 3 + k]: eligible (k = 0), ineligible (1), applied (2), in every variant alike
    private readonly long[]? _idle;             // [lane × masks + mask]: not in need and no record to match, counted on 4 lanes (i mod 4)

    // What the variant loop counts, by group mask: one increment an event in place of the tally's
    // additions to each row the person is in (and of the money the event costs or is worth, which is
    // the count times a constant of the variant), added to the tally once, in Finish.
    private readonly long[]? _events;           // [(mask × variants + v) × Events + e]

    /// <summary>
    /// Whether persons whom no variant can affect skip the variant loop, and the counts every variant
    /// shares are kept by group mask (the default; taken when an evaluator is made). Off only to
    /// test that the skip is exact: it changes no result, so flipping it while other runs go on is harmless.
    /// </summary>
    internal static bool FastPaths { get; set; } = true;

    public TailoredEvaluator(TailoredReplicate replicate, int capacity)
    {
        _need = replicate.Need;
        _v = replicate.Variants;
        _linkages = [.. replicate.Linkages.Select(l => l.ToArray())];
        _capacity = capacity;
        _w0 = new uint[4 * capacity];
        _w1 = new uint[4 * capacity];
        _coverage = new uint[4 * capacity];
        _ids = new uint[capacity];
        _masks = new uint[capacity];
        _slot = new int[capacity];
        _busy = new int[capacity];
        _needy = new int[capacity];
        _inNeed = new bool[capacity];
        _linked = new LinkOutcome[_linkages.Sum(l => l.Length) * capacity];
        _anyLinks = _v.Any(v => v.Links);
        _fast = FastPaths;
        _maxIneligibleCut = new ulong[replicate.Need.ApplyCut.Length];
        _maxFalsePositiveCut = new ulong[replicate.Need.ApplyCut.Length];
        for (int m = 0; m < _maxIneligibleCut.Length; m++)
        {
            ulong max = 0, own = 0;
            foreach (ServiceVariant v in _v.Where(v => v.Links))
            {
                max = Math.Max(max, Math.Max(v.FalsePositiveCut[m], v.OtherCut));
                own = Math.Max(own, v.FalsePositiveCut[m]);
            }

            _maxIneligibleCut[m] = max;
            _maxFalsePositiveCut[m] = own;
        }

        _withholding = [.. Enumerable.Range(0, _v.Length).Where(v => _v[v].Links && (_v[v].NotMatchedCut > 0 || _v[v].ExcludedMask != 0))];
        _withheldCuts = [.. _withholding.Select(v => _v[v].NotMatchedCut).Distinct().Order()];
        _withheldCutOf = [.. _withholding.Select(v => Array.IndexOf(_withheldCuts, _v[v].NotMatchedCut))];
        _outreachCuts = [.. _v.Select(v => v.OutreachCut).Distinct().Order()];
        _outreachCutOf = [.. _v.Select(v => Array.IndexOf(_outreachCuts, v.OutreachCut))];
        int masks = replicate.Need.ApplyCut.Length; // one entry per group mask
        if (masks <= MaxDeferredMasks)
        {
            _unmatchedApplied = new long[masks];
            _unmatchedByCut = new long[masks * (_outreachCuts.Length + 1)];
            if (_fast)
            {
                _shared = new long[masks * 3];
                _idle = new long[IdleLanes * masks];
                _events = new long[masks * _v.Length * Events];
                _unflaggedByCut = new long[masks * (_withheldCuts.Length + 1)];
            }
        }
        _counting = [.. Enumerable.Range(0, _linkages.Length).Select(l => Enumerable.Range(0, _v.Length).Where(v => _v[v].CountsLinkage[l]).ToArray())];
        _linkCounts = [.. _counting.Select(c => LinkCounts.For(_v.Length, c, replicate.Need.ApplyCut.Length))];
    }

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        ArgumentNullException.ThrowIfNull(persons);
        int n = persons.Count;
        NeedModel need = _need;
        long first = persons.FirstPerson;
        Philox.Fill(need.Outcomes, first, 0, _w0.AsSpan(0, 4 * n));
        Philox.Fill(need.Outcomes, first, 1, _w1.AsSpan(0, 4 * n));
        ReadOnlySpan<uint> masks = persons.Groups;

        // Who has a record in every source the rule reads outside its linkages: −1 for those without,
        // set without a branch (a coin flip per person that a branch would mispredict about half the
        // time): cut − 1 − w is negative exactly when w ≥ cut (cut ≤ 2^32; a cut of 0 is every word).
        Span<int> slot = _slot.AsSpan(0, n);
        slot.Clear();
        for (int s = 0; s < need.CoverageKeys.Length; s++)
        {
            Philox.Fill(need.CoverageKeys[s], first, 0, _coverage.AsSpan(0, 4 * n));
            ulong[] cut = need.CoverageCuts[s];
            for (int i = 0; i < n; i++)
                slot[i] |= (int)(((long)cut[masks[i]] - 1 - _coverage[4 * i]) >> 63);
        }

        // The others gathered in order, also without a branch: each is written at the next place, which
        // only those kept advance.
        int listed = 0;
        for (int i = 0; i < n; i++)
        {
            int kept = slot[i] + 1; // 1 with a record, 0 without
            _ids[listed] = (uint)(first + i);
            _masks[listed] = masks[i];
            slot[i] = (listed & -kept) | (kept - 1); // its place, or −1
            listed += kept;
        }

        if (_anyLinks)
        {
            int at = 0;
            foreach (CompiledLinkage[] distinct in _linkages)
            {
                foreach (CompiledLinkage linkage in distinct)
                {
                    linkage.Link(_ids.AsSpan(0, listed), _masks.AsSpan(0, listed), _linked.AsSpan(at * _capacity, listed));
                    at++;
                }
            }
        }

        StrandTally<C> tally = output.Tally.As<C>();
        ReadOnlySpan<byte> decile = persons.IncomeDecile.AsSpan(0, n);
        ReadOnlySpan<byte> area = persons.Area.AsSpan(0, n);
        ReadOnlySpan<ushort> authority = need.ByAuthority ? persons.LocalAuthority.AsSpan(0, n) : default;
        ulong[] needCut = need.NeedCut;
        int units = need.Units;
        if (_idle is not { } idle)
        {
            for (int i = 0; i < n; i++)
            {
                uint mask = masks[i];
                int unit = need.ByAuthority ? authority[i] : area[i];
                bool eligible = _w0[4 * i] < needCut[((int)mask * units + unit) * 10 + decile[i]];
                Person(i, mask, eligible, slot[i], tally, output);
            }

            return;
        }

        // Most persons are not in need and have no record to match: nothing happens to them in any
        // variant (as in Person), so they are only counted, by mask, without a branch. The others are
        // gathered, also without a branch, into those with a record (through Person) and those in need
        // without one, so that neither loop branches on which kind a person is (a coin flip for each).
        // Four lanes of idle counts, so that persons of the same mask in a row do not wait on each
        // other's addition. The tallies are sums of integers: the order persons are counted in is free.
        int busy = 0, needy = 0, stride = idle.Length / IdleLanes;
        Span<int> busyList = _busy.AsSpan(0, n), needyList = _needy.AsSpan(0, n);
        Span<bool> inNeed = _inNeed.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            uint mask = masks[i];
            int unit = need.ByAuthority ? authority[i] : area[i];
            bool eligible = _w0[4 * i] < needCut[((int)mask * units + unit) * 10 + decile[i]];
            int unlisted = (int)((uint)slot[i] >> 31), inNeedFlag = eligible ? 1 : 0;
            idle[(i & (IdleLanes - 1)) * stride + (int)mask] += (1 - inNeedFlag) & unlisted;
            inNeed[i] = eligible;
            busyList[busy] = i;
            busy += 1 - unlisted;
            needyList[needy] = i;
            needy += inNeedFlag & unlisted;
        }

        if (_unmatchedByCut is { } byCut && !output.Flags.Kept)
        {
            foreach (int i in needyList[..needy])
                Unmatched(i, masks[i], byCut);
        }
        else
        {
            foreach (int i in needyList[..needy])
                Person(i, masks[i], eligible: true, -1, tally, output);
        }

        foreach (int i in busyList[..busy])
            Person(i, masks[i], inNeed[i], slot[i], tally, output);
    }

    /// <summary>
    /// A person in need with no record to match, whose marks nobody keeps: the same in every variant
    /// but for outreach, so counted by mask and, when they did not apply, by where their outreach word
    /// falls among the distinct outreach cuts, without a branch on either; Finish adds them to every
    /// variant as <see cref="Person"/>'s variant loop would have.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unmatched(int i, uint mask, long[] byCut)
    {
        int m = (int)mask;
        long[] shared = _shared!;
        int applies = _w0[4 * i + 1] < _need.ApplyCut[m] ? 1 : 0;
        shared[m * 3]++;
        shared[m * 3 + 2] += applies;
        _unmatchedApplied![m] += applies;
        byCut[m * (_outreachCuts.Length + 1) + CutsAtOrBelow(_outreachCuts, _w1[4 * i + 3])] += 1 - applies;
    }

    /// <summary>How many of the distinct <paramref name="cuts"/> (ascending) lie at or below <paramref name="word"/>, without a branch: a variant whose cut is the k-th is below it exactly when the count is at most k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CutsAtOrBelow(ulong[] cuts, uint word)
    {
        int below = 0;
        foreach (ulong cut in cuts)
            below += word >= cut ? 1 : 0;
        return below;
    }

    /// <summary>The counts of the first <paramref name="through"/> + 1 buckets of a mask's row from <paramref name="at"/>: the persons whose word is below the cut of index <paramref name="through"/>.</summary>
    private static long Below(long[] byCut, int at, int through)
    {
        long sum = 0;
        for (int b = 0; b <= through; b++)
            sum += byCut[at + b];
        return sum;
    }

    /// <summary>One person in every variant, on the same words.</summary>
    private void Person(int i, uint mask, bool eligible, int listed, StrandTally<C> tally, in ChunkOutput output)
    {
        NeedModel need = _need;
        int m = (int)mask;
        uint applyWord = _w0[4 * i + 1], flagWord = _w0[4 * i + 2], responseWord = _w0[4 * i + 3];
        uint optOutWord = _w1[4 * i], matchWord = _w1[4 * i + 1], intrusionWord = _w1[4 * i + 2], outreachWord = _w1[4 * i + 3];
        bool applies = eligible && applyWord < need.ApplyCut[m];
        // The same in every variant: counted in variant 0 and copied in TailoredReplicate.Complete
        // (by mask, added to the rows in Finish, when it can).
        if (_shared is { } shared)
        {
            shared[m * 3 + (eligible ? 0 : 1)]++;
            if (applies)
                shared[m * 3 + 2]++;
        }
        else
        {
            tally.Add(0, mask, eligible ? C.Eligible : C.Ineligible, 1);
            if (applies)
            {
                tally.Add(0, mask, C.Applied, 1);
                tally.Add(0, mask, C.ApplicationCostPence, need.ApplicationPence);
            }
        }

        if (!eligible && listed < 0)
            return; // no record to match and no need: nothing happens to this person in any variant
        if (!eligible && _fast && (flagWord >= _maxIneligibleCut[m] || (flagWord >= _maxFalsePositiveCut[m] && !LinkedToOther(listed))))
        {
            // Not in need and flagged by no variant: whatever its linkage, or linked by none to someone
            // else's record (a variant then flags on its own record's cut, or not at all). Only the
            // linkages' counts, and whether a safeguard withheld the person from matching (as in the loop below).
            CountLinks(listed, mask, output);
            if (_unflaggedByCut is { } unflagged && !output.Flags.Kept)
            {
                unflagged[m * (_withheldCuts.Length + 1) + CutsAtOrBelow(_withheldCuts, matchWord)]++;
                return;
            }

            foreach (int v in _withholding)
            {
                ServiceVariant vm = _v[v];
                if ((mask & vm.ExcludedMask) != 0)
                {
                    output.Flags.Mark(v, i, PersonOutcome.Protected);
                }
                else if (matchWord < vm.NotMatchedCut)
                {
                    Count(v, mask, Event.OptedOut, tally);
                    output.Flags.Mark(v, i, PersonOutcome.Protected);
                }
            }

            return;
        }

        for (int v = 0; v < _v.Length; v++)
        {
            ServiceVariant vm = _v[v];

            bool found = false, flagged = false;
            if (vm.Links && listed >= 0)
            {
                bool own = true, other = false;
                int at = 0;
                for (int l = 0; l < _linkages.Length; l++)
                {
                    int rep = vm.LinkRep[l];
                    LinkOutcome lo = _linked[(at + rep) * _capacity + listed];
                    at += _linkages[l].Length;
                    if (vm.CountsLinkage[l])
                        CountLink(l, v, mask, lo, output);
                    own &= (lo & LinkOutcome.LinkedOwn) != 0;
                    other |= (lo & LinkOutcome.LinkedOther) != 0;
                }

                found = own;
                if ((mask & vm.ExcludedMask) != 0)
                {
                    // A sensitive category: never matched, so neither contacted nor reached through the data.
                    output.Flags.Mark(v, i, PersonOutcome.Protected);
                }
                else if (matchWord < vm.NotMatchedCut)
                {
                    Count(v, mask, Event.OptedOut, tally); // opted out of matching, or gave no consent
                    output.Flags.Mark(v, i, PersonOutcome.Protected);
                }
                else
                {
                    // Someone else's record gives someone else's answer; one's own, the proxy's.
                    ulong cut = other ? vm.OtherCut : own ? (eligible ? vm.SensitivityCut[m] : vm.FalsePositiveCut[m]) : 0;
                    flagged = flagWord < cut;
                }

                if (own && !other && eligible && flagged)
                    Count(v, mask, Event.Identified, tally);
            }

            bool dataReached = false;
            if (flagged)
            {
                Count(v, mask, Event.Flagged, tally); // and contacted, at a cost
                output.Flags.Mark(v, i, PersonOutcome.Exposed);
                if (!eligible)
                {
                    Count(v, mask, Event.IneligibleContacted, tally);
                    if (vm.SensitiveInference && intrusionWord < vm.IntrusionCut)
                    {
                        Count(v, mask, Event.Intrusion, tally);
                        output.Flags.Mark(v, i, PersonOutcome.Harmed);
                    }
                }

                if (optOutWord < vm.OptOutCut[m])
                    Count(v, mask, Event.OptedOut, tally);
                else if (eligible && responseWord < vm.ResponseCut[m])
                    dataReached = true;
            }

            if (!eligible)
                continue;
            bool outreach = vm.Links && !applies && !dataReached && (mask & vm.OutreachMask) != 0 && outreachWord < vm.OutreachCut;
            bool reached = applies || dataReached || outreach;
            if (dataReached)
                Count(v, mask, Event.DataReached, tally);
            if (outreach)
                Count(v, mask, Event.OutreachReached, tally); // at a cost
            if (reached)
            {
                Count(v, mask, Event.Reached, tally); // worth the benefit
                if (!applies)
                {
                    Count(v, mask, Event.Additional, tally);
                    output.Flags.Mark(v, i, PersonOutcome.Benefited);
                }
            }
            else
            {
                Count(v, mask, Event.Missed, tally);
                if (vm.Links && !found)
                    Count(v, mask, Event.MissedNotInData, tally);
            }
        }
    }

    /// <summary>
    /// Adds what the pass kept by group mask: each rule linkage's outcomes (<see cref="LinkCounts"/>),
    /// the counts every variant shares (eligible, ineligible, applied: in variant 0), and the persons in need with no record to match, counted in <see cref="Unmatched"/>,
    /// to every variant, as the variant loop would have: those who applied are reached in every variant;
    /// of the others, a linking variant reaches by outreach those in its outreach groups whose word is
    /// below its cut (the counts of the cuts at or below the word, summed up to its own), and misses
    /// the rest (not in its data); a variant that does not link misses them all.
    /// </summary>
    public void Finish(in ChunkOutput output)
    {
        for (int l = 0; l < _linkCounts.Length; l++)
            _linkCounts[l]?.Flush(LinkBlock(output, l));
        StrandTally<C> tally = output.Tally.As<C>();
        NeedModel need = _need;
        if (_shared is { } shared)
        {
            if (_idle is { } idle)
            {
                int lane = idle.Length / IdleLanes;
                for (int k = 0; k < idle.Length; k++)
                    shared[(k % lane) * 3 + 1] += idle[k];
                Array.Clear(idle);
            }

            for (int m = 0; m < shared.Length / 3; m++)
            {
                (long eligible, long ineligible, long applications) = (shared[m * 3], shared[m * 3 + 1], shared[m * 3 + 2]);
                if (eligible > 0)
                    tally.Add(0, (uint)m, C.Eligible, eligible);
                if (ineligible > 0)
                    tally.Add(0, (uint)m, C.Ineligible, ineligible);
                if (applications > 0)
                {
                    tally.Add(0, (uint)m, C.Applied, applications);
                    tally.Add(0, (uint)m, C.ApplicationCostPence, applications * need.ApplicationPence);
                }
            }

            Array.Clear(shared);
        }

        if (_events is { } events)
        {
            int variants = _v.Length;
            for (int at = 0; at < events.Length; at += Events)
            {
                int row = at / Events;
                for (int e = 0; e < Events; e++)
                {
                    if (events[at + e] != 0)
                        Add(tally, row % variants, (uint)(row / variants), (Event)e, events[at + e]);
                }
            }

            Array.Clear(events);
        }

        if (_unflaggedByCut is { } unflagged)
            FinishUnflagged(unflagged, tally);

        if (_unmatchedByCut is not { } byCut || _unmatchedApplied is not { } applied)
            return;
        int stride = _outreachCuts.Length + 1;
        for (int m = 0; m < applied.Length; m++)
        {
            long self = applied[m], notApplied = 0;
            for (int b = 0; b < stride; b++)
                notApplied += byCut[m * stride + b];
            if (self == 0 && notApplied == 0)
                continue;
            uint mask = (uint)m;
            for (int v = 0; v < _v.Length; v++)
            {
                ServiceVariant vm = _v[v];
                long outreach = vm.Links && (mask & vm.OutreachMask) != 0 ? Below(byCut, m * stride, _outreachCutOf[v]) : 0;

                long reached = self + outreach, missed = notApplied - outreach;
                if (reached > 0)
                {
                    tally.Add(v, mask, C.Reached, reached);
                    tally.Add(v, mask, C.ValuePence, reached * need.BenefitPence);
                }

                if (outreach > 0)
                {
                    tally.Add(v, mask, C.OutreachReached, outreach);
                    tally.Add(v, mask, C.OutreachCostPence, outreach * vm.OutreachPence);
                    tally.Add(v, mask, C.Additional, outreach);
                }

                if (missed > 0)
                {
                    tally.Add(v, mask, C.Missed, missed);
                    if (vm.Links)
                        tally.Add(v, mask, C.MissedNotInData, missed);
                }
            }
        }

        Array.Clear(applied);
        Array.Clear(byCut);
    }

    /// <summary>What the variant loop counts of a person in a variant; each is one or more counters (<see cref="Add"/>).</summary>
    private enum Event
    {
        Identified,
        Flagged,
        IneligibleContacted,
        Intrusion,
        OptedOut,
        DataReached,
        OutreachReached,
        Reached,
        Additional,
        Missed,
        MissedNotInData,
    }

    private const int Events = (int)Event.MissedNotInData + 1;

    /// <summary>The counter each event counts persons in (<see cref="Event"/>'s order).</summary>
    private static readonly C[] CounterOf =
    [
        C.Identified, C.Flagged, C.IneligibleContacted, C.Intrusions, C.OptedOut, C.DataReached, C.OutreachReached, C.Reached,
        C.Additional, C.Missed, C.MissedNotInData,
    ];

    /// <summary>Counts one event of a person of group mask <paramref name="mask"/> in variant <paramref name="v"/>: by mask when it can, into the tally in Finish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(int v, uint mask, Event e, StrandTally<C> tally)
    {
        if (_events is { } events)
            events[((int)mask * _v.Length + v) * Events + (int)e]++;
        else
            Add(tally, v, mask, e, 1);
    }

    /// <summary>
    /// <paramref name="persons"/> events of one kind in a variant and group mask, as counters: a flagged
    /// person is contacted at the variant's cost of a contact, one reached by outreach at its cost of a
    /// case, and one reached is worth the benefit; the same integers person by person or all at once.
    /// </summary>
    private void Add(StrandTally<C> tally, int v, uint mask, Event e, long persons)
    {
        tally.Add(v, mask, CounterOf[(int)e], persons);
        ServiceVariant vm = _v[v];
        switch (e)
        {
            case Event.Flagged:
                tally.Add(v, mask, C.Contacted, persons);
                tally.Add(v, mask, C.ContactCostPence, persons * vm.ContactPence);
                break;
            case Event.OutreachReached:
                tally.Add(v, mask, C.OutreachCostPence, persons * vm.OutreachPence);
                break;
            case Event.Reached:
                tally.Add(v, mask, C.ValuePence, persons * _need.BenefitPence);
                break;
        }
    }

    /// <summary>
    /// The opt-outs of matching of the listed persons not in need whom no variant flags, counted by mask
    /// and matching word in <see cref="Person"/>: a withholding variant withholds those of a mask outside
    /// its excluded groups whose word is below its cut (the counts of the cuts at or below the word,
    /// summed up to its own), as the loop there would have.
    /// </summary>
    private void FinishUnflagged(long[] unflagged, StrandTally<C> tally)
    {
        int stride = _withheldCuts.Length + 1;
        for (int m = 0; m < unflagged.Length / stride; m++)
        {
            for (int w = 0; w < _withholding.Length; w++)
            {
                int v = _withholding[w];
                if (((uint)m & _v[v].ExcludedMask) != 0)
                    continue;
                long optedOut = Below(unflagged, m * stride, _withheldCutOf[w]);
                if (optedOut > 0)
                    Add(tally, v, (uint)m, Event.OptedOut, optedOut);
            }
        }

        Array.Clear(unflagged);
    }

    /// <summary>The link.* counters of rule linkage <paramref name="l"/>.</summary>
    private static StrandTally LinkBlock(in ChunkOutput output, int l) => output.Tally.Slice(TailoredCounters.LinkBlock(l), LinkCounters.Set.Count);

    /// <summary>Whether any linkage of the rule (any distinct one, used by a variant or not) links listed person <paramref name="listed"/> to someone else's record.</summary>
    private bool LinkedToOther(int listed)
    {
        for (int at = listed; at < _linked.Length; at += _capacity)
        {
            if ((_linked[at] & LinkOutcome.LinkedOther) != 0)
                return true;
        }

        return false;
    }

    /// <summary>Counts a listed person's outcome of each rule linkage in the variants that count it.</summary>
    private void CountLinks(int listed, uint mask, in ChunkOutput output)
    {
        int at = 0;
        for (int l = 0; l < _linkages.Length; l++)
        {
            foreach (int v in _counting[l])
                CountLink(l, v, mask, _linked[(at + _v[v].LinkRep[l]) * _capacity + listed], output);
            at += _linkages[l].Length;
        }
    }

    /// <summary>Counts a person's outcome of rule linkage <paramref name="l"/> in variant <paramref name="v"/>: by mask when it can, into the tally in Finish.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountLink(int l, int v, uint mask, LinkOutcome outcome, in ChunkOutput output)
    {
        if (_linkCounts[l] is { } counts)
            counts.Add(v, mask, outcome);
        else
            LinkCounters.Add(LinkBlock(output, l), v, mask, outcome);
    }
}
