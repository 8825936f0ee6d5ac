using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ImpactModel.Reporting.Html;

/// <summary>
/// Writes one self-contained HTML page: every piece of text goes through
/// <see cref="WebUtility.HtmlEncode(string)"/> (<see cref="Text"/>, <see cref="Attribute"/>); the
/// only markup not written here is a chart's SVG, which <see cref="SvgInline"/> has cleaned. Styles
/// are inline in one <c>style</c> element; there is no script and nothing is fetched.
/// </summary>
internal sealed partial class HtmlPage
{
    // Text #1a1a1a on white is 17.4:1, links #0b4f9c on white 8.3:1, borders #6b6b6b 5.3:1 (WCAG 2.2 AA asks 4.5:1 and 3:1).
    private const string Styles = """
        :root { color-scheme: light; }
        body { font-family: system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff;
               line-height: 1.5; margin: 0 auto; max-width: 64rem; padding: 1rem 1.5rem 3rem; }
        h1 { font-size: 1.8rem; margin: 0.5rem 0; }
        h2 { font-size: 1.4rem; margin: 2rem 0 0.5rem; border-bottom: 2px solid #1a1a1a; }
        h3 { font-size: 1.15rem; margin: 1.25rem 0 0.5rem; }
        a { color: #0b4f9c; }
        table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
        caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
        th, td { border: 1px solid #6b6b6b; padding: 0.25rem 0.5rem; text-align: start; vertical-align: top; overflow-wrap: anywhere; }
        thead th { background: #f0f0f0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
        figcaption { margin-bottom: 0.5rem; }
        figure svg { display: block; max-width: 100%; height: auto; }
        .summary p { margin: 0.4rem 0; }
        .missing { font-style: italic; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
        @page { size: A4; margin: 15mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 10pt; }
          a { color: #1a1a1a; }
          h2, h3 { break-after: avoid; page-break-after: avoid; }
          tr { break-inside: avoid; page-break-inside: avoid; }
          figure svg { max-height: 160mm; }
        }
        """;

    private readonly StringBuilder _html = new();

    public HtmlPage(string title)
    {
        _html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(Styles).Append("</style>\n</head>\n<body>\n<main>\n");
    }

    /// <summary>HTML-escapes <paramref name="text"/> (also quotes, so it is safe in attributes).</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Appends markup written by this library (never scenario text).</summary>
    public HtmlPage Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Appends escaped text.</summary>
    public HtmlPage Text(string? text)
    {
        _html.Append(Encode(text));
        return this;
    }

    /// <summary>Appends <c>&lt;tag attributes&gt;text&lt;/tag&gt;</c>, the text escaped; scenario text gets <c>dir="auto"</c>.</summary>
    public HtmlPage Element(string tag, string? text, bool scenarioText = false, string? cssClass = null)
    {
        _html.Append('<').Append(tag);
        if (scenarioText)
            _html.Append(" dir=\"auto\"");
        if (cssClass is not null)
            _html.Append(" class=\"").Append(cssClass).Append('"');
        _html.Append('>').Append(Encode(text)).Append("</").Append(tag).Append(">\n");
        return this;
    }

    /// <summary>Appends escaped text in which http and https addresses become links (the addresses escaped too).</summary>
    public HtmlPage Linked(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return this;
        int at = 0;
        foreach (Match m in WebAddress().Matches(text))
        {
            string url = m.Value.TrimEnd('.', ',', ';', ':');
            if (url.EndsWith(')') && !url.Contains('(', StringComparison.Ordinal))
                url = url[..^1].TrimEnd('.', ',', ';', ':'); // "(see https://…)": the bracket is the sentence's
            _html.Append(Encode(text[at..m.Index]))
                .Append("<a href=\"").Append(Encode(url)).Append("\">").Append(Encode(url)).Append("</a>");
            at = m.Index + url.Length;
        }

        _html.Append(Encode(text[at..]));
        return this;
    }

    /// <summary>
    /// Appends a table: a caption, column headings (<c>th scope="col"</c>), and rows whose first cell
    /// is the row's heading (<c>th scope="row"</c>). Every cell is escaped and given <c>dir="auto"</c>,
    /// since any may hold scenario text; cells in <paramref name="numeric"/> columns align right.
    /// <paramref name="links"/>: a column whose cell in row r is a link to the page's own relative address <c>Hrefs[r]</c> (escaped).
    /// </summary>
    public HtmlPage Table(string caption, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? numeric = null,
        ISet<int>? linkedColumns = null, (int Column, IReadOnlyList<string> Hrefs)? links = null)
    {
        int r = 0;
        _html.Append("<table>\n<caption dir=\"auto\">").Append(Encode(caption)).Append("</caption>\n<thead><tr>");
        foreach (string c in columns)
            _html.Append("<th scope=\"col\" dir=\"auto\">").Append(Encode(c)).Append("</th>");
        _html.Append("</tr></thead>\n<tbody>\n");
        foreach (IReadOnlyList<string> row in rows)
        {
            _html.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
            {
                string tag = i == 0 ? "th" : "td";
                _html.Append('<').Append(tag).Append(i == 0 ? " scope=\"row\"" : "")
                    .Append(numeric?.Contains(i) == true ? " class=\"num\"" : "").Append(" dir=\"auto\">");
                if (links is { } l && l.Column == i)
                    _html.Append("<a href=\"").Append(Encode(l.Hrefs[r])).Append("\">").Append(Encode(row[i])).Append("</a>");
                else if (linkedColumns?.Contains(i) == true)
                    Linked(row[i]);
                else
                    _html.Append(Encode(row[i]));
                _html.Append("</").Append(tag).Append('>');
            }

            _html.Append("</tr>\n");
            r++;
        }

        _html.Append("</tbody>\n</table>\n");
        return this;
    }

    /// <summary>
    /// Appends a chart as a <c>figure</c>: a caption with its title and how to read it, its SVG from
    /// <paramref name="chartsFolder"/> inlined (cleaned, with its text alternative), and its data as a table.
    /// A missing or unreadable SVG is said in words; the table still stands for the chart.
    /// </summary>
    public HtmlPage Chart(RenderedChart chart, string chartsFolder)
    {
        string id = ChartId(chart);
        _html.Append("<figure id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-caption\">\n")
            .Append("<figcaption id=\"").Append(id).Append("-caption\"><strong dir=\"auto\">").Append(Encode(chart.Title))
            .Append("</strong> <span dir=\"auto\">").Append(Encode(chart.Caption)).Append("</span></figcaption>\n");
        (bool exists, string? svg) = _inlining.Remove((chart, chartsFolder), out Task<(bool, string?)>? prepared)
            ? prepared.GetAwaiter().GetResult()
            : InlineSvg(chart, chartsFolder);
        if (svg is null)
            Element("p", $"The chart's file {chart.SvgFile} is {(exists ? "not a readable SVG" : "missing")}: {chart.AltText}", scenarioText: true, cssClass: "missing");
        else
            _html.Append(svg).Append('\n');
        Table($"The figures plotted in: {chart.Title}", chart.Data.Columns, chart.Data.Rows.Select(r => (IReadOnlyList<string>)r));
        _html.Append("</figure>\n");
        return this;
    }

    /// <summary>
    /// Starts inlining the SVG of each of <paramref name="charts"/> (read, parsed and cleaned: each a
    /// pure function of its file) on the thread pool, for <see cref="Chart"/> to take when the page
    /// reaches it: the charts' cleaning runs on every core while the page is built, not one after
    /// another at the end of a run (issue 26). The same text as inlining each in <see cref="Chart"/>.
    /// </summary>
    public HtmlPage PrepareCharts(IEnumerable<RenderedChart> charts, string chartsFolder)
    {
        foreach (RenderedChart chart in charts)
            _inlining.TryAdd((chart, chartsFolder), Task.Run(() => InlineSvg(chart, chartsFolder)));
        return this;
    }

    private readonly Dictionary<(RenderedChart Chart, string Folder), Task<(bool Exists, string? Svg)>> _inlining = [];

    private static string ChartId(RenderedChart chart) => "chart-" + Slug(chart.Name);

    /// <summary>Whether the chart's SVG file exists, and its text made safe to inline (null when missing or not an SVG).</summary>
    private static (bool Exists, string? Svg) InlineSvg(RenderedChart chart, string chartsFolder)
    {
        string file = Path.Combine(chartsFolder, chart.SvgFile);
        return File.Exists(file) ? (true, SvgInline.Inline(File.ReadAllText(file), ChartId(chart) + "-", chart.AltText)) : (false, null);
    }

    /// <summary>Opens a <c>section</c> with an <c>h2</c> heading.</summary>
    public HtmlPage Section(string id, string heading)
    {
        _html.Append("<section id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-heading\">\n<h2 id=\"")
            .Append(id).Append("-heading\">").Append(Encode(heading)).Append("</h2>\n");
        return this;
    }

    /// <summary>The warnings (scenario text, escaped) as a list, or <paramref name="none"/> when there are none.</summary>
    public HtmlPage Warnings(IReadOnlyList<string> warnings, string none)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        if (warnings.Count == 0)
            return Element("p", none);
        Raw("<ul>\n");
        foreach (string w in warnings)
            Element("li", w, scenarioText: true);
        return Raw("</ul>\n");
    }

    public HtmlPage EndSection() => Raw("</section>\n");

    /// <summary>Closes the page and writes it to <paramref name="path"/> as UTF-8 (no byte-order mark), through a temporary file.</summary>
    public void Save(string path)
    {
        _html.Append("</main>\n</body>\n</html>\n");
        string temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, _html.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }

    private static string Slug(string name) => SlugCharacters().Replace(name.ToLowerInvariant(), "-");

    [GeneratedRegex(@"https?://[^\s<>""'`{}|\\^\[\]]+", RegexOptions.IgnoreCase)]
    private static partial Regex WebAddress();

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex SlugCharacters();
}
