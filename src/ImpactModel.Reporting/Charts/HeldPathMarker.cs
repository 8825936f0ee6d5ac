using ScottPlot;
using SkiaSharp;

namespace ImpactModel.Reporting.Charts;

/// <summary>
/// Draws a marker shape that is a path (triangles, diamonds, the asterisk and the eks) holding the
/// path until Skia has drawn it. ScottPlot 5's own markers of these shapes make an <see cref="SKPath"/>
/// they never dispose and pass it to a native draw as their last use of it, and SkiaSharp does not keep
/// it alive through the call: a garbage collection during the draw (any thread's allocations start one)
/// lets the finalizer thread free the path while Skia iterates it. That was the segfault in
/// libSkiaSharp seen in CI (always in the path iterator's constructor, offset 0xcddf3 of SkiaSharp
/// 3.119.0's library), reproduced in seconds by drawing these markers while another thread collects.
/// Circles and squares are drawn without a path and keep ScottPlot's renderer.
/// </summary>
internal sealed class HeldPathMarker : IMarker
{
    private static readonly float Sqrt3 = MathF.Sqrt(3);

    private readonly MarkerShape _shape;

    private HeldPathMarker(MarkerShape shape) => _shape = shape;

    private static readonly Dictionary<MarkerShape, HeldPathMarker> Renderers = new[]
    {
        MarkerShape.FilledTriangleUp, MarkerShape.OpenTriangleUp, MarkerShape.FilledTriangleDown,
        MarkerShape.OpenTriangleDown, MarkerShape.FilledDiamond, MarkerShape.OpenDiamond,
        MarkerShape.Asterisk, MarkerShape.Eks, MarkerShape.Cross,
    }.ToDictionary(s => s, s => new HeldPathMarker(s));

    /// <summary>ScottPlot's shapes it draws without a path of its own (no renderer needed).</summary>
    internal static readonly IReadOnlySet<MarkerShape> PathlessShapes = new HashSet<MarkerShape>
    {
        MarkerShape.None, MarkerShape.FilledCircle, MarkerShape.OpenCircle, MarkerShape.FilledSquare, MarkerShape.OpenSquare,
    };

    /// <summary>The shapes this class draws.</summary>
    internal static IEnumerable<MarkerShape> Shapes => Renderers.Keys;

    /// <summary>
    /// Gives every marker of <paramref name="plot"/> (its plottables' and its legend's own items) whose
    /// shape is a path this renderer; a shape that is a path it cannot draw is refused rather than
    /// drawn unsafely.
    /// </summary>
    public static void HoldPaths(Plot plot)
    {
        foreach (IHasMarker marked in plot.GetPlottables().OfType<IHasMarker>())
            Hold(marked.MarkerStyle);
        foreach (LegendItem item in plot.Legend.ManualItems)
            Hold(item.MarkerStyle);
    }

    private static void Hold(MarkerStyle style)
    {
        if (style.CustomRenderer is not null || PathlessShapes.Contains(style.Shape))
            return;
        style.CustomRenderer = Renderers.TryGetValue(style.Shape, out HeldPathMarker? renderer)
            ? renderer
            : throw new InvalidOperationException(
                $"marker shape {style.Shape} is drawn by ScottPlot through a path it does not keep alive; draw it with {nameof(HeldPathMarker)} (add the shape there) or use another shape");
    }

    public void Render(SKCanvas canvas, Paint paint, Pixel center, float size, MarkerStyle markerStyle)
    {
        float half = size / 2;
        using var path = new SKPath();
        switch (_shape)
        {
            case MarkerShape.FilledTriangleUp or MarkerShape.OpenTriangleUp:
                Triangle(path, center, size, up: true);
                break;
            case MarkerShape.FilledTriangleDown or MarkerShape.OpenTriangleDown:
                Triangle(path, center, size, up: false);
                break;
            case MarkerShape.FilledDiamond or MarkerShape.OpenDiamond:
                path.AddPoly([new(center.X + half, center.Y), new(center.X, center.Y + half), new(center.X - half, center.Y), new(center.X, center.Y - half)]);
                break;
            case MarkerShape.Cross:
                Plus(path, center, half);
                break;
            case MarkerShape.Eks:
                Ex(path, center, half);
                break;
            case MarkerShape.Asterisk:
                Plus(path, center, half);
                Ex(path, center, half / MathF.Sqrt(2)); // the diagonals as long as the arms
                break;
            default:
                throw new InvalidOperationException($"{nameof(HeldPathMarker)} does not draw {_shape}");
        }

        bool filled = _shape is MarkerShape.FilledTriangleUp or MarkerShape.FilledTriangleDown or MarkerShape.FilledDiamond;
        if (filled)
        {
            Drawing.FillPath(canvas, paint, path, markerStyle.FillStyle, new PixelRect(center, half));
            Drawing.DrawPath(canvas, paint, path, markerStyle.OutlineStyle);
        }
        else
        {
            Drawing.DrawPath(canvas, paint, path, markerStyle.LineStyle);
        }
    }

    /// <summary>An equilateral triangle of side <paramref name="side"/> centred on its centroid, a vertex up or down.</summary>
    private static void Triangle(SKPath path, Pixel c, float side, bool up)
    {
        float r = side / Sqrt3; // centroid to vertex
        float dx = side / 2, dy = r / 2;
        float s = up ? 1 : -1;
        path.AddPoly([new(c.X, c.Y - s * r), new(c.X + dx, c.Y + s * dy), new(c.X - dx, c.Y + s * dy)]);
    }

    private static void Plus(SKPath path, Pixel c, float arm)
    {
        path.MoveTo(c.X + arm, c.Y);
        path.LineTo(c.X - arm, c.Y);
        path.MoveTo(c.X, c.Y + arm);
        path.LineTo(c.X, c.Y - arm);
    }

    private static void Ex(SKPath path, Pixel c, float reach)
    {
        path.MoveTo(c.X + reach, c.Y + reach);
        path.LineTo(c.X - reach, c.Y - reach);
        path.MoveTo(c.X - reach, c.Y + reach);
        path.LineTo(c.X + reach, c.Y - reach);
    }
}
