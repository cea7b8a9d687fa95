using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The final layer of DiT (Peebles &amp; Xie 2023, §3.2 "Transformer decoder"): adaLN (shift, scale) from
/// <c>Linear_{D→2D}(SiLU(c))</c> on a LayerNorm without affine (eps 1e-6), then <c>linear</c> = Linear(D, p²·C_out)
/// decoding each token into a p×p×C_out patch in (row-in-patch, column-in-patch, channel) order. Both linears start
/// at zero, so the network output is exactly 0 at initialisation. Keys: <c>linear.*</c>, <c>adaLN_modulation.1.*</c>.
/// </summary>
public sealed class DiTFinalLayer : Module
{
    private readonly Linear _linear;
    private readonly Sequential _modulation;

    /// <summary>Creates the layer (zero-initialised) for width <paramref name="hiddenSize"/>, patch side p and C_out channels.</summary>
    public DiTFinalLayer(int hiddenSize, int patchSize, int outChannels, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _linear = RegisterModule("linear", new Linear(hiddenSize, patchSize * patchSize * outChannels, generator: generator, dtype: dtype, device: device));
        Init.Zeros(_linear.Weight);
        Init.Zeros(_linear.Bias!);
        _modulation = RegisterModule("adaLN_modulation", AdaLayerNorm.CreateModulation(hiddenSize, 2, generator, dtype, device));
    }

    /// <summary>Decodes tokens [B, T, D] under c [B, D] into per-token patches [B, T, p²·C_out].</summary>
    public Tensor Forward(Tensor tokens, Tensor conditioning)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = new TensorScope();
        Tensor[] m = _modulation.Forward(conditioning).Chunk(2, 1);
        return _linear.Forward(AdaLayerNorm.Modulate(AdaLayerNorm.Normalize(tokens), m[0], m[1])).MoveToOuterScope();
    }
}
