using DiffusionCore.Torch;

namespace DiffusionCore.Merge.Tests;

/// <summary>
/// Temporary state-dict files and a tensor scope for merge tests, and helpers for exact oracles: every value the tests
/// use is a dyadic rational, so float32 sums of them are exact.
/// </summary>
public abstract class MergeTestBase : IDisposable
{
    private readonly TensorScope _scope = new();

    private protected TempFiles Files { get; } = new();

    public void Dispose()
    {
        _scope.Dispose();
        Files.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected static Tensor F(params float[] v) => Tensor.FromArray(v);

    private protected static float[] Values(MergedStateDict m, string key) => m.Tensors[key].To(DType.Float32).ToArray<float>();
}
