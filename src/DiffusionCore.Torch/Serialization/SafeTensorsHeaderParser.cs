using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DiffusionCore.Torch.Serialization;

/// <summary>
/// Parses and validates the JSON header of a safetensors file against the data section it describes. Every problem
/// becomes a <see cref="SafeTensorsFormatException"/> naming the file and, where one is to blame, the tensor.
/// </summary>
internal static class SafeTensorsHeaderParser
{
    /// <summary>The key of the optional string→string metadata map in the header.</summary>
    internal const string MetadataKey = "__metadata__";

    /// <summary>The highest tensor rank accepted (libtorch's own limit is far above any real model).</summary>
    internal const int MaxRank = 64;

    private static readonly JsonDocumentOptions s_jsonOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Parses <paramref name="header"/> and checks every entry against a data section of <paramref name="dataLength"/> bytes.</summary>
    internal static SafeTensorsHeader Parse(ReadOnlyMemory<byte> header, long dataLength, string path)
    {
        ReadOnlySpan<byte> span = header.Span;
        if (span.IsEmpty)
        {
            throw new SafeTensorsFormatException(path, null, "the header length is 0; a header must hold at least the JSON object '{}'");
        }

        if (!Utf8.IsValid(span))
        {
            throw new SafeTensorsFormatException(path, null, $"the header is not valid UTF-8 (first invalid byte at header offset {FirstInvalidUtf8(span)})");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, s_jsonOptions);
        }
        catch (JsonException ex)
        {
            throw new SafeTensorsFormatException(path, null, $"the header is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsFormatException(path, null, $"the header must be a JSON object but is a JSON {Describe(root.ValueKind)}");
            }

            if (span[0] != (byte)'{')
            {
                throw new SafeTensorsFormatException(path, null, $"the header must start with '{{' but starts with byte 0x{span[0]:X2}");
            }

            return ParseRoot(root, dataLength, path);
        }
    }

    private static SafeTensorsHeader ParseRoot(JsonElement root, long dataLength, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<SafeTensorsEntry>();
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string name = property.Name;
            if (!seen.Add(name))
            {
                throw new SafeTensorsFormatException(path, name == MetadataKey ? null : name, $"the header has the key '{name}' more than once");
            }

            if (name == MetadataKey)
            {
                metadata = ParseMetadata(property.Value, path);
            }
            else
            {
                entries.Add(ParseEntry(name, property.Value, dataLength, path));
            }
        }

        CheckCoverage(entries, dataLength, path);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(path, null, $"'{MetadataKey}' must be a JSON object of strings but is a JSON {Describe(value.ValueKind)}");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsFormatException(path, null, $"'{MetadataKey}' value for key '{item.Name}' must be a string but is a JSON {Describe(item.Value.ValueKind)}");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new SafeTensorsFormatException(path, null, $"'{MetadataKey}' has the key '{item.Name}' more than once");
            }
        }

        return metadata;
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(path, name, $"the entry must be a JSON object with 'dtype', 'shape' and 'data_offsets' but is a JSON {Describe(value.ValueKind)}");
        }

        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            // Fields other than these three are ignored, as the reference implementation does.
            switch (field.Name)
            {
                case "dtype":
                    dtypeElement = Once(dtypeElement, field, name, path);
                    break;
                case "shape":
                    shapeElement = Once(shapeElement, field, name, path);
                    break;
                case "data_offsets":
                    offsetsElement = Once(offsetsElement, field, name, path);
                    break;
            }
        }

        DType dtype = ParseDType(Required(dtypeElement, "dtype", name, path), name, path);
        long[] shape = ParseShape(Required(shapeElement, "shape", name, path), name, path);
        (long begin, long end) = ParseOffsets(Required(offsetsElement, "data_offsets", name, path), name, path);
        (long numel, long bytes) = CountBytes(shape, dtype, name, path);

        if (end - begin != bytes)
        {
            throw new SafeTensorsFormatException(path, name,
                $"shape [{string.Join(", ", shape)}] of {dtype} needs {bytes} bytes ({numel} elements × {dtype.ElementSize()}) but data_offsets [{begin}, {end}) span {end - begin}");
        }

        if (end > dataLength)
        {
            throw new SafeTensorsFormatException(path, name,
                $"data_offsets [{begin}, {end}) reach past the end of the data section, which has {dataLength} bytes (truncated file or corrupt offsets)");
        }

        return new SafeTensorsEntry(name, dtype, shape, numel, begin, end);
    }

    private static JsonElement Once(JsonElement? previous, JsonProperty field, string name, string path) =>
        previous is null
            ? field.Value
            : throw new SafeTensorsFormatException(path, name, $"the entry has the field '{field.Name}' more than once");

    private static JsonElement Required(JsonElement? element, string field, string name, string path) =>
        element ?? throw new SafeTensorsFormatException(path, name, $"the entry is missing the required field '{field}'");

    private static DType ParseDType(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new SafeTensorsFormatException(path, name, $"'dtype' must be a string but is a JSON {Describe(element.ValueKind)}");
        }

        string code = element.GetString()!;
        return SafeTensorsDTypes.FromCode(code) ?? throw new SafeTensorsFormatException(path, name, SafeTensorsDTypes.DescribeUnknown(code));
    }

    private static long[] ParseShape(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new SafeTensorsFormatException(path, name, $"'shape' must be an array of non-negative integers but is a JSON {Describe(element.ValueKind)}");
        }

        int rank = element.GetArrayLength();
        if (rank > MaxRank)
        {
            throw new SafeTensorsFormatException(path, name, $"'shape' has {rank} dimensions; at most {MaxRank} are supported");
        }

        var shape = new long[rank];
        int i = 0;
        foreach (JsonElement size in element.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out long s))
            {
                throw new SafeTensorsFormatException(path, name, $"'shape' entry {i} is {size.GetRawText()}, not an integer that fits in 64 bits");
            }

            if (s < 0)
            {
                throw new SafeTensorsFormatException(path, name, $"'shape' entry {i} is negative ({s}); sizes must be >= 0");
            }

            shape[i++] = s;
        }

        return shape;
    }

    private static (long Begin, long End) ParseOffsets(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
        {
            string what = element.ValueKind == JsonValueKind.Array ? $"an array of {element.GetArrayLength()} values" : $"a JSON {Describe(element.ValueKind)}";
            throw new SafeTensorsFormatException(path, name, $"'data_offsets' must be an array of two non-negative integers [begin, end] but is {what}");
        }

        long begin = ParseOffset(element[0], "begin", name, path);
        long end = ParseOffset(element[1], "end", name, path);
        if (end < begin)
        {
            throw new SafeTensorsFormatException(path, name, $"data_offsets [{begin}, {end}) end before they begin");
        }

        return (begin, end);
    }

    private static long ParseOffset(JsonElement element, string which, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value) || value < 0)
        {
            throw new SafeTensorsFormatException(path, name, $"'data_offsets' {which} is {element.GetRawText()}, not a non-negative integer that fits in 64 bits");
        }

        return value;
    }

    /// <summary>Element and byte counts, rejecting shapes whose sizes overflow 64 bits even when another size is 0.</summary>
    private static (long NumElements, long Bytes) CountBytes(long[] shape, DType dtype, string name, string path)
    {
        long product = 1;
        bool empty = false;
        foreach (long s in shape)
        {
            if (s == 0)
            {
                empty = true;
                continue;
            }

            if (product > long.MaxValue / s)
            {
                throw new SafeTensorsFormatException(path, name, $"shape [{string.Join(", ", shape)}] has more elements than fit in 64 bits");
            }

            product *= s;
        }

        long numel = empty ? 0 : product;
        int size = dtype.ElementSize();
        if (numel > long.MaxValue / size)
        {
            throw new SafeTensorsFormatException(path, name, $"shape [{string.Join(", ", shape)}] of {dtype} needs more bytes than fit in 64 bits");
        }

        return (numel, numel * size);
    }

    /// <summary>
    /// Sorts <paramref name="entries"/> by position and checks that their byte ranges tile the data section exactly:
    /// no overlaps, no holes, nothing left over (as the specification and its reference implementation require).
    /// </summary>
    private static void CheckCoverage(List<SafeTensorsEntry> entries, long dataLength, string path)
    {
        entries.Sort(static (a, b) =>
        {
            int c = a.DataBegin.CompareTo(b.DataBegin);
            if (c == 0) c = a.DataEnd.CompareTo(b.DataEnd);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });

        long covered = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry e in entries)
        {
            if (e.DataBegin < covered)
            {
                throw new SafeTensorsFormatException(path, e.Name,
                    $"bytes [{e.DataBegin}, {e.DataEnd}) overlap tensor '{previous!.Name}' at bytes [{previous.DataBegin}, {previous.DataEnd})");
            }

            if (e.DataBegin > covered)
            {
                string before = previous is null ? "the start of the data section" : $"tensor '{previous.Name}' (ends at {previous.DataEnd})";
                throw new SafeTensorsFormatException(path, e.Name,
                    $"there is a hole of {e.DataBegin - covered} bytes [{covered}, {e.DataBegin}) between {before} and this tensor (starts at {e.DataBegin}); tensors must cover the data section without gaps");
            }

            covered = e.DataEnd;
            previous = e;
        }

        if (covered != dataLength)
        {
            throw new SafeTensorsFormatException(path, null,
                $"the data section has {dataLength} bytes but the tensors cover only the first {covered}; {dataLength - covered} trailing bytes belong to no tensor");
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return i;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
