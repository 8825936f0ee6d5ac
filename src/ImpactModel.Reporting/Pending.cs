namespace ImpactModel.Reporting;

// Placeholder until the chart and HTML branches merge (removed then).
internal static class ChartWriter
{
    public static IReadOnlyList<RenderedChart> Write(RunData run, string folder) { Directory.CreateDirectory(folder); return []; }

    public static IReadOnlyList<RenderedChart> WriteCompare(IReadOnlyList<(string Run, RunData Data)> runs, string folder) { Directory.CreateDirectory(folder); return []; }
}

internal static class HtmlReport
{
    public static void Write(RunData run, IReadOnlyList<RenderedChart> charts, string chartsFolder, string path) => File.WriteAllText(path, "<!doctype html>");

    public static void WriteCompare(IReadOnlyList<(string Run, RunData Data)> runs, IReadOnlyList<RenderedChart> charts, string chartsFolder, string path, IReadOnlyList<string> warnings) => File.WriteAllText(path, "<!doctype html>");
}
