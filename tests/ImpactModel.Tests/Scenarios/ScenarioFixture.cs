using System.Text;
using ImpactModel.Scenarios;

namespace ImpactModel.Tests.Scenarios;

/// <summary>Scenario files held in memory, so each validation test can damage one line and load it.</summary>
public sealed class MemoryFiles : IScenarioFiles
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public MemoryFiles With(string path, string text)
    {
        _files[path] = Encoding.UTF8.GetBytes(text);
        return this;
    }

    public MemoryFiles WithBytes(string path, byte[] bytes)
    {
        _files[path] = bytes;
        return this;
    }

    public string Resolve(string referencingFile, string relativePath)
    {
        int slash = referencingFile.LastIndexOf('/');
        return slash < 0 ? relativePath : referencingFile[..(slash + 1)] + relativePath;
    }

    public ScenarioFileContent Read(string path) =>
        _files.TryGetValue(path, out var bytes) ? ScenarioFileContent.Of(bytes) : ScenarioFileContent.Failed("no such file");
}

/// <summary>A small valid fraud scenario and population, and helpers to damage them and locate tokens.</summary>
public static class ScenarioFixture
{
    public const string PopulationPath = "s/pop.yaml";
    public const string ScenarioPath = "s/fraud.yaml";

    public const string PopulationText = """
        population:
          size: 1000000
          uncertainty: { assumption: 0, expert-judgement: 0 }
          areas:
            - { id: north, share: 0.4 }
            - { id: south, share: 0.6 }
          groups:
            - id: no-fixed-address
              prevalence: 0.01
              income_gradient: -0.3
              area_odds_ratios: { south: 2 }
              overlaps:
                - { with: frequent-mover, share: 0.5 }
            - id: frequent-mover
              prevalence: "beta(10, 90)"
            - id: disabled
              prevalence: { value: 0.2, source: "FRS", grade: survey-estimate }
        """;

    public const string Scenario = """
        strand: fraud-error-debt
        name: small-fraud
        price_year: 2014
        horizon_years: 5
        discount_rate: 0.035
        uncertainty: { assumption: 0, expert-judgement: 0 }
        population: pop.yaml
        data_sources:
          - id: claims
            body: DWP
            fields:
              - id: nino
                error_rate: 0.01
              - id: postcode
                error_rate: { base: 0.05, by_group: { frequent-mover: 0.3 } }
          - id: earnings
            body: HMRC
            coverage: { base: 0.95, by_group: { no-fixed-address: 0.7 } }
            fields:
              - id: nino
              - id: postcode
        linkage:
          - id: link
            from: claims
            to: earnings
            method: probabilistic
            fields:
              - { field: nino, m: 0.98, u: 0.0001 }
              - { field: postcode, m: 0.8, u: 0.001 }
            upper_threshold: 15
            lower_threshold: 8
            candidates_per_block: 2
        fraud:
          benefit: Housing Benefit
          claimants:
            records: claims
            share: { base: 0.07, by_group: { disabled: 0.15 } }
            monthly_award: 400
          true_states:
            - { id: claimant-error, prevalence: 0.1, annual_overpayment: "lognormal(1800, 1400)" }
            - { id: fraud, prevalence: 0.025, annual_overpayment: 2700 }
          status_quo:
            checks:
              - { id: existing, detection_rate: 0.25, cost_per_case: 60 }
          matching:
            linkage: link
            comparison: annual-average
            flag_threshold: 50
            earners_share: 0.35
            monthly_earnings: "lognormal(900, 500)"
            earnings_variation: { base: 0.1, by_group: { frequent-mover: 0.6 } }
            undeclared_share: 0.7
          actions:
            letter_cost: 5
            suspension_share: 0.3
            suspension_cost: 40
            debt_cost: 60
            investigation_cost: 150
          responses:
            respond_to_letter: { base: 0.8, by_group: { no-fixed-address: 0.35 } }
            appeal: 0.1
            appeal_success_when_wrong: 0.6
            appeal_cost: 250
          hardship:
            share_of_wrongful_actions: 0.2
        safeguards:
          - id: human-review
            type: human-review
            catch_rate: "beta(14, 6)"
            cost_per_case: 35
          - id: screen
            type: vulnerability-screen
            groups: [disabled, no-fixed-address]
            detection_rate: 0.5
        variants:
          - id: strict
            overrides:
              safeguards.human-review.catch_rate: 0.9
              fraud.matching.comparison: period-matched
        """;

    public static MemoryFiles Files(string? scenario = null, string? population = null) =>
        new MemoryFiles().With(ScenarioPath, scenario ?? Scenario).With(PopulationPath, population ?? PopulationText);

    public static ScenarioLoadResult Load(string? scenario = null, string? population = null) =>
        ScenarioLoader.Load(ScenarioPath, Files(scenario, population));

    /// <summary>Replaces exactly one occurrence of <paramref name="old"/> (the test fails if it is not unique).</summary>
    public static string Replace(string text, string old, string replacement)
    {
        int first = text.IndexOf(old, StringComparison.Ordinal);
        Assert.True(first >= 0, $"'{old}' not in the fixture");
        Assert.True(text.IndexOf(old, first + 1, StringComparison.Ordinal) < 0, $"'{old}' is not unique in the fixture");
        return string.Concat(text.AsSpan(0, first), replacement, text.AsSpan(first + old.Length));
    }

    /// <summary>"file:line:column" of the <paramref name="occurrence"/>-th appearance of <paramref name="token"/> (1-based).</summary>
    public static string At(string file, string text, string token, int occurrence = 1, int offset = 0)
    {
        int index = -1;
        for (int i = 0; i < occurrence; i++)
        {
            index = text.IndexOf(token, index + 1, StringComparison.Ordinal);
            Assert.True(index >= 0, $"'{token}' (occurrence {occurrence}) not in the text");
        }

        index += offset;
        int line = 1, column = 1;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return $"{file}:{line}:{column}";
    }

    /// <summary>Asserts the result has exactly one error and returns it as printed.</summary>
    public static string SingleError(ScenarioLoadResult result)
    {
        Assert.Null(result.Scenario);
        return Assert.Single(result.Errors).ToString();
    }
}
