using ImpactModel.Scenarios.Model;

namespace ImpactModel.Strands.Research;

/// <summary>Which person attribute a quasi-identifier's level reads.</summary>
internal enum LevelSource
{
    /// <summary>Not released: every person has the one value 0.</summary>
    None,

    /// <summary>Age in bands of <see cref="ReleaseLevel.Width"/> years, the last band open (90 or over for single years).</summary>
    Age,

    /// <summary>Sex.</summary>
    Sex,

    /// <summary>The population's local authority.</summary>
    LocalAuthority,

    /// <summary>The population's area (its <c>area_level</c>, e.g. the ITL1 region).</summary>
    Area,

    /// <summary>A categorical attribute the population declares (its index in <see cref="ReleaseLevel.Attribute"/>).</summary>
    Categorical,
}

/// <summary>A quasi-identifier at one level of detail: what it reads and its number of distinct values.</summary>
/// <param name="Categories">Distinct values (codes 0 … Categories − 1).</param>
/// <param name="Source">The attribute read.</param>
/// <param name="Width">For age: years per band.</param>
/// <param name="Attribute">For a categorical attribute: its index in the population's declaration order.</param>
internal sealed record ReleaseLevel(int Categories, LevelSource Source, int Width = 1, int Attribute = -1)
{
    /// <summary>The code of a person's value at this level.</summary>
    public int Code(int age, bool female, int localAuthority, int area, int category) => Source switch
    {
        LevelSource.Age => Math.Min(age / Width, Categories - 1),
        LevelSource.Sex => female ? 1 : 0,
        LevelSource.LocalAuthority => localAuthority,
        LevelSource.Area => area,
        LevelSource.Categorical => category,
        _ => 0,
    };
}

/// <summary>
/// The quasi-identifiers the engine can release and the levels of detail it knows for each
/// (docs/scenario-format.md, "Research and statistics"): <c>age</c> by <c>year</c> (0 … 89 and 90 or
/// over: 91), <c>five-year</c> (19) or <c>ten-year</c> (10) bands; <c>sex</c> (2); <c>area</c> by
/// <c>local-authority</c> or the population's own area level (e.g. <c>itl1-region</c>); each
/// categorical attribute the population declares, by its categories. Any quasi-identifier may also
/// be given a level of one value, which releases nothing of it. The number of distinct values a
/// scenario declares for a level must be the population's: a mismatch is an error at the level.
/// </summary>
internal static class ReleaseLevels
{
    public const string Age = "age";
    public const string Sex = "sex";
    public const string Area = "area";

    /// <summary>The quasi-identifier ids the population allows.</summary>
    public static IReadOnlyList<string> Identifiers(PopulationSpec population) =>
        [Age, Sex, Area, .. population.Attributes.Select(a => a.Id)];

    public static bool Known(PopulationSpec population, string qi) => Identifiers(population).Contains(qi, StringComparer.Ordinal);

    /// <summary>The level <paramref name="level"/> of <paramref name="qi"/> declared with <paramref name="categories"/> values, or null when the engine does not know it.</summary>
    public static ReleaseLevel? Of(PopulationSpec population, string qi, string level, long categories)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (categories == 1)
            return new ReleaseLevel(1, LevelSource.None);
        return Expected(population, qi, level) is { } expected && expected.Categories == categories ? expected : null;
    }

    /// <summary>Why <paramref name="level"/> of <paramref name="qi"/> cannot be released from this population; null when it can.</summary>
    public static string? Problem(PopulationSpec population, string qi, string level, long categories)
    {
        ArgumentNullException.ThrowIfNull(population);
        if (categories == 1 || !Known(population, qi))
            return null; // one value releases nothing; an unknown quasi-identifier is reported at its id
        if (Missing(population, qi) is { } missing)
            return $"quasi-identifier '{qi}' cannot be released at '{level}': the population declares no {missing} (give the level 1 value to release nothing of it)";
        if (Expected(population, qi, level) is not { } expected)
            return $"the engine knows no level '{level}' of quasi-identifier '{qi}' (known: {string.Join(", ", LevelIds(population, qi))}; or a level of 1 value, which releases nothing)";
        return expected.Categories == categories
            ? null
            : $"level '{level}' of quasi-identifier '{qi}' has {expected.Categories:N0} distinct values in this population, not {categories:N0}";
    }

    /// <summary>What the population lacks for <paramref name="qi"/> to be released at all, or null.</summary>
    private static string? Missing(PopulationSpec population, string qi) => qi switch
    {
        Age when population.AgeBands.IsEmpty => "ages ('age:' bands)",
        Sex when population.FemaleShare is null => "sex ('female_share:')",
        _ => null,
    };

    private static IEnumerable<string> LevelIds(PopulationSpec population, string qi) => qi switch
    {
        Age => ["year", "five-year", "ten-year"],
        Sex => ["sex"],
        Area => new[] { population.LocalAuthorities.IsEmpty ? null : "local-authority", population.AreaLevel, population.AreaLevel == "local-authority" ? null : "region" }
            .OfType<string>().Distinct(StringComparer.Ordinal),
        _ => ["any id, with the attribute's number of categories"],
    };

    private static ReleaseLevel? Expected(PopulationSpec population, string qi, string level)
    {
        int ages = PopulationSpec.OpenAge + 1;
        switch (qi)
        {
            case Age when population.AgeBands.IsEmpty:
                return null;
            case Age:
                int width = level switch { "year" or "single-year" => 1, "five-year" => 5, "ten-year" => 10, _ => 0 };
                return width == 0 ? null : new ReleaseLevel((ages + width - 1) / width, LevelSource.Age, width);
            case Sex:
                return level == "sex" && population.FemaleShare is not null ? new ReleaseLevel(2, LevelSource.Sex) : null;
            case Area when level == "local-authority" && !population.LocalAuthorities.IsEmpty:
                return new ReleaseLevel(population.LocalAuthorities.Length, LevelSource.LocalAuthority);
            case Area:
                // The population's own areas, by their level's name; 'region' too when they are regions rather than authorities.
                bool areas = level == population.AreaLevel || (level == "region" && population.AreaLevel != "local-authority");
                return areas ? new ReleaseLevel(population.Areas.Length, LevelSource.Area) : null;
        }

        for (int a = 0; a < population.Attributes.Length; a++)
        {
            if (population.Attributes[a].Id == qi)
                return new ReleaseLevel(population.Attributes[a].Categories.Length, LevelSource.Categorical, Attribute: a);
        }

        return null;
    }
}
