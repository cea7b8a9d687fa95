using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>What we write reads back bit-exactly, for every dtype and shape, with its metadata.</summary>
public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<DType, string> DTypesAndShapes()
    {
        var data = new TheoryData<DType, string>();
        DType[] dtypes = [DType.Float32, DType.Float64, DType.Float16, DType.BFloat16, DType.Int64, DType.Int32, DType.Int16, DType.Int8, DType.UInt8, DType.Bool];
        string[] shapes = ["", "0", "2,0,3", "1", "7", "3,5", "2,3,4"];
        foreach (DType d in dtypes)
        {
            foreach (string s in shapes)
            {
                data.Add(d, s);
            }
        }

        return data;
    }

    /// <summary>Random bytes for a tensor; booleans are 0 or 1, floats may be any bit pattern (NaN payloads included).</summary>
    internal static Tensor RandomTensor(DType dtype, long[] shape, int seed)
    {
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        var bytes = new byte[numel * dtype.ElementSize()];
        var random = new Random(seed);
        random.NextBytes(bytes);
        if (dtype == DType.Bool)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }

        return Tensor.FromBytes(bytes, dtype, shape);
    }

    internal static byte[] Bytes(Tensor t)
    {
        var bytes = new byte[t.NumElements * t.DType.ElementSize()];
        t.CopyBytesTo(bytes);
        return bytes;
    }

    private static long[] ParseShape(string s) => s.Length == 0 ? [] : s.Split(',').Select(long.Parse).ToArray();

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void Every_dtype_and_shape_round_trips_bit_exactly(DType dtype, string shapeText)
    {
        using var scope = new TensorScope();
        long[] shape = ParseShape(shapeText);
        Tensor original = RandomTensor(dtype, shape, seed: (int)dtype * 31 + shapeText.Length);
        string path = _dir.File("t.safetensors");

        SafeTensors.Save(path, [new("t", original)]);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        SafeTensorsEntry entry = file.GetEntry("t");
        entry.DType.Should().Be(dtype);
        entry.Shape.Should().Equal(shape);
        entry.ByteLength.Should().Be(original.NumElements * dtype.ElementSize());
        Tensor read = file.Read("t");
        read.DType.Should().Be(dtype);
        read.Shape.Should().Equal(shape);
        Bytes(read).Should().Equal(Bytes(original));
    }

    [Fact]
    public void Mixed_dtypes_in_one_file_keep_order_and_bytes()
    {
        using var scope = new TensorScope();
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("flag", RandomTensor(DType.Bool, [3], 1)),
            new("weight", RandomTensor(DType.Float32, [4, 3], 2)),
            new("half", RandomTensor(DType.Float16, [5], 3)),
            new("scalar", RandomTensor(DType.Float64, [], 4)),
            new("empty", RandomTensor(DType.BFloat16, [0, 2], 5)),
            new("index", RandomTensor(DType.Int64, [2], 6)),
            new("bytes", RandomTensor(DType.UInt8, [9], 7)),
            new("small", RandomTensor(DType.Int8, [2, 2], 8)),
            new("short", RandomTensor(DType.Int16, [3], 9)),
            new("int", RandomTensor(DType.Int32, [1, 1, 1], 10)),
        };
        string path = _dir.File("mixed.safetensors");
        SafeTensors.Save(path, tensors);

        using SafeTensorsContents loaded = SafeTensors.Load(path);
        loaded.Tensors.Keys.Should().Equal(tensors.Select(p => p.Key), "tensors are stored in the order given");
        foreach ((string name, Tensor t) in tensors)
        {
            loaded[name].DType.Should().Be(t.DType, name);
            loaded[name].Shape.Should().Equal(t.Shape, name);
            Bytes(loaded[name]).Should().Equal(Bytes(t), name);
        }

        loaded.Metadata.Should().BeEmpty();
    }

    [Fact]
    public void Metadata_round_trips()
    {
        using var scope = new TensorScope();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["config"] = """{"channels": [32, 64], "name": "tiny \"unet\""}""",
            ["empty"] = string.Empty,
            ["unicode σ"] = "naïve — 東京 🙂",
            ["control"] = "line\nbreak\ttab\\slash\u0001",
        };
        string path = _dir.File("meta.safetensors");
        SafeTensors.Save(path, [new("x", Tensor.Ones([2]))], metadata);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        file.Metadata.Should().BeEquivalentTo(metadata);
        file.Names.Should().Equal("x");
    }

    [Fact]
    public void Metadata_only_file_without_tensors_round_trips()
    {
        string path = _dir.File("none.safetensors");
        SafeTensors.Save(path, [], new Dictionary<string, string> { ["a"] = "b" });

        using SafeTensorsContents loaded = SafeTensors.Load(path);
        loaded.Tensors.Should().BeEmpty();
        loaded.Metadata.Should().Equal(new Dictionary<string, string> { ["a"] = "b" });
    }

    [Fact]
    public void Non_contiguous_tensor_is_written_in_row_major_order()
    {
        using var scope = new TensorScope();
        Tensor t = Tensor.Arange(12, DType.Float32).Reshape(3, 4).Transpose(0, 1);
        t.IsContiguous().Should().BeFalse();
        string path = _dir.File("t.safetensors");
        SafeTensors.Save(path, [new("t", t)]);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        Tensor read = file.Read("t");
        read.Shape.Should().Equal(4, 3);
        read.ToArray<float>().Should().Equal(t.Contiguous().ToArray<float>());
    }

    [Fact]
    public void Tensors_larger_than_the_copy_buffer_are_written_in_chunks()
    {
        using var scope = new TensorScope();

        // 5.5 M int32 = 22 MB > 16 MiB buffer; non-contiguous to exercise the flatten path; small tensors around it.
        Tensor big = Tensor.Arange(5_500_000, DType.Int32).Reshape(1100, 5000).Transpose(0, 1);
        Tensor before = RandomTensor(DType.UInt8, [3], 1);
        Tensor after = RandomTensor(DType.Float64, [2], 2);
        string path = _dir.File("big.safetensors");
        SafeTensors.Save(path, [new("before", before), new("big", big), new("after", after)]);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        Bytes(file.Read("big")).Should().Equal(Bytes(big.Contiguous()));
        Bytes(file.Read("before")).Should().Equal(Bytes(before));
        Bytes(file.Read("after")).Should().Equal(Bytes(after));
    }

    [Fact]
    public void Tensors_requiring_grad_are_saved_by_value()
    {
        using var scope = new TensorScope();
        Tensor w = Tensor.Arange(6, DType.Float32).RequiresGradInPlace();
        string path = _dir.File("grad.safetensors");
        SafeTensors.Save(path, [new("w", w)]);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        file.Read("w").ToArray<float>().Should().Equal(0, 1, 2, 3, 4, 5);
    }
}
