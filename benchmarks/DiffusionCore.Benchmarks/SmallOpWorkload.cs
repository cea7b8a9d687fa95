using DiffusionCore.Torch;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// The small-op round trips: one call into libtorch on 16-element float32 tensors, including freeing the result.
/// Shared by the BenchmarkDotNet classes and the <c>compare</c> runner so both time exactly the same code.
/// </summary>
internal sealed class SmallOpWorkload : IDisposable
{
    /// <summary>Elements per operand.</summary>
    public const int Length = 16;

    private readonly Tensor _a;
    private readonly Tensor _b;

    public SmallOpWorkload()
    {
        using var generator = new Generator(BenchEnvironment.Seed);
        _a = Tensor.Randn([Length], generator).DetachFromScope();
        _b = Tensor.Randn([Length], generator).DetachFromScope();
    }

    /// <summary>c = a + b, then c is disposed explicitly (no scope open).</summary>
    public void Add()
    {
        using Tensor c = _a.Add(_b);
    }

    /// <summary>c = a + b inside a fresh <see cref="TensorScope"/>, which disposes c.</summary>
    public void AddInScope()
    {
        using var scope = new TensorScope();
        _a.Add(_b);
    }

    /// <summary>c = a · 2.0 (tensor-scalar op), then c is disposed explicitly.</summary>
    public void MulScalar()
    {
        using Tensor c = _a.Mul(2.0);
    }

    /// <summary>A new handle to a (shallow clone, no dispatcher, no kernel), then disposed: the handle round trip alone.</summary>
    public void HandleRoundTrip()
    {
        using Tensor c = _a.Alias();
    }

    /// <summary>One blittable P/Invoke that does no tensor work: the managed-to-native transition floor.</summary>
    public static long NativeCallFloor() => TorchLib.LiveTensorCount;

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
