using ImpactModel.MonteCarlo;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Population;

/// <summary>One realised figure next to what the scenario declared, with its standard error.</summary>
/// <param name="Name">The id (group, area, "group+other", or "below-decile-k").</param>
/// <param name="Label">A readable name where the scenario gives one.</param>
/// <param name="Declared">The declared value (the mean of its distribution when uncertain).</param>
/// <param name="Drawn">This replicate's drawn value (equal to Declared when fixed).</param>
/// <param name="Realised">The share realised among the simulated persons (NaN when its denominator is 0).</param>
/// <param name="StandardError">
/// sqrt(p(1 − p)/n + Var(parameter)): the binomial error of n simulated persons plus the variance of
/// the parameter across replicates (its distribution, or its spread by grade), since a replicate
/// draws the parameter before drawing persons.
/// </param>
/// <param name="Count">Persons counted in the numerator.</param>
/// <param name="Denominator">Persons in the denominator.</param>
public sealed record DescribedFigure(
    string Name, string? Label, double Declared, double Drawn, double Realised, double StandardError, long Count, long Denominator)
{
    /// <summary>(realised − declared) / standard error; NaN when either is undefined.</summary>
    public double Z => StandardError > 0 ? (Realised - Declared) / StandardError : Realised == Declared ? 0 : double.NaN;
}

/// <summary>
/// How a group's prevalence varies between local authorities: the spread of this replicate's
/// expected prevalences, and the intra-cluster correlation three ways.
/// </summary>
/// <param name="Group">The group id.</param>
/// <param name="Label">Its name.</param>
/// <param name="Sd">This replicate's drawn sd of its local-authority effects (logit scale).</param>
/// <param name="Lowest">The lowest authority's expected prevalence (this replicate's effects).</param>
/// <param name="Percentile5">The 5th percentile of the authorities' expected prevalences.</param>
/// <param name="Percentile95">The 95th percentile.</param>
/// <param name="Highest">The highest.</param>
/// <param name="SpreadSd">The persons-weighted standard deviation of the authorities' expected prevalences.</param>
/// <param name="IccModel">
/// The ICC the logit-normal model implies for local-authority effects of sd <paramref name="Sd"/> at
/// the group's prevalence (the authority component alone, as a pilot's design effect would take it).
/// </param>
/// <param name="IccReplicate">The ICC across authorities of this replicate's expected prevalences (all effects and odds ratios).</param>
/// <param name="IccRealised">The ANOVA estimate of the ICC from the simulated persons.</param>
/// <param name="IccStandardError">Its approximate standard error (authorities as a sample; see <see cref="AreaClustering.Anova"/>).</param>
public sealed record AuthorityClustering(string Group, string? Label, double Sd, double Lowest, double Percentile5, double Percentile95,
    double Highest, double SpreadSd, double IccModel, double IccReplicate, double IccRealised, double IccStandardError);

/// <summary>Members of a group of adults only, and how many of them are under 16 (always 0).</summary>
public sealed record AdultOnlyCheck(string Group, long Members, long UnderSixteen);

/// <summary>The realised population of one replicate next to what the scenario declared.</summary>
public sealed record PopulationDescription(
    long DeclaredPopulation,
    long SimulatedPopulation,
    ulong Seed,
    int Replicate,
    long Rest,
    IReadOnlyList<DescribedFigure> Groups,
    IReadOnlyList<DescribedFigure> Areas,
    IReadOnlyList<DescribedFigure> Overlaps,
    IReadOnlyList<DescribedFigure> IncomeDeciles)
{
    /// <summary>Share of persons in each declared age band.</summary>
    public IReadOnlyList<DescribedFigure> AgeBands { get; init; } = [];

    /// <summary>Share of persons who are female (one figure, when declared).</summary>
    public IReadOnlyList<DescribedFigure> Sex { get; init; } = [];

    /// <summary>Share of persons in households of each declared size.</summary>
    public IReadOnlyList<DescribedFigure> HouseholdSizes { get; init; } = [];

    /// <summary>Share of persons in each local authority (declared: its area's declared share × its share of the area).</summary>
    public IReadOnlyList<DescribedFigure> LocalAuthorities { get; init; } = [];

    /// <summary>For each group that depends on age, its prevalence in each band next to the model's expected value ("group/from-to").</summary>
    public IReadOnlyList<DescribedFigure> GroupsByAgeBand { get; init; } = [];

    /// <summary>For each group, how it varies between local authorities (when the population declares them).</summary>
    public IReadOnlyList<AuthorityClustering> Clustering { get; init; } = [];

    /// <summary>For each group of adults only, its members under 16.</summary>
    public IReadOnlyList<AdultOnlyCheck> AdultOnly { get; init; } = [];

    /// <summary>Generates <paramref name="persons"/> persons of <paramref name="spec"/> and compares them with the declaration.</summary>
    public static PopulationDescription Describe(PopulationSpec spec, ulong seed, long persons, int threads = 0,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        const int replicate = 0;
        CompiledPopulation population = CompiledPopulation.Compile(spec, seed, replicate);
        PopulationTally tally = PopulationGenerator.Tally(population, 0, persons, threads, PersonChunk.DefaultCapacity, progress, cancellationToken);
        long n = tally.Persons;

        long adults = tally.ByAge.Skip(PopulationSpec.AdultAge).Sum();
        var groups = new List<DescribedFigure>();
        for (int g = 0; g < spec.Groups.Length; g++)
        {
            GroupSpec group = spec.Groups[g];
            // A group of adults only declares its share of adults: compared on that basis.
            groups.Add(Figure(group.Id, group.Name, group.Prevalence, population.Prevalences[g], tally.ByGroup[g], group.AdultOnly ? adults : n));
        }

        var areas = new List<DescribedFigure>();
        for (int a = 0; a < spec.Areas.Length; a++)
        {
            AreaSpec area = spec.Areas[a];
            areas.Add(Figure(area.Id, area.Name, area.Share, population.AreaShares[a], tally.ByArea[a], n));
        }

        var overlaps = new List<DescribedFigure>();
        for (int g = 0; g < spec.Groups.Length; g++)
        {
            foreach (var overlap in spec.Groups[g].Overlaps)
            {
                int h = spec.Groups.IndexOf(spec.Groups.First(x => x.Id == overlap.With));
                long both = tally.ByGroupPair[g * spec.Groups.Length + h];
                overlaps.Add(Figure($"{spec.Groups[g].Id}+{overlap.With}", $"share of {spec.Groups[g].Id} also in {overlap.With}",
                    overlap.Share, ParameterSampler.Draw(overlap.Share, seed, replicate), both, tally.ByGroup[g]));
            }
        }

        var deciles = new List<DescribedFigure>();
        if (spec.Income is { } income)
        {
            for (int k = 0; k < income.Deciles.Length; k++)
            {
                double p = (k + 1) / 10.0;
                long below = tally.BelowBoundary[k];
                double se = Math.Sqrt(p * (1 - p) / n);
                deciles.Add(new DescribedFigure($"below-decile-{k + 1}", $"income below GBP {income.Deciles[k]:N0}",
                    p, p, n > 0 ? (double)below / n : double.NaN, se, below, n));
            }
        }

        var ages = spec.AgeBands.Select(b => Figure($"age-{b.From}-{b.To}", $"aged {b.From} to {b.To}", b.Share,
            ParameterSampler.Draw(b.Share, seed, replicate), tally.ByAge.Skip(b.From).Take(b.To - b.From + 1).Sum(), n)).ToList();
        var sex = spec.FemaleShare is { } female
            ? new List<DescribedFigure> { Figure("female", "female", female, ParameterSampler.Draw(female, seed, replicate), tally.Female, n) }
            : [];
        var households = spec.HouseholdSizes.Select(h => Figure($"household-{h.Size}", $"in a household of {h.Size}", h.Share,
            ParameterSampler.Draw(h.Share, seed, replicate), tally.ByHouseholdSize[h.Size], n)).ToList();

        return new PopulationDescription(spec.Size, n, seed, replicate, tally.Rest, groups, areas, overlaps, deciles)
        {
            AgeBands = ages,
            Sex = sex,
            HouseholdSizes = households,
            LocalAuthorities = Authorities(spec, population, tally),
            GroupsByAgeBand = ByAgeBand(spec, population, tally),
            Clustering = ClusteringOf(spec, population, tally, seed, replicate),
            AdultOnly = [.. spec.Groups.Select((group, g) => (group, g)).Where(x => x.group.AdultOnly)
                .Select(x => new AdultOnlyCheck(x.group.Id, tally.ByGroup[x.g], tally.ChildMembers[x.g]))],
        };
    }

    private static List<DescribedFigure> Authorities(PopulationSpec spec, CompiledPopulation population, PopulationTally tally)
    {
        var result = new List<DescribedFigure>();
        var inArea = spec.LocalAuthorities.GroupBy(a => a.Area).ToDictionary(x => x.Key, x => (double)x.Sum(a => a.Population), StringComparer.Ordinal);
        for (int la = 0; la < spec.LocalAuthorities.Length; la++)
        {
            LocalAuthoritySpec authority = spec.LocalAuthorities[la];
            double declared = spec.Areas.First(a => a.Id == authority.Area).Share.Mean * authority.Population / inArea[authority.Area];
            result.Add(Binomial(authority.Id, authority.Name, declared, population.AuthorityShares[la], tally.ByAuthority[la], tally.Persons));
        }

        return result;
    }

    private static List<DescribedFigure> ByAgeBand(PopulationSpec spec, CompiledPopulation population, PopulationTally tally)
    {
        var result = new List<DescribedFigure>();
        int bands = spec.AgeBands.Length;
        for (int g = 0; g < spec.Groups.Length && bands > 0; g++)
        {
            if (!spec.Groups[g].DependsOnAge)
                continue;
            for (int b = 0; b < bands; b++)
            {
                AgeBand band = spec.AgeBands[b];
                double expected = population.ExpectedByAgeBand[g][b];
                result.Add(Binomial($"{spec.Groups[g].Id}/{band.From}-{band.To}", $"{spec.Groups[g].Name ?? spec.Groups[g].Id} aged {band.From} to {band.To}",
                    expected, expected, tally.ByGroupAgeBand[g * bands + b], tally.ByAgeBand[b]));
            }
        }

        return result;
    }

    private static List<AuthorityClustering> ClusteringOf(PopulationSpec spec, CompiledPopulation population, PopulationTally tally, ulong seed, int replicate)
    {
        var result = new List<AuthorityClustering>();
        int authorities = spec.LocalAuthorities.Length;
        if (authorities == 0)
            return result;
        double adults = population.AdultShare;
        var persons = tally.ByAuthority;
        for (int g = 0; g < spec.Groups.Length; g++)
        {
            GroupSpec group = spec.Groups[g];
            Parameter? sdParameter = group.LocalAuthorityVariation ?? spec.LocalAuthorityVariation;
            double sd = sdParameter is null ? 0 : ParameterSampler.Draw(sdParameter, seed, replicate);
            IReadOnlyList<double> expected = population.ExpectedByAuthority[g];
            double[] sorted = [.. expected.Order()];
            double whole = population.Prevalences[g] * (group.AdultOnly ? adults : 1);
            double mean = 0, spread = 0;
            for (int la = 0; la < authorities; la++)
                mean += population.AuthorityShares[la] * expected[la];
            for (int la = 0; la < authorities; la++)
                spread += population.AuthorityShares[la] * (expected[la] - mean) * (expected[la] - mean);
            var members = new long[authorities];
            Array.Copy(tally.ByGroupAuthority, g * authorities, members, 0, authorities);
            (double realised, double se) = AreaClustering.Anova(members, persons);
            result.Add(new AuthorityClustering(group.Id, group.Name, sd, sorted[0], Percentile(sorted, 0.05), Percentile(sorted, 0.95), sorted[^1],
                Math.Sqrt(spread), AreaClustering.LogitNormalIcc(whole, sd), AreaClustering.IccOf(expected, population.AuthorityShares), realised, se));
        }

        return result;
    }

    /// <summary>The <paramref name="p"/> quantile of sorted values (linear between order statistics, R's type 7).</summary>
    private static double Percentile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>A share against a value known for this replicate: binomial error alone.</summary>
    private static DescribedFigure Binomial(string name, string? label, double declared, double drawn, long count, long denominator)
    {
        double realised = denominator > 0 ? (double)count / denominator : double.NaN;
        double se = denominator > 0 ? Math.Sqrt(drawn * (1 - drawn) / denominator) : double.NaN;
        return new DescribedFigure(name, label, declared, drawn, realised, se, count, denominator);
    }

    private static DescribedFigure Figure(string name, string? label, Parameter parameter, double drawn, long count, long denominator)
    {
        double declared = parameter.Mean;
        double variance = ParameterSampler.Variance(parameter);
        double realised = denominator > 0 ? (double)count / denominator : double.NaN;
        double se = denominator > 0 ? Math.Sqrt(declared * (1 - declared) / denominator + variance) : double.NaN;
        return new DescribedFigure(name, label, declared, drawn, realised, se, count, denominator);
    }
}
