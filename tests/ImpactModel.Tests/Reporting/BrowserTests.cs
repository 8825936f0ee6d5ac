using System.Collections.Concurrent;
using ImpactModel.Reporting;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ImpactModel.Tests.Reporting;

/// <summary>
/// The reports in a real browser: Debian's Chromium, headless, driven by Playwright (its own browser
/// download is not reachable, so it is given the system executable). Each page is opened from disk
/// with the network off and every request other than the file itself aborted and recorded. The test
/// fails, never skips, when the browser is missing: <c>bash tests/run.sh</c> installs it.
/// </summary>
[Collection(ReportRunsDefinition.Name)]
public sealed class BrowserTests(ReportFixture fixture, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    // CI shares two cores between everything: a browser can take long to start.
    private const float Timeout = 60_000;

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", // the tests run as root, where Chromium's sandbox refuses to start
        "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    public static TheoryData<string> Pages => ["report", "compare", "review"];

    [Theory, MemberData(nameof(Pages))]
    public async Task The_report_opens_from_disk_offline_with_no_errors_no_requests_visible_charts_and_the_script_text_shown_as_text(string page)
    {
        (string path, string chartsFolder) = Write(page);
        // Each chart is written as NAME.png and NAME.svg: the page must show one figure for each.
        int drawn = Directory.GetFiles(chartsFolder, "*.png").Length;
        Assert.True(drawn > 0, $"no charts drawn in {chartsFolder}");
        string shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        string screenshot = Path.Combine(shots, page + ".png"), pdf = Path.Combine(shots, page + ".pdf");
        Observed seen = await Browse(path, async tab =>
        {
            Assert.StartsWith(page == "compare" ? "Comparison of " : "Impact report: ", await tab.TitleAsync(), StringComparison.Ordinal);
            ILocator charts = tab.Locator("figure > svg[role=img]");
            Assert.Equal(drawn, await tab.Locator("figure:has(> svg[role=img])").CountAsync());
            Assert.Equal(drawn, await charts.CountAsync());
            for (int i = 0; i < drawn; i++)
            {
                ILocator chart = charts.Nth(i);
                string id = await chart.EvaluateAsync<string>("svg => svg.parentElement.id");
                Assert.True(await chart.IsVisibleAsync(), $"chart {id} is not visible");
                LocatorBoundingBoxResult? box = await chart.BoundingBoxAsync();
                Assert.True(box is { Width: > 0, Height: > 0 }, $"chart {id} has no size: {box?.Width} × {box?.Height}");
            }

            if (page == "review")
            {
                // The review view's sections render, and the collapsed evidence register opens.
                foreach (string id in new[] { "safeguard-effects", "principles", "sensitivity", "evidence" })
                    Assert.True(await tab.Locator($"section#{id} h2").IsVisibleAsync(), $"section {id} is not visible");
                ILocator register = tab.Locator("section#evidence details table");
                Assert.False(await register.IsVisibleAsync());
                await tab.Locator("section#evidence details > summary").ClickAsync();
                Assert.True(await register.IsVisibleAsync());
            }

            if (page != "compare")
            {
                // The hostile run's own report quotes its markup and right-to-left text (the comparison quotes run names, never hostile).
                string text = await tab.InnerTextAsync("body");
                Assert.Contains("<script>alert(1)</script>", text, StringComparison.Ordinal);
                Assert.Contains("مرحبا", text, StringComparison.Ordinal);
            }

            Assert.Equal(0, await tab.Locator("script").CountAsync());
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true, Timeout = Timeout });
            await tab.PdfAsync(new PagePdfOptions { Path = pdf, PreferCSSPageSize = true });
        });
        File.Copy(path, Path.Combine(shots, page + ".html"), overwrite: true); // beside its pictures, for a reader of the test output
        output.WriteLine($"screenshot: {screenshot}");
        output.WriteLine($"printed (A4): {pdf}");
        Assert.True(new FileInfo(screenshot).Length > 0);
        Assert.True(new FileInfo(pdf).Length > 0);

        Assert.Empty(seen.Dialogs);
        Assert.Empty(seen.Errors);
        Assert.Empty(seen.Blocked);
        Assert.All(seen.Requests, r => Assert.Equal(new Uri(path).AbsoluteUri, r));
    }

    [Fact]
    public async Task Package_report_opens_from_disk_offline_with_no_errors_no_requests_its_chart_drawn_and_the_script_text_shown_as_text()
    {
        // A package folder written to the contract by hand (PackageFiles), its description hostile.
        string folder = PackageFiles.Write(fixture.Root, ReportFixture.Hostile);
        ReportWriter.WritePackage(folder);
        string path = Path.Combine(folder, ReportWriter.ReportFile);
        string shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        string screenshot = Path.Combine(shots, "package.png");
        Observed seen = await Browse(path, async tab =>
        {
            Assert.StartsWith("Package report: ", await tab.TitleAsync(), StringComparison.Ordinal);
            ILocator chart = tab.Locator("figure > svg[role=img]");
            Assert.Equal(1, await chart.CountAsync());
            Assert.True(await chart.IsVisibleAsync(), "the package-burden chart is not visible");
            LocatorBoundingBoxResult? box = await chart.BoundingBoxAsync();
            Assert.True(box is { Width: > 0, Height: > 0 }, $"the chart has no size: {box?.Width} × {box?.Height}");
            // The SVG rendered: its text laid out with a size (a broken SVG shows nothing).
            Assert.True(await chart.EvaluateAsync<bool>("svg => [...svg.querySelectorAll('text')].some(t => t.getBBox().width > 0)"), "the chart's text has no size");
            foreach (string s in PackageFiles.Scenarios)
                Assert.True(await tab.Locator($"a[href='{s}/report.html']").IsVisibleAsync(), $"no visible link to {s}'s report");
            string text = await tab.InnerTextAsync("body");
            Assert.Contains("<script>alert(1)</script>", text, StringComparison.Ordinal);
            Assert.Equal(0, await tab.Locator("script").CountAsync());
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true, Timeout = Timeout });
        });
        output.WriteLine($"screenshot: {screenshot}");

        Assert.Empty(seen.Dialogs);
        Assert.Empty(seen.Errors);
        Assert.Empty(seen.Blocked);
        Assert.All(seen.Requests, r => Assert.Equal(new Uri(path).AbsoluteUri, r));
    }

    [Fact]
    public async Task The_browser_harness_sees_a_page_that_fetches_runs_script_or_logs_an_error()
    {
        // The test above is only as good as what it can see: a page doing all it must not is caught on every count.
        string path = Path.Combine(fixture.Root, "bad-page.html");
        File.WriteAllText(path, """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>bad</title>
            <link rel="stylesheet" href="https://example.org/style.css"></head>
            <body><img src="http://example.org/pixel.png" alt="">
            <script>console.error("boom"); alert("hi");</script></body></html>
            """);
        Observed seen = await Browse(path, _ => Task.CompletedTask);
        Assert.Contains("https://example.org/style.css", seen.Blocked);
        Assert.Contains("http://example.org/pixel.png", seen.Blocked);
        Assert.Contains(seen.Errors, e => e.Contains("boom", StringComparison.Ordinal));
        Assert.Equal(["hi"], seen.Dialogs);
    }

    private sealed record Observed(string[] Errors, string[] Blocked, string[] Requests, string[] Dialogs);

    // Opens the file at path in a fresh browser with the network off, lets inspect look at it, and reports what the page did.
    private static async Task<Observed> Browse(string path, Func<IPage, Task> inspect)
    {
        Assert.True(File.Exists(Chromium), $"Chromium not found at {Chromium}: run bash tests/run.sh, which installs it (apt-get install chromium)");
        string url = new Uri(path).AbsoluteUri;
        var errors = new ConcurrentQueue<string>();
        var requests = new ConcurrentQueue<string>();
        var blocked = new ConcurrentQueue<string>();
        var dialogs = new ConcurrentQueue<string>();

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs, Timeout = Timeout,
        });
        await using IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions { Offline = true, ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(Timeout);
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url == url)
                await route.ContinueAsync();
            else
            {
                blocked.Enqueue(route.Request.Url);
                await route.AbortAsync();
            }
        });
        IPage tab = await context.NewPageAsync();
        tab.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
                errors.Enqueue($"console {message.Type}: {message.Text}");
        };
        tab.PageError += (_, error) => errors.Enqueue("page error: " + error);
        tab.Request += (_, request) => requests.Enqueue(request.Url);
        tab.Dialog += (_, dialog) =>
        {
            dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };

        IResponse? response = await tab.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = Timeout });
        Assert.NotNull(response);
        await inspect(tab);
        await context.CloseAsync();
        return new Observed([.. errors], [.. blocked], [.. requests], [.. dialogs]);
    }

    // The page and its charts folder, both as the commands wrote them: the hostile run's report, the same with the review view's
    // files (written by the test helper until the engine writes them), or impact compare's of it and the fraud run.
    private (string Path, string Charts) Write(string page)
    {
        string folder = page switch
        {
            "report" => fixture.Data("hostile").Folder,
            "review" => fixture.Reviewed().Folder,
            _ => fixture.Compare("fraud", "hostile"),
        };
        string path = page == "report" ? fixture.Report("hostile") : Path.Combine(folder, ReportWriter.ReportFile);
        if (page == "compare")
        {
            string html = File.ReadAllText(path);
            Assert.Contains("id=\"chart-compare-benefit-harm\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"chart-compare-frontier\"", html, StringComparison.Ordinal);
        }

        return (path, Path.Combine(folder, ReportWriter.ChartsFolder));
    }
}
