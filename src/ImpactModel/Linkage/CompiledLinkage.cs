using System.Collections.Immutable;
using ImpactModel.MonteCarlo;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Linkage;

/// <summary>
/// Integer cuts on 32-bit random words and the linker's weights for one field and one group mask.
/// A word w below <c>FromMissing</c> means the field is missing in the person's <c>from</c> record,
/// below <c>FromWrong</c> (and not missing) that it is present but wrong; likewise for the <c>to</c>
/// record. A candidate's word below <c>CandidateMissing</c> means the candidate's field is missing,
/// below <c>CandidateAgree</c> that it agrees by chance with the person's value. One 64-byte line.
/// </summary>
internal readonly record struct FieldCuts(
    ulong FromMissing,
    ulong FromWrong,
    ulong ToMissing,
    ulong ToWrong,
    ulong CandidateMissing,
    ulong CandidateAgree,
    double Agree,
    double Disagree);

/// <summary>
/// One linkage of a scenario compiled for one replicate: every parameter drawn once
/// (<see cref="ParameterSampler"/>), every by-group rate turned into a table indexed by the
/// person's group mask (<see cref="GroupValueTable"/>) and then into integer cuts on 32-bit random
/// words, so the per-person kernel <see cref="Link(long, ReadOnlySpan{uint}, Span{LinkOutcome}, WeightHistogram?)"/> does table reads and integer compares only.
/// </summary>
/// <remarks>
/// <para><b>The model</b> (docs/metrics.md, "Linkage", states it for users). A processed person has a
/// record in the <c>from</c> source (the caller passes only such persons, e.g. claimants) and, with
/// the <c>to</c> source's coverage for their groups, a record in the <c>to</c> source. Every record
/// field is, independently, missing with its source's <c>missing_rate</c>; when present it is wrong
/// with the source's <c>error_rate</c> (so P(wrong) = (1 − missing) · error). Both are the rates of
/// the person's groups, and both are properties of the record: the same words decide them in every
/// linkage that reads the record.</para>
/// <para><b>Own pair</b>: a field is missing when either record's field is missing (weight 0); it
/// agrees when both values are present and right; otherwise it disagrees. (Two wrong values never
/// agree by accident.)</para>
/// <para><b>Candidates</b>: the person's <c>from</c> record meets Poisson(<c>candidates_per_block</c>
/// of the person's groups) other persons' <c>to</c> records. For each candidate and field: missing
/// when the person's own <c>from</c> field is missing (the same record is compared with every
/// candidate) or, with the <c>to</c> source's missing rate, the candidate's; otherwise it agrees by
/// chance with <c>chance_agreement</c>. Both rates are those of the <b>person's</b> groups: who shares
/// a block with a person (and how often their values coincide) is a property of the person's
/// values — a common surname, a postcode shared by a hostel — not of the candidates' own
/// groups, which the model does not track. The candidate's field-level errors are absorbed in
/// <c>chance_agreement</c>.</para>
/// <para><b>Weights</b> (Fellegi and Sunter 1969, "A theory for record linkage", JASA 64): agreement
/// log2(m/u), disagreement log2((1 − m)/(1 − u)), missing 0, with m and u as the linker declares them
/// (clamped to [1e-12, 1 − 1e-12] so weights are finite). A field with <c>term_frequency: true</c>
/// scores an agreement as log2(m/ρ), ρ the chance agreement of the person's groups: the linker knows
/// how common the agreeing value is. A pair's weight is the sum over the fields in declaration
/// order (so equal patterns give bit-identical sums).</para>
/// <para><b>Decision</b>: the best-weighted record among the own record (if any) and the candidates is
/// chosen; ties are broken uniformly by a draw from the linkage stream (the table kernel draws the
/// tie's outcome directly: the own record wins with E[1/(1 + N) | N ≥ 1] for N tied candidates). If its weight w &gt; upper it
/// links; if lower ≤ w ≤ upper it goes to clerical review; if w &lt; lower nothing links. Review
/// decides the chosen pair correctly with probability <c>accuracy</c> (links it if it is the person's
/// own record, rejects it otherwise) and wrongly otherwise (rejects a true pair, links a false one).
/// With no <c>clerical_review</c> declared the band is left unlinked and not counted as reviewed.
/// A drawn lower threshold above the drawn upper is taken as the upper.</para>
/// <para><b>Exact method</b>: the same kernel with agreement weight 0, disagreement and missing −1, and
/// both thresholds −0.5: a record links exactly when every key field is present and agrees, the
/// band is empty, and several exact matches (own and chance ones) are a tie broken by the draw.
/// Exact fields declare no chance agreement in scenario files, so other persons' keys never agree
/// and exact linkage makes no false matches here; its error is missed matches.</para>
/// <para><b>Random streams</b> (none depends on the number or order of linkages, sources or other
/// fields): coverage, word 0 of draw 0 of <c>RngStream.Coverage(to-source index)</c>; a record field,
/// word 0 of draw 0 of <c>RngStream.FieldError(source index, field index in the source)</c>;
/// candidates, stream <c>LinkageCandidates</c> index = linkage index. With the tables (whenever
/// profiles × 4^fields ≤ <see cref="TableEntryLimit"/>; see the kernel file): draw 0 words 0–1 the
/// uniform inverted against the best candidate's CDF, word 2 the tie-break, word 3 the review;
/// draws 1 on only for the histogram's candidate weights. Without (the fallback kernel): draw 0
/// words 0–1 the Poisson uniform, word 2 the tie-break, word 3 the review; candidate j's field k is
/// word k mod 4 of draw 1 + 8j + k/4 (at most 32 fields). Either way, appending a field never moves
/// another field's record word.</para>
/// </remarks>
public sealed partial class CompiledLinkage
{
    /// <summary>Most compared fields: candidate j uses draws 1 + 8j … 8j + 8, four fields a draw.</summary>
    public const int MaxFields = 32;

    internal const int DrawsPerCandidate = 8;
    internal const double TwoTo32 = 4294967296.0;
    private const double ProbabilityFloor = 1e-12;

    /// <summary>[mask × FieldCount + field].</summary>
    internal readonly FieldCuts[] Cuts;

    /// <summary>[mask]: word 0 of the coverage draw below this means a record in the target source.</summary>
    internal readonly ulong[] CoverageCut;

    /// <summary>[mask]: mean number of candidates (Poisson).</summary>
    internal readonly double[] CandidateMean;

    /// <summary>[mask]: exp(−mean) by <see cref="DeterministicMath.Exp"/>, the start of the inversion.</summary>
    internal readonly double[] PoissonZero;

    /// <summary>[field]: weight of a missing comparison (0; −1 for exact linkage).</summary>
    internal readonly double[] MissingWeight;

    /// <summary>A review word below this decides correctly.</summary>
    internal readonly ulong ReviewCut;

    internal readonly RngKey CoverageKey;
    internal readonly RngKey CandidateKey;
    internal readonly RngKey[] FromFieldKeys;
    internal readonly RngKey[] ToFieldKeys;

    private CompiledLinkage(
        LinkageSpec spec, IReadOnlyList<string> groupIds, FieldCuts[] cuts, ulong[] coverageCut, double[] candidateMean,
        double[] missingWeight, double upper, double lower, double? accuracy, double reviewCost,
        RngKey coverageKey, RngKey candidateKey, RngKey[] fromKeys, RngKey[] toKeys, string? qualifier)
    {
        Id = spec.Id;
        From = spec.From;
        To = spec.To;
        Method = spec.Method;
        FieldIds = spec.Fields.Select(f => f.Field).ToImmutableArray();
        GroupIds = groupIds.ToImmutableArray();
        Cuts = cuts;
        CoverageCut = coverageCut;
        CandidateMean = candidateMean;
        PoissonZero = candidateMean.Select(m => DeterministicMath.Exp(-m)).ToArray();
        MissingWeight = missingWeight;
        UpperThreshold = upper;
        LowerThreshold = lower;
        HasClericalReview = accuracy is not null;
        ReviewAccuracy = accuracy ?? 0;
        ReviewCut = BernoulliThreshold.Cut(accuracy ?? 0);
        ReviewCostPerPair = reviewCost;
        CoverageKey = coverageKey;
        CandidateKey = candidateKey;
        FromFieldKeys = fromKeys;
        ToFieldKeys = toKeys;
        MetricQualifier = qualifier;

        double min = 0, max = 0;
        for (int f = 0; f < FieldCount; f++)
        {
            double lo = missingWeight[f], hi = missingWeight[f];
            for (int mask = 0; mask < MaskCount; mask++)
            {
                FieldCuts c = cuts[mask * FieldCount + f];
                lo = Math.Min(lo, Math.Min(c.Agree, c.Disagree));
                hi = Math.Max(hi, Math.Max(c.Agree, c.Disagree));
            }

            min += lo;
            max += hi;
        }

        MinWeight = min;
        MaxWeight = max;
        if (!TablesOff.Value)
            BuildTables(TableEntryLimit);
    }

    /// <summary>True within <see cref="WithoutTables"/>, on that flow only.</summary>
    private static readonly AsyncLocal<bool> TablesOff = new();

    /// <summary>
    /// Until the returned scope is disposed, linkages compiled on this flow build no tables (the
    /// fallback kernel's state, as past <see cref="TableEntryLimit"/>): for a compile that only looks at
    /// what the models read (<c>impact validate</c>'s warnings), where building them was a fifth of
    /// the command's time. The tables read no parameter; a linkage that links is compiled outside it.
    /// </summary>
    internal static TablesScope WithoutTables()
    {
        bool before = TablesOff.Value;
        TablesOff.Value = true;
        return new TablesScope(before);
    }

    /// <summary>Restores whether tables are built when disposed.</summary>
    internal readonly struct TablesScope(bool before) : IDisposable
    {
        public void Dispose() => TablesOff.Value = before;
    }

    /// <summary>The linkage id.</summary>
    public string Id { get; }

    /// <summary>The source whose records are linked (every processed person has a record there).</summary>
    public string From { get; }

    /// <summary>The source linked to; coverage is this source's.</summary>
    public string To { get; }

    /// <summary>Exact or probabilistic.</summary>
    public LinkageMethod Method { get; }

    /// <summary>The compared fields in declaration order.</summary>
    public ImmutableArray<string> FieldIds { get; }

    /// <summary>Number of compared fields.</summary>
    public int FieldCount => FieldIds.Length;

    /// <summary>The population's groups; bit g of a group mask is <c>GroupIds[g]</c>.</summary>
    public ImmutableArray<string> GroupIds { get; }

    /// <summary>Number of group masks the tables hold: 2^groups.</summary>
    public int MaskCount => CoverageCut.Length;

    /// <summary>Upper threshold in bits (drawn): a best pair with a weight above it links.</summary>
    public double UpperThreshold { get; }

    /// <summary>Lower threshold in bits (drawn, at most the upper): below it nothing links.</summary>
    public double LowerThreshold { get; }

    /// <summary>Whether pairs between the thresholds go to clerical review.</summary>
    public bool HasClericalReview { get; }

    /// <summary>Drawn accuracy of clerical review, in [0, 1] (0 without review).</summary>
    public double ReviewAccuracy { get; }

    /// <summary>Drawn cost of reviewing one pair, GBP (0 without review).</summary>
    public double ReviewCostPerPair { get; }

    /// <summary>The qualifier of this linkage's own metric names (<see cref="QualifierOf"/>).</summary>
    public string? MetricQualifier { get; }

    /// <summary>
    /// The qualifier of the metrics of one linkage among the scenario's: none when it links to the
    /// only target source; the target source id when the scenario links to several (e.g.
    /// <c>link_recall.earnings</c>); the linkage's own id when another linkage has the same target
    /// (two ways of linking the same records, e.g. with and without the NINo), so each keeps its own series.
    /// </summary>
    public static string? QualifierOf(Scenario scenario, LinkageSpec spec)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(spec);
        if (scenario.Linkages.Count(l => l.To == spec.To) > 1)
            return spec.Id;
        return TargetQualifier(scenario, spec);
    }

    /// <summary>The target source id when the scenario links to more than one source, else null: the qualifier of a strand's matching metrics, whichever of a target's linkages a variant uses.</summary>
    public static string? TargetQualifier(Scenario scenario, LinkageSpec spec)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(spec);
        return scenario.Linkages.Select(l => l.To).Distinct(StringComparer.Ordinal).Count() > 1 ? spec.To : null;
    }

    /// <summary>Lowest possible pair weight in bits (for histogram ranges).</summary>
    public double MinWeight { get; }

    /// <summary>Highest possible pair weight in bits.</summary>
    public double MaxWeight { get; }

    /// <summary>Agreement weight of a field for a person with the group mask, in bits.</summary>
    public double AgreementWeight(int field, uint groupMask) => Cuts[(int)groupMask * FieldCount + field].Agree;

    /// <summary>Disagreement weight of a field for a person with the group mask, in bits.</summary>
    public double DisagreementWeight(int field, uint groupMask) => Cuts[(int)groupMask * FieldCount + field].Disagree;

    /// <summary>Weight of a missing comparison of a field: 0 (−1 for exact linkage, where missing fails the key).</summary>
    public double MissingComparisonWeight(int field) => MissingWeight[field];

    /// <summary>Mean number of candidates for a person with the group mask.</summary>
    public double CandidatesPerBlock(uint groupMask) => CandidateMean[groupMask];

    /// <summary>Realised probability of a record in the target source for the group mask (the cut / 2^32).</summary>
    public double Coverage(uint groupMask) => CoverageCut[groupMask] / TwoTo32;

    /// <summary>A histogram spanning every possible weight of this linkage.</summary>
    public WeightHistogram CreateHistogram(int bins = 64) => new(MinWeight, MaxWeight, bins);

    /// <summary>
    /// Compiles <paramref name="spec"/> (a linkage of <paramref name="scenario"/>) for one replicate.
    /// </summary>
    /// <param name="scenario">The scenario that declares the linkage and its data sources.</param>
    /// <param name="spec">The linkage; found in the scenario by id to number its random stream.</param>
    /// <param name="groupIds">The population's groups in declaration order (bit g of a mask is group g).</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="replicate">The replicate (parameters are drawn for it).</param>
    /// <param name="resolve">A variant's parameter in place of the declared one (its override), or null for the parameters as declared.</param>
    public static CompiledLinkage Compile(Scenario scenario, LinkageSpec spec, IReadOnlyList<string> groupIds, ulong seed, int replicate,
        Func<Parameter, Parameter>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(groupIds);
        int fromIndex = IndexOf(scenario.DataSources, s => s.Id == spec.From, "data source", spec.From);
        int toIndex = IndexOf(scenario.DataSources, s => s.Id == spec.To, "data source", spec.To);
        int linkIndex = IndexOf(scenario.Linkages, l => l.Id == spec.Id, "linkage", spec.Id);
        if (spec.Fields.Length is 0 or > MaxFields)
            throw new ArgumentException($"a linkage compares 1 to {MaxFields} fields; '{spec.Id}' has {spec.Fields.Length}", nameof(spec));
        DataSourceSpec from = scenario.DataSources[fromIndex], to = scenario.DataSources[toIndex];
        bool exact = spec.Method == LinkageMethod.Exact;

        double Draw(Parameter p) => ParameterSampler.Draw(resolve is null ? p : resolve(p), seed, replicate);
        double[] Table(GroupValues v, bool probability) => GroupValueTable.Build(v, groupIds, Draw, probability);

        int masks = 1 << groupIds.Count, fields = spec.Fields.Length;
        double[] coverage = Table(to.Coverage, true);
        double[] mean = Table(spec.CandidatesPerBlock, false);
        for (int k = 0; k < mean.Length; k++)
        {
            if (!(mean[k] >= 0))
                throw new ArgumentException($"candidates_per_block of '{spec.Id}' is {mean[k]}; it lies in [0, {Philox.PoissonMeanLimit}]", nameof(spec));
            // The loader holds the declared combination of a by-group mean within the limit; a draw
            // spread by its grade can carry a combination past it, which is then held at the limit.
            mean[k] = Math.Min(mean[k], Philox.PoissonMeanLimit);
        }

        var cuts = new FieldCuts[masks * fields];
        var missingWeight = new double[fields];
        var fromKeys = new RngKey[fields];
        var toKeys = new RngKey[fields];
        for (int f = 0; f < fields; f++)
        {
            LinkFieldSpec lf = spec.Fields[f];
            int ff = IndexOf(from.Fields, x => x.Id == lf.Field, $"field of '{from.Id}'", lf.Field);
            int tf = IndexOf(to.Fields, x => x.Id == lf.Field, $"field of '{to.Id}'", lf.Field);
            fromKeys[f] = RngKey.From(seed, replicate, RngStream.FieldError(fromIndex, ff));
            toKeys[f] = RngKey.From(seed, replicate, RngStream.FieldError(toIndex, tf));
            double[] fromError = Table(from.Fields[ff].ErrorRate, true), fromMissing = Table(from.Fields[ff].MissingRate, true);
            double[] toError = Table(to.Fields[tf].ErrorRate, true), toMissing = Table(to.Fields[tf].MissingRate, true);

            double m = lf.M is null ? 1 : Clamp(Draw(lf.M));
            double u = lf.U is null ? 0 : Clamp(Draw(lf.U));
            double[] chance = lf.ChanceAgreement is { } ca ? Table(ca, true) : Enumerable.Repeat(lf.U is null ? 0 : Draw(lf.U), masks).ToArray();
            missingWeight[f] = exact ? -1 : 0;
            double disagree = exact ? -1 : DeterministicMath.Log2((1 - m) / (1 - u));
            for (int mask = 0; mask < masks; mask++)
            {
                double agree = exact ? 0 : DeterministicMath.Log2(m / (lf.TermFrequencyAdjusted ? Clamp(chance[mask]) : u));
                double fm = fromMissing[mask], tm = toMissing[mask];
                ulong fromMiss = BernoulliThreshold.Cut(fm), toMiss = BernoulliThreshold.Cut(tm);
                cuts[mask * fields + f] = new FieldCuts(
                    fromMiss,
                    Math.Max(fromMiss, BernoulliThreshold.Cut(fm + (1 - fm) * fromError[mask])),
                    toMiss,
                    Math.Max(toMiss, BernoulliThreshold.Cut(tm + (1 - tm) * toError[mask])),
                    toMiss,
                    Math.Max(toMiss, BernoulliThreshold.Cut(tm + (1 - tm) * chance[mask])),
                    agree,
                    disagree);
            }
        }

        double upper = exact ? -0.5 : Draw(spec.UpperThreshold ?? throw new ArgumentException($"probabilistic linkage '{spec.Id}' needs an upper threshold", nameof(spec)));
        double lower = exact ? -0.5 : Draw(spec.LowerThreshold ?? throw new ArgumentException($"probabilistic linkage '{spec.Id}' needs a lower threshold", nameof(spec)));
        lower = Math.Min(lower, upper);
        double? accuracy = !exact && spec.ClericalReview is { } review ? Draw(review.Accuracy) : null;
        double reviewCost = !exact && spec.ClericalReview is { } r ? Draw(r.CostPerPair) : 0;

        return new CompiledLinkage(
            spec, groupIds, cuts, coverage.Select(BernoulliThreshold.Cut).ToArray(), mean, missingWeight, upper, lower, accuracy, reviewCost,
            RngKey.From(seed, replicate, RngStream.Coverage(toIndex)),
            RngKey.From(seed, replicate, RngStream.Of(RngStreamKind.LinkageCandidates, linkIndex)),
            fromKeys, toKeys, QualifierOf(scenario, spec));
    }

    /// <summary>round(p · 2^32), clamped to [0, 2^32]: a word below it is an event of probability cut / 2^32.</summary>

    private static double Clamp(double p) => Math.Clamp(p, ProbabilityFloor, 1 - ProbabilityFloor);

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> match, string what, string id)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (match(items[i]))
                return i;
        }

        throw new ArgumentException($"no {what} '{id}' in the scenario", nameof(items));
    }
}
