using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.UViT;

/// <summary>
/// The initialisation of the reference U-ViT (Bao et al. 2023; <c>_init_weights</c>): linear weights from a normal
/// distribution with standard deviation 0.02 (the reference truncates at ±2, i.e. ±100 standard deviations, which never
/// binds), zero biases.
/// </summary>
internal static class UViTInit
{
    public const double Std = 0.02;

    public static Linear Linear(int inFeatures, int outFeatures, bool bias, Generator generator, DType dtype, Device? device)
    {
        var linear = new Linear(inFeatures, outFeatures, bias, generator, dtype, device);
        Init.Normal(linear.Weight, 0, Std, generator);
        if (linear.Bias is { } b) Init.Zeros(b);
        return linear;
    }
}
