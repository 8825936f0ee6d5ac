using System.Text;
using System.Text.RegularExpressions;
using ScottPlot;
using ScottPlot.Plottables;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace ImpactModel.Reporting.Charts;

/// <summary>A plot drawn into one rectangle of a chart's image.</summary>
internal sealed record Panel(Plot Plot, PixelRect Rect);

/// <summary>A figure at a position on a category axis (a variant, a group, a safeguard).</summary>
internal readonly record struct Placed(double Position, Figure? Figure);

/// <summary>
/// What every chart shares: the page (1200 × 800 px, white), fonts and sizes legible at that size,
/// category axes, points with interval whiskers, bars, and writing the panels as PNG and SVG.
/// </summary>
internal static partial class ChartKit
{
    public const int Width = 1200;
    public const int Height = 800;
    public const float TitleSize = 22;
    public const float PanelTitleSize = 18;
    public const float LabelSize = 16;
    public const float TickSize = 15;
    public const float LegendSize = 15;
    public const float MarkerSize = 12;
    public const float WhiskerWidth = 2;

    /// <summary>Height of the band that holds a multi-panel chart's title, px.</summary>
    public const int TitleBand = 56;

    /// <summary>A sans-serif face with Latin, Greek, Cyrillic, Arabic and Hebrew glyphs where installed (DejaVu Sans), else ScottPlot's sans-serif default.</summary>
    private static readonly string FontName = Fonts.GetTypeface("DejaVu Sans", bold: false, italic: false) is { FamilyName: "DejaVu Sans" } ? "DejaVu Sans" : Fonts.Sans;

    /// <summary>A white plot with a title, axis labels and legible sizes.</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel, float titleSize = TitleSize)
    {
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Title(title, titleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        plot.Font.Set(FontName);
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.TickLabelStyle.FontSize = TickSize;
            axis.TickLabelStyle.ForeColor = Colors.Black;
            axis.Label.ForeColor = Colors.Black;
        }

        plot.Axes.Title.Label.ForeColor = Colors.Black;
        plot.Legend.FontSize = LegendSize;
        plot.Legend.FontName = FontName;
        return plot;
    }

    /// <summary>A plot that draws only a title: the heading band of a multi-panel chart.</summary>
    public static Plot TitlePlot(string title)
    {
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.HideAxesAndGrid();
        plot.Title(title, TitleSize);
        plot.Font.Set(FontName);
        plot.Axes.Title.Label.ForeColor = Colors.Black;
        return plot;
    }

    /// <summary>How much further down the labels set apart by <see cref="Categories"/> go, in rows.</summary>
    public const double Apart = 0.6;

    /// <summary>
    /// Labels the left axis with <paramref name="labels"/>, the first at the top; returns each label's y position.
    /// Labels from index <paramref name="apartFrom"/> on (when given) are set <see cref="Apart"/> of a row further down, apart from those above.
    /// </summary>
    public static double[] Categories(Plot plot, IReadOnlyList<string> labels, bool showLabels = true, int apartFrom = -1)
    {
        var ticks = new NumericManual();
        var positions = new double[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            positions[i] = labels.Count - 1 - i - (apartFrom >= 0 && i >= apartFrom ? Apart : 0);
            ticks.AddMajor(positions[i], showLabels ? labels[i] : "");
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsY((positions.Length > 0 ? Math.Min(0, positions[^1]) : 0) - 0.7, labels.Count - 0.3);
        return positions;
    }

    /// <summary>
    /// One series of points along x with horizontal 95% whiskers, at the given y positions. Points
    /// resting on too few events are drawn hollow and grey. Returns whether any point was unreliable.
    /// </summary>
    public static bool Dots(Plot plot, IEnumerable<Placed> points, AxisScale scale, int series, string legend)
    {
        Color color = OkabeIto.ColorOf(series);
        MarkerShape shape = OkabeIto.MarkerOf(series);
        var sure = new Points();
        var weak = new Points();
        foreach (Placed p in points)
        {
            if (p.Figure is { } f && double.IsFinite(f.Mean))
                (f.Unreliable ? weak : sure).Add(f, p.Position, scale);
        }

        sure.Draw(plot, color, shape, legend);
        weak.Draw(plot, OkabeIto.Unreliable, OkabeIto.Hollow(shape), sure.Count == 0 ? legend : "");
        return weak.Count > 0;
    }

    /// <summary>One series of horizontal bars from 0 with 95% whiskers; unreliable bars grey with the series' hatch. Returns whether any was unreliable.</summary>
    public static bool Bars(Plot plot, IEnumerable<Placed> points, AxisScale scale, int series, string legend, double offset, double thickness)
    {
        Color color = OkabeIto.ColorOf(series);
        IHatch? hatch = series % 2 == 1 ? new ScottPlot.Hatches.Striped() : null;
        var bars = new List<Bar>();
        var whiskers = new Points();
        bool unreliable = false;
        foreach (Placed p in points)
        {
            if (p.Figure is not { } f || !double.IsFinite(f.Mean))
                continue;
            unreliable |= f.Unreliable;
            bars.Add(new Bar
            {
                Position = p.Position + offset,
                Value = scale.Apply(f.Mean),
                ValueBase = 0,
                Size = thickness,
                FillColor = f.Unreliable ? OkabeIto.Unreliable : color,
                FillHatch = f.Unreliable ? new ScottPlot.Hatches.Dots() : hatch,
                FillHatchColor = Colors.White,
                LineColor = Colors.Black,
                LineWidth = 1,
                Orientation = Orientation.Horizontal,
            });
            whiskers.Add(f, p.Position + offset, scale);
        }

        if (bars.Count == 0)
            return false;
        BarPlot plotted = plot.Add.Bars(bars);
        plotted.Horizontal = true;
        plotted.LegendText = legend;
        whiskers.DrawWhiskers(plot, Colors.Black);
        return unreliable;
    }

    /// <summary>Adds the legend entry that explains grey points (hollow unless the chart gives hollow another meaning).</summary>
    public static void UnreliableLegend(Plot plot, MarkerShape shape = MarkerShape.OpenCircle) => plot.Legend.ManualItems.Add(new LegendItem
    {
        LabelText = "Unreliable: fewer than 30 simulated events",
        MarkerShape = shape,
        MarkerSize = MarkerSize,
        MarkerColor = OkabeIto.Unreliable,
        MarkerLineWidth = 2,
    });

    /// <summary>A vertical reference line (0 for a difference, 1 for a ratio); dashed in the PNG only, so no caption may rely on the dash.</summary>
    public static void Reference(Plot plot, double x) => plot.Add.VerticalLine(x, 1.5f, Colors.Black, LinePattern.Dashed);

    /// <summary>The largest magnitude among the figures' means and interval ends (0 when none).</summary>
    public static double MaxAbs(IEnumerable<Figure?> figures) =>
        figures.Where(f => f is not null).Select(f => f!.Value)
            .SelectMany(f => new[] { f.Mean, f.Low ?? f.Mean, f.High ?? f.Mean })
            .Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();

    /// <summary>The chart's area split into side-by-side columns of the given relative widths, under a title band.</summary>
    public static IReadOnlyList<PixelRect> Columns(params double[] widths)
    {
        double total = widths.Sum(), left = 0;
        var rects = new List<PixelRect>();
        foreach (double w in widths)
        {
            double right = left + Width * w / total;
            rects.Add(new PixelRect((float)Math.Round(left), (float)Math.Round(right), Height, TitleBand));
            left = right;
        }

        return rects;
    }

    /// <summary>The chart's area split into equal rows under a title band.</summary>
    public static IReadOnlyList<PixelRect> Rows(int count)
    {
        var rects = new List<PixelRect>();
        double h = (Height - TitleBand) / (double)count;
        for (int i = 0; i < count; i++)
            rects.Add(new PixelRect(0, Width, (float)Math.Round(TitleBand + (i + 1) * h), (float)Math.Round(TitleBand + i * h)));
        return rects;
    }

    /// <summary>The whole image for one plot.</summary>
    public static IReadOnlyList<Panel> Whole(Plot plot) => [new Panel(plot, new PixelRect(0, Width, Height, 0))];

    /// <summary>A title band over the given panels.</summary>
    public static IReadOnlyList<Panel> Titled(string title, IEnumerable<Panel> panels) =>
        [new Panel(TitlePlot(title), new PixelRect(0, Width, TitleBand, 0)), .. panels];

    /// <summary>
    /// Held while ScottPlot draws a chart and while its SVG is played back, so the process does either
    /// for one chart at a time (re-entrant): ScottPlot keeps process-wide caches (typefaces, hatch
    /// bitmaps) that it does not promise are safe to share across threads, and Skia numbers SVG clip
    /// paths from one counter. A chart's recorded picture is immutable: its pixels are played back
    /// without the gate, beside the next chart's drawing. The segfaults in libSkiaSharp once put
    /// down to drawing on several threads were ScottPlot's unheld marker paths (<see cref="HeldPathMarker"/>).
    /// </summary>
    internal static readonly Lock Gate = new();

    /// <summary>
    /// Draws a small chart of every kind of mark the charts use (text, axes, markers, whiskers, bars, a
    /// legend) as PNG and SVG into memory, and drops it: ScottPlot's and Skia's first drawing (typefaces
    /// found and loaded, glyph caches, the encoders) then happens here, not in the run's charts. A run
    /// starts it on a core that is idle while the scenario loads and the replicate compiles (issue 26:
    /// about 0.06 s off every run). Draws nothing any file shows; a failure here is the real
    /// charts' to report.
    /// </summary>
    public static void WarmUp()
    {
        lock (Gate)
        {
            Plot plot = NewPlot("warm-up", "x", "y");
            double[] xy = [1.0, 2.0];
            plot.Add.Bars(xy);
            Markers markers = plot.Add.Markers(xy, xy, MarkerShape.FilledTriangleUp, MarkerSize, Colors.Black);
            markers.LegendText = "warm-up";
            plot.Add.Line(1, 0.5, 1, 1.5).LineWidth = WhiskerWidth;
            UnreliableLegend(plot);
            var panels = new[] { new Panel(plot, new PixelRect(0, 320, 240, 0)) };
            using SKPicture picture = Record(panels, 320, 240);
            _ = SvgOf(picture, 320, 240);
            using (SKImage image = Raster(picture, 320, 240))
                EncodePng(image).Dispose();
        }
    }

    /// <summary>
    /// PNG at zlib level 1 with every row filtered by the row above (Up): the same pixels as the
    /// default (level 6, the best of all five filters tried on each row), encoded about five times
    /// faster (a 1200 × 800 chart: 24–30 ms → 5–6 ms) and no larger, as a chart's rows mostly repeat
    /// the row above (docs/performance.md, issue 26). Trying every filter on each row was three
    /// quarters of the encoding at level 1.
    /// </summary>
    private static readonly SKPngEncoderOptions Png = new(SKPngEncoderFilterFlags.Up, 1);

    /// <summary>Writes the panels as <c>NAME.png</c> and <c>NAME.svg</c> in <paramref name="folder"/>.</summary>
    public static void Save(string folder, string name, IReadOnlyList<Panel> panels)
    {
        lock (Gate)
            SaveAlone(folder, name, panels);
    }

    /// <summary>
    /// ScottPlot lays the panels out and draws them once, into a picture; the SVG is played back from
    /// it here, then the PNG's pixels, encoded and written (on the thread pool inside a batch).
    /// </summary>
    private static void SaveAlone(string folder, string name, IReadOnlyList<Panel> panels)
    {
        SKPicture picture = Record(panels, Width, Height);
        string png = Path.Combine(folder, name + ".png");
        try
        {
            File.WriteAllText(Path.Combine(folder, name + ".svg"), SvgOf(picture, Width, Height), new UTF8Encoding(false));
        }
        catch
        {
            picture.Dispose();
            throw;
        }

        if (_encoding is { } encoding)
            encoding.Add(Task.Run(() => WritePng(picture, png)));
        else
            WritePng(picture, png);
    }

    /// <summary>
    /// PNG files of the charts drawn inside <see cref="Batch{T}"/> on this thread, being encoded and
    /// written on the thread pool (null outside a batch: each is written before its chart returns).
    /// </summary>
    [ThreadStatic]
    private static List<Task>? _encoding;

    /// <summary>
    /// Runs <paramref name="write"/>, which draws charts (and may write other files from them), while
    /// each chart's pixels are played back from its picture, encoded as PNG and written on another
    /// core: none of that needs the <see cref="Gate"/>. Returns when every PNG is on disk; the first failure to write one
    /// is thrown as it is, after all have ended. The same bytes as writing each PNG in turn.
    /// </summary>
    public static T Batch<T>(Func<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        List<Task>? outer = _encoding;
        var encoding = new List<Task>();
        _encoding = encoding;
        T result;
        try
        {
            result = write();
        }
        catch
        {
            TaskWaits.Quietly(encoding); // no PNG is left being written behind the caller's own error
            throw;
        }
        finally
        {
            _encoding = outer;
        }

        TaskWaits.Quietly(encoding);
        foreach (Task task in encoding)
            task.GetAwaiter().GetResult();
        return result;
    }

    /// <summary>Plays <paramref name="picture"/> back into pixels, encodes them as PNG into <paramref name="path"/>, and disposes the picture.</summary>
    private static void WritePng(SKPicture picture, string path)
    {
        using (picture)
        using (SKImage image = Raster(picture, Width, Height))
        using (SKData png = EncodePng(image))
        using (FileStream file = File.Create(path))
            png.SaveTo(file);
    }

    /// <summary><paramref name="image"/> encoded as PNG (<see cref="Png"/>).</summary>
    private static SKData EncodePng(SKImage image)
    {
        using SKPixmap pixels = image.PeekPixels()!;
        return pixels.Encode(Png)!;
    }

    /// <summary>The panels drawn on white into a picture of <paramref name="width"/> × <paramref name="height"/> (the caller disposes it).</summary>
    private static SKPicture Record(IReadOnlyList<Panel> panels, int width, int height)
    {
        // A plot's first render lays it out and then draws it again: done on a canvas that draws
        // nothing, so the picture holds the final drawing once.
        using (var layout = new SKNoDrawCanvas(width, height))
            Draw(layout, panels);
        using var recorder = new SKPictureRecorder();
        SKCanvas canvas = recorder.BeginRecording(SKRect.Create(width, height));
        canvas.Clear(SKColors.White);
        Draw(canvas, panels);
        return recorder.EndRecording();
    }

    /// <summary>
    /// <paramref name="picture"/> played back into a <paramref name="width"/> × <paramref name="height"/>
    /// image (the caller disposes it). A picture is immutable: any thread may play it back, without the gate.
    /// </summary>
    private static SKImage Raster(SKPicture picture, int width, int height)
    {
        // Opaque (drawn on white): the PNG holds RGB without an alpha channel, a quarter fewer bytes to encode.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using SKSurface surface = SKSurface.Create(info);
        surface.Canvas.DrawPicture(picture);
        return surface.Snapshot();
    }

    /// <summary>
    /// The panels as SVG (Skia's SVG canvas: text stays text, XML-escaped). Skia numbers clip paths
    /// from a counter shared by the process, so they are renumbered in order of appearance: the same
    /// chart gives the same bytes.
    /// </summary>
    public static string Svg(IReadOnlyList<Panel> panels)
    {
        lock (Gate)
        {
            using SKPicture picture = Record(panels, Width, Height);
            return SvgOf(picture, Width, Height);
        }
    }

    /// <summary><paramref name="picture"/> played back into SVG, its clips renumbered; under the gate (Skia's clip counter).</summary>
    private static string SvgOf(SKPicture picture, int width, int height)
    {
        using var buffer = new MemoryStream();
        using (var stream = new SKManagedWStream(buffer))
        using (SKCanvas canvas = SKSvgCanvas.Create(SKRect.Create(width, height), stream))
            picture.Playback(canvas);

        return RenumberClips(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// Renames Skia's clip ids (<c>cl_…</c>) to <c>clip0</c>, <c>clip1</c>… in order of appearance,
    /// only inside tags and only where they are ids or references to ids (<c>id="…"</c>,
    /// <c>url(#…)</c>, <c>href="#…"</c> and <c>xlink:href="#…"</c>): text between tags, such as a
    /// label "cl_1a" (or even one spelling out <c>id="cl_1"</c>), is left as it is.
    /// </summary>
    internal static string RenumberClips(string svg)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        return Tag().Replace(svg, tag => ClipId().Replace(tag.Value, m =>
        {
            string old = m.Groups["id"].Value;
            if (!ids.TryGetValue(old, out string? id))
                ids[old] = id = "clip" + ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return m.Groups["pre"].Value + id;
        }));
    }

    /// <summary>Draws each panel clipped to its rectangle (a plot clears the whole canvas to its background before it draws).</summary>
    private static void Draw(SKCanvas canvas, IReadOnlyList<Panel> panels)
    {
        foreach (Panel p in panels)
        {
            canvas.Save();
            canvas.ClipRect(new SKRect(p.Rect.Left, p.Rect.Top, p.Rect.Right, p.Rect.Bottom));
            HeldPathMarker.HoldPaths(p.Plot);
            p.Plot.Render(canvas, p.Rect);
            canvas.Restore();
        }
    }

    // A start or end tag: Skia escapes '<' in text, and its attribute values (paths, transforms, fonts, ids) hold no '>'.
    [GeneratedRegex(@"<[^<>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<pre>\bid=""|url\(#|\bhref=""#)(?<id>cl_[0-9A-Za-z]+)(?=["")])", RegexOptions.CultureInvariant)]
    private static partial Regex ClipId();

    /// <summary>Points and their whiskers gathered for one plottable.</summary>
    private sealed class Points
    {
        private readonly List<double> _x = [], _y = [], _low = [], _high = [];

        public int Count => _x.Count;

        public void Add(Figure f, double y, AxisScale scale)
        {
            double mean = scale.Apply(f.Mean);
            _x.Add(mean);
            _y.Add(y);
            _low.Add(f.Low is { } l && double.IsFinite(l) ? Math.Max(0, mean - scale.Apply(l)) : 0);
            _high.Add(f.High is { } h && double.IsFinite(h) ? Math.Max(0, scale.Apply(h) - mean) : 0);
        }

        public void Draw(Plot plot, Color color, MarkerShape shape, string legend)
        {
            if (Count == 0)
                return;
            DrawWhiskers(plot, color);
            Markers markers = plot.Add.Markers(_x.ToArray(), _y.ToArray(), shape, MarkerSize, color);
            markers.MarkerLineWidth = 2;
            markers.LegendText = legend;
        }

        public void DrawWhiskers(Plot plot, Color color)
        {
            var zeros = new double[Count];
            var bars = new ErrorBar([.. _x], [.. _y], [.. _high], [.. _low], zeros, zeros)
            {
                LineWidth = WhiskerWidth,
                Color = color,
                CapSize = 6,
            };
            plot.Add.Plottable(bars);
        }
    }
}
