using ImpactModel.Population;
using ImpactModel.Random;

namespace ImpactModel.Strands.Research;

/// <summary>
/// A chunk's persons as the research strand sees them, formed the same way in both passes (the
/// persons are regenerated, never stored): each person's cell in every class plan's layout, whether
/// they are in each extract, and which sensitive attributes they hold (bit a for attribute a).
/// One per evaluator (thread); allocates nothing per chunk. Pass 1, which marks the persons' flags,
/// also asks who a safeguard withheld from each extract (<see cref="Withheld"/>).
/// </summary>
internal sealed class ExtractPersons
{
    private readonly ResearchReplicate _replicate;
    private readonly uint[] _w0;
    private readonly uint[] _w1;
    private readonly uint[] _coverage;
    private readonly byte[][] _ageCodes;

    /// <param name="replicate">The replicate.</param>
    /// <param name="capacity">Persons per chunk.</param>
    /// <param name="withheld">Whether <see cref="Prepare"/> also fills <see cref="Withheld"/> (empty otherwise).</param>
    public ExtractPersons(ResearchReplicate replicate, int capacity, bool withheld = false)
    {
        _replicate = replicate;
        ReleasePlan plan = replicate.Model.Plan;
        Cells = [.. plan.Classes.Select(_ => new int[capacity])];
        InExtract = [.. plan.Extracts.Select(_ => new byte[capacity])];
        Withheld = withheld ? [.. plan.Extracts.Select(_ => new byte[capacity])] : [];
        Bits = new byte[capacity];
        _w0 = new uint[4 * capacity];
        _w1 = new uint[4 * capacity];
        _coverage = new uint[4 * capacity];
        _ageCodes = [.. plan.Classes.SelectMany(c => c.Layout.Levels).Select(AgeCodes)];
    }

    /// <summary>Per class plan, each person's cell.</summary>
    public int[][] Cells { get; }

    /// <summary>Per extract, 1 when the person is in it.</summary>
    public byte[][] InExtract { get; }

    /// <summary>
    /// Per extract, 1 when the person would be in it (a record in its source, sampled) but a safeguard
    /// left them out: a member of a group a <c>sensitive-category-exclusion</c> lists, opted out
    /// (<c>opt-out</c>) or without consent (<c>consent</c>). Empty unless asked for when made.
    /// </summary>
    public byte[][] Withheld { get; }

    /// <summary>Bit a set when the person holds sensitive attribute a.</summary>
    public byte[] Bits { get; }

    public void Prepare(PersonChunk persons)
    {
        int n = persons.Count;
        long first = persons.FirstPerson;
        ReadOnlySpan<uint> masks = persons.Groups;
        ResearchReplicate r = _replicate;
        ReleasePlan plan = r.Model.Plan;

        // Cells: each quasi-identifier's code times its stride, one quasi-identifier at a time.
        int level = 0;
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            CellLayout layout = plan.Classes[c].Layout;
            Span<int> cell = Cells[c].AsSpan(0, n);
            if (plan.DerivedFrom[c] >= 0)
            {
                // A coarsening of an earlier layout: its cell through the map from the finer cell.
                int[] map = plan.CellMaps[c]!, finer = Cells[plan.DerivedFrom[c]];
                for (int i = 0; i < n; i++)
                    cell[i] = map[finer[i]];
                level += layout.Levels.Length;
                continue;
            }

            cell.Clear();
            for (int q = 0; q < layout.Levels.Length; q++, level++)
            {
                ReleaseLevel l = layout.Levels[q];
                int stride = layout.Strides[q];
                switch (l.Source)
                {
                    case LevelSource.Age:
                        byte[] codes = _ageCodes[level];
                        byte[] age = persons.Age;
                        for (int i = 0; i < n; i++)
                            cell[i] += codes[age[i]] * stride;
                        break;
                    case LevelSource.Sex:
                        bool[] female = persons.Female;
                        for (int i = 0; i < n; i++)
                            cell[i] += female[i] ? stride : 0;
                        break;
                    case LevelSource.LocalAuthority:
                        ushort[] authority = persons.LocalAuthority;
                        for (int i = 0; i < n; i++)
                            cell[i] += authority[i] * stride;
                        break;
                    case LevelSource.Area:
                        byte[] area = persons.Area;
                        for (int i = 0; i < n; i++)
                            cell[i] += area[i] * stride;
                        break;
                    case LevelSource.Categorical:
                        byte[] category = persons.Categorical(l.Attribute);
                        for (int i = 0; i < n; i++)
                            cell[i] += category[i] * stride;
                        break;
                }
            }
        }

        // Draw 0: word 0 sampled, word 1 opted out or no consent, words 2 and 3 attributes 0 and 1; draw 1 word 0 attribute 2.
        Philox.Fill(r.Outcomes, first, 0, _w0.AsSpan(0, 4 * n));
        int attributes = r.AttributeCuts.Length;
        if (attributes > 2)
            Philox.Fill(r.Outcomes, first, 1, _w1.AsSpan(0, 4 * n));
        Span<byte> bits = Bits.AsSpan(0, n);
        bits.Clear();
        for (int a = 0; a < attributes; a++)
        {
            ulong[] cut = r.AttributeCuts[a];
            uint[] words = a < 2 ? _w0 : _w1;
            int word = a < 2 ? 2 + a : a - 2;
            byte bit = (byte)(1 << a);
            for (int i = 0; i < n; i++)
                bits[i] |= words[4 * i + word] < cut[masks[i]] ? bit : (byte)0;
        }

        bool sourced = r.Model.ExtractSource is not null;
        if (sourced)
            Philox.Fill(r.CoverageKey, first, 0, _coverage.AsSpan(0, 4 * n));
        for (int e = 0; e < InExtract.Length; e++)
        {
            ExtractCuts x = r.Extracts[e];
            Span<byte> inside = InExtract[e].AsSpan(0, n);
            ulong[] coverage = x.CoverageCut;
            for (int i = 0; i < n; i++)
            {
                uint mask = masks[i];
                bool held = !sourced || _coverage[4 * i] < coverage[mask];
                bool sampled = _w0[4 * i] < x.SampleCut;
                bool kept = _w0[4 * i + 1] >= x.NotReleasedCut && (mask & x.ExcludedMask) == 0;
                inside[i] = held && sampled && kept ? (byte)1 : (byte)0;
            }

            if (Withheld.Length == 0)
                continue;
            Span<byte> withheld = Withheld[e].AsSpan(0, n);
            for (int i = 0; i < n; i++)
            {
                uint mask = masks[i];
                bool held = !sourced || _coverage[4 * i] < coverage[mask];
                bool sampled = _w0[4 * i] < x.SampleCut;
                withheld[i] = held && sampled && inside[i] == 0 ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>The codes of an age level by year of age (empty for other levels).</summary>
    private static byte[] AgeCodes(ReleaseLevel level)
    {
        if (level.Source != LevelSource.Age)
            return [];
        var codes = new byte[256];
        for (int age = 0; age < codes.Length; age++)
            codes[age] = (byte)level.Code(age, false, 0, 0, 0);
        return codes;
    }
}
