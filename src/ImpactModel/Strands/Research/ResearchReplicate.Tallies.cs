using ImpactModel.Simulation;

namespace ImpactModel.Strands.Research;

internal sealed partial class ResearchReplicate
{
    /// <summary>
    /// True (always, outside tests): every figure attributed to persons is formed at the end of pass
    /// 0 from the class counts by row slot, and pass 1 runs only when an observer reads the persons'
    /// flags (<see cref="IStrandModel.PassesUnobserved"/>). Tests switch it off, before making the
    /// model, to hold the formed figures to those pass 1 attributes person by person.
    /// </summary>
    internal static bool TalliesFromClassCounts { get; set; } = true;

    /// <summary>
    /// With <see cref="ResearchModel.FormsTallies"/>: per risk table, result row and value of
    /// <see cref="RiskAttributor.CounterOf"/>, the sum over the persons of the row in the extract of
    /// their cell's value: what pass 1 would add to the table's representative variant.
    /// </summary>
    private long[] _formed = [];

    /// <summary>
    /// Adds to <see cref="_formed"/> a risk table's figures by row: every value pass 1 attributes to
    /// a record is its cell's (<paramref name="table"/>, <see cref="ClassRisk"/>), added to each row
    /// its person belongs to (all, each of their groups, or rest), so a row's sum is, over the cells,
    /// the value times the row's records of the cell: f for all, a slot's members for a group or rest
    /// (a disclosure: times the slot's holders of the attribute). Integer products of the counts, so
    /// the sums are those pass 1 adds one person at a time.
    /// </summary>
    private void FormRows(RiskTable risk, long[] table, ReadOnlySpan<long> counts, int cells)
    {
        const int Values = RiskAttributor.Values;
        int attributes = AttributeCuts.Length, width = _model.Width, stride = ClassRisk.Stride(attributes);
        int rows = _model.Groups + 2, slotWidth = 1 + attributes;
        Span<long> sums = _formed.AsSpan(risk.Index * rows * Values, rows * Values);
        for (int cell = 0; cell < cells; cell++)
        {
            int at = cell * width;
            if (counts[at + 1] == 0)
                continue; // no record in the extract
            ReadOnlySpan<long> values = table.AsSpan(cell * stride, stride);
            for (int row = 0; row < rows; row++)
            {
                // Rows: 0 all, g + 1 group g, groups + 1 rest; in the counts: f and its holders, then slots 0 rest, g + 1 group g.
                int membersAt = row == 0 ? at + 1 : at + 2 + attributes + (row == rows - 1 ? 0 : row) * slotWidth;
                int holdersAt = row == 0 ? at + 2 : membersAt + 1;
                long members = counts[membersAt];
                if (members == 0)
                    continue;
                Span<long> to = sums.Slice(row * Values, Values);
                to[0] += members;
                for (int k = 0; k < ClassRisk.Disclosure; k++)
                    to[1 + k] += values[k] * members;
                for (int a = 0; a < attributes; a++)
                    to[Values - 1] += values[ClassRisk.Disclosure + a] * counts[holdersAt + a];
            }
        }
    }

    /// <summary>Adds the figures formed at the end of pass 0 to each risk table's representative variant.</summary>
    private void AddFormed(StrandTally total)
    {
        const int Values = RiskAttributor.Values;
        int rows = total.Rows;
        for (int r = 0; r < _formed.Length / (rows * Values); r++)
        {
            int v = Risks[r].Representative;
            for (int row = 0; row < rows; row++)
            {
                for (int k = 0; k < Values; k++)
                    total[v, row, ResearchCounters.N(RiskAttributor.CounterOf[k])] += _formed[(r * rows + row) * Values + k];
            }
        }
    }
}
