using System.Collections.Immutable;
using ScottPlot;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// The Okabe–Ito palette (Okabe and Ito 2008, "Color Universal Design"; Wong 2011, "Points of
/// view: Color blindness", Nature Methods 8:441), distinguishable with every common colour-vision
/// deficiency, with a marker shape, a hatch and a line pattern paired to each series colour so that
/// a chart printed in black and white still tells its series apart.
/// </summary>
public static class OkabeIto
{
    public static readonly Color Orange = Color.FromHex("#E69F00");
    public static readonly Color SkyBlue = Color.FromHex("#56B4E9");
    public static readonly Color BluishGreen = Color.FromHex("#009E73");
    public static readonly Color Yellow = Color.FromHex("#F0E442");
    public static readonly Color Blue = Color.FromHex("#0072B2");
    public static readonly Color Vermillion = Color.FromHex("#D55E00");
    public static readonly Color ReddishPurple = Color.FromHex("#CC79A7");
    public static readonly Color Black = Color.FromHex("#000000");

    /// <summary>Grey for figures that rest on too few events (not an Okabe–Ito hue: it marks, it does not name a series).</summary>
    public static readonly Color Unreliable = Color.FromHex("#999999");

    /// <summary>Series colours in order. Yellow is left out: on white it is too pale for markers and lines.</summary>
    public static ImmutableArray<Color> Series { get; } = [Blue, Vermillion, BluishGreen, ReddishPurple, Orange, SkyBlue, Black];

    /// <summary>Filled marker of each series (the same index as <see cref="Series"/>, repeating).</summary>
    public static ImmutableArray<MarkerShape> Markers { get; } =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown, MarkerShape.Asterisk, MarkerShape.Eks];

    /// <summary>Line pattern of each series (PNG only: Skia's SVG canvas draws every line solid, so never the only difference).</summary>
    public static ImmutableArray<LinePattern> Lines { get; } =
        [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    /// <summary>The colour of series <paramref name="index"/>.</summary>
    public static Color ColorOf(int index) => Series[index % Series.Length];

    /// <summary>The marker of series <paramref name="index"/>; after every colour has been used once the markers shift, so no two series up to 49 share both.</summary>
    public static MarkerShape MarkerOf(int index) => Markers[(index + index / Series.Length) % Markers.Length];

    /// <summary>The line pattern of series <paramref name="index"/>.</summary>
    public static LinePattern LineOf(int index) => Lines[index % Lines.Length];

    /// <summary>The hollow counterpart of a filled marker (for dominated or unreliable points).</summary>
    public static MarkerShape Hollow(MarkerShape shape) => shape switch
    {
        MarkerShape.FilledCircle => MarkerShape.OpenCircle,
        MarkerShape.FilledSquare => MarkerShape.OpenSquare,
        MarkerShape.FilledTriangleUp => MarkerShape.OpenTriangleUp,
        MarkerShape.FilledTriangleDown => MarkerShape.OpenTriangleDown,
        MarkerShape.FilledDiamond => MarkerShape.OpenDiamond,
        _ => shape,
    };
}
