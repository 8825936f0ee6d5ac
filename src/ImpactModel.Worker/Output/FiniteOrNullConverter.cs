using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImpactModel.Worker.Output;

/// <summary>
/// The one place a number becomes JSON text: a finite double is written in the shortest form
/// that round-trips (the writer's own format), and NaN or an infinity, an undefined value such as
/// a rate with a zero denominator, is written as <c>null</c>. JSON has no NaN, and writing it as a
/// string or throwing would break every reader of the contract (PRODUCT.md, "Interfaces").
/// </summary>
public sealed class FiniteOrNullConverter : JsonConverter<double>
{
    /// <summary>Reads a number back; <c>null</c> is NaN, the value it stood for.</summary>
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    /// <summary>Writes <paramref name="value"/> as a number, or <c>null</c> when it is not finite.</summary>
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteNullValue();
    }
}
