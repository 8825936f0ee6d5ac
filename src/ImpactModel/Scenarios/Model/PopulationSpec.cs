using System.Collections.Immutable;
using ImpactModel.Scenarios.Yaml;

namespace ImpactModel.Scenarios.Model;

/// <summary>
/// The population a scenario is simulated over: its declared size, areas and peripheral groups.
/// May come from a shared file (<see cref="File"/>) that several scenarios reference, so that
/// person 1234 is the same person in every strand.
/// </summary>
public sealed record PopulationSpec(
    string File,
    string? Name,
    string? Description,
    long Size,
    Evidence SizeEvidence,
    string AreaLevel,
    ImmutableArray<AreaSpec> Areas,
    Parameter AreaVariation,
    IncomeSpec? Income,
    ImmutableArray<GroupSpec> Groups)
{
    /// <summary>Age bands (whole years, inclusive) and their shares; empty when the population declares no ages.</summary>
    public ImmutableArray<AgeBand> AgeBands { get; init; } = [];

    /// <summary>Share of persons who are female; null when not declared.</summary>
    public Parameter? FemaleShare { get; init; }

    /// <summary>Share of persons living in households of each size (the last size means "this many or more").</summary>
    public ImmutableArray<HouseholdSizeShare> HouseholdSizes { get; init; } = [];
}

/// <summary>Ages From..To (whole years, inclusive) and the share of persons in the band.</summary>
public sealed record AgeBand(int From, int To, Parameter Share);

/// <summary>The share of persons living in households of <see cref="Size"/> persons.</summary>
public sealed record HouseholdSizeShare(int Size, Parameter Share);

/// <summary>An area (a region or local authority) and its share of the population.</summary>
public sealed record AreaSpec(string Id, string? Name, Parameter Share, SourcePosition Position);

/// <summary>
/// Income deciles: the 9 boundaries (GBP per year) below which 10%, 20%, ... 90% of persons fall.
/// </summary>
public sealed record IncomeSpec(string Measure, ImmutableArray<double> Deciles, Evidence Evidence, SourcePosition Position);

/// <summary>
/// A peripheral group: its marginal prevalence (the share of the whole population in it,
/// whatever the area and income dependence do around it), how it varies with income and area,
/// and its declared overlaps with other groups.
/// </summary>
public sealed record GroupSpec(
    string Id,
    string? Name,
    string? Description,
    Parameter Prevalence,
    Parameter IncomeGradient,
    Parameter? AreaVariation,
    ImmutableArray<AreaOddsRatio> AreaOddsRatios,
    ImmutableArray<GroupOverlap> Overlaps,
    SourcePosition Position);

/// <summary>A fixed difference in a group's odds of membership in one area.</summary>
public sealed record AreaOddsRatio(string Area, Parameter OddsRatio);

/// <summary>The share of this group's members who are also in group <see cref="With"/>.</summary>
public sealed record GroupOverlap(string With, Parameter Share, SourcePosition Position);
