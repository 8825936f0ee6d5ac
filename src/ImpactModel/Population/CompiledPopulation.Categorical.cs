using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ImpactModel.MonteCarlo;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Population;

/// <summary>
/// One replicate's distributions of a categorical attribute (<see cref="CategoricalAttributeSpec"/>):
/// every share drawn, the shares by group completed, and the rest distribution solved.
/// </summary>
/// <param name="Id">The attribute's id.</param>
/// <param name="Categories">Its category ids; a person's category byte indexes this list.</param>
/// <param name="Marginal">The drawn marginal shares, normalised to sum to 1.</param>
/// <param name="Groups">The groups of <c>by_group</c>, in its order (the first a person is in decides).</param>
/// <param name="ByGroup">[listed group][category]: the distribution among the group's deciding members (listed shares, the remainder in proportion to the marginal shares).</param>
/// <param name="DecidingShares">[listed group]: q_g, the share of the calibration persons whose first listed group is g.</param>
/// <param name="Rest">The distribution of persons in no listed group, solved so that the marginal shares hold.</param>
/// <param name="Clamped">
/// True when some rest share came out negative and was set to 0 (the rest renormalised): the groups'
/// declared shares then put more persons in a category than its marginal share allows, and the
/// marginal shares cannot all hold.
/// </param>
/// <param name="CalibrationPersons">Persons 0 … this − 1 over which the deciding shares were measured (0 without <c>by_group</c>).</param>
public sealed record CategoricalAttributeDraw(
    string Id,
    IReadOnlyList<string> Categories,
    IReadOnlyList<double> Marginal,
    IReadOnlyList<string> Groups,
    IReadOnlyList<IReadOnlyList<double>> ByGroup,
    IReadOnlyList<double> DecidingShares,
    IReadOnlyList<double> Rest,
    bool Clamped,
    int CalibrationPersons)
{
    /// <summary>The expected share of each category over all persons: Σ_g q_g d_g + (1 − Σ q_g) rest (the marginal unless clamped).</summary>
    public IReadOnlyList<double> Expected
    {
        get
        {
            double inGroups = DecidingShares.Sum();
            var expected = new double[Categories.Count];
            for (int k = 0; k < expected.Length; k++)
            {
                double sum = (1 - inGroups) * Rest[k];
                for (int g = 0; g < Groups.Count; g++)
                    sum += DecidingShares[g] * ByGroup[g][k];
                expected[k] = sum;
            }

            return expected;
        }
    }
}

public sealed partial class CompiledPopulation
{
    /// <summary>
    /// The persons (ids 0 … this − 1, fewer when the population is smaller) over which the share of
    /// persons deciding by each listed group is measured, per replicate, to solve the rest
    /// distribution of a categorical attribute: the same persons whatever the threads or chunks.
    /// </summary>
    public const int CategoricalCalibrationPersons = 100_000;

    /// <summary>The declared categorical attributes (<see cref="PersonChunk.Categorical"/> takes 0 … this − 1).</summary>
    public int CategoricalAttributes => Spec.Attributes.Length;

    /// <summary>This replicate's distributions of each categorical attribute (declaration order); formed on first read.</summary>
    public IReadOnlyList<CategoricalAttributeDraw> CategoricalDraws => _categorical.Value.Draws;

    private readonly Lazy<CategoricalTables> _categorical;

    /// <summary>
    /// Per attribute: the bit of each listed group in the group mask (by_group order) and the cuts of
    /// each distribution, indexed by the deciding group's position in that list, the rest last.
    /// </summary>
    private sealed record CategoricalTables(CategoricalAttributeDraw[] Draws, int[][] GroupBits, CategoryCuts[][] Cuts);

    private CategoricalTables CompileCategorical()
    {
        var attributes = Spec.Attributes;
        var groupIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int g = 0; g < Spec.Groups.Length; g++)
            groupIndex[Spec.Groups[g].Id] = g;
        int[][] bits = [.. attributes.Select(a => a.ByGroup.Select(b => groupIndex[b.Group]).ToArray())];

        // The calibration persons' deciding groups, one count per listed group and the rest last.
        int persons = bits.Any(b => b.Length > 0) ? (int)Math.Min(CategoricalCalibrationPersons, Spec.Size) : 0;
        long[][] counts = [.. bits.Select(b => new long[b.Length + 1])];
        var chunk = new PersonChunk();
        for (int first = 0; first < persons; first += chunk.Capacity)
        {
            int n = Math.Min(chunk.Capacity, persons - first);
            Generate(chunk, first, n, PersonAttributes.None);
            for (int a = 0; a < bits.Length; a++)
            {
                for (int i = 0; i < n; i++)
                    counts[a][Deciding(chunk.GroupMask[i], bits[a])]++;
            }
        }

        ulong seed = _seed;
        int replicate = _replicate;
        ParameterPins pins = _pins;
        double Draw(Parameter p) => pins.Draw(p, seed, replicate);
        var draws = new CategoricalAttributeDraw[attributes.Length];
        var cuts = new CategoryCuts[attributes.Length][];
        for (int a = 0; a < attributes.Length; a++)
        {
            double[] deciding = [.. counts[a].Take(bits[a].Length).Select(c => persons > 0 ? c / (double)persons : 0)];
            draws[a] = SolveCategorical(attributes[a], Draw, deciding, persons);
            cuts[a] = [.. draws[a].ByGroup.Append(draws[a].Rest).Select(d => new CategoryCuts(Cumulative([.. d])))];
        }

        return new CategoricalTables(draws, bits, cuts);
    }

    /// <summary>
    /// The replicate's distributions of <paramref name="attribute"/>, given q_g, the share of persons
    /// whose deciding group is the g-th listed (<paramref name="deciding"/>). The marginal shares s are
    /// drawn and normalised; a group's listed shares are drawn (scaled down to sum to 1 if a draw takes
    /// them over) and the categories not listed share the remainder in proportion to s; the rest is
    /// rest_k = (s_k − Σ_g q_g d_gk) / (1 − Σ_g q_g), so that Σ_g q_g d_g + (1 − Σ q_g) rest = s. A
    /// negative rest_k (the groups alone would put more persons in k than s_k) is set to 0 and the rest
    /// renormalised: the marginal shares then cannot hold (<see cref="CategoricalAttributeDraw.Clamped"/>).
    /// </summary>
    internal static CategoricalAttributeDraw SolveCategorical(CategoricalAttributeSpec attribute, Func<Parameter, double> draw,
        IReadOnlyList<double> deciding, int calibrationPersons)
    {
        int categories = attribute.Categories.Length;
        double[] marginal = Normalised([.. attribute.Categories.Select(c => draw(c.Share))], null);
        var byGroup = new double[attribute.ByGroup.Length][];
        for (int g = 0; g < byGroup.Length; g++)
        {
            var d = new double[categories];
            var listed = new bool[categories];
            double listedSum = 0;
            foreach (CategoryShare share in attribute.ByGroup[g].Shares)
            {
                int k = attribute.Categories.IndexOf(attribute.Categories.First(c => c.Id == share.Category));
                d[k] = Math.Clamp(draw(share.Share), 0, 1);
                listed[k] = true;
            }

            for (int k = 0; k < categories; k++)
                listedSum += d[k];
            if (listedSum > 1)
            {
                for (int k = 0; k < categories; k++)
                    d[k] /= listedSum;
                listedSum = 1;
            }

            double unlisted = 0;
            for (int k = 0; k < categories; k++)
                unlisted += listed[k] ? 0 : marginal[k];
            for (int k = 0; k < categories && unlisted > 0; k++)
                d[k] = listed[k] ? d[k] : (1 - listedSum) * marginal[k] / unlisted;
            // Every unlisted category has a marginal share of 0: the listed shares are the whole distribution.
            byGroup[g] = Normalised(d, marginal);
        }

        double inGroups = 0;
        for (int g = 0; g < byGroup.Length; g++)
            inGroups += deciding[g];
        var rest = new double[categories];
        bool clamped = false;
        for (int k = 0; k < categories; k++)
        {
            double inGroup = 0;
            for (int g = 0; g < byGroup.Length; g++)
                inGroup += deciding[g] * byGroup[g][k];
            double r = inGroups < 1 ? (marginal[k] - inGroup) / (1 - inGroups) : marginal[k];
            // Below −1e-12: a true excess over the marginal, not the rounding of an exact fit.
            clamped |= r < -1e-12;
            rest[k] = Math.Max(0, r);
        }

        return new CategoricalAttributeDraw(attribute.Id, [.. attribute.Categories.Select(c => c.Id)], marginal,
            [.. attribute.ByGroup.Select(b => b.Group)], byGroup, [.. deciding], Normalised(rest, marginal), clamped, calibrationPersons);
    }

    /// <summary>The shares scaled to sum to 1; <paramref name="fallback"/> (or equal shares) when they sum to 0.</summary>
    private static double[] Normalised(double[] shares, double[]? fallback)
    {
        double total = shares.Sum();
        if (!(total > 0))
            return fallback is not null ? [.. fallback] : [.. shares.Select(_ => 1.0 / shares.Length)];
        return [.. shares.Select(x => x / total)];
    }

    /// <summary>
    /// The position in <paramref name="bits"/> of the first listed group the person is in, or
    /// <c>bits.Length</c> (the rest) when none: the list walked backwards, each membership bit selecting
    /// its position without a branch, so the first listed group is the last to be selected.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per attribute
    private static int Deciding(uint mask, int[] bits)
    {
        int d = bits.Length;
        for (int j = bits.Length - 1; j >= 0; j--)
        {
            int inGroup = (int)((mask >> bits[j]) & 1);
            d ^= (d ^ j) & -inGroup;
        }

        return d;
    }

    /// <summary>
    /// Every categorical attribute of the chunk's persons: attribute a takes word a % 4 of block
    /// 2 + a / 4 of the population-attribute stream (blocks 0 and 1 are the other attributes'), keyed
    /// by the person id, against the cuts of the person's deciding group. Not wanted: read as 0.
    /// </summary>
    private void Categoricals(PersonChunk chunk, long firstPerson, int count, PersonAttributes wanted)
    {
        int attributes = Spec.Attributes.Length;
        if ((wanted & PersonAttributes.Categorical) == 0)
        {
            for (int a = 0; a < attributes; a++)
                chunk.CategoricalStorage(a).AsSpan(0, count).Clear();
            return;
        }

        CategoricalTables tables = _categorical.Value;
        Span<uint> words = chunk.Words2.AsSpan(0, count * 4); // free again: household sizes are done
        ReadOnlySpan<uint> masks = chunk.GroupMask.AsSpan(0, count);
        RngKey key = RngKey.From(_seed, _replicate, RngStream.PopulationAttributes);
        for (int a = 0; a < attributes; a++)
        {
            if ((a & 3) == 0)
                Philox.Fill(key, firstPerson, (uint)(2 + a / 4), words);
            int[] bits = tables.GroupBits[a];
            CategoryCuts[] cuts = tables.Cuts[a];
            ref CategoryCuts cutsOf = ref MemoryMarshal.GetArrayDataReference(cuts);
            Span<byte> category = chunk.CategoricalStorage(a).AsSpan(0, count);
            int word = a & 3;
            for (int i = 0; i < count; i++)
            {
                // Deciding returns 0 … bits.Length, and cuts has bits.Length + 1 entries: no bounds check.
                int d = Deciding(masks[i], bits);
                category[i] = (byte)Unsafe.Add(ref cutsOf, d).Of(words[4 * i + word]);
            }
        }
    }
}
