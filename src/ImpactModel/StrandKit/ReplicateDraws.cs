using ImpactModel.MonteCarlo;
using ImpactModel.Population;
using ImpactModel.Random;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.StrandKit;

/// <summary>
/// A strand's parameters for one replicate: each drawn once for (seed, replicate) by its path
/// (<see cref="ParameterSampler"/>), so every variant sees the same draw unless it overrides the
/// parameter; by-group parameters as tables indexed by a person's group mask; probabilities as
/// integer thresholds on a 32-bit random word (<see cref="BernoulliThreshold"/>) and money as whole
/// pence, the forms a per-person loop compares and adds without floating point.
/// </summary>
public sealed class ReplicateDraws
{
    /// <param name="groupIds">The population's groups in declaration order (bit g of a mask is group g).</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="replicate">The replicate.</param>
    /// <param name="use">Records what is read (null: nothing is recorded).</param>
    public ReplicateDraws(IReadOnlyList<string> groupIds, ulong seed, int replicate, ParameterUse? use = null)
        : this(groupIds, seed, replicate, use, null, ParameterPins.None)
    {
    }

    /// <summary>The draws of <paramref name="context"/>'s replicate over its population's groups, recorded in its <see cref="ReplicateContext.Use"/>.</summary>
    public ReplicateDraws(ReplicateContext context)
        : this((context ?? throw new ArgumentNullException(nameof(context))).Population.GroupIds, context.Seed, context.Replicate, context.Use, null,
            context.Pins)
    {
    }

    private ReplicateDraws(IReadOnlyList<string> groupIds, ulong seed, int replicate, ParameterUse? use, SimulationVariant? variant, ParameterPins pins)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        GroupIds = groupIds;
        Seed = seed;
        Replicate = replicate;
        Use = use;
        Variant = variant;
        Pins = pins;
    }

    public IReadOnlyList<string> GroupIds { get; }

    /// <summary>Where what is read is recorded, or null.</summary>
    public ParameterUse? Use { get; }

    /// <summary>The variant whose overrides the draws take (<see cref="For"/>), or null for the parameters as declared.</summary>
    public SimulationVariant? Variant { get; }

    public ulong Seed { get; }

    /// <summary>Parameters held at fixed values in place of their draws (<see cref="ReplicateContext.Pins"/>).</summary>
    public ParameterPins Pins { get; }

    public int Replicate { get; }

    /// <summary>Group masks: 2^groups.</summary>
    public int Masks => 1 << GroupIds.Count;

    /// <summary>The same draws as <paramref name="variant"/> sees them: its overridden parameters take their new values.</summary>
    public ReplicateDraws For(SimulationVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return new ReplicateDraws(GroupIds, Seed, Replicate, Use, variant, Pins);
    }

    /// <summary>The replicate's value of <paramref name="parameter"/> (the variant's override of it, if any).</summary>
    public double Draw(Parameter parameter) => ParameterSampler.Draw(Resolve(parameter), Seed, Replicate);

    /// <summary><paramref name="parameter"/> as the variant sees it (itself without a variant), pinned if <see cref="Pins"/> holds it, recorded as read.</summary>
    public Parameter Resolve(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Use?.Read(parameter.Path, Variant is not null);
        return Pins.Apply(Variant is null ? parameter : Variant.Resolve(parameter));
    }

    /// <summary>The variant's choice for the setting at <paramref name="path"/>, or null when it keeps the declared one (recorded as read).</summary>
    public string? Setting(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Use?.Read(path, Variant is not null);
        return Variant?.Setting(path);
    }

    /// <summary>The replicate's value of an optional parameter, or <paramref name="otherwise"/> when it is absent.</summary>
    public double Draw(Parameter? parameter, double otherwise) => parameter is null ? otherwise : Draw(parameter);

    /// <summary>A per-person quantity (<see cref="PersonDistribution"/>): a spread each person draws from, or one value for everyone.</summary>
    public PersonDistribution PerPerson(Parameter parameter)
    {
        PersonDistribution d = PersonDistribution.Of(Resolve(parameter), Seed, Replicate);
        if (d.VariesByPerson && Variant is null)
            Use?.ReadPerPerson(parameter.Path);
        return d;
    }

    /// <summary>The value for each group mask (<see cref="GroupValueTable"/>): probabilities combine on the odds scale, other kinds by ratios.</summary>
    public double[] ByMask(GroupValues values, bool probability) => GroupValueTable.Build(values, GroupIds, Draw, probability);

    /// <summary>The Bernoulli threshold of a probability parameter.</summary>
    public ulong Threshold(Parameter parameter) => BernoulliThreshold.Cut(Draw(parameter));

    /// <summary>The Bernoulli threshold for each group mask of a by-group probability.</summary>
    public ulong[] Thresholds(GroupValues values) => Array.ConvertAll(ByMask(values, probability: true), BernoulliThreshold.Cut);

    /// <summary>A money parameter in whole pence.</summary>
    public long Pence(Parameter parameter) => ToPence(Draw(parameter));

    /// <summary>Outcome streams a strand may use: indices [0, <see cref="OutcomesPerStrand"/>) of its own block.</summary>
    public const int OutcomesPerStrand = 1 << 16;

    /// <summary>
    /// The key of a strand's outcome stream <paramref name="outcome"/>: kind <see cref="RngStreamKind.StrandOutcomes"/>,
    /// index = the strand's position in <see cref="StrandIds.All"/> × 2^16 + outcome. Each strand has its
    /// own block, so the same person's draws in two strands of a package are independent.
    /// </summary>
    public RngKey OutcomeKey(string strand, int outcome)
    {
        int ordinal = StrandIds.All.ToList().IndexOf(strand);
        if (ordinal < 0)
            throw new ArgumentException($"unknown strand '{strand}'", nameof(strand));
        ArgumentOutOfRangeException.ThrowIfNegative(outcome);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(outcome, OutcomesPerStrand);
        return RngKey.From(Seed, Replicate, RngStream.Of(RngStreamKind.StrandOutcomes, ordinal * OutcomesPerStrand + outcome));
    }

    /// <summary>GBP to whole pence, rounded to the nearest (half to even, as <see cref="Math.Round(double)"/>).</summary>
    public static long ToPence(double gbp) => (long)Math.Round(gbp * 100);

    /// <summary>The bit mask of the listed groups (ids not in the population are ignored: the loader has refused them).</summary>
    public uint MaskOf(IEnumerable<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        uint mask = 0;
        foreach (string id in groups)
        {
            for (int k = 0; k < GroupIds.Count; k++)
            {
                if (GroupIds[k] == id)
                    mask |= 1u << k;
            }
        }

        return mask;
    }
}
