using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>Entries without data, streaming reads and tensor ownership of <see cref="SafeTensorsFile"/>.</summary>
public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public SafeTensorsFileTests()
    {
        using var scope = new TensorScope();
        Path = _dir.File("model.safetensors");
        SafeTensors.Save(Path, [
            new("b.weight", Tensor.Arange(6, DType.Float32).Reshape(2, 3)),
            new("a.bias", Tensor.FromArray(new long[] { 4, 5 }, 2)),
        ], new Dictionary<string, string> { ["step"] = "42" });
    }

    private string Path { get; }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Entries_describe_tensors_in_file_order()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path);
        file.Names.Should().Equal("b.weight", "a.bias");
        file.Metadata.Should().Equal(new Dictionary<string, string> { ["step"] = "42" });
        SafeTensorsEntry w = file.Entries[0];
        w.Name.Should().Be("b.weight");
        w.DType.Should().Be(DType.Float32);
        w.Shape.Should().Equal(2, 3);
        w.NumElements.Should().Be(6);
        (w.DataBegin, w.DataEnd, w.ByteLength).Should().Be((0L, 24L, 24L));
        file.GetEntry("a.bias").DataBegin.Should().Be(24);
        file.Contains("a.bias").Should().BeTrue();
        file.TryGetEntry("missing", out _).Should().BeFalse();
    }

    [Fact]
    public void Unknown_name_raises_key_not_found_naming_the_file()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path);
        Action read = () => file.Read("c");
        read.Should().Throw<KeyNotFoundException>().WithMessage($"*'{Path}'*'c'*");
    }

    [Fact]
    public void Read_tensors_belong_to_the_current_scope()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path);
        Tensor kept;
        Tensor scoped;
        using (var scope = new TensorScope())
        {
            scoped = file.Read("b.weight");
            kept = file.Read("a.bias").DetachFromScope();
            scope.Count.Should().Be(1);
        }

        scoped.IsDisposed.Should().BeTrue();
        kept.IsDisposed.Should().BeFalse();
        kept.ToArray<long>().Should().Equal(4, 5);
        kept.Dispose();
    }

    [Fact]
    public void Tensors_outlive_the_file()
    {
        using var scope = new TensorScope();
        Tensor t;
        using (SafeTensorsFile file = SafeTensorsFile.Open(Path))
        {
            t = file.Read("b.weight");
        }

        t.ToArray<float>().Should().Equal(0, 1, 2, 3, 4, 5);
    }

    [Fact]
    public void Read_after_dispose_throws_object_disposed()
    {
        SafeTensorsFile file = SafeTensorsFile.Open(Path);
        file.Dispose();
        Action read = () => file.Read("a.bias");
        read.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Read_all_and_load_return_every_tensor_in_file_order()
    {
        using var scope = new TensorScope();
        using (SafeTensorsFile file = SafeTensorsFile.Open(Path))
        {
            file.ReadAll().Keys.Should().Equal("b.weight", "a.bias");
        }

        SafeTensorsContents loaded = SafeTensors.Load(Path, Device.Cpu);
        loaded.Tensors.Keys.Should().Equal("b.weight", "a.bias");
        loaded["a.bias"].ToArray<long>().Should().Equal(4, 5);
        loaded.Metadata["step"].Should().Be("42");
        loaded.Dispose();
        loaded["b.weight"].IsDisposed.Should().BeTrue();
    }

    [Fact]
    public void Concurrent_reads_from_one_file_agree()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path);
        float[][] results = new float[8][];
        Parallel.For(0, results.Length, i =>
        {
            using var scope = new TensorScope();
            results[i] = file.Read("b.weight").ToArray<float>();
        });

        results.Should().AllSatisfy(r => r.Should().Equal(0, 1, 2, 3, 4, 5));
    }

    [Fact]
    public void A_file_shortened_after_opening_is_reported_not_crashed_on()
    {
        string copy = _dir.File("copy.safetensors");
        File.Copy(Path, copy);
        using SafeTensorsFile file = SafeTensorsFile.Open(copy);
        using (var stream = new FileStream(copy, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(stream.Length - 16);
        }

        Action read = () => file.Read("a.bias");
        read.Should().Throw<SafeTensorsFormatException>().WithMessage("*tensor 'a.bias': the file ends at byte 192*shortened or rewritten while being read");
    }
}
