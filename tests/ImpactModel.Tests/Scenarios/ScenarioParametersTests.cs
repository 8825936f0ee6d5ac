using System.Collections;
using System.Reflection;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Worker.Hosting;

namespace ImpactModel.Tests.Scenarios;

/// <summary>
/// <see cref="ScenarioParameters.All"/> reads auto-properties from their backing fields: the same
/// parameters, in the same order, as calling every property's getter (the walk written out here as
/// it was before, the oracle), for every shipped scenario (whose records include computed properties,
/// read through their getters, and properties inherited from a base record).
/// </summary>
public sealed class ScenarioParametersTests
{
    [Theory]
    [InlineData("fraud-error-debt.yaml")]
    [InlineData("tailored-services.yaml")]
    [InlineData("research-statistics.yaml")]
    public void The_parameters_are_those_every_getter_gives_in_the_same_order(string file)
    {
        Scenario scenario = ScenarioLoader.LoadScenario(Cli.ValidateCommandTests.RepositoryFile("scenarios", file), DiskScenarioFiles.Instance);
        IReadOnlyList<Parameter> all = ScenarioParameters.All(scenario);
        List<Parameter> byGetters = ByGetters(scenario);
        Assert.True(all.Count > 40, $"only {all.Count} parameters");
        Assert.Equal(byGetters.Select(p => p.Path), all.Select(p => p.Path));
        Assert.All(all.Zip(byGetters), pair => Assert.Same(pair.Second, pair.First));
    }

    [Fact]
    public void A_parameter_changed_in_a_copy_of_a_record_is_the_copys()
    {
        // Read from the backing field of the copy made by 'with', not of the record it was copied from.
        Scenario scenario = ScenarioLoader.LoadScenario(Cli.ValidateCommandTests.RepositoryFile("scenarios", "fraud-error-debt.yaml"), DiskScenarioFiles.Instance);
        Parameter rate = scenario.DiscountRate;
        Parameter other = rate with { Path = rate.Path };
        Scenario changed = scenario with { DiscountRate = other };
        Assert.Same(other, ScenarioParameters.All(changed).Single(p => p.Path == rate.Path));
        Assert.Same(rate, ScenarioParameters.All(scenario).Single(p => p.Path == rate.Path));
    }

    private static List<Parameter> ByGetters(Scenario scenario)
    {
        var result = new List<Parameter>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Walk(scenario, result, seen, 0);
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

        Type type = value.GetType();
        if (type.Namespace != typeof(Scenario).Namespace || type.IsEnum || type.IsPrimitive)
            return;
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
                Walk(property.GetValue(value), result, seen, depth + 1);
        }
    }
}
