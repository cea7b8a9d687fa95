using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>The writer's byte layout follows the specification, writes atomically and rejects invalid input.</summary>
public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Layout_matches_the_specification()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.FromArray(new float[] { 1.5f, -2, 3 }, 3);
        Tensor b = Tensor.FromArray(new bool[] { true, false }, 2);
        Tensor c = Tensor.FromArray(new long[] { 7, 8, 9, 10 }, 2, 2);
        string path = _dir.File("layout.safetensors");
        SafeTensors.Save(path, [new("a", a), new("b", b), new("c.weight", c)], new Dictionary<string, string> { ["format"] = "pt" });

        byte[] file = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        (n % 8).Should().Be(0, "the header is padded so the data section starts 8-byte aligned");
        byte[] header = file.AsSpan(8, (int)n).ToArray();
        header[0].Should().Be((byte)'{');
        string text = Encoding.UTF8.GetString(header);
        text.TrimEnd(' ').Should().EndWith("}", "only spaces pad the header");
        (text.Length - text.TrimEnd(' ').Length).Should().BeLessThan(8);

        using JsonDocument doc = JsonDocument.Parse(header);
        JsonElement root = doc.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("__metadata__", "a", "b", "c.weight");
        root.GetProperty("__metadata__").GetProperty("format").GetString().Should().Be("pt");
        AssertEntry(root.GetProperty("a"), "F32", [3], 0, 12);
        AssertEntry(root.GetProperty("b"), "BOOL", [2], 12, 14);
        AssertEntry(root.GetProperty("c.weight"), "I64", [2, 2], 14, 46);
        file.Length.Should().Be(8 + (int)n + 46);

        ReadOnlySpan<byte> data = file.AsSpan(8 + (int)n);
        BinaryPrimitives.ReadSingleLittleEndian(data[4..]).Should().Be(-2f);
        data[12].Should().Be(1);
        data[13].Should().Be(0);
        BinaryPrimitives.ReadInt64LittleEndian(data[(14 + 24)..]).Should().Be(10);
    }

    private static void AssertEntry(JsonElement e, string dtype, long[] shape, long begin, long end)
    {
        e.EnumerateObject().Select(p => p.Name).Should().Equal("dtype", "shape", "data_offsets");
        e.GetProperty("dtype").GetString().Should().Be(dtype);
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).Should().Equal(shape);
        e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).Should().Equal(begin, end);
    }

    [Fact]
    public void Zero_dimensional_tensor_has_empty_shape_array()
    {
        using var scope = new TensorScope();
        string path = _dir.File("scalar.safetensors");
        SafeTensors.Save(path, [new("s", Tensor.Scalar(2.5, DType.Float64))]);

        byte[] file = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument doc = JsonDocument.Parse(file.AsMemory(8, n));
        AssertEntry(doc.RootElement.GetProperty("s"), "F64", [], 0, 8);
        BinaryPrimitives.ReadDoubleLittleEndian(file.AsSpan(8 + n)).Should().Be(2.5);
    }

    [Fact]
    public void Header_is_padded_to_a_multiple_of_8_for_every_length()
    {
        using var scope = new TensorScope();
        Tensor t = Tensor.Zeros([1], DType.UInt8);
        for (int nameLength = 1; nameLength <= 16; nameLength++)
        {
            string path = _dir.File($"pad{nameLength}.safetensors");
            SafeTensors.Save(path, [new(new string('n', nameLength), t)]);
            byte[] file = File.ReadAllBytes(path);
            (BinaryPrimitives.ReadUInt64LittleEndian(file) % 8).Should().Be(0);
            using SafeTensorsFile read = SafeTensorsFile.Open(path);
            read.DataStart.Should().Be(file.Length - 1);
        }
    }

    [Fact]
    public void Empty_metadata_writes_no_metadata_key()
    {
        string path = _dir.File("e.safetensors");
        SafeTensors.Save(path, [], new Dictionary<string, string>());
        byte[] file = File.ReadAllBytes(path);
        Encoding.UTF8.GetString(file, 8, file.Length - 8).TrimEnd().Should().Be("{}");
    }

    [Fact]
    public void Saving_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        using var scope = new TensorScope();
        string path = _dir.File("model.safetensors");
        File.WriteAllText(path, "old contents");
        SafeTensors.Save(path, [new("w", Tensor.Ones([2, 2]))]);

        using (SafeTensorsFile file = SafeTensorsFile.Open(path))
        {
            file.Names.Should().Equal("w");
        }

        Directory.GetFiles(_dir.Path).Should().Equal(path);
    }

    [Fact]
    public void Rejected_input_leaves_the_existing_file_untouched()
    {
        using var scope = new TensorScope();
        string path = _dir.File("model.safetensors");
        File.WriteAllText(path, "precious");
        Tensor t = Tensor.Ones([2]);

        Action save = () => SafeTensors.Save(path, [new("w", t), new("w", t)]);
        save.Should().Throw<ArgumentException>();

        File.ReadAllText(path).Should().Be("precious");
        Directory.GetFiles(_dir.Path).Should().Equal(path);
    }

    [Fact]
    public void A_failure_after_writing_deletes_the_temporary_file()
    {
        using var scope = new TensorScope();
        string target = _dir.File("occupied");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "inside.txt"), "x");

        Action save = () => SafeTensors.Save(target, [new("w", Tensor.Ones([4]))]);
        save.Should().Throw<IOException>();

        Directory.GetFiles(_dir.Path).Should().BeEmpty("the temporary file is removed when the final rename fails");
        File.ReadAllText(Path.Combine(target, "inside.txt")).Should().Be("x");
    }

    [Fact]
    public void Writing_over_a_file_that_is_open_for_reading_keeps_the_reader_valid()
    {
        using var scope = new TensorScope();
        string path = _dir.File("live.safetensors");
        SafeTensors.Save(path, [new("w", Tensor.Full([3], 1.0))]);
        using SafeTensorsFile reader = SafeTensorsFile.Open(path);

        SafeTensors.Save(path, [new("w", Tensor.Full([3], 2.0))]);

        reader.Read("w").ToArray<float>().Should().Equal(1, 1, 1);
        using SafeTensorsFile fresh = SafeTensorsFile.Open(path);
        fresh.Read("w").ToArray<float>().Should().Equal(2, 2, 2);
    }

    [Fact]
    public void Duplicate_names_are_rejected()
    {
        using var scope = new TensorScope();
        Tensor t = Tensor.Ones([1]);
        Action save = () => SafeTensors.Save(_dir.File("d.safetensors"), [new("a", t), new("b", t), new("a", t)]);
        save.Should().Throw<ArgumentException>().WithMessage("*'a' occurs more than once*");
        File.Exists(_dir.File("d.safetensors")).Should().BeFalse();
    }

    [Fact]
    public void The_metadata_key_cannot_name_a_tensor()
    {
        using var scope = new TensorScope();
        Action save = () => SafeTensors.Save(_dir.File("m.safetensors"), [new("__metadata__", Tensor.Ones([1]))]);
        save.Should().Throw<ArgumentException>().WithMessage("*'__metadata__' is reserved*");
    }

    [Fact]
    public void Names_with_unpaired_surrogates_are_rejected()
    {
        using var scope = new TensorScope();
        Action save = () => SafeTensors.Save(_dir.File("s.safetensors"), [new("bad\uD800name", Tensor.Ones([1]))]);
        save.Should().Throw<ArgumentException>().WithMessage("*not valid UTF-16*");
    }

    [Fact]
    public void Null_tensor_is_rejected()
    {
        Action save = () => SafeTensors.Save(_dir.File("n.safetensors"), [new("w", null!)]);
        save.Should().Throw<ArgumentException>().WithMessage("*'w' is null*");
    }

    [Fact]
    public void Invalid_metadata_is_rejected()
    {
        using var scope = new TensorScope();
        Tensor t = Tensor.Ones([1]);
        Action nullValue = () => SafeTensors.Save(_dir.File("a.safetensors"), [new("w", t)], new Dictionary<string, string> { ["k"] = null! });
        nullValue.Should().Throw<ArgumentException>().WithMessage("*'k' has a null value*");

        Action badText = () => SafeTensors.Save(_dir.File("b.safetensors"), [new("w", t)], new Dictionary<string, string> { ["k"] = "\uDC00" });
        badText.Should().Throw<ArgumentException>().WithMessage("*metadata entry 'k'*");

        Directory.GetFiles(_dir.Path).Should().BeEmpty();
    }

    [Fact]
    public void Disposed_tensor_is_rejected_before_anything_is_written()
    {
        Tensor t = Tensor.Ones([1]);
        t.Dispose();
        Action save = () => SafeTensors.Save(_dir.File("x.safetensors"), [new("w", t)]);
        save.Should().Throw<ObjectDisposedException>();
        Directory.GetFiles(_dir.Path).Should().BeEmpty();
    }
}
