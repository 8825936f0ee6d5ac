using System.Collections.Immutable;
using ImpactModel.Scenarios.Model;

namespace ImpactModel.Reporting;

/// <summary>One row of a run folder's <c>results.csv</c> (null where the file has an empty cell).</summary>
public sealed record ResultLine(string Variant, string Group, string Metric, double? Mean, double? Low, double? High, int Replicates, double? McSe, long? Events)
{
    /// <summary>True when the figure rests on fewer than <see cref="RunData.ReliableEvents"/> simulated events (it is then marked, never quoted bare).</summary>
    public bool Unreliable => Events is { } e && e < RunData.ReliableEvents;
}

/// <summary>One drawn parameter of a run, summarised over its replicates (from <c>parameters.csv</c>).</summary>
/// <param name="Parameter">The parameter's dotted path.</param>
/// <param name="Mean">Mean of the drawn values.</param>
/// <param name="Low">Smallest drawn value.</param>
/// <param name="High">Largest drawn value.</param>
/// <param name="Source">Where the value comes from, or null.</param>
/// <param name="Grade">Its evidence grade.</param>
public sealed record ParameterLine(string Parameter, double Mean, double Low, double High, string? Source, string Grade)
{
    /// <summary>True when the value varied between replicates.</summary>
    public bool Varies => High > Low;
}

/// <summary>
/// A finished run as the reports read it: its manifest, results, parameters and, when the folder
/// keeps them, the scenario it was run from (for descriptions and the groups' names). Made only
/// from a run folder's files (<see cref="RunFolderReader"/>), so a report made just after a run and
/// one made later from the folder (<c>impact compare</c>) are the same.
/// </summary>
public sealed class RunData
{
    /// <summary>Fewest simulated events (summed over replicates) for a figure to be quoted (as in the run summary).</summary>
    public const int ReliableEvents = 30;

    private readonly Dictionary<(string Variant, string Group, string Metric), ResultLine> _index;

    public RunData(string folder, RunManifest manifest, IReadOnlyList<ResultLine> results, IReadOnlyList<ParameterLine> parameters, Scenario? scenario,
        ReviewData? review = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(results);
        Folder = folder;
        Manifest = manifest;
        Results = results;
        Parameters = parameters;
        Scenario = scenario;
        Review = review ?? ReviewData.None;
        _index = results.ToDictionary(r => (r.Variant, r.Group, r.Metric));
        View = StrandViews.For(manifest.Strand);
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    public RunManifest Manifest { get; }

    public IReadOnlyList<ResultLine> Results { get; }

    public IReadOnlyList<ParameterLine> Parameters { get; }

    /// <summary>The scenario as it was run (from the folder's <c>inputs/</c>), or null when the folder does not keep it.</summary>
    public Scenario? Scenario { get; }

    /// <summary>The review view's files (safeguards, principles, sensitivity, evidence); each null when the folder lacks it.</summary>
    public ReviewData Review { get; }

    /// <summary>What the strand's charts and summary show.</summary>
    public StrandView View { get; }

    public string Name => Manifest.Scenario;

    /// <summary>Result rows' groups in order: <c>all</c>, each peripheral group, <c>rest</c>.</summary>
    public ImmutableArray<string> Groups => ["all", .. Manifest.Groups, "rest"];

    /// <summary>The row of a variant, group and metric, or null when the run has none.</summary>
    public ResultLine? Find(string variant, string group, string metric) => _index.GetValueOrDefault((variant, group, metric));

    /// <summary>The manifest's description of a metric, or null.</summary>
    public ManifestMetric? Metric(string name) => Manifest.Metrics.FirstOrDefault(m => m.Name == name);

    /// <summary>True when the run reports <paramref name="metric"/> for some variant.</summary>
    public bool Has(string metric) => Manifest.Metrics.Any(m => m.Name == metric);

    /// <summary>A group's name for people: its label in the scenario, else its id; <c>all</c> and <c>rest</c> in words.</summary>
    public string GroupLabel(string group) => group switch
    {
        "all" => "Everyone",
        "rest" => "People in no peripheral group",
        _ => Scenario?.Population.Groups.FirstOrDefault(g => g.Id == group)?.Name ?? group,
    };

    /// <summary>A variant's manifest entry, or null.</summary>
    public ManifestVariant? Variant(string id) => Manifest.Variants.FirstOrDefault(v => v.Id == id);

    /// <summary>A safeguard's description in the scenario, or null.</summary>
    public string? SafeguardDescription(string id) => Scenario?.Safeguards.FirstOrDefault(s => s.Id == id)?.Description;
}
