using System.Text;
using BenchmarkDotNet.Attributes;
using ImpactModel.Linkage;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Benchmarks.Linkage;

/// <summary>
/// Probabilistic linkage of each person against their own record plus Poisson(2) candidates over
/// five fields (issue 7). OperationsPerInvoke makes Mean the time per person, so persons per second
/// = 1 / Mean. <see cref="OneCore"/> is one thread; <see cref="BothCores"/> runs chunks of 4096
/// persons with Parallel.For on every core (2 on the reference machine), each chunk's outcomes in its
/// own slice, as the runner will. <see cref="OneCoreEachCandidate"/> is the fallback kernel (each
/// candidate's fields drawn), for comparison.
/// </summary>
[MemoryDiagnoser]
public class LinkageBench
{
    private const int Chunk = 4096;
    private const int OneCorePersons = 16 * Chunk;
    private const int BothCoresPersons = 256 * Chunk;

    private readonly uint[] _masks = new uint[BothCoresPersons];
    private readonly LinkOutcome[] _outcomes = new LinkOutcome[BothCoresPersons];
    private CompiledLinkage _linkage = null!;
    private CompiledLinkage _fallback = null!;
    private long _first;

    /// <summary>Mean candidates per person (the setting is 2; 0 isolates the own-pair cost, which with the table kernel is nearly all of it).</summary>
    [Params(0, 2)]
    public int Candidates { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        Scenario scenario = ScenarioLoader.LoadScenario("s/link.yaml", new Files(Text.Replace("candidates_per_block: 2", $"candidates_per_block: {Candidates}", StringComparison.Ordinal)));
        _linkage = CompiledLinkage.Compile(scenario, scenario.Linkages[0], ["no-fixed-address", "frequent-mover", "disabled"], 20261127, 0);
        _fallback = CompiledLinkage.Compile(scenario, scenario.Linkages[0], ["no-fixed-address", "frequent-mover", "disabled"], 20261127, 0);
        _fallback.DropTables();
        for (int i = 0; i < _masks.Length; i++)
        {
            // About 1 in 8 persons in some group, as a mask pattern spread over the chunk.
            uint h = (uint)i * 2654435761u;
            _masks[i] = (h >> 29) == 0 ? (h >> 26) & 7 : 0;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OneCorePersons)]
    public void OneCore()
    {
        long first = Next(OneCorePersons);
        for (int s = 0; s < OneCorePersons; s += Chunk)
            _linkage.Link(first + s, _masks.AsSpan(s, Chunk), _outcomes.AsSpan(s, Chunk));
    }

    [Benchmark(OperationsPerInvoke = BothCoresPersons)]
    public void BothCores()
    {
        long first = Next(BothCoresPersons);
        Parallel.For(0, BothCoresPersons / Chunk, c =>
        {
            int s = c * Chunk;
            _linkage.Link(first + s, _masks.AsSpan(s, Chunk), _outcomes.AsSpan(s, Chunk));
        });
    }

    [Benchmark(OperationsPerInvoke = OneCorePersons)]
    public void OneCoreEachCandidate()
    {
        long first = Next(OneCorePersons);
        for (int s = 0; s < OneCorePersons; s += Chunk)
            _fallback.Link(first + s, _masks.AsSpan(s, Chunk), _outcomes.AsSpan(s, Chunk));
    }

    /// <summary>Fresh person ids each invocation (wrapping below 2^32), so no draw is reused.</summary>
    private long Next(int count)
    {
        long first = _first;
        _first = (_first + count) % (1L << 31);
        return first;
    }

    private sealed class Files(string text) : IScenarioFiles
    {
        public string Resolve(string referencingFile, string relativePath) => relativePath;

        public ScenarioFileContent Read(string path) => ScenarioFileContent.Of(Encoding.UTF8.GetBytes(text));
    }

    private const string Text = """
        strand: fraud-error-debt
        name: linkage-bench
        price_year: 2024
        horizon_years: 5
        population:
          size: 67596281
          areas: [{ id: uk, share: 1 }]
          groups:
            - { id: no-fixed-address, prevalence: 0.01 }
            - { id: frequent-mover, prevalence: 0.1 }
            - { id: disabled, prevalence: 0.2 }
        data_sources:
          - id: claims
            body: DWP
            fields:
              - { id: nino, error_rate: 0.01, missing_rate: 0.02 }
              - { id: surname, error_rate: 0.03 }
              - { id: forename, error_rate: 0.03 }
              - { id: dob, error_rate: 0.01 }
              - id: postcode
                error_rate: { base: 0.05, by_group: { frequent-mover: 0.3 } }
                missing_rate: { base: 0.01, by_group: { no-fixed-address: 0.6 } }
          - id: earnings
            body: HMRC
            coverage: { base: 0.95, by_group: { no-fixed-address: 0.7 } }
            fields:
              - { id: nino, missing_rate: 0.05 }
              - { id: surname, error_rate: 0.02 }
              - { id: forename, error_rate: 0.02 }
              - { id: dob, error_rate: 0.01 }
              - { id: postcode, error_rate: { base: 0.05, by_group: { frequent-mover: 0.3 } } }
        linkage:
          - id: link
            from: claims
            to: earnings
            method: probabilistic
            fields:
              - { field: nino, m: 0.97, u: 0.0001 }
              - { field: surname, m: 0.95, u: 0.01, chance_agreement: { base: 0.01, by_group: { disabled: 0.05 } } }
              - { field: forename, m: 0.95, u: 0.02 }
              - { field: dob, m: 0.98, u: 0.0003, chance_agreement: 0.01 }
              - { field: postcode, m: 0.9, u: 0.001, chance_agreement: 0.05 }
            upper_threshold: 20
            lower_threshold: 10
            clerical_review: { accuracy: 0.9, cost_per_pair: 12 }
            candidates_per_block: 2
        fraud:
          benefit: Housing Benefit
          claimants: { records: claims, share: 0.07, monthly_award: 400 }
          true_states:
            - { id: fraud, prevalence: 0.025, annual_overpayment: 2700 }
          status_quo: { checks: [] }
          matching:
            linkage: link
            comparison: annual-average
            flag_threshold: 50
            earners_share: 0.35
            monthly_earnings: 900
            undeclared_share: 0.7
          actions: { letter_cost: 5, suspension_share: 0.3, suspension_cost: 40, debt_cost: 60, investigation_cost: 150 }
          responses: { respond_to_letter: 0.8, appeal: 0.1, appeal_success_when_wrong: 0.6, appeal_cost: 250 }
          hardship: { share_of_wrongful_actions: 0.2 }
        """;
}
