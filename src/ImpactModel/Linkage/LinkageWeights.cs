using ImpactModel.Population;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Linkage;

/// <summary>
/// The match-weight distribution of one linkage: true matches (each person's own pair) against
/// non-matches (candidate pairs), with the drawn thresholds the linker decides by.
/// </summary>
/// <param name="Id">The linkage id.</param>
/// <param name="From">The source whose records are linked.</param>
/// <param name="To">The source linked to.</param>
/// <param name="Method">Exact or probabilistic.</param>
/// <param name="UpperThreshold">Upper threshold in bits: a best pair above it links.</param>
/// <param name="LowerThreshold">Lower threshold in bits (at most the upper): below it nothing links; between the two, clerical review when declared.</param>
/// <param name="HasClericalReview">Whether pairs between the thresholds go to clerical review.</param>
/// <param name="Persons">Persons whose pairs were tallied.</param>
/// <param name="Histogram">The weights tallied, in bits.</param>
public sealed record LinkageWeightDistribution(
    string Id, string From, string To, LinkageMethod Method, double UpperThreshold, double LowerThreshold,
    bool HasClericalReview, long Persons, WeightHistogram Histogram);

/// <summary>
/// Tallies each linkage's match weights on a scenario's population (replicate 0, parameters as
/// declared, the same compilation <see cref="LinkageDescription"/> uses), for the weight chart. A
/// run folder does not keep the histogram, so a report recomputes it from the scenario and the run
/// seed: the counts are integers merged per chunk, so they are the same for a seed whatever the
/// threads.
/// </summary>
public static class LinkageWeights
{
    /// <summary>Bins of each histogram over the linkage's full weight range.</summary>
    public const int Bins = 64;

    /// <summary>One distribution per linkage of <paramref name="scenario"/>, in declaration order; empty when it links nothing.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="persons">Persons to link (at most <see cref="LinkageDescription.MaxPersons"/>).</param>
    /// <param name="threads">Worker threads (0: the runtime's choice); the counts do not depend on it.</param>
    /// <param name="cancellationToken">Stops the tally.</param>
    public static IReadOnlyList<LinkageWeightDistribution> Tally(Scenario scenario, ulong seed, long persons, int threads = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfNegative(persons);
        if (scenario.Linkages.Length == 0)
            return [];
        persons = Math.Min(persons, LinkageDescription.MaxPersons);
        const int replicate = 0;
        CompiledPopulation population = CompiledPopulation.Compile(scenario.Population, seed, replicate);
        var result = new List<LinkageWeightDistribution>();
        foreach (LinkageSpec spec in scenario.Linkages)
        {
            CompiledLinkage linkage = CompiledLinkage.Compile(scenario, spec, population.GroupIds, seed, replicate);
            IReadOnlyList<(WeightHistogram Histogram, LinkOutcome[] Outcomes)> parts = ChunkLoop.Run(population, PersonAttributes.None, 0, persons,
                new ChunkLoopOptions(threads),
                () => (Histogram: linkage.CreateHistogram(Bins), Outcomes: new LinkOutcome[PersonChunk.DefaultCapacity]),
                (local, chunk) => linkage.Link(chunk.FirstPerson, chunk.Groups, local.Outcomes.AsSpan(0, chunk.Count), local.Histogram),
                cancellationToken: cancellationToken);
            WeightHistogram total = linkage.CreateHistogram(Bins);
            foreach (var part in parts)
                total.Add(part.Histogram); // integer sums: any order gives the same counts
            result.Add(new LinkageWeightDistribution(spec.Id, spec.From, spec.To, spec.Method, linkage.UpperThreshold, linkage.LowerThreshold,
                linkage.HasClericalReview, persons, total));
        }

        return result;
    }
}
