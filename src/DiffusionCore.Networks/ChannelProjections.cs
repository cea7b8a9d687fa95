using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks;

/// <summary>
/// Decouple-then-merge's channel-wise projections (Ma et al. 2024, "Decouple-Then-Merge"; docs/recipes.md §5):
/// one bias-free 1×1 convolution per UNet block, its weight <c>[C, C, 1, 1]</c> initialised to the identity, applied to
/// the block's output. Registered as <c>enc_proj</c> (after each encoder block, downsampling blocks included) and
/// <c>dec_proj</c> (after each decoder block: the middle blocks <c>in0</c>/<c>in1</c> and every up-path block), keyed
/// like the blocks they follow, so the state-dict keys read <c>enc_proj.16x16_block0.weight</c>. An identity weight
/// multiplies every channel by exactly 1 and adds exact zeros, so a network with fresh projections computes bit for
/// bit what it computes without them; fine-tuning then learns to re-mix the channels of each block.
/// </summary>
public sealed class ChannelProjections : Module
{
    private readonly Dictionary<Module, Projection> _byBlock = new(ReferenceEqualityComparer.Instance);

    /// <summary>The number of projections.</summary>
    public int Count => _byBlock.Count;

    /// <summary>Adds the projection that follows <paramref name="block"/>, registered under <paramref name="name"/>.</summary>
    /// <param name="name">The block's name in its container (<c>16x16_block0</c>).</param>
    /// <param name="block">The block whose output it projects.</param>
    /// <param name="channels">The block's output channels.</param>
    /// <param name="device">The device of the weight (<see cref="Device.Meta"/> counts without allocating).</param>
    internal void Add(string name, Module block, int channels, Device? device)
    {
        _byBlock.Add(block, RegisterModule(name, new Projection(channels, device)));
    }

    /// <summary><c>W·x</c> over the channels when <paramref name="block"/> has a projection; otherwise <paramref name="x"/> itself.</summary>
    internal Tensor Apply(Module block, Tensor x) =>
        _byBlock.TryGetValue(block, out Projection? projection) ? Functional.Conv2d(x, projection.Weight.To(x.DType)) : x;

    /// <summary>One bias-free 1×1 convolution with parameter <c>weight</c>.</summary>
    private sealed class Projection : Module
    {
        public Projection(int channels, Device? device)
        {
            using var scope = new TensorScope();
            RegisterParameter("weight", Tensor.Eye(channels, DType.Float32, device).Reshape(channels, channels, 1, 1).Contiguous().DetachFromScope());
        }

        public Tensor Weight => GetParameter("weight")!;
    }
}
