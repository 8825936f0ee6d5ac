using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImpactModel.Reporting;

namespace ImpactModel.Worker.Output;

/// <summary>
/// The serializer of every JSON object the host writes: a run's <c>manifest.json</c> and the
/// <c>--json</c> objects of <c>run</c>, <c>describe</c> and <c>power</c>. Generated at compile time, so
/// nothing is serialised by reflection. Keys are the records' property names in snake_case, in
/// declaration order; two-space indentation; a non-finite number is <c>null</c>
/// (<see cref="FiniteOrNullConverter"/>).
/// </summary>
/// <remarks>
/// Two encoders, kept as they were published because the outputs are compared byte for byte:
/// <see cref="JsonSerializerContext"/>'s <c>Default</c> escapes non-ASCII and HTML-sensitive
/// characters (<c>describe</c>, <c>power</c>: <c>"75+"</c> is <c>"75\u002B"</c>), and
/// <see cref="Relaxed"/> leaves text as written (the run folder and <c>run --json</c>, whose variant
/// descriptions are prose a person reads). Neither output is ever embedded in HTML unescaped.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    Converters = [typeof(FiniteOrNullConverter)])]
[JsonSerializable(typeof(RunManifest))]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(PackageManifest))]
[JsonSerializable(typeof(PackageSummary))]
[JsonSerializable(typeof(PopulationReport))]
[JsonSerializable(typeof(OrderedDictionary<string, object?>), TypeInfoPropertyName = "Fields")]
// The runtime types behind the object values above (a power field, a linkage rate): the
// serializer looks them up here, never by reflection.
[JsonSerializable(typeof(LinkageRateReport))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<OrderedDictionary<string, object?>>))]
[JsonSerializable(typeof(bool))]
public sealed partial class OutputJson : JsonSerializerContext
{
    private static OutputJson? s_relaxed;

    /// <summary>
    /// The same contract with text written as it is (only quotes, backslashes and control
    /// characters escaped). Created on first use: the generated <c>Default</c> is a static of
    /// another part of this class, whose initialisation order is not defined relative to this one.
    /// </summary>
    public static OutputJson Relaxed => LazyInitializer.EnsureInitialized(ref s_relaxed,
        () => new OutputJson(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}
