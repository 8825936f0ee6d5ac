using System.Text.Json.Serialization;

namespace ImpactModel.Reporting;

/// <summary>Reads a run folder's <c>manifest.json</c> (keys in snake_case, as the host writes it); generated at compile time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(RunManifest))]
internal sealed partial class ReportJson : JsonSerializerContext;
