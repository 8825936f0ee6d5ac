using System.Collections.Immutable;

namespace ImpactModel.Reporting.Charts;

/// <summary>The data table of a chart of figures: one row per plotted figure, with its unit, 95% interval and any note.</summary>
internal sealed class ChartRows(string first)
{
    private readonly List<ImmutableArray<string>> _rows = [];

    public void Add(string item, string measure, ManifestMetric? metric, Figure? figure) =>
        _rows.Add([item, measure, ChartUnits.TableUnit(metric),
            ChartUnits.Number(figure?.Mean, metric), ChartUnits.Number(figure?.Low, metric), ChartUnits.Number(figure?.High, metric),
            figure is null ? "not defined in this run" : figure.Value.Unreliable ? ChartUnits.UnreliableNote : ""]);

    public ChartTable Table() => new([first, "Measure", "Unit", "Mean", "95% low", "95% high", "Note"], [.. _rows]);
}
