using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// DiT's "patchify" layer (Peebles &amp; Xie 2023, §3.2 and Fig. 4; Dosovitskiy et al. 2021): a p×p convolution with
/// stride p and bias, <c>proj</c>, turning an image [B, C, H, W] into T = (H/p)(W/p) tokens [B, T, D] numbered row by
/// row. Initialised like a linear layer on the flattened patch: Xavier-uniform with fan_in = C·p², fan_out = D; zero bias.
/// Keys: <c>proj.weight</c>, <c>proj.bias</c>.
/// </summary>
public sealed class PatchEmbed : Module
{
    private readonly Conv2d _proj;

    /// <summary>Creates the layer, drawing the weight from <paramref name="generator"/>.</summary>
    public PatchEmbed(int patchSize, int inChannels, int hiddenSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        PatchSize = patchSize;
        _proj = RegisterModule("proj", new Conv2d(inChannels, hiddenSize, patchSize, stride: patchSize, generator: generator, dtype: dtype, device: device));

        // xavier_uniform_ on the weight viewed as [D, C·p·p]: bound = √(6 / (C·p² + D)).
        double bound = Math.Sqrt(6.0 / ((inChannels * patchSize * patchSize) + hiddenSize));
        Init.Uniform(_proj.Weight, -bound, bound, generator);
        Init.Zeros(_proj.Bias!);
    }

    /// <summary>Patch side p.</summary>
    public int PatchSize { get; }

    /// <summary>Embeds an image [B, C, H, W] (H, W multiples of p) into tokens [B, (H/p)(W/p), D].</summary>
    public Tensor Forward(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = new TensorScope();
        return _proj.Forward(image).Flatten(2).Transpose(1, 2).MoveToOuterScope();
    }
}
