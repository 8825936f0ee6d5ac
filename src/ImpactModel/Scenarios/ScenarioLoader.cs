namespace ImpactModel.Scenarios;

/// <summary>What loading a file produced: a scenario, a shared population file, or errors.</summary>
public sealed record ScenarioLoadResult(IReadOnlyList<ScenarioError> Errors, string Summary);

/// <summary>Loads and validates scenario and population files with exact positions.</summary>
public static class ScenarioLoader
{
    public static ScenarioLoadResult Load(string path, IScenarioFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        ScenarioFileContent content = files.Read(path);
        return content.Problem is { } problem
            ? new ScenarioLoadResult([new ScenarioError(path, 0, 0, "", problem)], "")
            : new ScenarioLoadResult([], "read");
    }
}
