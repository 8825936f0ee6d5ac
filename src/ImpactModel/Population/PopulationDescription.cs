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
/// the parameter's distribution, since a replicate draws the parameter before drawing persons.
/// </param>
/// <param name="Count">Persons counted in the numerator.</param>
/// <param name="Denominator">Persons in the denominator.</param>
public sealed record DescribedFigure(
    string Name, string? Label, double Declared, double Drawn, double Realised, double StandardError, long Count, long Denominator)
{
    /// <summary>(realised − declared) / standard error; NaN when either is undefined.</summary>
    public double Z => StandardError > 0 ? (Realised - Declared) / StandardError : Realised == Declared ? 0 : double.NaN;
}

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

    /// <summary>Generates <paramref name="persons"/> persons of <paramref name="spec"/> and compares them with the declaration.</summary>
    public static PopulationDescription Describe(PopulationSpec spec, ulong seed, long persons, int threads = 0,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        const int replicate = 0;
        CompiledPopulation population = CompiledPopulation.Compile(spec, seed, replicate);
        PopulationTally tally = PopulationGenerator.Tally(population, 0, persons, threads, PersonChunk.DefaultCapacity, progress, cancellationToken);
        long n = tally.Persons;

        var groups = new List<DescribedFigure>();
        for (int g = 0; g < spec.Groups.Length; g++)
        {
            GroupSpec group = spec.Groups[g];
            groups.Add(Figure(group.Id, group.Name, group.Prevalence, population.Prevalences[g], tally.ByGroup[g], n));
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
        };
    }

    private static DescribedFigure Figure(string name, string? label, Parameter parameter, double drawn, long count, long denominator)
    {
        double declared = parameter.Mean;
        double variance = parameter.Value.IsFixed ? 0 : ParameterSampler.ToSampler(parameter.Value).Variance;
        double realised = denominator > 0 ? (double)count / denominator : double.NaN;
        double se = denominator > 0 ? Math.Sqrt(declared * (1 - declared) / denominator + variance) : double.NaN;
        return new DescribedFigure(name, label, declared, drawn, realised, se, count, denominator);
    }
}
