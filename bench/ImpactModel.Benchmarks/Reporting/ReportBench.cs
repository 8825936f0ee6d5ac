using BenchmarkDotNet.Attributes;
using ImpactModel.Reporting;
using ImpactModel.Review;
using ImpactModel.Scenarios.Model;
using ImpactModel.Simulation;
using ImpactModel.Strands;
using ImpactModel.Worker.Commands;
using ImpactModel.Worker.Hosting;
using ImpactModel.Worker.Output;

namespace ImpactModel.Benchmarks.Reporting;

/// <summary>
/// What the charts and report add to a run (issue 20's bar: under 1.5 s for a shipped scenario):
/// the shipped fraud scenario's run folder as <c>impact run</c> writes it by default (200,000
/// persons, 40 replicates, 16 variants), then <see cref="ReportWriter.WriteRun"/>: read the folder,
/// draw the six charts (PNG and SVG, the linkage histogram tallied over 50,000 persons, the rank
/// correlations of the review view) and write report.html with the review's sections. Each iteration starts with the charts and report removed. Two jobs: warm (short run)
/// and cold start (the first call in a fresh process, JIT included, as a run pays it).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
[SimpleJob(BenchmarkDotNet.Engines.RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1, id: "ColdStart")]
public class ReportBench
{
    private string _folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        Scenario scenario = ShippedScenarios.Load("fraud-error-debt.yaml");
        RunResult result = SimulationRunner.Run(scenario, new RunSettings(1, 40, 200_000), BuiltInStrands.Registry);
        _folder = Path.Combine(Path.GetTempPath(), "impact-report-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var info = new RunInfo(new string('0', 64), RunFolder.EngineVersion, Environment.ProcessorCount, DateTime.UtcNow, 0, MoneyBasis.Of(scenario))
        {
            InputsScenario = RunFolder.KeepInputs(_folder, scenario, DiskScenarioFiles.Instance),
        };
        RunFolder.Write(_folder, result, info, review: RunReview.Of(scenario, result, BuiltInStrands.Registry.For(scenario).Models));
    }

    [IterationSetup]
    public void Clear()
    {
        string charts = Path.Combine(_folder, ReportWriter.ChartsFolder), report = Path.Combine(_folder, ReportWriter.ReportFile);
        if (Directory.Exists(charts))
            Directory.Delete(charts, recursive: true);
        File.Delete(report);
    }

    [Benchmark]
    public RunData ChartsAndReport() => ReportWriter.WriteRun(_folder, DiskScenarioFiles.Instance);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);
}
