using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;

namespace ImpactModel.Simulation;

/// <summary>
/// The names of a strand's integer counters, in index order: the one definition the counters'
/// indices and names both come from. A strand declares its counters as an <see cref="Enum"/>
/// (<see cref="Of{TCounter}"/>: the name of member <c>OverpaidPence</c> is <c>overpaid_pence</c>),
/// or as a list built from its scenario (one block per linkage), and appends shared blocks with
/// <see cref="Then"/>.
/// </summary>
public sealed class CounterSet
{
    private CounterSet(ImmutableArray<string> names) => Names = names;

    /// <summary>The counter names, index by index.</summary>
    public ImmutableArray<string> Names { get; }

    /// <summary>Number of counters.</summary>
    public int Count => Names.Length;

    /// <summary>
    /// The counters of an <see langword="int"/> enum whose members are 0, 1, 2 … in declaration
    /// order (checked), named by their members in snake case.
    /// </summary>
    public static CounterSet Of<TCounter>()
        where TCounter : struct, Enum
    {
        if (Enum.GetUnderlyingType(typeof(TCounter)) != typeof(int))
            throw new ArgumentException($"{typeof(TCounter).Name}: counters are an int enum", nameof(TCounter));
        TCounter[] values = Enum.GetValues<TCounter>();
        for (int i = 0; i < values.Length; i++)
        {
            if (Convert.ToInt32(values[i], System.Globalization.CultureInfo.InvariantCulture) != i)
                throw new ArgumentException($"{typeof(TCounter).Name}.{values[i]} is not {i}: counters are numbered 0, 1, 2 … in order", nameof(TCounter));
        }

        return new CounterSet([.. values.Select(v => SnakeCase(v.ToString()))]);
    }

    /// <summary>Counters with the given names, in order (names must be distinct).</summary>
    public static CounterSet Of(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        ImmutableArray<string> list = [.. names];
        string? twice = list.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null)
            throw new ArgumentException($"counter '{twice}' is named twice", nameof(names));
        return new CounterSet(list);
    }

    /// <summary>These counters followed by <paramref name="block"/>'s, each named <c>prefix.name</c>; the block starts at <see cref="Count"/>.</summary>
    public CounterSet Then(string prefix, CounterSet block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return Of(Names.Concat(block.Names.Select(n => prefix + "." + n)));
    }

    /// <summary>The index of a counter of an enum counter set: the member's value (an int enum, checked by <see cref="Of{TCounter}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per person per counter
    public static int IndexOf<TCounter>(TCounter counter)
        where TCounter : struct, Enum => Unsafe.As<TCounter, int>(ref counter);

    /// <summary>The index of the counter named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => Names.IndexOf(name, StringComparer.Ordinal);

    private static string SnakeCase(string pascal)
    {
        var b = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsAsciiLetterUpper(c) && i > 0)
                b.Append('_');
            b.Append(char.ToLowerInvariant(c));
        }

        return b.ToString();
    }
}
