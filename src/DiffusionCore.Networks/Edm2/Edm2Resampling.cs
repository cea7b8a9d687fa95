using DiffusionCore.Networks.Edm;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The resampling at the start of an EDM2 block (Karras et al. 2024, Fig. 21), with the network's
/// <see cref="Edm2UNetOptions.ResampleFilter"/>: the reference's depthwise (transposed) convolution with the normalised
/// kernel <c>f·fᵀ/(Σf)²</c> at stride 2. With the default box filter [1, 1] that is 2×2 average pooling down and
/// nearest-neighbour ×2 up, which run as such (the same results, far faster on CPU).
/// </summary>
public enum Edm2Resampling
{
    /// <summary>No resampling.</summary>
    None,

    /// <summary>Halve the resolution (2×2 average pooling for the box filter).</summary>
    Down,

    /// <summary>Double the resolution (nearest-neighbour for the box filter).</summary>
    Up,
}

/// <summary>Applies an <see cref="Edm2Resampling"/>.</summary>
internal static class Edm2ResamplingExtensions
{
    public static Tensor Apply(this Edm2Resampling mode, Tensor x, ResampleFilter filter)
    {
        if (mode == Edm2Resampling.None)
        {
            return x.Alias();
        }

        using var scope = new TensorScope();
        Tensor? kernel = filter.IsBox ? null : filter.CreateKernel(x.Device).To(x.DType);
        Tensor y = mode switch
        {
            Edm2Resampling.Down => FilterResampling.Down(x, filter, kernel),
            Edm2Resampling.Up => FilterResampling.Up(x, filter, kernel),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown resampling mode"),
        };
        return y.MoveToOuterScope();
    }
}
