using ImpactModel.Reporting.Charts;
using ImpactModel.Reporting.Html;
using ImpactModel.Scenarios;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Reporting;

/// <summary>
/// Writes what people see of a run: its charts (<c>charts/NAME.png</c> and <c>.svg</c>) and its
/// self-contained <c>report.html</c>, from the run folder's own files, so that a report made as a run
/// ends and one made later from the folder are the same; and the same for a comparison of runs and for a package.
/// </summary>
public static class ReportWriter
{
    /// <summary>The charts' folder inside a run or compare folder.</summary>
    public const string ChartsFolder = "charts";

    /// <summary>The report's file name.</summary>
    public const string ReportFile = "report.html";

    /// <summary>
    /// Starts drawing the charts' first, throw-away chart on the thread pool (<see cref="Charts.ChartKit.WarmUp"/>),
    /// so that the run's own charts find the drawing machinery loaded. Best effort: any failure is left
    /// for the real charts to meet and report.
    /// </summary>
    public static Task WarmUp()
    {
        Task warming = Task.Run(() =>
        {
            try
            {
                Charts.ChartKit.WarmUp();
            }
#pragma warning disable CA1031 // best effort: the run's own charts report any failure to draw
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
        Volatile.Write(ref _warming, warming);
        return warming;
    }

    private static Task _warming = Task.CompletedTask;

    /// <summary>
    /// Starts, on the thread pool, what the report of a run of <paramref name="scenario"/> with
    /// <paramref name="seed"/> needs of the scenario alone: the linkage-weight histograms, simulated
    /// from the scenario and seed (<see cref="Charts.LinkageWeightChart"/>). A run calls it once the
    /// scenario is loaded, while a core is idle; its report, handed the same scenario object
    /// (<see cref="WriteRun"/>), then takes the histograms instead of simulating them. The same
    /// counts either way; a failure is left for the chart, which then simulates them itself.
    /// </summary>
    public static void Prepare(Scenario scenario, ulong seed) => Charts.LinkageWeightChart.Prepare(scenario, seed);

    /// <summary>
    /// Waits for a warm-up still drawing, so that no chart of the report is built beside it (some
    /// charts measure text outside <see cref="Charts.ChartKit"/>'s gate, and ScottPlot does not promise
    /// its caches are safe to share across threads). The warm-up never throws.
    /// </summary>
    private static void AfterWarmUp() => Volatile.Read(ref _warming).Wait();

    /// <summary>
    /// Writes the charts and report of the run whose files are in <paramref name="folder"/> (being
    /// written: not yet renamed); <paramref name="keptScenario"/> as <see cref="RunFolderReader.Read"/> takes it.
    /// </summary>
    public static RunData WriteRun(string folder, IScenarioFiles files, bool beingWritten = false, Scenario? keptScenario = null)
    {
        RunData run = RunFolderReader.Read(folder, files, beingWritten, keptScenario);
        AfterWarmUp();
        string charts = Path.Combine(folder, ChartsFolder);
        // The PNGs are encoded and written while the next chart, then the page, is drawn.
        return Charts.ChartKit.Batch(() =>
        {
            IReadOnlyList<RenderedChart> rendered = ChartWriter.Write(run, charts);
            HtmlReport.Write(run, rendered, charts, Path.Combine(folder, ReportFile));
            return run;
        });
    }

    /// <summary>Writes the comparison charts and report of <paramref name="runs"/> into <paramref name="folder"/>.</summary>
    public static void WriteCompare(IReadOnlyList<(string Run, RunData Data)> runs, string folder, IReadOnlyList<string> warnings)
    {
        AfterWarmUp();
        string charts = Path.Combine(folder, ChartsFolder);
        Charts.ChartKit.Batch(() =>
        {
            IReadOnlyList<RenderedChart> rendered = ChartWriter.WriteCompare(runs, charts);
            HtmlReport.WriteCompare(runs, rendered, charts, Path.Combine(folder, ReportFile), warnings);
            return rendered;
        });
    }

    /// <summary>
    /// Writes the chart (<c>charts/package-burden.png</c> and <c>.svg</c>) and <c>report.html</c> of the
    /// package whose <c>manifest.json</c> and <c>package.csv</c> are in <paramref name="folder"/>, from those
    /// two files alone; returns the files written, relative to the folder, with <c>/</c> between names.
    /// A missing or malformed file is a <see cref="RunFolderException"/> naming it, and then nothing is written.
    /// <paramref name="beingWritten"/>: the package's own partial folder (<c>DIR.partial-…</c>), written before it is renamed.
    /// </summary>
    public static IReadOnlyList<string> WritePackage(string folder, bool beingWritten = false)
    {
        PackageData package = PackageData.Read(folder, beingWritten);
        AfterWarmUp();
        string charts = Path.Combine(folder, ChartsFolder);
        Directory.CreateDirectory(charts);
        RenderedChart chart = PackageBurdenChart.Write(package, charts);
        PackageReport.Write(package, chart, charts, Path.Combine(folder, ReportFile));
        return [$"{ChartsFolder}/{chart.PngFile}", $"{ChartsFolder}/{chart.SvgFile}", ReportFile];
    }
}
