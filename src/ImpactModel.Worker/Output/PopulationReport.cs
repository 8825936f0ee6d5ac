using System.Text.Json.Serialization;
using ImpactModel.Population;
using ImpactModel.Reporting;

namespace ImpactModel.Worker.Output;

/// <summary>
/// The one JSON object <c>impact describe --json</c> writes: the realised population and linkage
/// next to what the scenario declared. A pure function of the inputs (no timings, dates or paths).
/// </summary>
/// <param name="Scenario">The scenario's name (a population file's stem for a population file).</param>
/// <param name="Strand">The strand id; null for a population file.</param>
/// <param name="Seed">The seed, as text (see <see cref="RunManifest.Seed"/>).</param>
/// <param name="Replicate">The replicate described.</param>
/// <param name="DeclaredPopulation">Persons the scenario declares.</param>
/// <param name="SimulatedPopulation">Persons generated.</param>
/// <param name="Rest">Persons in no peripheral group.</param>
/// <param name="Groups">Prevalence of each peripheral group.</param>
/// <param name="Areas">Share of persons in each area.</param>
/// <param name="Overlaps">Share of the first group also in the second.</param>
/// <param name="IncomeDeciles">Share of persons below each declared decile boundary.</param>
/// <param name="AgeBands">Share of persons in each age band.</param>
/// <param name="Sex">Share of persons who are female.</param>
/// <param name="HouseholdSizes">Share of persons in households of each size.</param>
/// <param name="Linkage">Each linkage, simulated next to the calculator's expectation.</param>
public sealed record PopulationReport(
    string Scenario,
    string? Strand,
    string Seed,
    int Replicate,
    long DeclaredPopulation,
    long SimulatedPopulation,
    long Rest,
    IReadOnlyList<PrevalenceFigure> Groups,
    IReadOnlyList<ShareFigure> Areas,
    IReadOnlyList<ShareFigure> Overlaps,
    IReadOnlyList<ShareBelowFigure> IncomeDeciles,
    IReadOnlyList<ShareFigure> AgeBands,
    IReadOnlyList<ShareFigure> Sex,
    IReadOnlyList<ShareFigure> HouseholdSizes,
    IReadOnlyList<LinkageReport> Linkage)
{
    /// <summary>Each local authority's share of persons (when the population declares them).</summary>
    public IReadOnlyList<ShareFigure> LocalAuthorities { get; init; } = [];

    /// <summary>Each age-dependent group's prevalence in each age band ("group/from-to"), against the model's expected value.</summary>
    public IReadOnlyList<ShareFigure> GroupsByAgeBand { get; init; } = [];

    /// <summary>For each group, how its prevalence varies between local authorities, and the ICC.</summary>
    public IReadOnlyList<AuthorityClustering> Clustering { get; init; } = [];

    /// <summary>For each group of adults only, its members under 16 (0).</summary>
    public IReadOnlyList<AdultOnlyCheck> AdultOnly { get; init; } = [];
}

// Three shapes of one figure: the quantity is part of each key (declared_prevalence,
// declared_share, declared_share_below), so each is its own record rather than a renamed copy.

/// <summary>A group's prevalence: declared, drawn for the replicate, realised, with its standard error.</summary>
/// <param name="Name">Group id.</param>
/// <param name="Label">The scenario's label, if any.</param>
/// <param name="DeclaredPrevalence">As declared (a distribution's mean).</param>
/// <param name="DrawnPrevalence">Drawn for this replicate.</param>
/// <param name="RealisedPrevalence">Share of generated persons.</param>
/// <param name="StandardError">Standard error of the realised value.</param>
/// <param name="Z">(realised − declared) / standard error.</param>
/// <param name="Count">Persons counted.</param>
/// <param name="Denominator">Persons it is a share of.</param>
public sealed record PrevalenceFigure(string Name, string? Label, double DeclaredPrevalence, double DrawnPrevalence,
    double RealisedPrevalence, double StandardError, double Z, long Count, long Denominator)
{
    /// <summary>The JSON shape of <paramref name="f"/>.</summary>
    public static PrevalenceFigure From(DescribedFigure f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.Name, f.Label, f.Declared, f.Drawn, f.Realised, f.StandardError, f.Z, f.Count, f.Denominator);
    }
}

/// <summary>A share (of an area, an overlap, an age band…), as <see cref="PrevalenceFigure"/>.</summary>
/// <param name="Name">Id of what is counted.</param>
/// <param name="Label">The scenario's label, if any.</param>
/// <param name="DeclaredShare">As declared.</param>
/// <param name="DrawnShare">Drawn for this replicate.</param>
/// <param name="RealisedShare">Share of generated persons.</param>
/// <param name="StandardError">Standard error of the realised value.</param>
/// <param name="Z">(realised − declared) / standard error.</param>
/// <param name="Count">Persons counted.</param>
/// <param name="Denominator">Persons it is a share of.</param>
public sealed record ShareFigure(string Name, string? Label, double DeclaredShare, double DrawnShare,
    double RealisedShare, double StandardError, double Z, long Count, long Denominator)
{
    /// <summary>The JSON shape of <paramref name="f"/>.</summary>
    public static ShareFigure From(DescribedFigure f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.Name, f.Label, f.Declared, f.Drawn, f.Realised, f.StandardError, f.Z, f.Count, f.Denominator);
    }
}

/// <summary>The share of persons below an income decile boundary, as <see cref="PrevalenceFigure"/>.</summary>
/// <param name="Name">The decile.</param>
/// <param name="Label">The scenario's label, if any.</param>
/// <param name="DeclaredShareBelow">As declared.</param>
/// <param name="DrawnShareBelow">Drawn for this replicate.</param>
/// <param name="RealisedShareBelow">Share of generated persons.</param>
/// <param name="StandardError">Standard error of the realised value.</param>
/// <param name="Z">(realised − declared) / standard error.</param>
/// <param name="Count">Persons counted.</param>
/// <param name="Denominator">Persons it is a share of.</param>
public sealed record ShareBelowFigure(string Name, string? Label, double DeclaredShareBelow, double DrawnShareBelow,
    double RealisedShareBelow, double StandardError, double Z, long Count, long Denominator)
{
    /// <summary>The JSON shape of <paramref name="f"/>.</summary>
    public static ShareBelowFigure From(DescribedFigure f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.Name, f.Label, f.Declared, f.Drawn, f.Realised, f.StandardError, f.Z, f.Count, f.Denominator);
    }
}

/// <summary>One linkage of the scenario, by group.</summary>
/// <param name="Id">Linkage id.</param>
/// <param name="From">Data source linked from.</param>
/// <param name="To">Data source linked to.</param>
/// <param name="SimulatedPersons">Persons simulated for the linkage figures.</param>
/// <param name="Groups">One entry per group.</param>
public sealed record LinkageReport(string Id, string From, string To, long SimulatedPersons, IReadOnlyList<LinkageGroupReport> Groups);

/// <summary>
/// One group of a <see cref="LinkageReport"/>: its name, the persons processed, then one object per
/// linkage metric keyed by the metric's name (<c>"link_recall": {…}</c>). The metrics are keys,
/// not a list, because readers look them up by name.
/// </summary>
/// <param name="Name">Group id, <c>all</c> or <c>rest</c>.</param>
/// <param name="Processed">Persons processed.</param>
public sealed record LinkageGroupReport(string Name, long Processed)
{
    /// <summary>Each metric's figures (<see cref="LinkageRateReport"/>), written after the fixed keys in the order added.</summary>
    [JsonExtensionData]
    public OrderedDictionary<string, object> Rates { get; } = new(StringComparer.Ordinal);
}

/// <summary>One linkage rate, simulated and expected; null where undefined.</summary>
/// <param name="Simulated">Simulated rate.</param>
/// <param name="StandardError">Its binomial standard error.</param>
/// <param name="Expected">The calculator's expectation.</param>
/// <param name="Denominator">Persons the rate is of.</param>
public sealed record LinkageRateReport(double? Simulated, double? StandardError, double? Expected, long Denominator);
