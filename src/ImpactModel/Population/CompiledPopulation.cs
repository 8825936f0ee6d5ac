using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ImpactModel.MonteCarlo;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Population;

/// <summary>
/// A population section compiled for one replicate: every uncertain parameter drawn, area
/// effects drawn, and each group's intercept solved so its marginal prevalence is the drawn value
/// whatever the income gradient, area odds ratios, area effects and overlaps do around it. After
/// compiling, generating a person is a few table look-ups and integer compares per attribute.
/// </summary>
/// <remarks>
/// Membership model for group g in cell c = (area a, income decile d):
/// logit q(g, c) = alpha_g + beta_g (d − 4.5) + ln OR(g, a) + e(g, a), with area effects
/// e(g, a) ~ Normal(0, sd_g) drawn per area and replicate. A group whose overlap links it to an
/// earlier-declared group P (its "parent") is drawn as: in P → member with probability
/// s = P(g | P); not in P → member with probability q(g, c). alpha_g is solved by bisection so that
/// the sum over cells of weight(c) · P(g | c) equals the prevalence, where P(g | c) includes the
/// parent's own P(P | c), computed the same way, so the marginal holds exactly (in expectation over
/// persons) for every replicate.
/// </remarks>
public sealed class CompiledPopulation
{
    /// <summary>Shape of the Pareto tail above the 90th percentile of income (assumption: UK top-income tails have alpha about 2 to 3).</summary>
    public const double TopIncomeParetoAlpha = 2.5;

    private readonly ulong[] _areaThresholds;     // cumulative share of areas, on the 2^32 scale
    private readonly ulong[][] _cellThresholds;   // [group][cell] Bernoulli threshold for q(g, c)
    private readonly int[] _parent;               // earlier group this one is conditioned on, or -1
    private readonly ulong[] _parentThreshold;    // threshold for s = P(g | parent)
    private readonly double[] _boundaries;        // the 9 declared decile boundaries, GBP per year
    private readonly double[] _decileLow;         // each decile's lowest income (0 for the lowest), GBP per year
    private readonly double[] _decileWidth;       // each decile's width below the top (0 for the top decile)
    private readonly byte[] _householdSize;       // the declared household sizes, in order
    private readonly byte[] _areaGuide;           // first candidate area for each value of the top 8 bits of the area word
    private readonly CategoryCuts _areaCategories; // the same thresholds, for a branch-free count when there are few areas
    private readonly CategoryCuts _ageCategories;  // cumulative share of age bands, on the 2^32 scale
    private readonly ulong[] _ageLow;              // the lowest word of each age band
    private readonly int[] _ageLast;               // the last year within each band (width − 1)
    private readonly ulong _femaleThreshold;
    private readonly double[] _ageScale;          // band width / size of the band's slice of 2^32
    private readonly int[] _ageFrom;
    private readonly CategoryCuts _householdCategories;
    private readonly ulong _seed;
    private readonly int _replicate;

    private CompiledPopulation(PopulationSpec spec, ulong seed, int replicate, double[] areaShares, double[] prevalences,
        ulong[] areaThresholds, ulong[][] cellThresholds, int[] parent, ulong[] parentThreshold)
    {
        Spec = spec;
        _seed = seed;
        _replicate = replicate;
        AreaShares = areaShares;
        Prevalences = prevalences;
        _areaThresholds = areaThresholds;
        _cellThresholds = cellThresholds;
        _parent = parent;
        _parentThreshold = parentThreshold;
        GroupIds = spec.Groups.Select(g => g.Id).ToArray();
        double Draw(Parameter p) => ParameterSampler.Draw(p, seed, replicate);
        _areaCategories = new CategoryCuts(areaThresholds);
        ulong[] ageThresholds = Cumulative(spec.AgeBands.Select(b => Draw(b.Share)).ToArray());
        _ageCategories = new CategoryCuts(ageThresholds);
        _ageFrom = spec.AgeBands.Select(b => b.From).ToArray();
        _ageLast = spec.AgeBands.Select(b => b.To - b.From).ToArray();
        _ageLow = new ulong[ageThresholds.Length];
        _ageScale = new double[ageThresholds.Length];
        for (int b = 0; b < ageThresholds.Length; b++)
        {
            ulong low = b == 0 ? 0 : ageThresholds[b - 1];
            _ageLow[b] = low;
            _ageScale[b] = ageThresholds[b] > low ? (_ageLast[b] + 1) / (double)(ageThresholds[b] - low) : 0;
        }

        _femaleThreshold = spec.FemaleShare is { } female ? BernoulliThreshold.FromProbability(Draw(female)).Threshold : 0;
        _householdCategories = new CategoryCuts(Cumulative(spec.HouseholdSizes.Select(h => Draw(h.Share)).ToArray()));
        _boundaries = spec.Income is { } income ? [.. income.Deciles] : [];
        _decileLow = new double[10];
        _decileWidth = new double[10];
        for (int d = 0; d < 9 && _boundaries.Length == 9; d++)
        {
            _decileLow[d] = d == 0 ? 0 : _boundaries[d - 1];
            _decileWidth[d] = d == 0 ? _boundaries[0] : _boundaries[d] - _boundaries[d - 1];
        }

        _householdSize = spec.HouseholdSizes.Select(h => (byte)h.Size).ToArray();
        // Guide table (Chen and Asau 1974): start the search at the first area that can hold the word.
        _areaGuide = new byte[256];
        for (int top = 0, a = 0; top < 256; top++)
        {
            while (a < areaThresholds.Length - 1 && ((ulong)top << 24) >= areaThresholds[a])
                a++;
            _areaGuide[top] = (byte)a;
        }
    }

    /// <summary>The population section this was compiled from.</summary>
    public PopulationSpec Spec { get; }

    /// <summary>The groups in declaration order: bit g of a group mask is <c>GroupIds[g]</c>.</summary>
    public IReadOnlyList<string> GroupIds { get; }

    /// <summary>This replicate's area shares (drawn, then normalised to sum to 1).</summary>
    public IReadOnlyList<double> AreaShares { get; }

    /// <summary>This replicate's drawn prevalence of each group.</summary>
    public IReadOnlyList<double> Prevalences { get; }

    /// <summary>Compiles <paramref name="spec"/> for (seed, replicate).</summary>
    public static CompiledPopulation Compile(PopulationSpec spec, ulong seed, int replicate)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int areas = spec.Areas.Length, groups = spec.Groups.Length;
        if (groups > GroupValueTable.MaxGroups)
            throw new ArgumentOutOfRangeException(nameof(spec), groups, $"at most {GroupValueTable.MaxGroups} groups");
        double Draw(Parameter p) => ParameterSampler.Draw(p, seed, replicate);

        var shares = spec.Areas.Select(a => Draw(a.Share)).ToArray();
        ulong[] areaThresholds = Cumulative(shares);
        double total = shares.Sum();
        for (int a = 0; a < areas; a++)
            shares[a] /= total;

        var ids = spec.Groups.Select(g => g.Id).ToArray();
        var prevalence = spec.Groups.Select(g => Draw(g.Prevalence)).ToArray();
        (int[] parent, double[] parentShare) = OrientOverlaps(spec, ids, prevalence, Draw);

        RngKey areaKey = RngKey.From(seed, replicate, RngStream.AreaEffects);
        double populationSd = Draw(spec.AreaVariation);
        int cells = areas * 10;
        var cellWeight = new double[cells];
        for (int a = 0; a < areas; a++)
        {
            for (int d = 0; d < 10; d++)
                cellWeight[a * 10 + d] = shares[a] / 10;
        }

        var membership = new double[groups][]; // P(g | c), for children of later groups
        var thresholds = new ulong[groups][];
        for (int g = 0; g < groups; g++)
        {
            GroupSpec group = spec.Groups[g];
            double sd = group.AreaVariation is { } av ? Draw(av) : populationSd;
            double beta = Draw(group.IncomeGradient);
            var eta = new double[cells];
            for (int a = 0; a < areas; a++)
            {
                double odds = 1;
                foreach (var or in group.AreaOddsRatios)
                {
                    if (or.Area == spec.Areas[a].Id)
                        odds = Draw(or.OddsRatio);
                }

                double effect = sd > 0 ? sd * Philox.Normal(areaKey, a, (uint)g) : 0;
                for (int d = 0; d < 10; d++)
                    eta[a * 10 + d] = beta * (d - 4.5) + DeterministicMath.Log(odds) + effect;
            }

            double[]? parentP = parent[g] >= 0 ? membership[parent[g]] : null;
            double s = parent[g] >= 0 ? parentShare[g] : 0;
            double alpha = SolveIntercept(eta, cellWeight, parentP, s, prevalence[g]);
            var pc = new double[cells];
            thresholds[g] = new ulong[cells];
            for (int c = 0; c < cells; c++)
            {
                double q = DeterministicMath.Expit(alpha + eta[c]);
                thresholds[g][c] = BernoulliThreshold.FromProbability(q).Threshold;
                pc[c] = parentP is null ? q : parentP[c] * s + (1 - parentP[c]) * q;
            }

            membership[g] = pc;
        }

        var parentThreshold = parentShare.Select(s => double.IsNaN(s) ? 0UL : BernoulliThreshold.FromProbability(s).Threshold).ToArray();
        return new CompiledPopulation(spec, seed, replicate, shares, prevalence, areaThresholds, thresholds, parent, parentThreshold);
    }

    /// <summary>Cumulative shares (normalised to sum to 1) on the 2^32 scale; the last is exactly 2^32.</summary>
    private static ulong[] Cumulative(double[] shares)
    {
        double total = shares.Sum(), cumulative = 0;
        var thresholds = new ulong[shares.Length];
        for (int i = 0; i < shares.Length; i++)
        {
            cumulative += shares[i] / total;
            thresholds[i] = i == shares.Length - 1 ? 1UL << 32 : (ulong)Math.Round(cumulative * 4294967296.0);
        }

        return thresholds;
    }

    /// <summary>
    /// Orients each declared overlap from the earlier-declared group to the later one: the later
    /// group is drawn conditionally on the earlier, with P(later | earlier) = share·pA/pB when the
    /// overlap was declared on the later group's side... (see remarks). A group may have one parent.
    /// </summary>
    private static (int[] Parent, double[] Share) OrientOverlaps(PopulationSpec spec, string[] ids, double[] prevalence, Func<Parameter, double> draw)
    {
        var parent = Enumerable.Repeat(-1, ids.Length).ToArray();
        var share = Enumerable.Repeat(double.NaN, ids.Length).ToArray();
        for (int a = 0; a < ids.Length; a++)
        {
            foreach (var overlap in spec.Groups[a].Overlaps)
            {
                int b = Array.IndexOf(ids, overlap.With);
                if (b < 0 || b == a)
                    continue;
                double s = draw(overlap.Share); // P(b | a)
                int earlier = Math.Min(a, b), later = Math.Max(a, b);
                // P(later | earlier): P(b | a) if a is the earlier; else P(a | b) = P(b | a) pA / pB.
                double conditional = a == earlier ? s : Math.Clamp(s * prevalence[a] / prevalence[b], 0, 1);
                if (parent[later] >= 0 && parent[later] != earlier)
                    throw new InvalidOperationException($"group '{ids[later]}' overlaps with two earlier groups; validation should have refused it");
                parent[later] = earlier;
                share[later] = conditional;
            }
        }

        return (parent, share);
    }

    /// <summary>Finds alpha with sum_c w_c [π_c s + (1 − π_c) expit(alpha + η_c)] = target by bisection (monotone in alpha).</summary>
    private static double SolveIntercept(double[] eta, double[] weight, double[]? parentP, double s, double target)
    {
        double Marginal(double alpha)
        {
            double sum = 0;
            for (int c = 0; c < eta.Length; c++)
            {
                double q = DeterministicMath.Expit(alpha + eta[c]);
                sum += weight[c] * (parentP is null ? q : parentP[c] * s + (1 - parentP[c]) * q);
            }

            return sum;
        }

        double lo = -60, hi = 60;
        if (Marginal(lo) >= target)
            return lo;
        if (Marginal(hi) <= target)
            return hi;
        for (int i = 0; i < 200 && hi - lo > 1e-13; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Marginal(mid) < target)
                lo = mid;
            else
                hi = mid;
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// Fills <paramref name="chunk"/> with persons <paramref name="firstPerson"/> ... + <paramref name="count"/> − 1.
    /// A pure function of (seed, replicate, person id): no state is carried between calls.
    /// </summary>
    /// <param name="chunk">Receives the persons.</param>
    /// <param name="firstPerson">The first person's id.</param>
    /// <param name="count">Persons to generate, at most the chunk's capacity.</param>
    /// <param name="wanted">
    /// The optional attributes to generate (area, income decile and group memberships always are).
    /// Each attribute has its own draws, so leaving one out changes no other; those left out read 0.
    /// </param>
    public void Generate(PersonChunk chunk, long firstPerson, int count, PersonAttributes wanted = PersonAttributes.All)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, chunk.Capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(firstPerson);
        chunk.FirstPerson = firstPerson;
        chunk.Count = count;
        chunk.Readable = wanted;

        Span<uint> attributes = chunk.Words.AsSpan(0, count * 4);
        Philox.Fill(RngKey.From(_seed, _replicate, RngStream.PopulationAttributes), firstPerson, 0, attributes);
        Span<byte> area = chunk.Area.AsSpan(0, count);
        Span<byte> decile = chunk.IncomeDecile.AsSpan(0, count);
        Span<float> income = chunk.IncomeStorage.AsSpan(0, count);
        Span<ushort> cell = chunk.Cell.AsSpan(0, count);
        ulong[] areaThresholds = _areaThresholds;
        byte[] guide = _areaGuide;
        bool hasIncome = _boundaries.Length == 9 && (wanted & PersonAttributes.Income) != 0;
        bool fewAreas = areaThresholds.Length <= 16; // a branch-free count beats a search for a handful of areas
        for (int i = 0; i < count; i++)
        {
            uint w0 = attributes[4 * i], w1 = attributes[4 * i + 1];
            int a;
            if (fewAreas)
            {
                a = _areaCategories.Of(w0);
            }
            else
            {
                a = guide[w0 >> 24];
                while (a < areaThresholds.Length - 1 && w0 >= areaThresholds[a])
                    a++;
            }
            area[i] = (byte)a;
            ulong scaled = (ulong)w1 * 10;              // decile = floor(10 u), u = w1 / 2^32
            int d = (int)(scaled >> 32);
            decile[i] = (byte)d;
            cell[i] = (ushort)(a * 10 + d);
        }

        if (hasIncome)
            Incomes(attributes, decile, income, chunk.Scratch);
        else
            income.Clear();

        GenerateDemography(chunk, attributes, firstPerson, count, wanted);

        Span<uint> mask = chunk.GroupMask.AsSpan(0, count);
        int groups = _cellThresholds.Length;
        int blocks = (groups + 3) / 4;
        RngKey groupKey = RngKey.From(_seed, _replicate, RngStream.GroupMembership);
        Span<uint> words = chunk.GroupWords.AsSpan(0, count * 4 * blocks);
        for (int block = 0; block < blocks; block++)
        {
            // Groups 4k .. 4k+3 use draw k: adding a group never shifts the draws of earlier ones.
            Philox.Fill(groupKey, firstPerson, (uint)block, words.Slice(block * count * 4, count * 4));
        }

        // One pass over the chunk per group, each person independent of the next, so the passes
        // pipeline: no person waits on another's result, and membership is set without a branch
        // (w < t exactly when the 64-bit difference w − t is negative, as t ≤ 2^32). A group whose
        // parent the person is in uses P(group | parent): the parent is an earlier group, whose pass
        // is complete.
        mask.Clear();
        ref ushort cells = ref MemoryMarshal.GetReference(cell);
        ref uint masks = ref MemoryMarshal.GetReference(mask);
        for (int g = 0; g < groups; g++)
        {
            // Indices are in range by construction (cell < areas × 10, i < count): no bounds checks here.
            ref uint w = ref Unsafe.Add(ref MemoryMarshal.GetReference(words), (g >> 2) * count * 4 + (g & 3));
            ref ulong thresholds = ref MemoryMarshal.GetArrayDataReference(_cellThresholds[g]);
            int parent = _parent[g];
            if (parent < 0)
            {
                for (int i = 0; i < count; i++)
                {
                    ulong below = ((ulong)Unsafe.Add(ref w, 4 * i) - Unsafe.Add(ref thresholds, Unsafe.Add(ref cells, i))) >> 63;
                    Unsafe.Add(ref masks, i) |= (uint)below << g;
                }

                continue;
            }

            ulong parentThreshold = _parentThreshold[g];
            for (int i = 0; i < count; i++)
            {
                ref uint m = ref Unsafe.Add(ref masks, i);
                ulong own = Unsafe.Add(ref thresholds, Unsafe.Add(ref cells, i));
                ulong inParent = 0 - (ulong)((m >> parent) & 1); // all ones when in the parent group
                ulong t = own ^ ((own ^ parentThreshold) & inParent);
                m |= (uint)(((ulong)Unsafe.Add(ref w, 4 * i) - t) >> 63) << g;
            }
        }
    }

    /// <summary>
    /// Age (band by the third attribute word, the year within the band by the same word's position
    /// inside its band), sex (fourth word) and household size (a second block): only when declared.
    /// </summary>
    private void GenerateDemography(PersonChunk chunk, ReadOnlySpan<uint> attributes, long firstPerson, int count, PersonAttributes wanted)
    {
        var bands = Spec.AgeBands;
        Span<byte> age = chunk.AgeStorage.AsSpan(0, count);
        Span<bool> female = chunk.FemaleStorage.AsSpan(0, count);
        Span<byte> household = chunk.HouseholdSizeStorage.AsSpan(0, count);
        if (bands.Length > 0 && (wanted & PersonAttributes.Age) != 0)
        {
            CategoryCuts ages = _ageCategories;
            // b < bands by construction: read without bounds checks.
            ref ulong low = ref MemoryMarshal.GetArrayDataReference(_ageLow);
            ref double scale = ref MemoryMarshal.GetArrayDataReference(_ageScale);
            ref int from = ref MemoryMarshal.GetArrayDataReference(_ageFrom);
            ref int last = ref MemoryMarshal.GetArrayDataReference(_ageLast);
            for (int i = 0; i < count; i++)
            {
                uint w = attributes[4 * i + 2];
                int b = ages.Of(w);
                // The year within the band: the word's position inside the band's slice, times its width.
                int year = (int)((uint)(w - Unsafe.Add(ref low, b)) * Unsafe.Add(ref scale, b));
                age[i] = (byte)(Unsafe.Add(ref from, b) + Math.Min(Unsafe.Add(ref last, b), year));
            }
        }
        else
        {
            age.Clear();
        }

        ulong femaleThreshold = (wanted & PersonAttributes.Sex) != 0 ? _femaleThreshold : 0;
        for (int i = 0; i < count; i++)
            female[i] = attributes[4 * i + 3] < femaleThreshold;

        if (_householdCategories.Categories > 0 && (wanted & PersonAttributes.HouseholdSize) != 0)
        {
            Span<uint> words = chunk.Words2.AsSpan(0, count * 4);
            Philox.Fill(RngKey.From(_seed, _replicate, RngStream.PopulationAttributes), firstPerson, 1, words);
            byte[] sizes = _householdSize;
            CategoryCuts categories = _householdCategories;
            for (int i = 0; i < count; i++)
                household[i] = sizes[categories.Of(words[4 * i])];
        }
        else
        {
            household.Clear();
        }
    }

    /// <summary>
    /// Income at fraction f within decile d (f from the second attribute word: the decile is
    /// ⌊10 u⌋ and f = 10 u − d): linear between the declared boundaries (so each boundary is exactly
    /// the declared quantile), linear from 0 below the 10th percentile, and a Pareto tail with
    /// <see cref="TopIncomeParetoAlpha"/> above the 90th. The linear part is formed for everyone from
    /// a table (a decile's lower boundary and width, 0 for the top decile) without a branch; the
    /// persons of the top decile are gathered, also without a branch, and given the tail in a second
    /// pass, so the random decile is never a branch to mispredict.
    /// </summary>
    private void Incomes(ReadOnlySpan<uint> attributes, ReadOnlySpan<byte> decile, Span<float> income, int[] top)
    {
        ref double low = ref MemoryMarshal.GetArrayDataReference(_decileLow);
        ref double width = ref MemoryMarshal.GetArrayDataReference(_decileWidth);
        int inTop = 0;
        for (int i = 0; i < income.Length; i++)
        {
            int d = decile[i];
            double f = (uint)((ulong)attributes[4 * i + 1] * 10) * (1.0 / 4294967296.0);
            income[i] = (float)(Unsafe.Add(ref low, d) + f * Unsafe.Add(ref width, d));
            top[inTop] = i;
            inTop += d == 9 ? 1 : 0;
        }

        // The tail: b8 (1 − f)^(−1/α), 1 − f in [2^-32, 1]. Four persons at a time where the lanes
        // are hardware-accelerated; PowPositiveNormal gives each lane the bits of the scalar Pow of
        // the remainder loop, so the incomes do not depend on the path taken.
        const double exponent = -1 / TopIncomeParetoAlpha;
        double b8 = _boundaries[8];
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> scale = Vector256.Create(b8);
            for (; j + 4 <= inTop; j += 4)
            {
                int i0 = top[j], i1 = top[j + 1], i2 = top[j + 2], i3 = top[j + 3];
                Vector256<double> u = Vector256.Create(
                    TailUniform(attributes, i0), TailUniform(attributes, i1), TailUniform(attributes, i2), TailUniform(attributes, i3));
                Vector256<double> tail = scale * DeterministicMath.PowPositiveNormal(u, exponent);
                income[i0] = (float)tail.GetElement(0);
                income[i1] = (float)tail.GetElement(1);
                income[i2] = (float)tail.GetElement(2);
                income[i3] = (float)tail.GetElement(3);
            }
        }

        for (; j < inTop; j++)
        {
            int i = top[j];
            income[i] = (float)(b8 * DeterministicMath.Pow(TailUniform(attributes, i), exponent));
        }
    }

    /// <summary>1 − f for a top-decile person, in [2^-32, 1]: f = 10 u − 9 from the second attribute word, exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double TailUniform(ReadOnlySpan<uint> attributes, int i)
        => 1 - (uint)((ulong)attributes[4 * i + 1] * 10) * (1.0 / 4294967296.0);
}
