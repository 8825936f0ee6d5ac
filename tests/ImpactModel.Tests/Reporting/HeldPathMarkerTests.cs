using ImpactModel.Reporting.Charts;
using ScottPlot;
using SkiaSharp;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// The markers drawn through a path: they look as ScottPlot draws them, every marker the charts use is
/// either drawn without a path or held, and drawing them survives garbage collections running beside
/// the draw (ScottPlot's own path markers crashed the process there, in libSkiaSharp).
/// </summary>
public sealed class HeldPathMarkerTests
{
    private const int Side = 48;
    private const float Size = 24;

    /// <summary>The pixels (RGBA) of one marker of <paramref name="style"/> drawn by <paramref name="marker"/> at the centre of a white square.</summary>
    private static byte[] Pixels(IMarker marker, MarkerStyle style)
    {
        var info = new SKImageInfo(Side, Side, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        surface.Canvas.Clear(SKColors.White);
        using (Paint paint = Paint.NewDisposablePaint())
            marker.Render(surface.Canvas, paint, new Pixel(Side / 2f, Side / 2f), style.Size, style);
        var pixels = new byte[info.BytesSize];
        Assert.True(surface.ReadPixels(info, System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(pixels, 0), info.RowBytes, 0, 0));
        return pixels;
    }

    private static MarkerStyle Style(MarkerShape shape) => new(shape, Size, OkabeIto.Blue) { LineWidth = 2 };

    private static HeldPathMarker Held(MarkerShape shape)
    {
        MarkerStyle style = Style(shape);
        var plot = new Plot();
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "x", MarkerStyle = style });
        HeldPathMarker.HoldPaths(plot);
        return Assert.IsType<HeldPathMarker>(style.CustomRenderer);
    }

    public static TheoryData<MarkerShape> HeldShapes => [.. HeldPathMarker.Shapes];

    /// <summary>
    /// Drawn as ScottPlot draws the shape: the same pixels but for anti-aliasing along the edges (a
    /// pixel counts as different when a channel moves by more than a quarter of its range; the edge of
    /// a 24 px marker crosses about 100 pixels, and at most a tenth of those may differ).
    /// </summary>
    [Theory]
    [MemberData(nameof(HeldShapes))]
    public void Draws_the_shape_as_ScottPlot_does(MarkerShape shape)
    {
        byte[] theirs = Pixels(shape.GetMarker(), Style(shape));
        byte[] ours = Pixels(Held(shape), Style(shape));
        int inked = 0, differing = 0;
        for (int i = 0; i < theirs.Length; i += 4)
        {
            bool inkTheirs = theirs[i] < 200 || theirs[i + 1] < 200;
            inked += inkTheirs ? 1 : 0;
            for (int c = 0; c < 3; c++)
            {
                if (Math.Abs(theirs[i + c] - ours[i + c]) > 64)
                {
                    differing++;
                    break;
                }
            }
        }

        Assert.True(inked > 20, $"{shape}: ScottPlot drew {inked} pixels");
        Assert.True(differing <= 10, $"{shape}: {differing} of {inked} inked pixels differ");
    }

    /// <summary>Every marker shape the charts draw (the palette's, their hollow forms and the shapes named in the chart code) is drawn without a path by ScottPlot or held here.</summary>
    [Fact]
    public void Every_marker_the_charts_use_is_pathless_or_held()
    {
        MarkerShape[] used =
        [
            .. OkabeIto.Markers, .. OkabeIto.Markers.Select(OkabeIto.Hollow),
            MarkerShape.OpenCircle, MarkerShape.FilledCircle, MarkerShape.FilledSquare,
        ];
        foreach (MarkerShape shape in used.Distinct())
            Assert.True(HeldPathMarker.PathlessShapes.Contains(shape) || HeldPathMarker.Shapes.Contains(shape), $"{shape} is neither pathless nor held");
    }

    [Fact]
    public void Holding_covers_plottables_and_legend_items_and_leaves_pathless_shapes_to_ScottPlot()
    {
        var plot = new Plot();
        var diamonds = plot.Add.Markers(new double[] { 1, 2 }, new double[] { 1, 2 }, MarkerShape.FilledDiamond, Size, OkabeIto.Blue);
        var circles = plot.Add.Markers(new double[] { 1, 2 }, new double[] { 2, 1 }, MarkerShape.FilledCircle, Size, OkabeIto.Blue);
        var scatter = plot.Add.Scatter(new double[] { 1, 2 }, new double[] { 1, 1 });
        scatter.MarkerShape = MarkerShape.OpenTriangleDown;
        var legend = new LegendItem { LabelText = "eks", MarkerStyle = Style(MarkerShape.Eks) };
        plot.Legend.ManualItems.Add(legend);

        HeldPathMarker.HoldPaths(plot);

        Assert.IsType<HeldPathMarker>(diamonds.MarkerStyle.CustomRenderer);
        Assert.IsType<HeldPathMarker>(scatter.MarkerStyle.CustomRenderer);
        Assert.IsType<HeldPathMarker>(legend.MarkerStyle.CustomRenderer);
        Assert.Null(circles.MarkerStyle.CustomRenderer);
    }

    [Fact]
    public void A_path_shape_it_cannot_draw_is_refused_naming_it()
    {
        var plot = new Plot();
        plot.Add.Markers(new double[] { 1 }, new double[] { 1 }, MarkerShape.HashTag, Size, OkabeIto.Blue);
        var error = Assert.Throws<InvalidOperationException>(() => HeldPathMarker.HoldPaths(plot));
        Assert.Contains("HashTag", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Charts full of path markers drawn while another thread collects garbage without pause. With
    /// ScottPlot's own markers the same drawing crashed the process in a few seconds (a segfault in
    /// libSkiaSharp's path iterator: the path freed by its finalizer mid-draw), so this test fails by
    /// taking the test host down.
    /// </summary>
    [Fact]
    public void Path_markers_survive_garbage_collections_during_the_draw()
    {
        MarkerShape[] shapes = [.. HeldPathMarker.Shapes];
        var random = new System.Random(20261202);
        string folder = Path.Combine(Path.GetTempPath(), "held-markers-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            for (int chart = 0; chart < 30; chart++)
            {
                Plot plot = ChartKit.NewPlot("markers", "x", "y");
                for (int s = 0; s < shapes.Length; s++)
                {
                    double[] x = [.. Enumerable.Range(0, 150).Select(_ => random.NextDouble())];
                    double[] y = [.. Enumerable.Range(0, 150).Select(_ => random.NextDouble())];
                    plot.Add.Markers(x, y, shapes[s], ChartKit.MarkerSize, OkabeIto.ColorOf(s)).MarkerLineWidth = 2;
                }

                ChartKit.Save(folder, "markers", ChartKit.Whole(plot));
                Assert.True(new FileInfo(Path.Combine(folder, "markers.png")).Length > 1000);
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
            Directory.Delete(folder, recursive: true);
        }
    }
}
