using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Scenarios;

/// <summary>
/// Every numeric parameter of a scenario, in a fixed order (declaration order of the model's
/// records), so a run can draw them once per replicate and list them in <c>parameters.csv</c>
/// with their source and grade.
/// </summary>
public static class ScenarioParameters
{
    /// <summary>All parameters reachable from <paramref name="scenario"/>, each once.</summary>
    public static IReadOnlyList<Parameter> All(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var result = new List<Parameter>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Walk(scenario, result, seen, depth: 0);
        return result;
    }

    private static void Walk(object? value, List<Parameter> result, HashSet<string> seen, int depth)
    {
        if (value is null || depth > 32 || value is string)
            return;
        if (value is Parameter p)
        {
            if (seen.Add(p.Path))
                result.Add(p);
            return;
        }

        Type type = value.GetType();
        if (value is IDictionary dictionary)
        {
            foreach (object? key in dictionary.Keys.Cast<object>().OrderBy(k => k.ToString(), StringComparer.Ordinal))
                Walk(dictionary[key!], result, seen, depth + 1);
            return;
        }

        if (value is IEnumerable sequence)
        {
            foreach (object? item in sequence)
                Walk(item, result, seen, depth + 1);
            return;
        }

        if (type.Namespace != typeof(Scenario).Namespace || type.IsEnum || type.IsPrimitive)
            return;
        foreach (Func<object, object?> read in Readers.GetOrAdd(type, ReadersOf))
            Walk(read(value), result, seen, depth + 1);
    }

    /// <summary>Each model type's property readers, in declaration order: formed once per type.</summary>
    private static readonly ConcurrentDictionary<Type, Func<object, object?>[]> Readers = new();

    /// <summary>
    /// A reader per public instance property of <paramref name="type"/> (not an indexer, not a record's
    /// EqualityContract), in declaration order. An auto-property (a compiler-made getter of a backing
    /// field of its own type, declared with it) is read from the field, which holds what its getter
    /// returns: a field is read without the stub the runtime otherwise compiles for each getter it
    /// invokes (341 for the fraud scenario, on the path to a run's first replicate; docs/performance.md).
    /// Any other property is read through its getter.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070",
        Justification = "Our model types' properties and backing fields: the native build keeps the ImpactModel assembly whole (TrimmerRootAssembly in ImpactModel.Worker.csproj), and its published tests compare parameters.csv with the JIT build's.")]
    private static Func<object, object?>[] ReadersOf(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            .Select(property => type.GetField($"<{property.Name}>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance) is { } field
                && field.FieldType == property.PropertyType && field.DeclaringType == property.DeclaringType
                && property.GetMethod?.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) == true
                ? (Func<object, object?>)field.GetValue
                : property.GetValue),
    ];
}
