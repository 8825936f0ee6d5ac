using System.Collections.Immutable;
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
/// Membership model for group g in cell c = (unit u, class of age bands k, income decile d), the
/// unit being the local authority l (in area a) when membership depends on authorities, else the area:
/// logit q(g, c) = alpha_g + beta_g (d − 4.5) + ln OR(g, a) + e(g, a) + ln OR(g, l) + e(g, l) + ln OR(g, k),
/// with area and authority effects e ~ Normal(0, sd) drawn per area or authority, group and
/// replicate; q = 0 for children in a group of adults only. A group whose overlap links it to an
/// earlier-declared group P (its "parent") is drawn as: in P → member with probability
/// s = P(g | P) (for adults alone in a group of adults only, rescaled so the overlap holds); not in
/// P → member with probability q(g, c). alpha_g is solved (Newton's method inside a narrowing
/// bracket) so that the sum over cells of weight(c) · P(g | c) equals the prevalence (times the adult
/// share for a group of adults only), where P(g | c) includes the parent's own P(P | c), computed the
/// same way, so the marginal holds exactly (in expectation over persons) for every replicate.
/// </remarks>
public sealed partial class CompiledPopulation
{
    /// <summary>Shape of the Pareto tail above the 90th percentile of income (assumption: UK top-income tails have alpha about 2 to 3).</summary>
    public const double TopIncomeParetoAlpha = 2.5;

    /// <summary>Persons whose memberships are drawn group after group before the next block (see <see cref="Generate"/>).</summary>
    private const int MembershipBlock = 256;

    /// <summary>Top bits of the area word that index the local-authority guide table.</summary>
    private const int AuthorityGuideBits = 16;

    /// <summary>
    /// Bits of the age word that pick a year's guide entry when a population is compiled: 12, 4,096
    /// entries (4 KB) for about a hundred years, so the search after the guide seldom takes a step (a
    /// word in one of the few entries a year's threshold falls in), where 256 entries left a step to
    /// mispredict for about a third of persons. The same years whatever the bits (1 to 16): a guide
    /// only says where the search starts; tests switch it to show that.
    /// </summary>
    internal static int YearGuideBits { get; set; } = 12;

    private readonly ulong[] _areaThresholds;     // cumulative share of areas, on the 2^32 scale
    private readonly ulong[] _thresholds;         // [cell * stride + group] Bernoulli threshold for q(g, c)
    private readonly int _groups;
    private readonly int _stride;                 // thresholds per cell: the groups rounded up to a multiple of 4 (the rest 0)
    private readonly uint _parentless;            // bit g set when group g has no parent
    private readonly int[] _parent;               // earlier group this one is conditioned on, or -1
    private readonly ulong[] _parentThreshold;    // threshold for s = P(g | parent) (for adults, in an adults-only group)
    private readonly uint[] _childGate;           // 0 for an adults-only group (its parent path is closed to children), else 1
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
    private readonly ulong[] _yearThresholds;     // single years of age nested in the bands' slices; empty without single years
    private readonly byte[] _yearGuide;           // first candidate year for each value of the top bits of the age word (YearGuideBits)
    private readonly int _yearGuideShift;         // 32 − those bits
    private readonly ulong[] _authorityThresholds; // by slot: authorities nested in their areas' slices, in area order
    private readonly ushort[] _authorityGuide;    // first candidate slot for each value of the top 16 bits of the area word
    private readonly ushort[] _slotAuthority;     // the authority (declaration index) of each slot
    private readonly byte[] _authorityArea;       // the area of each authority
    private readonly bool _cellsByAuthority;      // membership cells are local authorities (their effects or odds ratios), not areas
    private readonly int _ageCells;               // classes of age bands membership tells apart (1: none)
    private readonly CategoryCuts _segmentCuts;   // runs of consecutive bands of one class, on the 2^32 scale of the age word
    private readonly byte[] _segmentClass;        // each run's class
    private readonly ulong _firstSegmentEnd;      // where the first run ends on the 2^32 scale
    private readonly uint[] _classAdult;          // 1 for a class of adults (from 16), else 0
    private readonly CategoryCuts _householdCategories;
    private readonly ulong _seed;
    private readonly int _replicate;
    private readonly ParameterPins _pins;
    private AreaEnrolment? _enrolment;
    private ulong[] _enrolledLow = [];             // per enrolled unit, its slice [low, low + width) of 2^32
    private ulong[] _enrolledWidth = [];

    private CompiledPopulation(PopulationSpec spec, ulong seed, int replicate, ParameterPins pins, Layout layout, double[] prevalences,
        ulong[] thresholds, int[] parent, ulong[] parentThreshold, double[][] membership, double[] cellWeight)
    {
        Spec = spec;
        _seed = seed;
        _replicate = replicate;
        _pins = pins;
        AreaShares = layout.AreaShares;
        AuthorityShares = layout.AuthorityShares;
        AgeBandShares = layout.BandShares;
        Prevalences = prevalences;
        // Read by describe, not by runs: formed on first read from the cells' memberships.
        _expectedByAuthority = new Lazy<double[][]>(() => ExpectationByAuthority(spec, layout, membership));
        _expectedByAgeBand = new Lazy<double[][]>(() => ExpectationByBand(spec, layout, membership, cellWeight));
        _areaThresholds = layout.AreaThresholds;
        _thresholds = thresholds;
        _groups = spec.Groups.Length;
        _stride = StrideOf(_groups);
        _parentless = 0;
        for (int g = 0; g < _groups; g++)
            _parentless |= parent[g] < 0 ? 1u << g : 0;
        _parent = parent;
        _parentThreshold = parentThreshold;
        _childGate = spec.Groups.Select(g => g.AdultOnly ? 0u : 1u).ToArray();
        _cellsByAuthority = layout.CellsByAuthority;
        _ageCells = layout.AgeCells;
        (_segmentCuts, _segmentClass, _firstSegmentEnd) = Segments(layout);
        _classAdult = layout.ClassBand.Select(b => spec.AgeBands.Length > 0 && spec.AgeBands[b].From >= PopulationSpec.AdultAge ? 1u : 0u).ToArray();
        GroupIds = spec.Groups.Select(g => g.Id).ToArray();
        double Draw(Parameter p) => pins.Draw(p, seed, replicate);
        _areaCategories = new CategoryCuts(_areaThresholds);
        ulong[] ageThresholds = layout.BandThresholds;
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

        _yearGuideShift = 32 - Math.Clamp(YearGuideBits, 1, 16);
        (_yearThresholds, _yearGuide) = SingleYears(spec, ageThresholds, 32 - _yearGuideShift);
        (_authorityThresholds, _authorityGuide, _slotAuthority, _authorityArea) = layout.Authorities;

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
        _areaGuide = Guide(_areaThresholds, 8).Select(a => (byte)a).ToArray();
        // Formed when first read: the calibration generates persons, which runs that read no categorical attribute never need.
        _categorical = new Lazy<CategoricalTables>(CompileCategorical);
    }

    /// <summary>The population section this was compiled from.</summary>
    public PopulationSpec Spec { get; }

    /// <summary>The persons enrolled unit by unit (a simulated pilot), or null: the whole population.</summary>
    public AreaEnrolment? Enrolment => _enrolment;

    /// <summary>
    /// From now on, generates persons unit by unit as <paramref name="enrolment"/> says (see
    /// <see cref="AreaEnrolment"/>); call before any person is generated.
    /// </summary>
    public void Enrol(AreaEnrolment enrolment)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        if (enrolment.ByAuthority && !HasAuthorities)
            throw new ArgumentException("the population declares no local authorities", nameof(enrolment));
        var low = new ulong[enrolment.Units.Length];
        var width = new ulong[enrolment.Units.Length];
        for (int k = 0; k < low.Length; k++)
        {
            int unit = enrolment.Units[k];
            ulong lo, hi;
            if (enrolment.ByAuthority)
            {
                int slot = Array.IndexOf(_slotAuthority, (ushort)unit);
                if (slot < 0)
                    throw new ArgumentOutOfRangeException(nameof(enrolment), unit, "no such local authority");
                (lo, hi) = (slot == 0 ? 0 : _authorityThresholds[slot - 1], _authorityThresholds[slot]);
            }
            else
            {
                if ((uint)unit >= (uint)_areaThresholds.Length)
                    throw new ArgumentOutOfRangeException(nameof(enrolment), unit, "no such area");
                (lo, hi) = (unit == 0 ? 0 : _areaThresholds[unit - 1], _areaThresholds[unit]);
            }

            if (hi <= lo)
                throw new ArgumentException($"unit {unit} holds no persons in this replicate", nameof(enrolment));
            low[k] = lo;
            width[k] = hi - lo;
        }

        (_enrolment, _enrolledLow, _enrolledWidth) = (enrolment, low, width);
    }

    /// <summary>Maps each person's placing word into the slice of the unit the person is enrolled in.</summary>
    private void PlaceEnrolled(Span<uint> attributes, long firstPerson, int count)
    {
        ImmutableArray<long> first = _enrolment!.First;
        int k = 0;
        while (k < first.Length - 2 && first[k + 1] <= firstPerson)
            k++;
        for (int i = 0; i < count; i++)
        {
            long id = firstPerson + i;
            while (k < first.Length - 2 && first[k + 1] <= id)
                k++;
            attributes[4 * i] = (uint)(_enrolledLow[k] + ((attributes[4 * i] * _enrolledWidth[k]) >> 32));
        }
    }

    /// <summary>
    /// Whether a person's class of ages (<see cref="PersonChunk"/>'s, generated with every chunk)
    /// tells whether they are under <see cref="PopulationSpec.AdultAge"/>: when the population has a
    /// group of adults only, no class holds bands on both sides of that age (see <see cref="AgeClasses"/>),
    /// and no band straddles it (such a group needs a band that starts there). A strand that only asks
    /// whether a person is an adult then needs no ages generated.
    /// </summary>
    public static bool AgeClassTellsAdults(PopulationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Groups.Any(g => g.AdultOnly)
               && spec.AgeBands.Any(b => b.From == PopulationSpec.AdultAge)
               && !spec.AgeBands.Any(b => b.From < PopulationSpec.AdultAge && b.To >= PopulationSpec.AdultAge); // checked here too, not only by the reader
    }

    /// <summary>
    /// For each class of ages, whether its persons are under <see cref="PopulationSpec.AdultAge"/>
    /// (when <see cref="AgeClassTellsAdults"/>); a single entry when the population has one class,
    /// whose chunks then leave the class at 0.
    /// </summary>
    internal bool[] MinorByAgeClass() => [.. _classAdult.Select(a => a == 0)];

    /// <summary>The groups in declaration order: bit g of a group mask is <c>GroupIds[g]</c>.</summary>
    public IReadOnlyList<string> GroupIds { get; }

    /// <summary>This replicate's area shares (drawn, then normalised to sum to 1).</summary>
    public IReadOnlyList<double> AreaShares { get; }

    /// <summary>Each local authority's share of all persons (its area's share × its share of the area); empty without authorities.</summary>
    public IReadOnlyList<double> AuthorityShares { get; }

    /// <summary>This replicate's age band shares (drawn, then normalised); empty without bands.</summary>
    public IReadOnlyList<double> AgeBandShares { get; }

    /// <summary>
    /// This replicate's drawn prevalence of each group, on the group's declared basis: the share of
    /// all persons, or of adults for a group of adults only.
    /// </summary>
    public IReadOnlyList<double> Prevalences { get; }

    /// <summary>[group][authority]: the expected share of the authority's persons in the group, given this replicate's effects; empty without authorities.</summary>
    public IReadOnlyList<IReadOnlyList<double>> ExpectedByAuthority => _expectedByAuthority.Value;

    private readonly Lazy<double[][]> _expectedByAuthority;

    /// <summary>[group][band]: the expected share of the band's persons in the group; empty without bands.</summary>
    public IReadOnlyList<IReadOnlyList<double>> ExpectedByAgeBand => _expectedByAgeBand.Value;

    private readonly Lazy<double[][]> _expectedByAgeBand;

    /// <summary>True when the population declares local authorities (a person's authority can be read).</summary>
    public bool HasAuthorities => _slotAuthority.Length > 0;

    /// <summary>The share of adults (aged 16 and over) among this replicate's persons (1 without age bands).</summary>
    public double AdultShare => AgeBandShares.Count == 0 ? 1 : AdultsOf(Spec, AgeBandShares);

    /// <summary>The share of persons in bands from 16, given the bands' (normalised) shares.</summary>
    private static double AdultsOf(PopulationSpec spec, IReadOnlyList<double> bandShares) =>
        spec.AgeBands.Select((b, i) => b.From >= PopulationSpec.AdultAge ? bandShares[i] : 0).Sum();

    /// <summary>
    /// What the loader guarantees and the generator relies on (a spec built in code gets a clear
    /// exception, not a read past a table): every area has an authority of positive population when
    /// authorities are declared, and a group of adults only has a band starting at 16.
    /// </summary>
    private static void CheckInvariants(PopulationSpec spec)
    {
        if (!spec.LocalAuthorities.IsEmpty)
        {
            foreach (AreaSpec area in spec.Areas)
            {
                if (!spec.LocalAuthorities.Any(a => a.Area == area.Id && a.Population > 0))
                    throw new ArgumentException($"area '{area.Id}' has no local authority of positive population", nameof(spec));
            }
        }

        foreach (GroupSpec group in spec.Groups)
        {
            if (group.AdultOnly && !spec.AgeBands.Any(b => b.From == PopulationSpec.AdultAge))
                throw new ArgumentException($"group '{group.Id}' is for adults only but no age band starts at {PopulationSpec.AdultAge}", nameof(spec));
        }
    }

    /// <summary>
    /// Random effects on the logit scale, one per local authority (declaration order), for a strand's
    /// own area-dependent parameter that declares a local-authority sd (as a group's prevalence does):
    /// sd × a standard normal drawn once per replicate from the strand's own stream
    /// <paramref name="stream"/>, independent of the population's effects and of other streams.
    /// </summary>
    /// <param name="sd">The standard deviation on the logit scale (drawn for the replicate).</param>
    /// <param name="stream">The strand's index for this parameter, in [0, 2^24 − 2).</param>
    public double[] AuthorityEffects(double sd, int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sd);
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        RngKey key = RngKey.From(_seed, _replicate, RngStream.Of(RngStreamKind.AreaEffects, 2 + stream)); // 0: areas, 1: the population's authorities
        var effects = new double[_authorityArea.Length];
        for (int la = 0; la < effects.Length && sd > 0; la++)
            effects[la] = sd * Philox.Normal(key, la, 0);
        return effects;
    }

    /// <summary>Where areas, authorities and age bands fall on the 2^32 scale, and the membership cells.</summary>
    private sealed record Layout(
        double[] AreaShares, ulong[] AreaThresholds,
        double[] AuthorityShares, (ulong[] Thresholds, ushort[] Guide, ushort[] SlotAuthority, byte[] Area) Authorities,
        double[] BandShares, ulong[] BandThresholds,
        bool CellsByAuthority, int AgeCells, int Units, int[] UnitArea, double[] UnitShare,
        int[] BandClass, int[] ClassBand, double[] ClassShares);

    /// <summary>Compiles <paramref name="spec"/> for (seed, replicate), with the parameters <paramref name="pins"/> holds at fixed values.</summary>
    public static CompiledPopulation Compile(PopulationSpec spec, ulong seed, int replicate, ParameterPins? pins = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        pins ??= ParameterPins.None;
        int groups = spec.Groups.Length;
        if (groups > GroupValueTable.MaxGroups)
            throw new ArgumentOutOfRangeException(nameof(spec), groups, $"at most {GroupValueTable.MaxGroups} groups");
        double Draw(Parameter p) => pins.Draw(p, seed, replicate);
        CheckInvariants(spec);
        Layout layout = LayOut(spec, Draw);
        int units = layout.Units, ageCells = layout.AgeCells;

        var ids = spec.Groups.Select(g => g.Id).ToArray();
        var prevalence = spec.Groups.Select(g => Draw(g.Prevalence)).ToArray();
        double adults = AdultsOf(spec, layout.BandShares);
        // Overlaps relate shares of the whole population: an adults-only group's prevalence is of adults.
        var whole = prevalence.Select((p, g) => spec.Groups[g].AdultOnly ? p * adults : p).ToArray();
        (int[] parent, double[] parentShare) = OrientOverlaps(spec, ids, whole, Draw);

        RngKey areaKey = RngKey.From(seed, replicate, RngStream.AreaEffects);
        RngKey authorityKey = RngKey.From(seed, replicate, RngStream.LocalAuthorityEffects);
        double populationSd = Draw(spec.AreaVariation);
        double authoritySd = spec.LocalAuthorityVariation is { } lav ? Draw(lav) : 0;
        int cells = units * ageCells * 10;
        var cellWeight = new double[cells];
        var cellAdult = new bool[cells];
        for (int u = 0; u < units; u++)
        {
            for (int k = 0; k < ageCells; k++)
            {
                double bandShare = ageCells > 1 ? layout.ClassShares[k] : 1.0;
                for (int d = 0; d < 10; d++)
                {
                    int c = (u * ageCells + k) * 10 + d;
                    cellWeight[c] = layout.UnitShare[u] * bandShare / 10;
                    cellAdult[c] = ageCells > 1 && spec.AgeBands[layout.ClassBand[k]].From >= PopulationSpec.AdultAge;
                }
            }
        }

        var membership = new double[groups][]; // P(g | c), for children of later groups
        int stride = StrideOf(groups);
        var thresholds = new ulong[cells * stride];
        var parentThreshold = new ulong[groups];
        for (int g = 0; g < groups; g++)
        {
            GroupSpec group = spec.Groups[g];
            double sd = group.AreaVariation is { } av ? Draw(av) : populationSd;
            double groupAuthoritySd = group.LocalAuthorityVariation is { } gav ? Draw(gav) : authoritySd;
            double beta = Draw(group.IncomeGradient);
            var unitTerm = new double[units];
            for (int u = 0; u < units && layout.CellsByAuthority; u++)
            {
                double odds = 1;
                foreach (var or in group.AreaOddsRatios)
                {
                    if (or.Area == spec.LocalAuthorities[u].Id)
                        odds = Draw(or.OddsRatio);
                }

                double effect = groupAuthoritySd > 0 ? groupAuthoritySd * Philox.Normal(authorityKey, u, (uint)g) : 0;
                unitTerm[u] = DeterministicMath.Log(odds) + effect;
            }

            var ageTerm = new double[ageCells];
            for (int k = 0; k < ageCells && ageCells > 1; k++)
            {
                // Every band of a class has the same odds ratios (that is what makes it a class).
                AgeBand band = spec.AgeBands[layout.ClassBand[k]];
                double odds = 1;
                foreach (var or in group.AgeOddsRatios)
                {
                    if (or.From == band.From && or.To == band.To)
                        odds = Draw(or.OddsRatio);
                }

                ageTerm[k] = DeterministicMath.Log(odds);
            }

            // Each area's log odds ratio and effect, once (a unit's cells take its area's).
            var areaLogOdds = new double[spec.Areas.Length];
            var areaEffect = new double[spec.Areas.Length];
            for (int a = 0; a < spec.Areas.Length; a++)
            {
                double odds = 1;
                foreach (var or in group.AreaOddsRatios)
                {
                    if (or.Area == spec.Areas[a].Id)
                        odds = Draw(or.OddsRatio);
                }

                areaLogOdds[a] = DeterministicMath.Log(odds);
                areaEffect[a] = sd > 0 ? sd * Philox.Normal(areaKey, a, (uint)g) : 0;
            }

            var eta = new double[cells];
            var excluded = new bool[cells];
            for (int u = 0; u < units; u++)
            {
                int a = layout.UnitArea[u];
                double logOdds = areaLogOdds[a], effect = areaEffect[a];
                for (int b = 0; b < ageCells; b++)
                {
                    for (int d = 0; d < 10; d++)
                    {
                        int c = (u * ageCells + b) * 10 + d;
                        eta[c] = beta * (d - 4.5) + logOdds + effect + unitTerm[u] + ageTerm[b];
                        excluded[c] = group.AdultOnly && !cellAdult[c];
                    }
                }
            }

            double[]? parentP = parent[g] >= 0 ? membership[parent[g]] : null;
            double s = parent[g] >= 0 ? parentShare[g] : 0;
            if (parentP is not null && group.AdultOnly)
            {
                // P(g | parent) = s holds when the adults of the parent join with s / P(adult | parent).
                double inParent = 0, adultInParent = 0;
                for (int c = 0; c < cells; c++)
                {
                    inParent += cellWeight[c] * parentP[c];
                    adultInParent += excluded[c] ? 0 : cellWeight[c] * parentP[c];
                }

                s = adultInParent > 0 ? s * inParent / adultInParent : 0;
                if (s > 1 + 1e-12)
                    throw new InvalidOperationException(
                        $"group '{group.Id}': its adults cannot hold the declared share of '{spec.Groups[parent[g]].Id}' (it would need {s:0.####} of that group's adults)");
                s = Math.Min(1, s);
            }

            double target = group.AdultOnly ? prevalence[g] * adults : prevalence[g];
            double alpha = SolveIntercept(eta, excluded, cellWeight, parentP, s, target);
            var pc = new double[cells];
            double[] probability = Probabilities(alpha, eta);
            for (int c = 0; c < cells; c++)
            {
                double q = excluded[c] ? 0 : probability[c];
                thresholds[c * stride + g] = BernoulliThreshold.FromProbability(q).Threshold;
                pc[c] = excluded[c] ? 0 : parentP is null ? q : parentP[c] * s + (1 - parentP[c]) * q;
            }

            membership[g] = pc;
            parentThreshold[g] = parent[g] >= 0 ? BernoulliThreshold.FromProbability(s).Threshold : 0;
        }

        return new CompiledPopulation(spec, seed, replicate, pins, layout, prevalence, thresholds, parent, parentThreshold, membership, cellWeight);
    }
    /// <summary>
    /// Areas, local authorities and age bands on the 2^32 scale of their attribute words, and the
    /// membership cells: local authorities when any group's membership depends on them (their
    /// effects or odds ratios), else areas; × the age bands when any group depends on age.
    /// </summary>
    private static Layout LayOut(PopulationSpec spec, Func<Parameter, double> draw)
    {
        // The layout depends only on the drawn area and band shares: fixed shares (the shipped
        // population's) give the same layout every replicate, so the last one is kept per population
        // (its authority guide table alone is 65,536 entries).
        double[] drawnAreas = [.. spec.Areas.Select(a => draw(a.Share))];
        double[] drawnBands = [.. spec.AgeBands.Select(b => draw(b.Share))];
        LastLayout last = LastLayouts.GetOrCreateValue(spec);
        lock (last)
        {
            if (last.Layout is { } kept && last.Areas.AsSpan().SequenceEqual(drawnAreas) && last.Bands.AsSpan().SequenceEqual(drawnBands))
                return kept;
        }

        Layout layout = LayOut(spec, drawnAreas, drawnBands);
        lock (last)
            (last.Areas, last.Bands, last.Layout) = (drawnAreas, drawnBands, layout);
        return layout;
    }

    /// <summary>The last layout made for a population, and the drawn shares it was made from.</summary>
    private sealed class LastLayout
    {
        public double[] Areas = [];
        public double[] Bands = [];
        public Layout? Layout;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PopulationSpec, LastLayout> LastLayouts = [];

    private static Layout LayOut(PopulationSpec spec, double[] drawnAreas, double[] drawnBands)
    {
        int areas = spec.Areas.Length;
        var shares = (double[])drawnAreas.Clone();
        ulong[] areaThresholds = Cumulative(shares);
        double total = shares.Sum();
        for (int a = 0; a < areas; a++)
            shares[a] /= total;

        var bandShares = (double[])drawnBands.Clone();
        ulong[] bandThresholds = Cumulative(bandShares);
        double bandTotal = bandShares.Sum();
        for (int b = 0; b < bandShares.Length; b++)
            bandShares[b] /= bandTotal;

        var authorities = spec.LocalAuthorities;
        var areaIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int a = 0; a < areas; a++)
            areaIndex[spec.Areas[a].Id] = a;
        var authorityArea = authorities.Select(la => (byte)areaIndex[la.Area]).ToArray();
        var authorityShares = new double[authorities.Length];
        var slotAuthority = new ushort[authorities.Length];
        var slotThresholds = new ulong[authorities.Length];
        int slot = 0;
        for (int a = 0; a < areas; a++)
        {
            // The area's slice [low, high) of 2^32 is cut among its authorities in proportion to their
            // populations, the last cut exactly at high: a person's area is the same with or without them.
            ulong low = a == 0 ? 0 : areaThresholds[a - 1], high = areaThresholds[a];
            double inArea = 0, cumulative = 0;
            for (int i = 0; i < authorities.Length; i++)
                inArea += authorityArea[i] == a ? authorities[i].Population : 0;
            int last = Array.FindLastIndex(authorityArea, x => x == a);
            for (int i = 0; i < authorities.Length; i++)
            {
                if (authorityArea[i] != a)
                    continue;
                cumulative += authorities[i].Population;
                authorityShares[i] = shares[a] * authorities[i].Population / inArea;
                slotAuthority[slot] = (ushort)i;
                slotThresholds[slot++] = i == last ? high : low + (ulong)Math.Round(cumulative / inArea * (high - low));
            }
        }

        bool byAuthority = authorities.Length > 0 && (spec.LocalAuthorityVariation is not null
            || spec.Groups.Any(g => g.LocalAuthorityVariation is not null || g.AreaOddsRatios.Any(or => !areaIndex.ContainsKey(or.Area))));
        (int[] bandClass, int[] classBand) = AgeClasses(spec);
        int ageCells = classBand.Length;
        var classShares = new double[ageCells];
        for (int b = 0; b < bandClass.Length && ageCells > 1; b++)
            classShares[bandClass[b]] += bandShares[b];
        int units = byAuthority ? authorities.Length : areas;
        int[] unitArea = byAuthority ? authorityArea.Select(a => (int)a).ToArray() : Enumerable.Range(0, areas).ToArray();
        double[] unitShare = byAuthority ? authorityShares : shares;
        ushort[] guide = authorities.Length > 0 ? Array.ConvertAll(Guide(slotThresholds, AuthorityGuideBits), x => (ushort)x) : [];
        return new Layout(shares, areaThresholds, authorityShares, (slotThresholds, guide, slotAuthority, authorityArea),
            bandShares, bandThresholds, byAuthority, ageCells, units, unitArea, unitShare, bandClass, classBand, classShares);
    }

    /// <summary>
    /// The age word's cuts between runs of consecutive bands of one class, and each run's class: a
    /// person's class is then a count of cuts below the word (one compare for the shipped population,
    /// whose classes are under 16 and 16 or over), without finding the band itself.
    /// </summary>
    private static (CategoryCuts Cuts, byte[] Class, ulong FirstEnd) Segments(Layout layout)
    {
        var cuts = new List<ulong>();
        var classes = new List<byte>();
        int[] bandClass = layout.BandClass;
        for (int b = 0; b < bandClass.Length; b++)
        {
            if (b + 1 < bandClass.Length && bandClass[b + 1] == bandClass[b])
                continue;
            cuts.Add(layout.BandThresholds[b]); // the run ends with band b
            classes.Add((byte)bandClass[b]);
        }

        return cuts.Count == 0 ? (new CategoryCuts([1UL << 32]), [0], 1UL << 32) : (new CategoryCuts([.. cuts]), [.. classes], cuts[0]);
    }

    /// <summary>
    /// Classes of age bands that no group tells apart (the same declared odds ratio, or none, and
    /// the same side of 16 for a group of adults only): membership cells need one age level per
    /// class, not per band, so a population whose groups only exclude children has two (the shipped
    /// one: 361 authorities × 2 × 10 cells, not × 6). One class, band 0, when no group depends on age.
    /// </summary>
    private static (int[] BandClass, int[] ClassBand) AgeClasses(PopulationSpec spec)
    {
        int bands = spec.AgeBands.Length;
        if (bands == 0 || !spec.Groups.Any(g => g.DependsOnAge))
            return (new int[bands], [0]);
        var signatures = new List<object?[]>();
        var bandClass = new int[bands];
        var classBand = new List<int>();
        for (int b = 0; b < bands; b++)
        {
            AgeBand band = spec.AgeBands[b];
            object?[] signature = [.. spec.Groups.SelectMany(g => new object?[]
            {
                g.AdultOnly && band.From < PopulationSpec.AdultAge,
                g.AgeOddsRatios.FirstOrDefault(or => or.From == band.From && or.To == band.To)?.OddsRatio,
            })];
            int k = signatures.FindIndex(x => x.SequenceEqual(signature));
            if (k < 0)
            {
                k = signatures.Count;
                signatures.Add(signature);
                classBand.Add(b);
            }

            bandClass[b] = k;
        }

        return (bandClass, [.. classBand]);
    }

    /// <summary>
    /// A guide table (Chen and Asau 1974) over cumulative thresholds: for each value of the word's
    /// top <paramref name="bits"/> bits, the first category that can hold the word.
    /// </summary>
    private static int[] Guide(ulong[] thresholds, int bits)
    {
        var guide = new int[1 << bits];
        for (int top = 0, k = 0; top < guide.Length; top++)
        {
            while (k < thresholds.Length - 1 && ((ulong)top << (32 - bits)) >= thresholds[k])
                k++;
            guide[top] = k;
        }

        return guide;
    }

    /// <summary>Single years of age nested in the bands' slices of the age word (each band's years in proportion to their counts).</summary>
    private static (ulong[] Thresholds, byte[] Guide) SingleYears(PopulationSpec spec, ulong[] bandThresholds, int guideBits)
    {
        if (spec.SingleYearAges.IsDefaultOrEmpty || spec.AgeBands.IsDefaultOrEmpty)
            return ([], []);
        var thresholds = new ulong[PopulationSpec.OpenAge + 1];
        for (int b = 0; b < spec.AgeBands.Length; b++)
        {
            AgeBand band = spec.AgeBands[b];
            ulong low = b == 0 ? 0 : bandThresholds[b - 1], high = bandThresholds[b];
            int width = band.To - band.From + 1;
            double inBand = 0, cumulative = 0;
            for (int y = band.From; y <= band.To; y++)
                inBand += spec.SingleYearAges[y];
            for (int y = band.From; y <= band.To; y++)
            {
                cumulative += inBand > 0 ? spec.SingleYearAges[y] : 1; // an empty band: its years equally
                double fraction = cumulative / (inBand > 0 ? inBand : width);
                thresholds[y] = y == band.To ? high : low + (ulong)Math.Round(fraction * (high - low));
            }
        }

        return (thresholds, Guide(thresholds, guideBits).Select(y => (byte)y).ToArray());
    }

    /// <summary>[group][authority]: the expected share in the group of each authority's persons (its cells' mean over bands and deciles).</summary>
    private static double[][] ExpectationByAuthority(PopulationSpec spec, Layout layout, double[][] membership)
    {
        int authorities = spec.LocalAuthorities.Length, ageCells = layout.AgeCells;
        var result = new double[membership.Length][];
        for (int g = 0; g < membership.Length; g++)
        {
            result[g] = new double[authorities];
            for (int la = 0; la < authorities; la++)
            {
                int u = layout.CellsByAuthority ? la : layout.Authorities.Area[la];
                double sum = 0;
                for (int k = 0; k < ageCells; k++)
                {
                    double bandShare = ageCells > 1 ? layout.ClassShares[k] : 1;
                    for (int d = 0; d < 10; d++)
                        sum += bandShare * 0.1 * membership[g][(u * ageCells + k) * 10 + d];
                }

                result[g][la] = sum;
            }
        }

        return result;
    }

    /// <summary>[group][band]: the expected share in the group of each age band's persons.</summary>
    private static double[][] ExpectationByBand(PopulationSpec spec, Layout layout, double[][] membership, double[] cellWeight)
    {
        int bands = spec.AgeBands.Length, ageCells = layout.AgeCells;
        var result = new double[membership.Length][];
        for (int g = 0; g < membership.Length; g++)
        {
            result[g] = new double[bands];
            for (int b = 0; b < bands; b++)
            {
                double sum = 0, weight = 0;
                for (int u = 0; u < layout.Units; u++)
                {
                    for (int d = 0; d < 10; d++)
                    {
                        // Without age cells every band shares the cell: its expected share is the cell's.
                        int c = (u * ageCells + (ageCells > 1 ? layout.BandClass[b] : 0)) * 10 + d;
                        sum += cellWeight[c] * membership[g][c];
                        weight += cellWeight[c];
                    }
                }

                result[g][b] = weight > 0 ? sum / weight : 0;
            }
        }

        return result;
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

    /// <summary>expit(alpha + η_c) for every cell, four at a time where |alpha + η_c| ≤ 700 (the same bits as one at a time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: fully optimised at once, never run unoptimised (docs/performance.md, issue 26)
    private static double[] Probabilities(double alpha, double[] eta)
    {
        var q = new double[eta.Length];
        Vector256<double> a = Vector256.Create(alpha), limit = Vector256.Create(700.0);
        int c = 0;
        for (; c + 4 <= eta.Length; c += 4)
        {
            Vector256<double> x = a + Vector256.Create(eta, c);
            if (Vector256.LessThanOrEqualAll(Vector256.Abs(x), limit))
            {
                DeterministicMath.ExpitModerate(x).CopyTo(q, c);
                continue;
            }

            for (int j = c; j < c + 4; j++)
                q[j] = DeterministicMath.Expit(alpha + eta[j]);
        }

        for (; c < eta.Length; c++)
            q[c] = DeterministicMath.Expit(alpha + eta[c]);
        return q;
    }

    /// <summary>
    /// Finds alpha with M(alpha) = sum_c w_c [π_c s + (1 − π_c) expit(alpha + η_c)] = target: M is
    /// increasing, with slope sum_c w_c (1 − π_c) q_c (1 − q_c), so Newton's method, kept inside a
    /// bracket that every step narrows (a bisection step whenever Newton would leave it), converges
    /// in a handful of passes over the cells where bisection took about 47 (the cells are thousands
    /// with local authorities). An excluded cell (children, for a group of adults only) adds nothing.
    /// </summary>
    private static double SolveIntercept(double[] eta, bool[] excluded, double[] weight, double[]? parentP, double s, double target)
    {
        // Per cell: its weight (0 when excluded), the parent's share π (0 without a parent).
        int cells = eta.Length;
        var w = new double[cells];
        var pi = new double[cells];
        for (int c = 0; c < cells; c++)
        {
            w[c] = excluded[c] ? 0 : weight[c];
            pi[c] = parentP is null ? 0 : parentP[c];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: fully optimised at once, never run unoptimised (docs/performance.md, issue 26)
        (double Value, double Slope) Marginal(double alpha)
        {
            // Four cells a lane, summed lane by lane and the lanes in a fixed order: the same sums on
            // every machine. A cell whose log-odds leave ±700 takes the scalar Expit (the same value).
            Vector256<double> sum = Vector256<double>.Zero, slope = Vector256<double>.Zero;
            Vector256<double> a = Vector256.Create(alpha), share = Vector256.Create(s), one = Vector256.Create(1.0);
            int c = 0;
            for (; c + 4 <= cells; c += 4)
            {
                Vector256<double> x = a + Vector256.Create(eta, c);
                Vector256<double> q = Vector256.LessThanOrEqualAll(Vector256.Abs(x), Vector256.Create(700.0))
                    ? DeterministicMath.ExpitModerate(x)
                    : Vector256.Create(DeterministicMath.Expit(x[0]), DeterministicMath.Expit(x[1]), DeterministicMath.Expit(x[2]), DeterministicMath.Expit(x[3]));
                Vector256<double> wc = Vector256.Create(w, c), p = Vector256.Create(pi, c), free = one - p;
                sum += wc * (p * share + free * q);
                slope += wc * (free * (q * (one - q)));
            }

            double total = ((sum[0] + sum[1]) + sum[2]) + sum[3], gradient = ((slope[0] + slope[1]) + slope[2]) + slope[3];
            for (; c < cells; c++)
            {
                double q = DeterministicMath.Expit(alpha + eta[c]);
                total += w[c] * (pi[c] * s + (1 - pi[c]) * q);
                gradient += w[c] * ((1 - pi[c]) * (q * (1 - q)));
            }

            return (total, gradient);
        }

        // M at −∞ (the parent path alone) and at +∞: a target outside them cannot be met.
        double floor = 0, ceiling = 0;
        for (int c = 0; c < cells; c++)
        {
            floor += w[c] * (pi[c] * s);
            ceiling += w[c] * (pi[c] * s + (1 - pi[c]));
        }

        double lo = -60, hi = 60;
        if (floor >= target)
            return lo;
        if (ceiling <= target)
            return hi;
        // The solution lies within lo and hi unless the cells' log-odds are extreme: widen to where
        // the whole free mass (every cell at the extreme log-odds) would reach the target.
        double etaMin = double.PositiveInfinity, etaMax = double.NegativeInfinity;
        for (int c = 0; c < cells; c++)
        {
            if (w[c] > 0)
                (etaMin, etaMax) = (Math.Min(etaMin, eta[c]), Math.Max(etaMax, eta[c]));
        }

        double freeTarget = Math.Clamp((target - floor) / (ceiling - floor), 1e-300, 1 - 1e-16);
        double logit = DeterministicMath.Log(freeTarget / (1 - freeTarget));
        if (double.IsFinite(etaMin))
        {
            lo = Math.Min(lo, logit - etaMax - 1);
            hi = Math.Max(hi, logit - etaMin + 1);
        }

        // Start where the cells' weighted mean log-odds would give the target.
        double mean = 0, total = 0;
        for (int c = 0; c < eta.Length; c++)
        {
            mean += excluded[c] ? 0 : weight[c] * eta[c];
            total += excluded[c] ? 0 : weight[c];
        }

        double t = Math.Clamp(target, 1e-12, 1 - 1e-12);
        double alpha = Math.Clamp(DeterministicMath.Log(t / (1 - t)) - (total > 0 ? mean / total : 0), lo, hi);
        for (int i = 0; i < 200 && hi - lo > 1e-13; i++)
        {
            (double value, double slope) = Marginal(alpha);
            if (value < target)
                lo = alpha;
            else
                hi = alpha;
            double next = slope > 0 ? alpha - (value - target) / slope : double.NaN;
            if (!(next > lo && next < hi))
                next = 0.5 * (lo + hi);
            if (Math.Abs(next - alpha) <= 1e-14 * Math.Max(1, Math.Abs(alpha)))
                return next;
            alpha = next;
        }

        return alpha;
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
        if (_enrolment is not null)
            PlaceEnrolled(attributes, firstPerson, count);
        Span<byte> area = chunk.Area.AsSpan(0, count);
        Span<byte> decile = chunk.IncomeDecile.AsSpan(0, count);
        Span<float> income = chunk.IncomeStorage.AsSpan(0, count);
        Span<int> cell = chunk.CellStart.AsSpan(0, count);
        Span<ushort> unit = chunk.UnitStorage.AsSpan(0, count);
        Span<byte> ageClass = chunk.AgeClassStorage.AsSpan(0, count);
        bool hasIncome = _boundaries.Length == 9 && (wanted & PersonAttributes.Income) != 0;

        // The unit of each person's cell: the local authority when membership depends on it, else the area.
        bool authorities = _cellsByAuthority || (HasAuthorities && (wanted & PersonAttributes.LocalAuthority) != 0);
        if (authorities)
            Authorities(chunk, attributes, count);
        else
            Areas(attributes, area, unit, count);
        Cells(attributes, unit, decile, ageClass, cell);

        if ((wanted & PersonAttributes.Age) != 0 && _ageCategories.Categories > 0)
        {
            Span<byte> band = chunk.AgeBandStorage.AsSpan(0, count);
            CategoryCuts ages = _ageCategories;
            for (int i = 0; i < count; i++)
                band[i] = (byte)ages.Of(attributes[4 * i + 2]);
        }

        if (hasIncome)
            Incomes(attributes, decile, income, chunk.Scratch);
        else
            income.Clear();

        GenerateDemography(chunk, attributes, firstPerson, count, wanted);

        Memberships(chunk, firstPerson, count);

        // Last: each person's deciding group comes from the memberships just drawn.
        if (Spec.Attributes.Length > 0)
            Categoricals(chunk, firstPerson, count, wanted);
    }

    /// <summary>
    /// Whether groups without a parent are drawn four at a time (<see cref="Parentless"/>) or one
    /// pass per group. Both give the same persons; tests switch it to show that.
    /// </summary>
    internal static bool VectorMemberships { get; set; } = Vector256.IsHardwareAccelerated;

    /// <summary>Thresholds per cell: four groups share a random block, and four thresholds fill one 256-bit load.</summary>
    private static int StrideOf(int groups) => Math.Max(4, (groups + 3) & ~3);

    /// <summary>The group memberships of the chunk's persons, from their cells (see <see cref="Cells"/>).</summary>
    private void Memberships(PersonChunk chunk, long firstPerson, int count)
    {
        int groups = _groups;
        Span<int> cell = chunk.CellStart.AsSpan(0, count);
        Span<byte> ageClass = chunk.AgeClassStorage.AsSpan(0, count);
        Span<uint> mask = chunk.GroupMask.AsSpan(0, count);
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
        // is complete. A child's threshold is 0 in a group of adults only, and its parent path closed.
        mask.Clear();
        ref int cells = ref MemoryMarshal.GetReference(cell);
        ref uint masks = ref MemoryMarshal.GetReference(mask);
        ref byte classOf = ref MemoryMarshal.GetReference(ageClass);
        ref uint adult = ref MemoryMarshal.GetArrayDataReference(_classAdult);
        // The passes go over blocks of persons small enough that the block's threshold lines, read by
        // the first group's pass, are still in the L1 cache for the other groups' passes.
        bool vector = VectorMemberships;
        for (int start = 0; start < count; start += MembershipBlock)
        {
            int end = Math.Min(count, start + MembershipBlock);
            if (vector)
                Parentless(words, cell, mask, count, start, end);
            for (int g = 0; g < groups; g++)
            {
                // Indices are in range by construction (cell + g < cells × stride, i < count): no bounds checks here.
                ref uint w = ref Unsafe.Add(ref MemoryMarshal.GetReference(words), (g >> 2) * count * 4 + (g & 3));
                ref ulong thresholds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_thresholds), g);
                int parent = _parent[g];
                if (parent < 0 && vector)
                    continue;
                if (parent < 0)
                {
                    for (int i = start; i < end; i++)
                    {
                        ulong below = ((ulong)Unsafe.Add(ref w, 4 * i) - Unsafe.Add(ref thresholds, Unsafe.Add(ref cells, i))) >> 63;
                        Unsafe.Add(ref masks, i) |= (uint)below << g;
                    }

                    continue;
                }

                ulong parentThreshold = _parentThreshold[g];
                if (_childGate[g] == 1)
                {
                    for (int i = start; i < end; i++)
                    {
                        ref uint m = ref Unsafe.Add(ref masks, i);
                        ulong own = Unsafe.Add(ref thresholds, Unsafe.Add(ref cells, i));
                        ulong inParent = 0 - (ulong)((m >> parent) & 1); // all ones when in the parent group
                        ulong t = own ^ ((own ^ parentThreshold) & inParent);
                        m |= (uint)(((ulong)Unsafe.Add(ref w, 4 * i) - t) >> 63) << g;
                    }

                    continue;
                }

                for (int i = start; i < end; i++)
                {
                    ref uint m = ref Unsafe.Add(ref masks, i);
                    ulong own = Unsafe.Add(ref thresholds, Unsafe.Add(ref cells, i));
                    // Adults only: the parent path is open to adults alone (a child's own threshold is 0).
                    ulong inParent = 0 - (ulong)((m >> parent) & 1 & Unsafe.Add(ref adult, Unsafe.Add(ref classOf, i)));
                    ulong t = own ^ ((own ^ parentThreshold) & inParent);
                    m |= (uint)(((ulong)Unsafe.Add(ref w, 4 * i) - t) >> 63) << g;
                }
            }
        }
    }

    /// <summary>
    /// Every group without a parent for persons [start, end), four groups at a time: the four words of
    /// a person's random block against the four thresholds of its cell, w − t negative exactly when
    /// w &lt; t, so the four sign bits are the four memberships (the scalar passes' arithmetic, so the
    /// same persons). The bits of groups with a parent are left 0 for their own passes.
    /// </summary>
    private void Parentless(ReadOnlySpan<uint> words, ReadOnlySpan<int> cells, Span<uint> masks, int count, int start, int end)
    {
        int blocks = _stride / 4;
        uint keep = _parentless;
        ref uint w = ref MemoryMarshal.GetReference(words);
        ref ulong thresholds = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref int cellOf = ref MemoryMarshal.GetReference(cells);
        ref uint maskOf = ref MemoryMarshal.GetReference(masks);
        for (int i = start; i < end; i++)
        {
            uint m = 0;
            // In range by construction: a cell's first threshold + 4 blocks of 4 ≤ the table; the words of block k at 4i.
            ref ulong t = ref Unsafe.Add(ref thresholds, Unsafe.Add(ref cellOf, i));
            for (int k = 0; k < blocks; k++)
            {
                Vector128<uint> w4 = Vector128.LoadUnsafe(ref Unsafe.Add(ref w, k * count * 4 + 4 * i));
                Vector256<ulong> wide = Vector256.Create(Vector128.WidenLower(w4), Vector128.WidenUpper(w4));
                Vector256<ulong> below = wide - Vector256.LoadUnsafe(ref Unsafe.Add(ref t, 4 * k));
                m |= below.ExtractMostSignificantBits() << (4 * k);
            }

            Unsafe.Add(ref maskOf, i) = m & keep;
        }
    }

    /// <summary>
    /// Each person's income decile, class of ages and membership cell, whose first threshold is at
    /// ((unit × age classes + class) × 10 + decile) × stride. Its own method: inside a large one the
    /// JIT stops inlining the category counts, which costs more than the loop.
    /// </summary>
    private void Cells(ReadOnlySpan<uint> attributes, ReadOnlySpan<ushort> unit, Span<byte> decile, Span<byte> ageClass, Span<int> cell)
    {
        int ageCells = _ageCells, stride = _stride;
        if (ageCells > 1 && _segmentClass.Length == 2 && _firstSegmentEnd > 0)
        {
            // Two runs (the shipped population: under 16, and 16 or over): one compare, no table.
            ulong cut = _firstSegmentEnd; // > 0: see Segments
            int below = _segmentClass[0], above = _segmentClass[1];
            for (int i = 0; i < cell.Length; i++)
            {
                uint w2 = attributes[4 * i + 2];
                int d = (int)(((ulong)attributes[4 * i + 1] * 10) >> 32);
                int upper = (int)((cut - 1 - w2) >> 63); // 1 when w2 ≥ cut (cut ≥ 1)
                int k = below ^ ((below ^ above) & -upper);
                decile[i] = (byte)d;
                ageClass[i] = (byte)k;
                cell[i] = ((unit[i] * ageCells + k) * 10 + d) * stride;
            }

            return;
        }

        if (ageCells > 1)
        {
            CategoryCuts segments = _segmentCuts;
            ref byte segmentClass = ref MemoryMarshal.GetArrayDataReference(_segmentClass);
            for (int i = 0; i < cell.Length; i++)
            {
                int d = (int)(((ulong)attributes[4 * i + 1] * 10) >> 32); // decile = floor(10 u), u = w1 / 2^32
                int k = Unsafe.Add(ref segmentClass, segments.Of(attributes[4 * i + 2]));
                decile[i] = (byte)d;
                ageClass[i] = (byte)k;
                cell[i] = ((unit[i] * ageCells + k) * 10 + d) * stride;
            }

            return;
        }

        for (int i = 0; i < cell.Length; i++)
        {
            int d = (int)(((ulong)attributes[4 * i + 1] * 10) >> 32);
            decile[i] = (byte)d;
            cell[i] = (unit[i] * 10 + d) * stride;
        }
    }

    /// <summary>The area of each person from the first attribute word (no local authorities read or needed).</summary>
    private void Areas(ReadOnlySpan<uint> attributes, Span<byte> area, Span<ushort> unit, int count)
    {
        ulong[] areaThresholds = _areaThresholds;
        byte[] guide = _areaGuide;
        if (areaThresholds.Length <= 16)
        {
            // A branch-free count beats a search for a handful of areas.
            CategoryCuts categories = _areaCategories;
            for (int i = 0; i < count; i++)
            {
                int c = categories.Of(attributes[4 * i]);
                area[i] = (byte)c;
                unit[i] = (ushort)c;
            }

            return;
        }

        for (int i = 0; i < count; i++)
        {
            uint w0 = attributes[4 * i];
            int a = guide[w0 >> 24];
            while (a < areaThresholds.Length - 1 && w0 >= areaThresholds[a])
                a++;
            area[i] = (byte)a;
            unit[i] = (ushort)a;
        }
    }

    /// <summary>
    /// The local authority of each person from the same word as the area: the authorities cut their
    /// area's slice, so the area follows from the authority and is the one <see cref="Areas"/> gives.
    /// </summary>
    private void Authorities(PersonChunk chunk, ReadOnlySpan<uint> attributes, int count)
    {
        Span<byte> area = chunk.Area.AsSpan(0, count);
        Span<ushort> authority = chunk.LocalAuthorityStorage.AsSpan(0, count);
        ref ulong thresholds = ref MemoryMarshal.GetArrayDataReference(_authorityThresholds);
        ref ushort guide = ref MemoryMarshal.GetArrayDataReference(_authorityGuide);
        ref ushort slotAuthority = ref MemoryMarshal.GetArrayDataReference(_slotAuthority);
        ref byte areaOf = ref MemoryMarshal.GetArrayDataReference(_authorityArea);
        Span<ushort> unit = chunk.UnitStorage.AsSpan(0, count);
        bool byAuthority = _cellsByAuthority;
        for (int i = 0; i < count; i++)
        {
            uint w0 = attributes[4 * i];
            int slot = Unsafe.Add(ref guide, (int)(w0 >> (32 - AuthorityGuideBits)));
            // The last threshold is 2^32, above every word: the search stops within the table.
            while (w0 >= Unsafe.Add(ref thresholds, slot))
                slot++;
            ushort la = Unsafe.Add(ref slotAuthority, slot);
            authority[i] = la;
            byte a = Unsafe.Add(ref areaOf, la);
            area[i] = a;
            unit[i] = byAuthority ? la : a;
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
            ReadOnlySpan<byte> band = chunk.AgeBandStorage.AsSpan(0, count); // generated with the cells
            if (_yearThresholds.Length > 0)
            {
                // Single years nested in the bands' slices: the year's search starts at its guide entry.
                ref ulong thresholds = ref MemoryMarshal.GetArrayDataReference(_yearThresholds);
                byte[] guide = _yearGuide;
                int shift = _yearGuideShift;
                for (int i = 0; i < count; i++)
                {
                    uint w = attributes[4 * i + 2];
                    int year = guide[w >> shift];
                    while (w >= Unsafe.Add(ref thresholds, year))
                        year++;
                    age[i] = (byte)year;
                }
            }
            else
            {
                // b < bands by construction: read without bounds checks.
                ref ulong low = ref MemoryMarshal.GetArrayDataReference(_ageLow);
                ref double scale = ref MemoryMarshal.GetArrayDataReference(_ageScale);
                ref int from = ref MemoryMarshal.GetArrayDataReference(_ageFrom);
                ref int last = ref MemoryMarshal.GetArrayDataReference(_ageLast);
                for (int i = 0; i < count; i++)
                {
                    uint w = attributes[4 * i + 2];
                    int b = band[i];
                    // The year within the band: the word's position inside the band's slice, times its width.
                    int year = (int)((uint)(w - Unsafe.Add(ref low, b)) * Unsafe.Add(ref scale, b));
                    age[i] = (byte)(Unsafe.Add(ref from, b) + Math.Min(Unsafe.Add(ref last, b), year));
                }
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
