using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>Conveniences over <see cref="IDenoiser"/>.</summary>
public static class DenoiserExtensions
{
    /// <summary>Evaluates an unconditional <c>D(x; σ)</c> (Karras et al. 2022, Eq. 2).</summary>
    public static Tensor Denoise(this IDenoiser denoiser, Tensor x, Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        return denoiser.Denoise(x, sigma, Conditioning.None);
    }

    /// <summary>Evaluates <c>D(x; σ)</c> with the same scalar σ for every sample.</summary>
    public static Tensor Denoise(this IDenoiser denoiser, Tensor x, double sigma, Conditioning? conditioning = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(x);
        using var scope = new TensorScope();
        Tensor s = Tensor.Full([x.Size(0)], sigma, x.DType, x.Device);
        return denoiser.Denoise(x, s, conditioning ?? Conditioning.None).MoveToOuterScope();
    }
}
