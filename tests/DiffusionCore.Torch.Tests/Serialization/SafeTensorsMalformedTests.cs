using System.Text;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>Every kind of malformed file raises <see cref="SafeTensorsFormatException"/> naming the file, the tensor and the problem.</summary>
public sealed class SafeTensorsMalformedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Raw(string header, int dataBytes = 0, ulong? declaredLength = null) =>
        RawSafeTensors.Write(_dir.File("bad.safetensors"), header, dataBytes, declaredLength);

    private static SafeTensorsFormatException OpenFails(string path, string? tensor, params string[] fragments)
    {
        Action open = () => SafeTensorsFile.Open(path).Dispose();
        SafeTensorsFormatException ex = open.Should().ThrowExactly<SafeTensorsFormatException>().Which;
        ex.Message.Should().Contain(path, "the message names the file");
        ex.FilePath.Should().Be(path);
        ex.TensorName.Should().Be(tensor);
        if (tensor is not null)
        {
            ex.Message.Should().Contain($"tensor '{tensor}'");
        }

        foreach (string f in fragments)
        {
            ex.Message.Should().Contain(f);
        }

        // Load goes through the same validation.
        Action load = () => SafeTensors.Load(path).Dispose();
        load.Should().ThrowExactly<SafeTensorsFormatException>();
        return ex;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void File_shorter_than_8_bytes(int length)
    {
        string path = _dir.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        OpenFails(path, null, $"has {length} bytes", "8-byte header length");
    }

    [Fact]
    public void Header_length_past_end_of_file()
    {
        string path = Raw("{}      ", declaredLength: 1000);
        OpenFails(path, null, "header length is 1000 bytes", "only 8 bytes follow", "truncated");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    public void Header_length_huge(ulong declared)
    {
        string path = Raw("{}      ", declaredLength: declared);
        OpenFails(path, null, $"header length is {declared} bytes", "100000000-byte limit");
    }

    [Fact]
    public void Header_length_zero()
    {
        string path = Raw(string.Empty);
        OpenFails(path, null, "header length is 0");
    }

    [Fact]
    public void Truncated_data_names_the_tensor_that_no_longer_fits()
    {
        string path = Raw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", dataBytes: 20);
        OpenFails(path, "b", "data_offsets [8, 24)", "data section, which has 20 bytes");
    }

    [Fact]
    public void Truncated_at_every_length_raises_format_exception_and_nothing_else()
    {
        string good = _dir.File("good.safetensors");
        using (var scope = new TensorScope())
        {
            SafeTensors.Save(good, [new("x", Tensor.Arange(6, DType.Float32)), new("y", Tensor.Arange(3, DType.Int64))], new Dictionary<string, string> { ["k"] = "v" });
        }

        byte[] bytes = File.ReadAllBytes(good);
        string cut = _dir.File("cut.safetensors");
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(cut, bytes.AsSpan(0, length).ToArray());
            Action open = () => SafeTensorsFile.Open(cut).Dispose();
            open.Should().ThrowExactly<SafeTensorsFormatException>($"a file truncated to {length} of {bytes.Length} bytes is invalid")
                .Which.Message.Should().Contain(cut);
        }
    }

    [Theory]
    [InlineData("{\"a\": ")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",}}")]
    [InlineData("{'a': 1}")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":1 // comment\n}")]
    public void Invalid_json(string header)
    {
        OpenFails(Raw(header), null, "not valid JSON")
            .InnerException.Should().BeAssignableTo<System.Text.Json.JsonException>();
    }

    [Fact]
    public void Invalid_utf8()
    {
        byte[] header = [.. Encoding.ASCII.GetBytes("{\"a"), 0xFF, 0xFE, .. Encoding.ASCII.GetBytes("\":{}}   ")];
        string path = RawSafeTensors.Write(_dir.File("utf8.safetensors"), header, []);
        OpenFails(path, null, "not valid UTF-8", "offset 3");
    }

    [Theory]
    [InlineData("[1, 2]  ", "array")]
    [InlineData("\"text\"", "string")]
    [InlineData("42      ", "number")]
    [InlineData("null    ", "null")]
    public void Json_not_an_object(string header, string kind)
    {
        OpenFails(Raw(header), null, $"must be a JSON object but is a JSON {kind}");
    }

    [Fact]
    public void Header_not_starting_with_brace()
    {
        OpenFails(Raw("  {}    "), null, "must start with '{'");
    }

    [Fact]
    public void Entry_not_an_object()
    {
        OpenFails(Raw("""{"w": 5}"""), "w", "must be a JSON object", "is a JSON number");
    }

    [Fact]
    public void Offsets_out_of_range()
    {
        string path = Raw("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", dataBytes: 8);
        OpenFails(path, "w", "data_offsets [4, 12)", "past the end of the data section", "8 bytes");
    }

    [Fact]
    public void Offsets_past_64_bits()
    {
        string path = Raw("""{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551616]}}""", dataBytes: 1);
        OpenFails(path, "w", "'data_offsets' end is 18446744073709551616", "64 bits");
    }

    [Fact]
    public void Offsets_reversed()
    {
        string path = Raw("""{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", dataBytes: 4);
        OpenFails(path, "w", "end before they begin");
    }

    [Theory]
    [InlineData("[0]", "array of 1 values")]
    [InlineData("[0, 4, 8]", "array of 3 values")]
    [InlineData("\"0-4\"", "JSON string")]
    [InlineData("[0, -4]", "'data_offsets' end is -4")]
    [InlineData("[0.5, 4]", "'data_offsets' begin is 0.5")]
    public void Offsets_malformed(string offsets, string fragment)
    {
        string path = Raw($$$"""{"w":{"dtype":"F32","shape":[1],"data_offsets":{{{offsets}}}}}""", dataBytes: 4);
        OpenFails(path, "w", fragment);
    }

    [Fact]
    public void Overlapping_offsets()
    {
        string path = Raw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", dataBytes: 12);
        OpenFails(path, "b", "bytes [4, 12) overlap tensor 'a' at bytes [0, 8)");
    }

    [Fact]
    public void Identical_offsets_overlap()
    {
        string path = Raw("""{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", dataBytes: 4);
        OpenFails(path, "b", "overlap tensor 'a'");
    }

    [Fact]
    public void Hole_in_data()
    {
        string path = Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", dataBytes: 12);
        OpenFails(path, "b", "hole of 4 bytes [4, 8)", "tensor 'a'");
    }

    [Fact]
    public void Hole_at_start_of_data()
    {
        string path = Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", dataBytes: 8);
        OpenFails(path, "a", "hole of 4 bytes [0, 4)", "start of the data section");
    }

    [Fact]
    public void Trailing_bytes_after_last_tensor()
    {
        string path = Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", dataBytes: 10);
        OpenFails(path, null, "data section has 10 bytes", "cover only the first 4", "6 trailing bytes");
    }

    [Fact]
    public void Data_without_tensors()
    {
        OpenFails(Raw("{}", dataBytes: 3), null, "3 trailing bytes");
    }

    [Theory]
    [InlineData("F128", "unknown dtype 'F128'")]
    [InlineData("f32", "unknown dtype 'f32'")]
    [InlineData("", "unknown dtype ''")]
    [InlineData("U32", "dtype 'U32' is valid safetensors but has no libtorch 1.13 tensor type")]
    [InlineData("F8_E4M3", "no libtorch 1.13 tensor type")]
    public void Unknown_dtype(string dtype, string fragment)
    {
        string path = Raw($$$"""{"w":{"dtype":"{{{dtype}}}","shape":[1],"data_offsets":[0,4]}}""", dataBytes: 4);
        OpenFails(path, "w", fragment, "supported: F64, F32");
    }

    [Fact]
    public void Dtype_not_a_string()
    {
        OpenFails(Raw("""{"w":{"dtype":6,"shape":[1],"data_offsets":[0,4]}}""", dataBytes: 4), "w", "'dtype' must be a string");
    }

    [Theory]
    [InlineData("F32", "[3]", 8, "needs 12 bytes (3 elements × 4) but data_offsets [0, 8) span 8")]
    [InlineData("F16", "[2, 2]", 4, "needs 8 bytes")]
    [InlineData("I64", "[]", 4, "needs 8 bytes (1 elements × 8)")]
    [InlineData("U8", "[0]", 1, "needs 0 bytes")]
    public void Shape_and_byte_count_mismatch(string dtype, string shape, int span, string fragment)
    {
        string path = Raw($$$"""{"w":{"dtype":"{{{dtype}}}","shape":{{{shape}}},"data_offsets":[0,{{{span}}}]}}""", dataBytes: span);
        OpenFails(path, "w", fragment);
    }

    [Fact]
    public void Negative_shape()
    {
        string path = Raw("""{"w":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}}""");
        OpenFails(path, "w", "'shape' entry 1 is negative (-1)");
    }

    [Theory]
    [InlineData("[2.5]", "'shape' entry 0 is 2.5")]
    [InlineData("[\"2\"]", "'shape' entry 0 is \"2\"")]
    [InlineData("[1e30]", "not an integer that fits in 64 bits")]
    [InlineData("3", "'shape' must be an array")]
    public void Shape_malformed(string shape, string fragment)
    {
        string path = Raw($$$"""{"w":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,4]}}""", dataBytes: 4);
        OpenFails(path, "w", fragment);
    }

    [Fact]
    public void Shape_whose_element_count_overflows()
    {
        string path = Raw("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}""");
        OpenFails(path, "w", "more elements than fit in 64 bits");
    }

    [Fact]
    public void Shape_whose_byte_count_overflows()
    {
        string path = Raw("""{"w":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}}""");
        OpenFails(path, "w", "more bytes than fit in 64 bits");
    }

    [Fact]
    public void Shape_with_too_many_dimensions()
    {
        string shape = "[" + string.Join(",", Enumerable.Repeat("1", 65)) + "]";
        OpenFails(Raw($$$"""{"w":{"dtype":"U8","shape":{{{shape}}},"data_offsets":[0,1]}}""", dataBytes: 1), "w", "65 dimensions");
    }

    [Theory]
    [InlineData("""{"shape":[1],"data_offsets":[0,4]}""", "dtype")]
    [InlineData("""{"dtype":"F32","data_offsets":[0,4]}""", "shape")]
    [InlineData("""{"dtype":"F32","shape":[1]}""", "data_offsets")]
    [InlineData("{}", "dtype")]
    public void Missing_fields(string entry, string field)
    {
        OpenFails(Raw($$$"""{"w":{{{entry}}}}""", dataBytes: 4), "w", $"missing the required field '{field}'");
    }

    [Fact]
    public void Duplicate_field_in_entry()
    {
        OpenFails(Raw("""{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}""", dataBytes: 4), "w", "field 'dtype' more than once");
    }

    [Fact]
    public void Duplicate_tensor_name()
    {
        string path = Raw("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", dataBytes: 8);
        OpenFails(path, "w", "key 'w' more than once");
    }

    [Theory]
    [InlineData("""{"__metadata__":{"a":1}}""", "value for key 'a' must be a string but is a JSON number")]
    [InlineData("""{"__metadata__":{"a":null}}""", "must be a string but is a JSON null")]
    [InlineData("""{"__metadata__":["a"]}""", "'__metadata__' must be a JSON object of strings but is a JSON array")]
    [InlineData("""{"__metadata__":{"a":"1","a":"2"}}""", "'__metadata__' has the key 'a' more than once")]
    [InlineData("""{"__metadata__":{},"__metadata__":{}}""", "key '__metadata__' more than once")]
    public void Invalid_metadata(string header, string fragment)
    {
        OpenFails(Raw(header), null, fragment);
    }

    [Fact]
    public void Missing_file_is_not_a_format_error()
    {
        Action open = () => SafeTensorsFile.Open(_dir.File("missing.safetensors"));
        open.Should().Throw<FileNotFoundException>();
    }
}
