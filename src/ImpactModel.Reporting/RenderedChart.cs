using System.Collections.Immutable;

namespace ImpactModel.Reporting;

/// <summary>A chart's data as a table, for readers who cannot see the chart (the report prints it beside the chart).</summary>
/// <param name="Columns">Column headings, with units.</param>
/// <param name="Rows">Cells as text, already formatted.</param>
public sealed record ChartTable(ImmutableArray<string> Columns, ImmutableArray<ImmutableArray<string>> Rows);

/// <summary>
/// A chart written to a run folder's <c>charts/</c> as <c>NAME.png</c> and <c>NAME.svg</c>, with
/// what the report needs to show it accessibly.
/// </summary>
/// <param name="Name">The file name without extension (<c>benefit-harm</c>).</param>
/// <param name="Title">The chart's title, a plain sentence.</param>
/// <param name="Caption">One sentence saying how to read it.</param>
/// <param name="AltText">The text alternative: what the chart shows, in words.</param>
/// <param name="Data">The plotted figures as a table.</param>
/// <param name="Series">Series plotted (for tests and the report's notes).</param>
public sealed record RenderedChart(string Name, string Title, string Caption, string AltText, ChartTable Data, int Series)
{
    public string PngFile => Name + ".png";

    public string SvgFile => Name + ".svg";
}
