using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DiffusionCore.Torch.Serialization;

/// <summary>Builds the length prefix and JSON header of a safetensors file.</summary>
internal static class SafeTensorsHeaderWriter
{
    private const int Alignment = 8;

    /// <summary>One tensor as it will be laid out in the data section.</summary>
    internal readonly record struct Slot(string Name, Tensor Tensor, DType DType, long[] Shape, long Begin, long End);

    /// <summary>
    /// The 8-byte little-endian header length followed by the UTF-8 JSON header, padded with spaces so that the data
    /// section starts at a multiple of 8 bytes. <c>__metadata__</c> comes first (when given), then the tensors in slot order.
    /// </summary>
    internal static byte[] Build(IReadOnlyList<Slot> slots, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            // Non-ASCII names stay readable UTF-8; this only matters for embedding in HTML, which a header never is.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
            SkipValidation = false,
        };
        using (var writer = new Utf8JsonWriter(json, options))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(SafeTensorsHeaderParser.MetadataKey);
                foreach (KeyValuePair<string, string> pair in metadata)
                {
                    writer.WriteString(pair.Key, pair.Value);
                }

                writer.WriteEndObject();
            }

            foreach (Slot slot in slots)
            {
                writer.WriteStartObject(slot.Name);
                writer.WriteString("dtype", SafeTensorsDTypes.ToCode(slot.DType));
                writer.WriteStartArray("shape");
                foreach (long s in slot.Shape)
                {
                    writer.WriteNumberValue(s);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(slot.Begin);
                writer.WriteNumberValue(slot.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        int padded = (json.WrittenCount + Alignment - 1) / Alignment * Alignment;
        if (padded > SafeTensorsFile.MaxHeaderLength)
        {
            throw new ArgumentException($"The safetensors header would be {padded} bytes, more than the {SafeTensorsFile.MaxHeaderLength}-byte limit readers accept; use fewer tensors or less metadata.");
        }

        var result = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.WrittenSpan.CopyTo(result.AsSpan(8));
        result.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return result;
    }
}
