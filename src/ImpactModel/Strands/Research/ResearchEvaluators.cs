using System.Numerics;
using ImpactModel.Population;
using ImpactModel.Simulation;
using C = ImpactModel.Strands.Research.ResearchCounter;

namespace ImpactModel.Strands.Research;

/// <summary>
/// Pass 0: counts, per class plan and cell, the persons of the population (F), those in the extract
/// (f), the extract's holders of each sensitive attribute, and per row slot (rest, then each group)
/// its members in the extract and their holders. Integers per cell, shared by every variant of the
/// plan; from the merged counts the end of pass 0 forms every figure attributed to persons
/// (<see cref="ResearchReplicate.TalliesFromClassCounts"/>). With that switch on, it also counts
/// the truth the research questions are measured against (<see cref="Truth"/>).
/// </summary>
internal sealed class ClassCounter : IChunkEvaluator
{
    private readonly ResearchReplicate _replicate;
    private readonly ExtractPersons _persons;

    /// <summary>Longs of <see cref="_rest"/>, <see cref="_head"/> and <see cref="_slot"/> per entry (the first long's parity for a slot: <see cref="_slotLength"/>).</summary>
    private readonly int _span, _headLength;

    private readonly int[] _slotLength;

    /// <summary>Per attributes held: the packed additions to a cell's first longs for a record of no group (F, f, holders, and the rest slot) …</summary>
    private readonly long[] _rest;

    /// <summary>… and for a record of some group (F, f and holders only).</summary>
    private readonly long[] _head;

    /// <summary>Per (parity of the slot's first count, attributes held): the packed additions for a group slot (its members and holders).</summary>
    private readonly long[] _slot;

    /// <summary>Everyone by (group mask, attributes held), when this pass counts the truth; else null.</summary>
    private readonly long[]? _truth;

    public ClassCounter(ResearchReplicate replicate, int capacity)
    {
        _replicate = replicate;
        _persons = new ExtractPersons(replicate, capacity);
        _truth = replicate.Model.FormsTallies ? Truth.New(replicate.Model.Groups) : null;
        int attributes = replicate.AttributeCuts.Length, rows = 2 + attributes;
        _span = (rows + attributes + 2) / 2;
        _headLength = ((rows - 1) >> 1) + 1;
        _slotLength = [(attributes >> 1) + 1, ((1 + attributes) >> 1) + 1];
        int held = 1 << attributes;
        _rest = new long[held * _span];
        _head = new long[held * _span];
        _slot = new long[2 * held * _span];
        for (int b = 0; b < held; b++)
        {
            Span<long> rest = _rest.AsSpan(b * _span, _span), head = _head.AsSpan(b * _span, _span);
            Add(rest, 0, 1 + (1L << 32));
            Add(head, 0, 1 + (1L << 32));
            for (int a = 0; a < attributes; a++)
            {
                Add(rest, 2 + a, (b >> a) & 1);
                Add(head, 2 + a, (b >> a) & 1);
            }

            AddRow(rest, rows, b, attributes);
            for (int parity = 0; parity < 2; parity++)
                AddRow(_slot.AsSpan((parity * held + b) * _span, _span), parity, b, attributes);
        }
    }

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        _persons.Prepare(persons);
        int n = persons.Count;
        ReadOnlySpan<uint> masks = persons.Groups;
        ReleasePlan plan = _replicate.Model.Plan;
        int attributes = _replicate.AttributeCuts.Length;
        int width = _replicate.Model.PackedWidth, span = _span, head = _headLength, held = 1 << attributes;
        int[] slotLength = _slotLength;
        int rowWidth = 1 + attributes, rows = 2 + attributes;
        byte[] bits = _persons.Bits;
        ReadOnlySpan<long> restAdds = _rest, headAdds = _head, slotAdds = _slot;
        if (_truth is not null)
            Truth.Count(_truth, masks, bits.AsSpan(0, n));
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            Span<long> counts = output.Accumulators.Of(c);
            int[] cells = _persons.Cells[c];
            byte[] inside = _persons.InExtract[plan.Classes[c].Extract];
            long[] array = output.Accumulators.Backing(c, out int offset);
            for (int i = 0; i < n; i++)
            {
                if (i + RiskAttributor.Ahead < n)
                    RiskAttributor.Prefetch(array, offset + cells[i + RiskAttributor.Ahead] * width, width);
                int at = cells[i] * width;
                if (inside[i] == 0)
                {
                    counts[at]++; // F alone
                    continue;
                }

                // A record's additions, packed as the counts are, from the tables made once: a few
                // adds of whole longs instead of one per count.
                int b = bits[i];
                uint mask = masks[i];
                ReadOnlySpan<long> first = mask == 0 ? restAdds.Slice(b * span, span) : headAdds.Slice(b * span, head);
                for (int k = 0; k < first.Length; k++)
                    counts[at + k] += first[k];
                for (uint m = mask; m != 0; m &= m - 1)
                {
                    int u = rows + (BitOperations.TrailingZeroCount(m) + 1) * rowWidth;
                    ReadOnlySpan<long> slot = slotAdds.Slice(((u & 1) * held + b) * span, slotLength[u & 1]);
                    int to = at + (u >> 1);
                    for (int k = 0; k < slot.Length; k++)
                        counts[to + k] += slot[k];
                }
            }
        }
    }

    /// <summary>Adds the truth counted over the thread's chunks to the tally's rows (nothing when pass 1 counts it).</summary>
    public void Finish(in ChunkOutput output)
    {
        if (_truth is not null)
            Truth.Add(output.Tally, _truth, _replicate.AttributeCuts.Length);
    }

    /// <summary>
    /// Adds to count <paramref name="u"/> of a cell's longs: counts are packed two to a long (count u
    /// in long u/2, its low half when u is even), as no count of a cell can reach 2^32 (the population
    /// is below it), so adding packed longs (here and when threads' counts are merged) never carries
    /// from one count into the other.
    /// </summary>
    private static void Add(Span<long> counts, int u, long amount) => counts[u >> 1] += amount << ((u & 1) << 5);

    /// <summary>A row slot's additions from count <paramref name="u"/>: one member, and each attribute it holds.</summary>
    private static void AddRow(Span<long> counts, int u, int bits, int attributes)
    {
        Add(counts, u, 1);
        for (int a = 0; a < attributes; a++)
            Add(counts, u + 1 + a, (bits >> a) & 1);
    }

    /// <summary>Unpacks a class plan's merged counts into <see cref="ClassPlan.Width"/> longs per cell.</summary>
    public static long[] Unpack(ReadOnlySpan<long> packed, int cells, int width, int packedWidth)
    {
        var counts = new long[(long)cells * width];
        for (int c = 0; c < cells; c++)
        {
            for (int u = 0; u < width; u++)
                counts[c * width + u] = (packed[c * packedWidth + (u >> 1)] >> ((u & 1) << 5)) & 0xFFFF_FFFFL;
        }

        return counts;
    }
}

/// <summary>
/// The truth the research questions are measured against: everyone of the population by (group
/// mask, sensitive attributes held), whatever is released, added to the rows of variant 0 (the
/// others copy it in <see cref="ResearchReplicate.Complete"/>): persons, and holders of each attribute.
/// </summary>
internal static class Truth
{
    /// <summary>Bits of a person's attributes in the index (at most 3 attributes).</summary>
    public const int Shift = 3;

    /// <summary>Counts by (mask, attributes held) for <paramref name="groups"/> groups (at most 16: 4 MB).</summary>
    public static long[] New(int groups) => new long[(1L << groups) << Shift];

    /// <summary>Counts each person once by their group mask and attributes held.</summary>
    public static void Count(long[] counts, ReadOnlySpan<uint> masks, ReadOnlySpan<byte> bits)
    {
        for (int i = 0; i < bits.Length; i++)
            counts[((int)masks[i] << Shift) + bits[i]]++;
    }

    /// <summary>Adds the counts to the rows of each mask (persons and each attribute's holders), and clears them.</summary>
    public static void Add(StrandTally tally, long[] counts, int attributes)
    {
        for (int j = 0; j < counts.Length; j++)
        {
            if (counts[j] == 0)
                continue;
            uint mask = (uint)(j >> Shift);
            tally.Add(0, mask, ResearchCounters.N(C.TruthPersons), counts[j]);
            for (int a = 0; a < attributes; a++)
            {
                if (((j >> a) & 1) != 0)
                    tally.Add(0, mask, ResearchCounters.TruePositive(a), counts[j]);
            }

            counts[j] = 0;
        }
    }
}

/// <summary>
/// Pass 1 with <see cref="ResearchReplicate.TalliesFromClassCounts"/> off (tests hold the figures
/// formed at the end of pass 0 to it): each person in an extract gets their class's values from the
/// risk table of every distinct release (formed from the merged counts of pass 0), added to every
/// row the person belongs to: a person's risk is attributed to each of their groups. The variant
/// that first uses a table counts it; the others copy it in <see cref="ResearchReplicate.Complete"/>.
/// The whole population's holders of each attribute are counted once, for the research questions' truth.
/// </summary>
/// <remarks>
/// A person's values go first into sums by (table, group mask), contiguous and without a branch,
/// then each mask seen in the chunk is added to the tally's rows once: far fewer adds than one per
/// row, value and person. Integer sums either way, so the result is the same.
/// </remarks>
internal sealed class RiskAttributor : IChunkEvaluator
{
    /// <summary>Values per (table, mask): extract records, the table's fields up to the attack sum, disclosures.</summary>
    internal const int Values = 2 + ClassRisk.Disclosure;

    /// <summary>Sums by mask only up to this many groups (2^10 masks); above it, values go to the tally row by row.</summary>
    private const int MaxMaskGroups = 10;

    /// <summary>The counter of each of the <see cref="Values"/>.</summary>
    internal static readonly C[] CounterOf =
    [
        C.ExtractRecords, C.RecordsReleased, C.RecordsSuppressed, C.SampleUniques, C.PopulationUniques, C.RecordsAtHighRisk,
        C.ProsecutorSum, C.JournalistSum, C.AttackSum, C.AttributeDisclosures,
    ];

    private readonly ResearchReplicate _replicate;
    private readonly ExtractPersons _persons;
    private readonly int _masks;
    private readonly long[] _sums;

    public RiskAttributor(ResearchReplicate replicate, int capacity)
    {
        _replicate = replicate;
        _persons = new ExtractPersons(replicate, capacity, withheld: true);
        int groups = replicate.Model.Groups;
        _masks = groups <= MaxMaskGroups ? 1 << groups : 0;
        int slots = replicate.Risks.Length * Math.Max(_masks, 1);
        _sums = new long[slots * Values];
        _holders = new long[Math.Max(_masks, 1) << Truth.Shift];
    }

    /// <summary>Persons of the chunk by (group mask, attributes held).</summary>
    private readonly long[] _holders;

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        _persons.Prepare(persons);
        int n = persons.Count;
        MarkExtracts(_replicate, _persons, n, output.Flags);
        ReadOnlySpan<uint> masks = persons.Groups;
        StrandTally tally = output.Tally;
        int attributes = _replicate.AttributeCuts.Length;
        int stride = ClassRisk.Stride(attributes);
        byte[] bits = _persons.Bits;
        bool exact = _replicate.CompactCells.Length > 0;

        // The truth the research questions are measured against: everyone, whatever is released
        // (by mask and attributes held, added to the rows in Finish).
        if (_masks > 0)
        {
            Truth.Count(_holders, masks, bits.AsSpan(0, n));
        }
        else
        {
            tally.AddPersons(0, masks, ResearchCounters.N(C.TruthPersons));
            for (int a = 0; a < attributes; a++)
            {
                int counter = ResearchCounters.TruePositive(a);
                for (int i = 0; i < n; i++)
                {
                    if (((bits[i] >> a) & 1) != 0)
                        tally.Add(0, masks[i], counter, 1);
                }
            }
        }

        long[] sums = _sums;
        ReleasePlan plan = _replicate.Model.Plan;
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            int[] own = _replicate.TablesOfClass[c];
            if (own.Length == 0)
                continue;
            int[] cells = _persons.Cells[c];
            byte[] inside = _persons.InExtract[plan.Classes[c].Extract];
            if (exact)
            {
                Exact(tally, c, own, n, masks, cells, inside, bits, output.Flags);
                continue;
            }

            long[] tables = _replicate.ClassTables[c];
            int block = own.Length * stride;
            for (int i = 0; i < n; i++)
            {
                if (i + Ahead < n)
                    Prefetch(tables, cells[i + Ahead] * block, block);
                if (inside[i] == 0)
                    continue;
                uint mask = masks[i];
                int cellAt = cells[i] * block;
                for (int j = 0; j < own.Length; j++)
                {
                    int index = own[j];
                    int slot = _masks > 0 ? index * _masks + (int)mask : index;

                    int at = cellAt + j * stride, to = slot * Values;
                    sums[to]++;
                    for (int k = 0; k < ClassRisk.Disclosure; k++)
                        sums[to + 1 + k] += tables[at + k];
                    for (int b = bits[i]; b != 0; b &= b - 1)
                        sums[to + Values - 1] += tables[at + ClassRisk.Disclosure + BitOperations.TrailingZeroCount(b)];
                    if (_replicate.Rho == 1 && tables[at + ClassRisk.Unique] != 0)
                        MarkHarmed(_replicate, output.Flags, _replicate.Risks[index], i);
                    if (_masks == 0)
                        AddSlot(tally, slot, mask); // without sums by mask (many groups), one person's values go straight to the tally
                }
            }
        }

    }

    /// <summary>Adds the sums kept by group mask over the thread's chunks to the tally's rows, once each.</summary>
    public void Finish(in ChunkOutput output)
    {
        StrandTally tally = output.Tally;
        if (_masks > 0)
        {
            for (int slot = 0; slot < _replicate.Risks.Length * _masks; slot++)
                AddSlot(tally, slot, (uint)(slot % _masks));
        }

        Truth.Add(tally, _holders, _replicate.AttributeCuts.Length);
    }



    /// <summary>
    /// With exact class sizes: each table's values from the class's compact cell (f, 1/f, 1/F, flags)
    /// and the table's threshold, exactly as <see cref="ClassRisk.Exact"/> forms them (a test holds
    /// the two paths to the same results).
    /// </summary>
    private void Exact(StrandTally tally, int c, int[] own, int n, ReadOnlySpan<uint> masks, int[] cells, byte[] inside, byte[] bits, PersonFlags flags)
    {
        const long One = ResearchCounters.Fixed;
        long[] compact = _replicate.CompactCells[c];
        long[] sums = _sums;
        RiskTable[] risks = _replicate.Risks;
        for (int i = 0; i < n; i++)
        {
            if (i + Ahead < n)
                Prefetch(compact, cells[i + Ahead] * ResearchReplicate.CompactWidth, ResearchReplicate.CompactWidth);
            if (inside[i] == 0)
                continue;
            uint mask = masks[i];
            int cell = cells[i], at = cell * ResearchReplicate.CompactWidth;
            long f = compact[at], prosecutor = compact[at + 1], journalist = compact[at + 2];
            int cellFlags = (int)compact[at + 3];
            int held = bits[i];
            for (int j = 0; j < own.Length; j++)
            {
                RiskTable risk = risks[own[j]];
                int slot = _masks > 0 ? risk.Index * _masks + (int)mask : risk.Index;
                int to = slot * Values;
                sums[to]++;
                if (f < risk.Threshold)
                {
                    sums[to + 1 + ClassRisk.Suppressed] += One;
                }
                else if (risk.AllowedDisclosures is { } allowed)
                {
                    sums[to + Values - 1] += BitOperations.PopCount((uint)(allowed[cell] & held)) * One;
                }
                else
                {
                    sums[to + 1 + ClassRisk.Released] += One;
                    sums[to + 1 + ClassRisk.Unique] += f == 1 ? One : 0;
                    sums[to + 1 + ClassRisk.PopulationUnique] += (cellFlags & 1) * One;
                    sums[to + 1 + ClassRisk.HighRisk] += f <= risk.HighRiskMax ? One : 0;
                    sums[to + 1 + ClassRisk.Prosecutor] += prosecutor;
                    sums[to + 1 + ClassRisk.Journalist] += journalist;
                    sums[to + 1 + ClassRisk.Attack] += risk.AttackCells is { } attack ? attack[cell] : prosecutor;
                    sums[to + Values - 1] += BitOperations.PopCount((uint)((cellFlags >> 1) & held)) * One;
                    if (f == 1)
                        MarkHarmed(_replicate, flags, risk, i);
                }

                if (_masks == 0)
                    AddSlot(tally, slot, mask); // without sums by mask (many groups), one person's values go straight to the tally
            }
        }
    }

    /// <summary>Persons ahead whose cell's values are fetched into the cache while this one is counted (the tables are larger than the cache, and the cells random).</summary>
    internal const int Ahead = 16;

    /// <summary>Asks the processor to fetch <paramref name="length"/> integers of <paramref name="values"/> from <paramref name="at"/> into the cache (a hint; nothing else changes).</summary>
    internal static unsafe void Prefetch<T>(T[] values, int at, int length)
        where T : unmanaged
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
            return;
        fixed (T* start = &values[at])
        {
            byte* p = (byte*)start, end = p + length * sizeof(T);
            for (; p < end; p += 64)
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p);
        }
    }

    private void AddSlot(StrandTally tally, int slot, uint mask)
    {
        int v = _replicate.Risks[_masks > 0 ? slot / _masks : slot].Representative;
        int from = slot * Values;
        for (int k = 0; k < Values; k++)
        {
            long value = _sums[from + k];
            if (value == 0)
                continue;
            tally.Add(v, mask, ResearchCounters.N(CounterOf[k]), value);
            _sums[from + k] = 0;
        }
    }

    /// <summary>
    /// Marks, in every variant that releases from an extract, the persons in it as exposed (their record
    /// is in the extract the variant shares: released as a record, or made into tables) and those a
    /// safeguard withheld from it as protected (<see cref="ExtractPersons.Withheld"/>). Exact at any
    /// population: who is in an extract is decided person by person.
    /// </summary>
    internal static void MarkExtracts(ResearchReplicate replicate, ExtractPersons persons, int n, PersonFlags flags)
    {
        if (!flags.Kept)
            return; // nothing reads the marks in this run
        int[][] variantsOf = replicate.VariantsOfExtract;
        for (int e = 0; e < variantsOf.Length; e++)
        {
            int[] variants = variantsOf[e];
            if (variants.Length == 0)
                continue;
            byte[] inside = persons.InExtract[e], withheld = persons.Withheld[e];
            for (int i = 0; i < n; i++)
            {
                PersonOutcome outcome = inside[i] != 0 ? PersonOutcome.Exposed : withheld[i] != 0 ? PersonOutcome.Protected : PersonOutcome.None;
                if (outcome == PersonOutcome.None)
                    continue;
                foreach (int v in variants)
                    flags.Mark(v, i, outcome);
            }
        }
    }

    /// <summary>A sample-unique record is a harm to its person in every record-level variant that reads the table.</summary>
    internal static void MarkHarmed(ResearchReplicate replicate, PersonFlags flags, RiskTable risk, int i)
    {
        if (!flags.Kept)
            return;
        ReleaseVariant[] variants = replicate.Variants;
        for (int v = 0; v < variants.Length; v++)
        {
            if (variants[v].Risk == risk.Index && variants[v].Form == Scenarios.Model.ReleaseForm.RecordLevelTre)
                flags.Mark(v, i, PersonOutcome.Harmed);
        }
    }
}

/// <summary>
/// Pass 1 when the tallies were formed at the end of pass 0 (<see cref="ResearchReplicate.TalliesFromClassCounts"/>)
/// and an observer reads the persons' flags: marks, as <see cref="RiskAttributor"/> does, each person
/// in an extract as exposed and each withheld from it as protected in every variant releasing from it,
/// and each person whose record is released alone in its class (sample unique, with exact class
/// sizes) as harmed in every record-level variant that releases it; adds nothing to the tallies.
/// </summary>
internal sealed class HarmMarker(ResearchReplicate replicate, int capacity) : IChunkEvaluator
{
    private readonly ExtractPersons _persons = new(replicate, capacity, withheld: true);

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        _persons.Prepare(persons);
        int n = persons.Count;
        RiskAttributor.MarkExtracts(replicate, _persons, n, output.Flags);
        if (replicate.Rho != 1)
            return; // estimated class sizes: no person is known to be unique
        int stride = ClassRisk.Stride(replicate.AttributeCuts.Length);
        bool exact = replicate.CompactCells.Length > 0;
        RiskTable[] risks = replicate.Risks;
        ReleasePlan plan = replicate.Model.Plan;
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            int[] own = replicate.TablesOfClass[c];
            if (own.Length == 0)
                continue;
            int[] cells = _persons.Cells[c];
            byte[] inside = _persons.InExtract[plan.Classes[c].Extract];
            long[] values = exact ? replicate.CompactCells[c] : replicate.ClassTables[c];
            int block = own.Length * stride, width = exact ? ResearchReplicate.CompactWidth : block;
            for (int i = 0; i < n; i++)
            {
                if (i + RiskAttributor.Ahead < n)
                    RiskAttributor.Prefetch(values, cells[i + RiskAttributor.Ahead] * width, width);
                if (inside[i] == 0)
                    continue;
                for (int j = 0; j < own.Length; j++)
                {
                    RiskTable risk = risks[own[j]];
                    bool unique = exact
                        ? values[cells[i] * ResearchReplicate.CompactWidth] == 1 && risk.Threshold <= 1 && risk.AllowedDisclosures is null
                        : values[cells[i] * block + risk.Offset + ClassRisk.Unique] != 0;
                    if (unique)
                        RiskAttributor.MarkHarmed(replicate, output.Flags, risk, i);
                }
            }
        }
    }
}
