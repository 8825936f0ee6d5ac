using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.StrandKit;
using C = ImpactModel.Strands.Research.ResearchCounter;

namespace ImpactModel.Strands.Research;

internal sealed partial class ResearchReplicate
{
    /// <summary>Per class plan, its cells' expected sizes in the declared population (only when fewer persons are simulated).</summary>
    private ExpectedSizes[] _expected = [];

    /// <summary>
    /// The end of pass 0: from the merged class counts, each risk table's values per cell (what pass 1
    /// attributes to persons, when it runs) and their sums by row (<see cref="FormRows"/>), and each
    /// variant's research estimates, cells suppressed and groups released. The counts themselves are
    /// not kept.
    /// </summary>
    public void EndPass(int pass, Accumulators merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        if (pass != 0)
            return;
        ReleasePlan plan = _model.Plan;
        long[][] unpacked = [.. plan.Classes.Select((c, i) => ClassCounter.Unpack(merged.Of(i), c.Layout.Cells, _model.Width, _model.PackedWidth))];
        _expected = Rho == 1 ? [] : [.. plan.Classes.Select((c, i) => ExpectedSizes.Of(unpacked[i], c.Layout, _model.Width, AttributeCuts.Length, Rho))];
        int stride = ClassRisk.Stride(AttributeCuts.Length);
        TablesOfClass = [.. plan.Classes.Select((_, c) => Risks.Where(r => r.Class == c).Select(r => r.Index).ToArray())];
        ClassTables = new long[plan.Classes.Count][];
        bool compact = Rho == 1 && CompactPath;
        bool form = _model.FormsTallies;
        _formed = form ? new long[Risks.Length * (_model.Groups + 2) * RiskAttributor.Values] : [];
        CompactCells = compact ? new long[plan.Classes.Count][] : [];
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            int[] own = TablesOfClass[c];
            for (int j = 0; j < own.Length; j++)
                Risks[own[j]].Offset = j * stride;
            if (!compact)
                ClassTables[c] = new long[plan.Classes[c].Layout.Cells * own.Length * stride];
        }

        // Each table on the cores: it writes only its own offsets, fields and sums.
        Parallel.For(0, Risks.Length, r =>
        {
            RiskTable risk = Risks[r];
            int cells = plan.Classes[risk.Class].Layout.Cells, block = TablesOfClass[risk.Class].Length * stride;
            long[] counts = unpacked[risk.Class];
            bool inCompact = compact && !risk.AttackApart && Variants[risk.Representative].Form != ReleaseForm.PublicTables;
            if (inCompact && !form)
                return; // the compact cells hold all a record-level table reads
            long[] table = RiskCells(risk, counts, plan);
            if (form)
                FormRows(risk, table, counts, cells);
            if (inCompact)
                return;
            if (!compact)
            {
                long[] interleaved = ClassTables[risk.Class];
                for (int cell = 0; cell < cells; cell++)
                    Array.Copy(table, cell * stride, interleaved, cell * block + risk.Offset, stride);
                return;
            }

            // Exact: what a table adds beyond the class sizes (its attacker's risk, or a table's disclosures left after checking and noise).
            if (risk.AttackApart)
                risk.AttackCells = [.. Enumerable.Range(0, cells).Select(cell => table[cell * stride + ClassRisk.Attack])];
            if (Variants[risk.Representative].Form == ReleaseForm.PublicTables)
            {
                risk.AllowedDisclosures = new byte[cells];
                for (int cell = 0; cell < cells; cell++)
                {
                    for (int a = 0; a < AttributeCuts.Length; a++)
                        risk.AllowedDisclosures[cell] |= table[cell * stride + ClassRisk.Disclosure + a] != 0 ? (byte)(1 << a) : (byte)0;
                }
            }
        });

        for (int c = 0; c < plan.Classes.Count && compact; c++)
            CompactCells[c] = Compact(unpacked[c], plan.Classes[c].Layout.Cells);

        int rows = _model.Groups + 2;
        Estimates = new double[Variants.Length][][];
        CellsWithMembers = new long[Variants.Length][];
        CellsSuppressed = new long[Variants.Length][];
        TableDisclosures = new double[Variants.Length][];
        RowReleased = new bool[Variants.Length][];
        // Variants that release alike have the same estimates: each distinct release once (on the
        // cores: each writes only its own arrays), then copied to the variants like it.
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var same = new int[Variants.Length];
        for (int v = 0; v < Variants.Length; v++)
        {
            ReleaseVariant m = Variants[v];
            string key = m.Releases ? FormattableString.Invariant($"{plan.VariantClass[v]}|{m.Threshold}|{m.Form}|{m.Epsilon:R}|{m.CatchRate:R}") : "none";
            same[v] = first.TryGetValue(key, out int earlier) ? earlier : first[key] = v;
        }

        int[] distinct = [.. first.Values];
        foreach (int v in distinct)
        {
            CellsWithMembers[v] = new long[rows];
            CellsSuppressed[v] = new long[rows];
            RowReleased[v] = new bool[rows];
            TableDisclosures[v] = new double[rows];
        }

        Parallel.ForEach(distinct, v => Estimates[v] = Utility(Variants[v], v, unpacked, plan, rows));
        for (int v = 0; v < Variants.Length; v++)
        {
            int u = same[v];
            (CellsWithMembers[v], CellsSuppressed[v], RowReleased[v], Estimates[v], TableDisclosures[v]) =
                (CellsWithMembers[u], CellsSuppressed[u], RowReleased[u], Estimates[u], TableDisclosures[u]);
        }
    }

    /// <summary>
    /// With exact class sizes, what every table of a class needs per cell, in 4 integers: f, the
    /// prosecutor risk 1/f and journalist risk 1/F in fixed point, and flags (bit 0: F = 1; bit
    /// 1 + a: every record of the class holds attribute a). Pass 1 forms each table's values from
    /// them with its threshold, as <see cref="ClassRisk.Exact"/> does, from a block a sixth the size.
    /// </summary>
    private long[] Compact(ReadOnlySpan<long> counts, int cells)
    {
        int width = _model.Width, attributes = AttributeCuts.Length;
        var compact = new long[cells * CompactWidth];
        for (int c = 0; c < cells; c++)
        {
            long f = counts[c * width + 1], population = counts[c * width];
            if (f == 0)
                continue;
            int flags = population == 1 ? 1 : 0;
            for (int a = 0; a < attributes; a++)
                flags |= counts[c * width + 2 + a] == f ? 2 << a : 0;
            compact[c * CompactWidth] = f;
            compact[c * CompactWidth + 1] = ClassRisk.Risk(1.0 / f);
            compact[c * CompactWidth + 2] = ClassRisk.Risk(1.0 / Math.Max(population, f));
            compact[c * CompactWidth + 3] = flags;
        }

        return compact;
    }

    /// <summary>Most expected re-identifications a year the counters hold (2^40 units each): far beyond any attack model.</summary>
    private const double MaxExpected = 1e5;

    /// <summary>
    /// True (always, outside tests): with exact class sizes, pass 1 forms the values from compact cells.
    /// Tests switch it off to hold the compact path to the general tables' results.
    /// </summary>
    internal static bool CompactPath { get; set; } = true;

    /// <summary>Integers per cell of <see cref="CompactCells"/>.</summary>
    internal const int CompactWidth = 4;

    /// <summary>The values per cell of one risk table (<see cref="ClassRisk"/>).</summary>
    private long[] RiskCells(RiskTable risk, ReadOnlySpan<long> counts, ReleasePlan plan)
    {
        ReleaseVariant m = Variants[risk.Representative];
        int attributes = AttributeCuts.Length;
        int width = _model.Width, stride = ClassRisk.Stride(attributes);
        CellLayout layout = plan.Classes[risk.Class].Layout;
        var table = new long[layout.Cells * stride];
        Span<long> positives = stackalloc long[attributes];
        bool tables = m.Form == ReleaseForm.PublicTables;
        ulong catchCut = BernoulliThreshold.Cut(m.CatchRate);
        double noise = m.Epsilon > 0 ? 1 / m.Epsilon : 0;
        for (int c = 0; c < layout.Cells; c++)
        {
            int at = c * width;
            for (int a = 0; a < attributes; a++)
                positives[a] = counts[at + 2 + a];
            Span<long> cell = table.AsSpan(c * stride, stride);
            if (Rho == 1)
                ClassRisk.Exact(counts[at + 1], counts[at], positives, m.Threshold, m.HighRiskMax, cell);
            else
                _expected[risk.Class].Fill(c, m.Threshold, m.HighRiskMax, cell);
            if (!tables)
                continue;

            // A table releases no record: only its suppressed cells and the attribute disclosures of
            // classes whose members all hold it (a count equal to the class total) remain, unless the
            // output check catches the cell or the noise hides the empty complement.
            cell[ClassRisk.Released] = cell[ClassRisk.Unique] = cell[ClassRisk.PopulationUnique] = cell[ClassRisk.HighRisk] = 0;
            cell[ClassRisk.Prosecutor] = cell[ClassRisk.Journalist] = cell[ClassRisk.Attack] = 0;
            if (counts[at + 1] == 0)
                continue;
            PhiloxBlock check = Philox.Block(CheckingKey, c, 0);
            bool caught = check.W0 < catchCut;
            PhiloxBlock words = noise > 0 ? Philox.Block(NoiseKey, c, 0) : default;
            for (int a = 0; a < attributes; a++)
            {
                bool hidden = noise > 0 && ClassRisk.Laplace(words.W0, noise) - ClassRisk.Laplace(Word(words, 1 + a), noise) >= 0.5;
                if (caught || hidden)
                    cell[ClassRisk.Disclosure + a] = 0;
            }
        }

        if (risk.AttackApart && plan.VariantAttackLayout[risk.Representative] is { } attack)
            SpreadAttack(table, counts, layout, attack, stride, width);
        return table;
    }

    /// <summary>
    /// The attacker's risk when they know less than is released: their class holds every released
    /// record that agrees on what they know, so a record's risk is 1/(released records of its
    /// attacker's class): its prosecutor risk × its class's released records / the attacker's class's.
    /// </summary>
    private static void SpreadAttack(long[] table, ReadOnlySpan<long> counts, CellLayout layout, CellLayout attack, int stride, int width)
    {
        var releasedIn = new double[attack.Cells];
        Span<int> codes = stackalloc int[layout.Levels.Length];
        var attackCell = new int[layout.Cells];
        for (int c = 0; c < layout.Cells; c++)
        {
            layout.Decode(c, codes);
            int ac = 0;
            for (int q = 0; q < codes.Length; q++)
                ac += attack.Levels[q].Source == LevelSource.None ? 0 : codes[q] * attack.Strides[q];
            attackCell[c] = ac;
            releasedIn[ac] += counts[c * width + 1] * (double)table[c * stride + ClassRisk.Released] / ResearchCounters.Fixed;
        }

        for (int c = 0; c < layout.Cells; c++)
        {
            double own = counts[c * width + 1] * (double)table[c * stride + ClassRisk.Released] / ResearchCounters.Fixed;
            double total = releasedIn[attackCell[c]];
            table[c * stride + ClassRisk.Attack] = total > 0
                ? ClassRisk.Risk((double)table[c * stride + ClassRisk.Prosecutor] / ResearchCounters.Fine * own / total)
                : 0;
        }
    }

    private static uint Word(PhiloxBlock block, int word) => word switch { 0 => block.W0, 1 => block.W1, 2 => block.W2, _ => block.W3 };

    /// <summary>
    /// A variant's estimate of each sensitive attribute's prevalence in each result row, from what it
    /// releases: record level, the released records (classes of at least k), their counts noised once
    /// per output when a noise safeguard is on; public tables, the sum over the table's cells that are
    /// not suppressed (a class total, a row's members or its holders between 1 and k − 1), every
    /// published cell (empty ones too) noised. NaN where nothing of the row is released. Also records
    /// per row the cells holding its members, how many of them are suppressed, and whether any member is released.
    /// </summary>
    private double[][] Utility(ReleaseVariant m, int v, long[][] unpacked, ReleasePlan plan, int rows)
    {
        int attributes = AttributeCuts.Length;
        var estimates = new double[rows][];
        if (!m.Releases)
        {
            for (int row = 0; row < rows; row++)
                estimates[row] = [.. Enumerable.Repeat(double.NaN, attributes)];
            return estimates;
        }

        int c0 = _model.Plan.VariantClass[v];
        ReadOnlySpan<long> counts = unpacked[c0];
        CellLayout layout = plan.Classes[c0].Layout;
        int width = _model.Width, groups = _model.Groups;
        double fraction = 1 / Rho; // persons simulated per declared person: noise and thresholds in simulated units
        double noise = m.Epsilon > 0 ? fraction / m.Epsilon : 0;
        bool tables = m.Form == ReleaseForm.PublicTables;
        ulong catchCut = BernoulliThreshold.Cut(m.CatchRate);
        var n = new double[rows * attributes];
        var releasedMembers = new double[rows];
        double[] disclosed = TableDisclosures[v];
        var x = new double[rows * attributes];
        long[] withMembers = CellsWithMembers[v], suppressed = CellsSuppressed[v];
        bool[] released = RowReleased[v];
        for (int c = 0; c < layout.Cells; c++)
        {
            int at = c * width;
            long f = counts[at + 1];
            double w = Rho == 1 ? (f >= m.Threshold ? 1 : 0) : f == 0 ? 0 : ClassRisk.Tail(_expected[c0].Others[c], m.Threshold - 1);
            bool classPublished = tables ? f == 0 || w >= 0.5 : w > 0;
            for (int row = 0; row < rows; row++)
            {
                // Rows: 0 all, g + 1 group g, groups + 1 rest; slots in the counts: 0 rest, g + 1 group g.
                int slotAt = row == 0 ? -1 : at + 2 + attributes + (row == rows - 1 ? 0 : row) * (1 + attributes);
                long members = row == 0 ? f : counts[slotAt];
                bool small = members > 0 && members * Rho < m.Threshold; // a count below k in the declared population
                if (members > 0)
                {
                    withMembers[row]++;
                    if (tables ? !classPublished || small : w < 0.5)
                        suppressed[row]++;
                }

                if (!tables)
                {
                    if (w <= 0 || members == 0)
                        continue;
                    releasedMembers[row] += w * members;
                    for (int a = 0; a < attributes; a++)
                    {
                        n[row * attributes + a] += w * members;
                        x[row * attributes + a] += w * (row == 0 ? counts[at + 2 + a] : counts[slotAt + 1 + a]);
                    }

                    continue;
                }

                if (!classPublished || small)
                    continue;
                PhiloxBlock words = noise > 0 ? Philox.Block(NoiseKey, c, (uint)row) : default;
                bool caught = members > 0 && Philox.Block(CheckingKey, c, (uint)row).W0 < catchCut;
                for (int a = 0; a < attributes; a++)
                {
                    long holders = row == 0 ? counts[at + 2 + a] : counts[slotAt + 1 + a];
                    if (holders > 0 && holders * Rho < m.Threshold)
                        continue;

                    // The row's own table discloses the attribute of its members in this cell when they all
                    // hold it (its complement, 0, is published), unless checking caught the cell or the noise
                    // shows a complement of 1 or more. Below the declared population: the chance that every
                    // other member of the declared cell holds it too.
                    bool hidden = noise > 0 && ClassRisk.Laplace(words.W0, 1 / m.Epsilon) - ClassRisk.Laplace(Word(words, 1 + a), 1 / m.Epsilon) >= 0.5;
                    if (holders > 0 && !caught && !hidden)
                    {
                        double share = (holders - 0.5) / members;
                        disclosed[row] += Rho == 1
                            ? holders == members ? holders : 0
                            : holders * DeterministicMath.Exp(-Math.Max(0, members * Rho - 1) * (1 - share));
                    }

                    released[row] |= members > 0;
                    n[row * attributes + a] += members + (noise > 0 ? ClassRisk.Laplace(words.W0, noise) : 0);
                    x[row * attributes + a] += holders + (noise > 0 ? ClassRisk.Laplace(Word(words, 1 + a), noise) : 0);
                }
            }
        }

        for (int row = 0; row < rows; row++)
        {
            released[row] |= releasedMembers[row] * Rho >= 0.5; // some member's record released in the declared population
            estimates[row] = new double[attributes];
            PhiloxBlock words = !tables && noise > 0 ? Philox.Block(NoiseKey, layout.Cells + row, 0) : default;
            for (int a = 0; a < attributes; a++)
            {
                double count = n[row * attributes + a], holders = x[row * attributes + a];
                if (!tables && noise > 0)
                {
                    count += ClassRisk.Laplace(words.W0, noise);
                    holders += ClassRisk.Laplace(Word(words, 1 + a), noise);
                }

                estimates[row][a] = released[row] && count > 0.5 * fraction ? Math.Clamp(holders / count, 0, 1) : double.NaN;
            }
        }

        return estimates;
    }

    /// <summary>
    /// Adds the figures formed at the end of pass 0 (when pass 1 did not attribute them), copies each
    /// risk table's counters from the variant that counted them to the others that read it, copies
    /// the truth to every variant, and forms per variant: the attack sum, expected
    /// re-identifications (a year and over the horizon), cells, group released, the privacy budget
    /// spent, the research questions' errors, and costs and values.
    /// </summary>
    public void Complete(StrandTally total)
    {
        StrandTally<C> t = total.As<C>();
        AddFormed(total);
        int attributes = AttributeCuts.Length;
        for (int v = 0; v < Variants.Length; v++)
        {
            ReleaseVariant m = Variants[v];
            if (m.Releases && !m.CountsRisk)
                t.CopyCounters(Risks[m.Risk].Representative, v, C.ExtractRecords, C.AttributeDisclosures);
            if (v > 0)
            {
                t.CopyCounters(0, v, C.TruthPersons, C.TruthPersons);
                if (attributes > 0)
                    total.CopyCounters(0, v, ResearchCounters.TruePositive(0), attributes);
            }
        }

        ResearchSpec spec = _context.Scenario.Research!;
        int horizon = _context.Scenario.HorizonYears;
        double unscale = FixedCosts.Unscale(_context.Persons, _context.Scenario.Population.Size);
        for (int v = 0; v < Variants.Length; v++)
        {
            ReleaseVariant m = Variants[v];
            bool recordLevel = m.Releases && m.Form == ReleaseForm.RecordLevelTre;
            double factor = recordLevel
                ? m.Attempts * (1 - m.Deterrence) * (1 - m.AccessReduction) * (1 - m.CatchRate) * m.SuccessIfUnique * (1 - m.KnowledgeReduction)
                : 0;
            long releasedAll = t[v, 0, C.RecordsReleased];
            for (int row = 0; row < t.Rows; row++)
            {
                if (m.Releases && !Risks[m.Risk].AttackApart)
                    t[v, row, C.AttackSum] = t[v, row, C.ProsecutorSum];
                double expected = releasedAll > 0 ? Math.Min(MaxExpected, factor * t[v, row, C.AttackSum] / ClassRisk.RiskPerRecord / releasedAll) : 0;
                t[v, row, C.ExpectedReidentifications] = (long)Math.Round(expected * ResearchCounters.Fine);
                t[v, row, C.ExpectedReidentificationsOverHorizon] = (long)Math.Round(expected * horizon * ResearchCounters.Fine);
                t[v, row, C.One] = 1;
                t[v, row, C.CellsWithMembers] = m.Releases ? CellsWithMembers[v][row] : 0;
                t[v, row, C.CellsSuppressed] = m.Releases ? CellsSuppressed[v][row] : 0;
                t[v, row, C.GroupReleased] = m.Releases && RowReleased[v][row] ? 1 : 0;
                if (m.Releases && m.Form == ReleaseForm.PublicTables)
                    t[v, row, C.AttributeDisclosures] = (long)Math.Round(TableDisclosures[v][row] * ResearchCounters.Fixed); // what the row's own table discloses
                t[v, row, C.ReleasedEvents] = Events(t[v, row, C.RecordsReleased]);
                t[v, row, C.SuppressedEvents] = Events(t[v, row, C.RecordsSuppressed]);
                t[v, row, C.UniqueEvents] = Events(t[v, row, C.SampleUniques]);
                t[v, row, C.PopulationUniqueEvents] = Events(t[v, row, C.PopulationUniques]);
                t[v, row, C.HighRiskEvents] = Events(t[v, row, C.RecordsAtHighRisk]);
                t[v, row, C.DisclosureEvents] = Events(t[v, row, C.AttributeDisclosures]);
                t[v, row, C.PrivacyBudgetSpent] = m.Releases && m.Epsilon > 0
                    ? (long)Math.Round(m.Epsilon * (1 + _model.Groups) * (1 + AttributeCuts.Length) * m.ReleasesPerYear * horizon * ResearchCounters.Fine)
                    : 0;
                t[v, row, C.ReidentificationCostPence] = (long)Math.Round(_annuity * expected * m.ReidentificationValuePence * unscale);
                FormErrors(total, spec, v, row);
            }

            long annual = m.Releases ? m.Fixed.AnnualCounter(unscale) : 0;
            t[v, 0, C.SafeguardCostPence] = annual;
            long cost = m.Releases ? -m.Fixed.NetPresentValue(_annuity, -annual, withFixed: true, unscale) : 0;
            t[v, 0, C.TotalCostPence] = cost;
            long value = m.Releases ? (long)Math.Round(_annuity * m.ResearchValuePence * unscale) : 0;
            t[v, 0, C.ResearchValuePence] = value;
            t[v, 0, C.NetBenefitPence] = value - cost; // a valued harm is reported beside the net benefit, never inside it (PRODUCT.md)
        }

        StatusQuoDifference.Form(t, C.NetBenefitPence, C.NetBenefitVsStatusQuoPence, 0);
    }

    /// <summary>The whole simulated records behind a fixed-point count (an expectation when class sizes are estimated), rounded.</summary>
    private static long Events(long fixedPoint) => (fixedPoint + ResearchCounters.Fixed / 2) / ResearchCounters.Fixed;

    /// <summary>
    /// Each research question's absolute error in the row, in percentage points (fixed point), against
    /// the truth in the whole population: a prevalence, or a difference from rest; the question's
    /// <c>estimated</c> counter is 1 where the release gives an estimate.
    /// </summary>
    private void FormErrors(StrandTally total, ResearchSpec spec, int v, int row)
    {
        int attributes = AttributeCuts.Length, rest = total.Rows - 1;
        for (int q = 0; q < spec.Questions.Length; q++)
        {
            ResearchQuestionSpec question = spec.Questions[q];
            int a = _model.QuestionAttribute[q];
            double Truth(int r) => total[v, r, ResearchCounters.N(C.TruthPersons)] is var persons && persons > 0
                ? (double)total[v, r, ResearchCounters.TruePositive(a)] / persons
                : double.NaN;
            double estimate = Estimates[v][row][a], truth = Truth(row);
            if (question.Kind == QuestionKind.Difference)
            {
                estimate -= Estimates[v][rest][a];
                truth -= Truth(rest);
            }

            bool asked = _model.QuestionRows[q].Contains(row);
            double error = Math.Abs(estimate - truth) * 100;
            bool defined = asked && double.IsFinite(error);
            total[v, row, ResearchCounters.Error(attributes, q)] = defined ? (long)Math.Round(error * ResearchCounters.Fine) : 0;
            total[v, row, ResearchCounters.Estimated(attributes, q)] = defined ? 1 : 0;
        }
    }
}
