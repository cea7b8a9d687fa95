using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Tests.Ema;

/// <summary>One scalar parameter "w" and a persistent buffer "steps": hand-computable EMA sequences.</summary>
internal sealed class ScalarModule : Module
{
    public ScalarModule(double value = 0)
    {
        RegisterParameter("w", Tensor.Full([1], value));
        RegisterBuffer("steps", Tensor.Zeros([1], DType.Int64));
        RegisterBuffer("scratch", Tensor.Zeros([1]), persistent: false);
    }

    public void Set(double value, long steps)
    {
        using var noGrad = new NoGradScope();
        GetParameter("w")!.FillInPlace(value);
        GetBuffer("steps")!.FillInPlace(steps);
    }

    public float W => GetParameter("w")!.ToSingle();

    public long Steps => GetBuffer("steps")!.ToInt64();
}

/// <summary>A small network with nested children, several shapes and a float buffer.</summary>
internal sealed class SmallNet : Module
{
    public SmallNet(Generator generator)
    {
        RegisterModule("conv", new Conv2d(2, 3, 3, padding: 1, generator: generator));
        RegisterModule("head", new Linear(4, 2, generator: generator));
        RegisterBuffer("freqs", Tensor.Randn([5], generator));
    }

    public void Perturb(Generator generator, double scale)
    {
        using var scope = new TensorScope();
        using var noGrad = new NoGradScope();
        foreach (Tensor p in Parameters())
        {
            p.AddInPlace(Tensor.Randn(p.Shape, generator), scale);
        }

        GetBuffer("freqs")!.AddInPlace(1.0);
    }
}
