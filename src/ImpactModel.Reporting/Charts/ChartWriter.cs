namespace ImpactModel.Reporting.Charts;

/// <summary>
/// Writes a run's charts (ScottPlot 5) into a folder as <c>NAME.png</c> (1200 × 800 px) and
/// <c>NAME.svg</c>. Every chart is drawn from <see cref="RunFacts"/> with the strand's
/// <see cref="StrandView"/> naming the metrics, so a strand adds to the charts by declaring its view.
/// Strings from the scenario are drawn as text (SVG-escaped), never interpreted.
/// </summary>
public static class ChartWriter
{
    /// <summary>
    /// Writes <c>benefit-harm</c>, <c>harm-by-group</c>, <c>safeguards</c>, <c>frontier</c>,
    /// <c>linkage-weights</c> and one <c>sensitivity-METRIC</c> per metric of sensitivity.csv, each only
    /// when the run has what it shows, into
    /// <paramref name="chartsFolder"/> (created), and returns what it wrote, in that order.
    /// </summary>
    public static IReadOnlyList<RenderedChart> Write(RunData run, string chartsFolder)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(chartsFolder);
        Directory.CreateDirectory(chartsFolder);
        var facts = new RunFacts(run);
        // One chart at a time in the process (ChartKit.Gate), and a run's set together.
        lock (ChartKit.Gate)
        {
            RenderedChart?[] charts =
            [
                BenefitHarmChart.Write(facts, chartsFolder),
                GroupHarmChart.Write(facts, chartsFolder),
                SafeguardChart.Write(facts, chartsFolder),
                FrontierChart.Write(facts, chartsFolder),
                LinkageWeightChart.Write(run, chartsFolder),
            ];
            return [.. charts.OfType<RenderedChart>(), .. SensitivityChart.Write(facts, chartsFolder)];
        }
    }

    /// <summary>
    /// Writes <c>compare-benefit-harm</c> and <c>compare-frontier</c> into <paramref name="chartsFolder"/>
    /// (created): one series per compared run (its proposal and status quo), named by
    /// <c>Run</c>. Runs of different strands may be compared; a metric a run lacks is left out for it, never drawn as zero.
    /// </summary>
    public static IReadOnlyList<RenderedChart> WriteCompare(IReadOnlyList<(string Run, RunData Data)> runs, string chartsFolder)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentException.ThrowIfNullOrEmpty(chartsFolder);
        Directory.CreateDirectory(chartsFolder);
        lock (ChartKit.Gate)
        {
            return [CompareCharts.WriteBenefitHarm(runs, chartsFolder), CompareCharts.WriteFrontier(runs, chartsFolder)];
        }
    }
}
