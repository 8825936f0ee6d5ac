using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace ImpactModel.Reporting.Html;

/// <summary>
/// Makes a chart's SVG file safe and accessible to inline in an HTML page. ScottPlot writes the
/// SVG and escapes its text, so nothing here should ever fire; it is a cheap second line of
/// defence, on the parsed tree rather than on text: elements that run code or fetch
/// (<c>script</c>, <c>foreignObject</c>, <c>iframe</c>, <c>object</c>, <c>embed</c>, anything
/// outside the SVG namespace, and <c>style</c> holding <c>@import</c> or <c>url(</c>) are dropped,
/// an <c>image</c> of anything but an embedded <c>data:image/</c> is dropped, as are <c>on…</c> attributes and any reference that is not to a fragment of the same SVG
/// (<c>href</c> other than an embedded <c>data:image/</c>, <c>url(…)</c>, <c>javascript:</c>). Each chart's ids get a prefix, because a page
/// holding several SVGs shares one id space and Skia numbers its clip paths from 1 in every file.
/// The root gets <c>role="img"</c>, an <c>aria-label</c> and a first <c>title</c> child carrying
/// the text alternative, and a <c>viewBox</c> when it has none, so CSS can scale it.
/// </summary>
internal static partial class SvgInline
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "foreignObject", "iframe", "object", "embed", "audio", "video", "handler", "listener",
    };

    /// <summary>The SVG text made safe to inline, or null when <paramref name="svg"/> is not an SVG document.</summary>
    public static string? Inline(string svg, string idPrefix, string altText)
    {
        XDocument document;
        try
        {
            // No DTD and no resolver: an SVG with a DOCTYPE is read without fetching or expanding it.
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(svg), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }

        if (document.Root is not { } root || root.Name.LocalName != "svg")
            return null;
        Clean(root);
        Prefix(root, idPrefix);
        Describe(root, altText);
        return root.ToString(SaveOptions.DisableFormatting);
    }

    private static void Clean(XElement root)
    {
        foreach (XElement e in root.Descendants().ToList())
        {
            bool foreign = e.Name.Namespace != Svg && e.Name.Namespace != XNamespace.None;
            bool fetchingImage = e.Name.LocalName is "image" or "feImage" && Href(e) is { } href && !href.StartsWith("data:image/", StringComparison.Ordinal);
            bool fetchingStyle = e.Name.LocalName == "style" && (e.Value.Contains("@import", StringComparison.OrdinalIgnoreCase) || ExternalUrl(e.Value));
            if (foreign || Dropped.Contains(e.Name.LocalName) || fetchingImage || fetchingStyle)
                e.Remove();
        }

        foreach (XElement e in root.DescendantsAndSelf())
        {
            foreach (XAttribute a in e.Attributes().ToList())
            {
                string name = a.Name.LocalName;
                bool handler = name.StartsWith("on", StringComparison.OrdinalIgnoreCase);
                bool reference = name.Equals("href", StringComparison.OrdinalIgnoreCase) && !a.Value.StartsWith('#')
                    && !a.Value.StartsWith("data:image/", StringComparison.Ordinal); // an embedded raster fetches nothing
                bool script = a.Value.Contains("javascript:", StringComparison.OrdinalIgnoreCase);
                if (!a.IsNamespaceDeclaration && (handler || reference || script || ExternalUrl(a.Value)))
                    a.Remove();
            }
        }
    }

    private static string? Href(XElement e) => e.Attributes().FirstOrDefault(a => a.Name.LocalName == "href")?.Value;

    private static bool ExternalUrl(string text) => UrlReference().Matches(text).Any(m => !m.Groups[1].Value.StartsWith('#'));

    private static void Prefix(XElement root, string prefix)
    {
        var ids = root.DescendantsAndSelf().Select(e => e.Attribute("id")).OfType<XAttribute>().Select(a => a.Value).ToHashSet(StringComparer.Ordinal);
        if (ids.Count == 0)
            return;
        foreach (XElement e in root.DescendantsAndSelf())
        {
            foreach (XAttribute a in e.Attributes().Where(a => !a.IsNamespaceDeclaration))
            {
                if (a.Name.LocalName == "id" && ids.Contains(a.Value))
                    a.Value = prefix + a.Value;
                else if (a.Name.LocalName == "href" && a.Value.Length > 1 && ids.Contains(a.Value[1..]))
                    a.Value = "#" + prefix + a.Value[1..];
                else if (a.Value.Contains("url(", StringComparison.Ordinal))
                    a.Value = UrlReference().Replace(a.Value, m =>
                        m.Groups[1].Value is ['#', .. var id] && ids.Contains(id) ? $"url(#{prefix}{id})" : m.Value);
            }
        }
    }

    private static void Describe(XElement root, string altText)
    {
        root.SetAttributeValue("role", "img");
        root.SetAttributeValue("aria-label", altText);
        root.SetAttributeValue("focusable", "false");
        if (root.Attribute("viewBox") is null && Length(root.Attribute("width")) is { } w && Length(root.Attribute("height")) is { } h)
            root.SetAttributeValue("viewBox", string.Create(CultureInfo.InvariantCulture, $"0 0 {w} {h}"));
        root.AddFirst(new XElement(root.Name.Namespace + "title", altText));
    }

    private static double? Length(XAttribute? attribute) =>
        attribute is not null && double.TryParse(attribute.Value.Replace("px", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
            ? v : null;

    [GeneratedRegex(@"url\(\s*['""]?([^'"")\s]*)['""]?\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex UrlReference();
}
