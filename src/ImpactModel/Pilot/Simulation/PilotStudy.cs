using System.Collections.Immutable;
using ImpactModel.Population;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;

namespace ImpactModel.Pilot.Simulation;

/// <summary>What <c>impact pilot</c> is asked for.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Simulations">Simulated pilots per design point (at least <see cref="PilotStudy.MinimumSimulations"/>).</param>
/// <param name="AreasPerArm">The grid of units per arm; null for the default 2 to 20, bounded by the candidates.</param>
/// <param name="Fraction">The share of each unit's persons simulated; null for the default (<see cref="PilotStudy.PersonsBudget"/> over the candidates).</param>
/// <param name="Threads">Threads (0: every core).</param>
public sealed record PilotRequest(ulong Seed, int Simulations, ImmutableArray<int>? AreasPerArm, double? Fraction, int Threads = 0);

/// <summary>A finished pilot study: what was simulated and the rows of <c>pilot.csv</c>.</summary>
public sealed record PilotStudyResult(PilotSetup Setup, PilotSettings Settings, double Fraction, AreaEnrolment Enrolment, IReadOnlyList<PilotRow> Rows,
    ImmutableArray<PilotOutcome> Outcomes, ImmutableArray<string> Warnings);

/// <summary>
/// Sizes a pilot by simulating it with the engine: resolves the scenario's pilot section
/// (<see cref="PilotSetup"/>), enrols a share of each candidate unit's persons, runs one engine
/// replicate per simulated pilot (<see cref="PilotEngine"/>), and simulates and analyses every design
/// point (<see cref="PilotSimulator"/>). Pure: no files, console or clock.
/// </summary>
public static class PilotStudy
{
    /// <summary>Fewest simulated pilots per point: below it the Monte Carlo error of a power (up to 0.05) hides the answer.</summary>
    public const int MinimumSimulations = 100;

    /// <summary>The default grid: 2 to this many units per arm, bounded by the candidates.</summary>
    public const int DefaultLargestArm = 20;

    /// <summary>Persons simulated per replicate over all candidate units by default: the fraction of each unit is this over their total, at most 1.</summary>
    public const long PersonsBudget = 250_000;

    /// <summary>Resolves the scenario's pilot and checks the request against it; throws <see cref="ScenarioException"/> for the scenario's problems.</summary>
    public static (PilotSetup Setup, ImmutableArray<int> Grid, double Fraction) Prepare(Scenario scenario, IReadOnlyList<IStrandModel> models, PilotRequest request)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(request);
        PilotSetup setup = PilotSetup.Resolve(scenario, models);
        int largest = setup.Units.Length / 2;
        PilotSpec spec = setup.Spec;
        string what = setup.ByAuthority ? "local authorities" : "areas";
        ImmutableArray<int> grid;
        if (request.AreasPerArm is { } asked)
        {
            int beyond = asked.FirstOrDefault(k => k > largest);
            if (beyond > 0)
                throw new ScenarioException([new ScenarioError(spec.Position.File, spec.Position.Line, spec.Position.Column, "pilot.areas",
                    $"{beyond} {what} per arm need {2 * beyond}; the candidate areas ({string.Join(", ", spec.Areas)}) hold {setup.Units.Length}")]);
            grid = [.. asked.Distinct().Order()];
        }
        else
        {
            grid = [.. Enumerable.Range(2, Math.Min(DefaultLargestArm, largest) - 1)];
        }

        long candidates = setup.Units.Sum(u => u.Population);
        double fraction = request.Fraction ?? Math.Min(1, (double)PersonsBudget / candidates);
        return (setup, grid, fraction);
    }

    /// <summary>Runs the study.</summary>
    public static PilotStudyResult Run(Scenario scenario, IReadOnlyList<IStrandModel> models, PilotRequest request,
        Action<int>? replicateDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Simulations, MinimumSimulations);
        ArgumentNullException.ThrowIfNull(models);
        models = [.. models.Select(m => m.CountingByPerson())]; // every area's tallies its own
        (PilotSetup setup, ImmutableArray<int> grid, double fraction) = Prepare(scenario, models, request);
        var enrolment = Enrol(setup, fraction);
        var settings = new PilotSettings(request.Seed, request.Simulations, grid, models.All(m => m.CountsAYear), fraction);
        // The engine's declared population is the candidates': a strand that scales from the persons it
        // simulates to the declared ones (the research strand's class sizes) then scales by 1/fraction.
        Scenario candidates = scenario with { Population = scenario.Population with { Size = setup.Units.Sum(u => u.Population) } };
        AreaCounts counts = PilotEngine.Run(setup.For(candidates), models, enrolment, request.Seed, request.Simulations, request.Threads, replicateDone,
            cancellationToken);
        IReadOnlyList<PilotRow> rows = PilotSimulator.Simulate(setup, counts, enrolment.Counts, settings, request.Threads, cancellationToken, out var outcomes);
        var warnings = ImmutableArray.CreateBuilder<string>();
        if (grid[0] < 4 && setup.Spec.Designs.Contains(PilotSimulator.Cluster))
            warnings.Add($"fewer than 4 {(setup.ByAuthority ? "local authorities" : "areas")} per arm: with so few, a real cluster-randomised pilot's analysis is fragile (its rows show it)");
        if (fraction < 1)
            warnings.Add($"each pilot unit's persons are a {fraction:0.####} share of it (--fraction): a pilot of whole units has more persons, and more power on rare outcomes, than these rows");
        return new PilotStudyResult(setup, settings, fraction, enrolment, rows, outcomes, warnings.ToImmutable());
    }

    /// <summary>Each candidate unit's share of persons, at least two (one in each half).</summary>
    public static AreaEnrolment Enrol(PilotSetup setup, double fraction)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return new AreaEnrolment([.. setup.Units.Select(u => u.Index)], [.. setup.Units.Select(u => Math.Max(2, (long)Math.Round(u.Population * fraction)))], setup.ByAuthority);
    }
}
