using System.Collections.Immutable;

namespace ImpactModel.Population;

/// <summary>
/// Persons enrolled unit by unit, for a simulated pilot: unit k's persons are the ids
/// [<see cref="First"/>[k], First[k] + <see cref="Counts"/>[k]), and each is generated as the
/// population always generates a person who lives in that unit (a local authority, or an area when
/// <see cref="ByAuthority"/> is false). Only the word that places a person is changed: it is mapped
/// into the unit's slice of 2^32, so everything drawn after it (income, age, groups, every strand's
/// outcomes) follows the person's unit exactly as in a whole-population run.
/// </summary>
public sealed class AreaEnrolment
{
    /// <summary>Enrols <paramref name="counts"/>[k] persons in unit <paramref name="units"/>[k], in order, from person 0.</summary>
    /// <param name="units">Declaration indexes of local authorities (or areas).</param>
    /// <param name="counts">Persons per unit, each at least 1.</param>
    /// <param name="byAuthority">True: the units are local authorities; false: areas.</param>
    public AreaEnrolment(IReadOnlyList<int> units, IReadOnlyList<long> counts, bool byAuthority)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(counts);
        if (units.Count != counts.Count || units.Count == 0)
            throw new ArgumentException("one count per unit, at least one unit", nameof(counts));
        var first = new long[units.Count + 1];
        for (int k = 0; k < units.Count; k++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(counts[k], 1);
            first[k + 1] = first[k] + counts[k];
        }

        Units = [.. units];
        Counts = [.. counts];
        First = [.. first];
        ByAuthority = byAuthority;
    }

    /// <summary>The units, by declaration index.</summary>
    public ImmutableArray<int> Units { get; }

    /// <summary>Persons enrolled in each unit.</summary>
    public ImmutableArray<long> Counts { get; }

    /// <summary>The first person id of each unit, and after the last the total.</summary>
    public ImmutableArray<long> First { get; }

    /// <summary>Whether the units are local authorities (else areas).</summary>
    public bool ByAuthority { get; }

    /// <summary>Persons enrolled in all units.</summary>
    public long Persons => First[^1];
}
