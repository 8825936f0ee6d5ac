using ImpactModel.Linkage;
using ImpactModel.Scenarios.Model;
using ImpactModel.Tests.Scenarios;

namespace ImpactModel.Tests.Linkage;

/// <summary>Scenarios for the linkage tests: the fixture's fraud scenario with its data sources and linkage replaced.</summary>
internal static class LinkageTestScenarios
{
    public const ulong Seed = 20261127;

    /// <summary>Group bits of the fixture population.</summary>
    public const uint NoFixedAddress = 1, FrequentMover = 2, Disabled = 4;

    public static readonly string[] Groups = ["no-fixed-address", "frequent-mover", "disabled"];

    /// <summary>Three fields of moderate quality; the linker's m and u, the data's own chance agreement by group.</summary>
    public const string Baseline = """
        data_sources:
          - id: claims
            body: DWP
            fields:
              - { id: nino, error_rate: 0.02, missing_rate: 0.05 }
              - { id: surname, error_rate: 0.05, missing_rate: 0.01 }
              - id: postcode
                error_rate: { base: 0.1, by_group: { frequent-mover: 0.4 } }
                missing_rate: { base: 0.02, by_group: { no-fixed-address: 0.5 } }
          - id: earnings
            body: HMRC
            coverage: { base: 0.9, by_group: { no-fixed-address: 0.6 } }
            fields:
              - { id: nino, error_rate: 0.01, missing_rate: { base: 0.1, by_group: { no-fixed-address: 0.3 } } }
              - { id: surname, error_rate: 0.03 }
              - { id: postcode, error_rate: { base: 0.05, by_group: { frequent-mover: 0.3 } } }
        linkage:
          - id: link
            from: claims
            to: earnings
            method: probabilistic
            fields:
              - { field: nino, m: 0.95, u: 0.0001, chance_agreement: { base: 0.001, by_group: { disabled: 0.01 } } }
              - { field: surname, m: 0.9, u: 0.01, chance_agreement: { base: 0.05, by_group: { disabled: 0.3 } } }
              - { field: postcode, m: 0.85, u: 0.005, chance_agreement: { base: 0.05, by_group: { no-fixed-address: 0.2 } } }
            upper_threshold: 12
            lower_threshold: 5
            clerical_review: { accuracy: 0.9, cost_per_pair: 12 }
            candidates_per_block: { base: 2, by_group: { no-fixed-address: 4, disabled: 3 } }

        """;

    /// <summary>The settings the simulation is checked against the calculator in.</summary>
    public static string Setting(string name) => name switch
    {
        "baseline" => Baseline,
        "term-frequency" => Baseline.Replace("{ field: surname, m: 0.9", "{ field: surname, term_frequency: true, m: 0.9", StringComparison.Ordinal),
        "no-review" => Baseline.Replace("    clerical_review: { accuracy: 0.9, cost_per_pair: 12 }\n", "", StringComparison.Ordinal),
        "narrow-band" => Baseline.Replace("upper_threshold: 12", "upper_threshold: 8", StringComparison.Ordinal)
            .Replace("lower_threshold: 5", "lower_threshold: 8", StringComparison.Ordinal),
        "exact" => """
            data_sources:
              - id: claims
                body: DWP
                fields:
                  - { id: nino, error_rate: 0.02, missing_rate: 0.05 }
                  - { id: postcode, error_rate: { base: 0.1, by_group: { frequent-mover: 0.4 } } }
              - id: earnings
                body: HMRC
                coverage: { base: 0.9, by_group: { no-fixed-address: 0.6 } }
                fields:
                  - { id: nino, missing_rate: 0.1 }
                  - { id: postcode, error_rate: 0.05 }
            linkage:
              - id: link
                from: claims
                to: earnings
                method: exact
                fields: [{ field: nino }, { field: postcode }]
                candidates_per_block: 2

            """,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such setting"),
    };

    public static Scenario Load(string sourcesAndLinkage)
    {
        string text = ScenarioFixture.Scenario;
        int a = text.IndexOf("data_sources:", StringComparison.Ordinal), b = text.IndexOf("fraud:", StringComparison.Ordinal);
        var result = ScenarioFixture.Load(string.Concat(text.AsSpan(0, a), sourcesAndLinkage, text.AsSpan(b)));
        Assert.True(result.IsValid, result.Summary);
        return result.Scenario!;
    }

    public static CompiledLinkage Compile(Scenario scenario, int replicate = 0) =>
        CompiledLinkage.Compile(scenario, scenario.Linkages[0], Groups, Seed, replicate);

    public static CompiledLinkage Compile(string setting) => Compile(Load(Setting(setting)));

    /// <summary>Links persons first … first + n − 1, all with <paramref name="mask"/>, and tallies them.</summary>
    public static LinkageTally Simulate(CompiledLinkage linkage, uint mask, int persons, long first = 0, WeightHistogram? histogram = null)
    {
        const int Chunk = 4096;
        var tally = new LinkageTally(Groups);
        var masks = new uint[Chunk];
        var outcomes = new LinkOutcome[Chunk];
        Array.Fill(masks, mask);
        for (int s = 0; s < persons; s += Chunk)
        {
            int n = Math.Min(Chunk, persons - s);
            linkage.Link(first + s, masks.AsSpan(0, n), outcomes.AsSpan(0, n), histogram);
            tally.Add(masks.AsSpan(0, n), outcomes.AsSpan(0, n));
        }

        return tally;
    }

    /// <summary>
    /// Asserts k successes in n trials are within 4 standard errors √(p(1 − p)/n) of p (plus 1e-9,
    /// the calculator's stated exactness). With 4σ a correct build fails a given check about once
    /// in 16,000 runs (two-sided normal tail 6.3e-5); the seed is fixed, so a passing check stays
    /// passing and a failure means the model or the calculator changed.
    /// </summary>
    public static void AssertRate(long k, long n, double? p, string what)
    {
        if (n == 0)
            return;
        Assert.NotNull(p);
        double expected = p.Value, observed = (double)k / n;
        double se = Math.Sqrt(expected * (1 - expected) / n);
        Assert.True(Math.Abs(observed - expected) <= 4 * se + 1e-9,
            $"{what}: simulated {observed:G6} ({k}/{n}), calculator {expected:G6}, 4 SE = {4 * se:G3}");
    }

    public static void AssertAgrees(LinkageCounts c, LinkageExpectation e, string what)
    {
        AssertRate(c.WithRecord, c.Processed, e.HasRecord, what + " coverage");
        AssertRate(c.LinkedOwn, c.WithRecord, e.Recall, what + " recall");
        AssertRate(c.LinkedOwn, c.LinkedOwn + c.LinkedOther, e.Precision, what + " precision");
        AssertRate(c.LinkedOther, c.Processed, e.FalseMatchRate, what + " false-match rate");
        AssertRate(c.Reviewed, c.Processed, e.ReviewRate, what + " review rate");
    }
}
