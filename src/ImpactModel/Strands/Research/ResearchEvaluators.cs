using System.Numerics;
using ImpactModel.Population;
using ImpactModel.Simulation;
using C = ImpactModel.Strands.Research.ResearchCounter;

namespace ImpactModel.Strands.Research;

/// <summary>
/// Pass 0: counts, per class plan and cell, the persons of the population (F), those in the extract
/// (f), the extract's holders of each sensitive attribute, and per row slot (rest, then each group)
/// its members in the extract and their holders. Integers per cell, shared by every variant of the
/// plan; the merged counts are what pass 1 attributes to persons.
/// </summary>
internal sealed class ClassCounter(ResearchReplicate replicate, int capacity) : IChunkEvaluator
{
    private readonly ExtractPersons _persons = new(replicate, capacity);

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        _persons.Prepare(persons);
        int n = persons.Count;
        ReadOnlySpan<uint> masks = persons.Groups;
        ReleasePlan plan = replicate.Model.Plan;
        int attributes = replicate.AttributeCuts.Length;
        int width = replicate.Model.Width;
        int rowWidth = 1 + attributes;
        byte[] bits = _persons.Bits;
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            Span<long> counts = output.Accumulators.Of(c);
            int[] cells = _persons.Cells[c];
            byte[] inside = _persons.InExtract[plan.Classes[c].Extract];
            for (int i = 0; i < n; i++)
            {
                int at = cells[i] * width;
                counts[at]++;
                if (inside[i] == 0)
                    continue;
                counts[at + 1]++;
                int b = bits[i];
                int rows = at + 2 + attributes;
                uint mask = masks[i];
                if (mask == 0)
                    AddRow(counts, rows, b, attributes);
                for (uint m = mask; m != 0; m &= m - 1)
                    AddRow(counts, rows + (BitOperations.TrailingZeroCount(m) + 1) * rowWidth, b, attributes);
                for (int a = 0; a < attributes; a++)
                    counts[at + 2 + a] += (b >> a) & 1;
            }
        }
    }

    private static void AddRow(Span<long> counts, int at, int bits, int attributes)
    {
        counts[at]++;
        for (int a = 0; a < attributes; a++)
            counts[at + 1 + a] += (bits >> a) & 1;
    }
}

/// <summary>
/// Pass 1: each person in an extract gets their class's values from the risk table of every
/// distinct release (formed from the merged counts of pass 0), added to every row the person
/// belongs to: a person's risk is attributed to each of their groups. The variant that first uses a
/// table counts it; the others copy it in <see cref="ResearchReplicate.Complete"/>. The whole
/// population's holders of each attribute are counted once, for the research questions' truth.
/// </summary>
internal sealed class RiskAttributor(ResearchReplicate replicate, int capacity) : IChunkEvaluator
{
    private readonly ExtractPersons _persons = new(replicate, capacity);

    public void Evaluate(PersonChunk persons, in ChunkOutput output)
    {
        _persons.Prepare(persons);
        int n = persons.Count;
        ReadOnlySpan<uint> masks = persons.Groups;
        StrandTally tally = output.Tally;
        StrandTally<C> t = tally.As<C>();
        int attributes = replicate.AttributeCuts.Length;
        int stride = ClassRisk.Stride(attributes);
        byte[] bits = _persons.Bits;
        bool exact = replicate.Rho == 1;

        // The truth the research questions are measured against: everyone, whatever is released.
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

        foreach (RiskTable risk in replicate.Risks)
        {
            int v = risk.Representative;
            int[] table = risk.Cells;
            int[] cells = _persons.Cells[risk.Class];
            byte[] inside = _persons.InExtract[risk.Extract];
            bool attackApart = risk.AttackApart;
            for (int i = 0; i < n; i++)
            {
                if (inside[i] == 0)
                    continue;
                uint mask = masks[i];
                int at = cells[i] * stride;
                t.Add(v, mask, C.ExtractRecords, 1);
                int released = table[at + ClassRisk.Released];
                if (released != 0)
                {
                    t.Add(v, mask, C.RecordsReleased, released);
                    t.Add(v, mask, C.ProsecutorSum, table[at + ClassRisk.Prosecutor]);
                    t.Add(v, mask, C.JournalistSum, table[at + ClassRisk.Journalist]);
                    if (attackApart)
                        t.Add(v, mask, C.AttackSum, table[at + ClassRisk.Attack]);
                }

                if (table[at + ClassRisk.Suppressed] is var suppressed && suppressed != 0)
                    t.Add(v, mask, C.RecordsSuppressed, suppressed);
                if (table[at + ClassRisk.Unique] is var unique && unique != 0)
                {
                    t.Add(v, mask, C.SampleUniques, unique);
                    if (exact)
                        MarkHarmed(output.Flags, risk, i);
                }

                if (table[at + ClassRisk.PopulationUnique] is var populationUnique && populationUnique != 0)
                    t.Add(v, mask, C.PopulationUniques, populationUnique);
                if (table[at + ClassRisk.HighRisk] is var high && high != 0)
                    t.Add(v, mask, C.RecordsAtHighRisk, high);
                for (int b = bits[i]; b != 0; b &= b - 1)
                {
                    int disclosed = table[at + ClassRisk.Disclosure + BitOperations.TrailingZeroCount(b)];
                    if (disclosed != 0)
                        t.Add(v, mask, C.AttributeDisclosures, disclosed);
                }
            }
        }
    }

    /// <summary>A sample-unique record is a harm to its person in every variant that reads the table.</summary>
    private void MarkHarmed(PersonFlags flags, RiskTable risk, int i)
    {
        ReleaseVariant[] variants = replicate.Variants;
        for (int v = 0; v < variants.Length; v++)
        {
            if (variants[v].Risk == risk.Index && variants[v].Form == Scenarios.Model.ReleaseForm.RecordLevelTre)
                flags.Mark(v, i, PersonOutcome.Harmed);
        }
    }
}
