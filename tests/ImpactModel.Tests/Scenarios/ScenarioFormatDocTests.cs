using ImpactModel.Scenarios;
using ImpactModel.Tests.Cli;

namespace ImpactModel.Tests.Scenarios;

public class ScenarioFormatDocTests
{
    [Fact]
    public void The_example_in_the_format_reference_is_a_valid_scenario()
    {
        string doc = File.ReadAllText(ValidateCommandTests.RepositoryFile("docs", "scenario-format.md"));
        int section = doc.IndexOf("## Example", StringComparison.Ordinal);
        int start = doc.IndexOf("```yaml\n", section, StringComparison.Ordinal) + "```yaml\n".Length;
        int end = doc.IndexOf("```", start, StringComparison.Ordinal);
        string yaml = doc[start..end];

        ScenarioLoadResult result = ScenarioLoader.Load("example.yaml", new MemoryFiles().With("example.yaml", yaml));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("small-fraud", result.Scenario!.Name);
    }
}
