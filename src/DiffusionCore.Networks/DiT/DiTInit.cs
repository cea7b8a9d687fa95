using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>The initialisation of Peebles &amp; Xie 2023 (reference <c>initialize_weights</c>): Xavier-uniform linears with zero biases.</summary>
internal static class DiTInit
{
    /// <summary>A Linear layer with Xavier-uniform weight (Glorot &amp; Bengio 2010) and zero bias.</summary>
    public static Linear XavierLinear(int inFeatures, int outFeatures, Generator generator, DType dtype, Device? device)
    {
        var linear = new Linear(inFeatures, outFeatures, generator: generator, dtype: dtype, device: device);
        Init.XavierUniform(linear.Weight, generator: generator);
        Init.Zeros(linear.Bias!);
        return linear;
    }
}
