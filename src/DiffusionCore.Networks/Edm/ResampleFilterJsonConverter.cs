using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffusionCore.Networks.Edm;

/// <summary>Writes a <see cref="ResampleFilter"/> as its taps, <c>[1, 3, 3, 1]</c>, and reads it back.</summary>
internal sealed class ResampleFilterJsonConverter : JsonConverter<ResampleFilter>
{
    /// <inheritdoc />
    public override ResampleFilter Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("A resample filter is an array of taps, e.g. [1, 1].");
        var taps = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            taps.Add(reader.GetDouble());
        }

        try
        {
            return new ResampleFilter(taps);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ResampleFilter value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (double tap in value.Taps) writer.WriteNumberValue(tap);
        writer.WriteEndArray();
    }
}
