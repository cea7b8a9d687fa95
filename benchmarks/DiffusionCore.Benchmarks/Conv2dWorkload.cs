using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Benchmarks;

/// <summary>
/// One conv2d training step: input [32, 64, 32, 32], weight [64, 64, 3, 3] (requires grad) and bias [64], padding 1;
/// forward, sum, backward. The weight's gradient is cleared at the start of every step (as zero_grad(set_to_none=True))
/// and every intermediate tensor is freed by one <see cref="TensorScope"/> per step. Shared by the BenchmarkDotNet class
/// and the <c>compare</c> runner.
/// </summary>
internal sealed class Conv2dWorkload : IDisposable
{
    /// <summary>Input shape [N, C, H, W].</summary>
    public static readonly long[] InputShape = [32, 64, 32, 32];

    /// <summary>Weight shape [out, in, kh, kw].</summary>
    public static readonly long[] WeightShape = [64, 64, 3, 3];

    private readonly Tensor _input;
    private readonly Tensor _weight;
    private readonly Tensor _bias;

    public Conv2dWorkload()
    {
        using var generator = new Generator(BenchEnvironment.Seed);
        _input = Tensor.Randn(InputShape, generator).DetachFromScope();
        _weight = Tensor.Randn(WeightShape, generator).DetachFromScope().RequiresGradInPlace();
        _bias = Tensor.Randn([WeightShape[0]], generator).DetachFromScope();
    }

    /// <summary>Clears the weight gradient, then runs forward and backward of conv2d(x, w, b, padding 1).sum().</summary>
    public void Step()
    {
        using var scope = new TensorScope();
        _weight.SetGrad(null);
        Tensor y = Functional.Conv2d(_input, _weight, _bias, padding: 1);
        y.Sum().Backward();
    }

    public void Dispose()
    {
        _input.Dispose();
        _weight.Dispose();
        _bias.Dispose();
    }
}
