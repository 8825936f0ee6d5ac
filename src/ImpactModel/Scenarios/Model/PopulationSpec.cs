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

    /// <summary>
    /// The local authorities within the areas (each names its area); empty when not declared. A
    /// person's local authority is drawn within their area in proportion to the populations here,
    /// so the areas' shares are exactly the declared ones.
    /// </summary>
    public ImmutableArray<LocalAuthoritySpec> LocalAuthorities { get; init; } = [];

    /// <summary>Where the local authorities' populations come from.</summary>
    public Evidence LocalAuthoritiesEvidence { get; init; } = Evidence.None;

    /// <summary>Standard deviation, on the logit scale, of local-authority random effects (drawn per authority and replicate); 0 when not declared.</summary>
    public Parameter? LocalAuthorityVariation { get; init; }

    /// <summary>
    /// Persons by single year of age 0, 1, ... 89 and 90 (meaning 90 or over), when declared: within
    /// each declared age band a person's year is drawn in proportion to these counts.
    /// </summary>
    public ImmutableArray<long> SingleYearAges { get; init; } = [];

    /// <summary>Where the single-year counts come from.</summary>
    public Evidence SingleYearAgesEvidence { get; init; } = Evidence.None;

    /// <summary>The oldest single year of age: 90 stands for 90 or over (the ONS convention, 91 levels).</summary>
    public const int OpenAge = 90;

    /// <summary>Persons of this age and over are adults for <see cref="GroupSpec.AdultOnly"/>.</summary>
    public const int AdultAge = 16;

    /// <summary>
    /// Categorical person attributes (quasi-identifiers such as the type of accommodation) whose
    /// distribution depends on group membership, in declaration order; empty when none are declared.
    /// </summary>
    public ImmutableArray<CategoricalAttributeSpec> Attributes { get; init; } = [];

    /// <summary>The most categorical attributes a population may declare (a person chunk holds this many).</summary>
    public const int MaxAttributes = 8;

    /// <summary>The most categories of one attribute (a person's category is a byte).</summary>
    public const int MaxCategories = 255;

    /// <summary>Ids an attribute may not take: the engine's own quasi-identifiers.</summary>
    public static readonly IReadOnlyList<string> ReservedAttributeIds = ["age", "sex", "area", "income", "household-size", "local-authority"];
}

/// <summary>
/// A categorical person attribute: its categories with their marginal shares over the whole
/// population, and the shares among the members of some groups. A person's category is drawn from
/// the distribution of the first group in <see cref="ByGroup"/> they belong to; persons in none of
/// them draw from the rest distribution, solved per replicate so that the marginal shares hold.
/// </summary>
public sealed record CategoricalAttributeSpec(
    string Id,
    string? Name,
    string? Description,
    ImmutableArray<AttributeCategory> Categories,
    ImmutableArray<GroupCategoryShares> ByGroup,
    SourcePosition Position);

/// <summary>A category of an attribute and its share of the whole population.</summary>
public sealed record AttributeCategory(string Id, Parameter Share, SourcePosition Position);

/// <summary>
/// The shares of some categories among the members of <see cref="Group"/> (summing to at most 1);
/// the categories not listed share the remainder in proportion to their marginal shares.
/// </summary>
public sealed record GroupCategoryShares(string Group, ImmutableArray<CategoryShare> Shares, SourcePosition Position);

/// <summary>The share of <see cref="Category"/> among a group's members.</summary>
public sealed record CategoryShare(string Category, Parameter Share, SourcePosition Position);

/// <summary>A local authority: its id (the ONS code in lower case), name, area and population.</summary>
public sealed record LocalAuthoritySpec(string Id, string Name, string Area, long Population, SourcePosition Position);

/// <summary>A fixed difference in a group's odds of membership in one declared age band.</summary>
public sealed record AgeOddsRatio(int From, int To, Parameter OddsRatio);

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
    SourcePosition Position)
{
    /// <summary>This group's own sd of local-authority effects on the logit scale; null: the population's.</summary>
    public Parameter? LocalAuthorityVariation { get; init; }

    /// <summary>Odds ratios by declared age band (bands not listed: 1).</summary>
    public ImmutableArray<AgeOddsRatio> AgeOddsRatios { get; init; } = [];

    /// <summary>
    /// No member under <see cref="PopulationSpec.AdultAge"/>; the prevalence is then the share of
    /// adults (persons aged 16 and over) in the group, the basis adult surveys report.
    /// </summary>
    public bool AdultOnly { get; init; }

    /// <summary>True when membership depends on age (age odds ratios, or adults only).</summary>
    public bool DependsOnAge => AdultOnly || !AgeOddsRatios.IsDefaultOrEmpty;
}

/// <summary>A fixed difference in a group's odds of membership in one area or local authority (by its id).</summary>
public sealed record AreaOddsRatio(string Area, Parameter OddsRatio);

/// <summary>The share of this group's members who are also in group <see cref="With"/>.</summary>
public sealed record GroupOverlap(string With, Parameter Share, SourcePosition Position);
