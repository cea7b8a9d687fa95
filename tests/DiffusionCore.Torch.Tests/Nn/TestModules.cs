using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Torch.Tests.Nn;

/// <summary>A transformer-like nesting (blocks.N.attn.qkv) to check PyTorch key names.</summary>
internal sealed class TestAttention : Module
{
    public TestAttention(int dim, Generator g)
    {
        RegisterModule("qkv", new Linear(dim, 3 * dim, generator: g));
        RegisterModule("proj", new Linear(dim, dim, generator: g));
    }
}

internal sealed class TestBlock : Module
{
    public TestBlock(int dim, Generator g)
    {
        RegisterBuffer("scale", Tensor.Ones([1]));
        RegisterBuffer("cache", Tensor.Zeros([2]), persistent: false);
        RegisterModule("norm", new LayerNorm(dim));
        RegisterModule("attn", new TestAttention(dim, g));
    }
}

internal sealed class TestNet : Module, ITensorModule
{
    public TestNet(int dim, int depth, Generator g, int outputs = 2)
    {
        var blocks = new ModuleList<TestBlock>();
        for (int i = 0; i < depth; i++)
        {
            blocks.Add(new TestBlock(dim, g));
        }

        Blocks = RegisterModule("blocks", blocks);
        Head = RegisterModule("head", new Linear(dim, outputs, generator: g));
    }

    public ModuleList<TestBlock> Blocks { get; }

    public Linear Head { get; }

    public Tensor Forward(Tensor input) => Head.Forward(input);
}

/// <summary>A module with a float and an integer buffer, for dtype conversion.</summary>
internal sealed class WithCounter : Module
{
    public WithCounter(Generator g)
    {
        RegisterModule("lin", new Linear(3, 2, generator: g));
        RegisterBuffer("running", Tensor.Ones([2]));
        RegisterBuffer("count", Tensor.Zeros([1], DType.Int64));
    }

    public Linear Lin => (Linear)GetSubmodule("lin");
}

internal static class TestData
{
    public static float[] F(Tensor t) => t.To(DType.Float32).ToArray<float>();

    public static double[] D(Tensor t) => t.To(DType.Float64).ToArray<double>();
}
