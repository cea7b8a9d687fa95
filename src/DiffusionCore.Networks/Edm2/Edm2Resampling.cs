using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The resampling at the start of an EDM2 block with the box filter [1, 1] (Karras et al. 2024, Fig. 21): 2×2 average
/// pooling down, nearest-neighbour ×2 up. (The reference expresses both as depthwise (transposed) convolutions with that
/// filter; the results are the same and pooling/nearest are far faster on CPU.)
/// </summary>
public enum Edm2Resampling
{
    /// <summary>No resampling.</summary>
    None,

    /// <summary>Halve the resolution by 2×2 average pooling.</summary>
    Down,

    /// <summary>Double the resolution by nearest-neighbour upsampling.</summary>
    Up,
}

/// <summary>Applies an <see cref="Edm2Resampling"/>.</summary>
internal static class Edm2ResamplingExtensions
{
    public static Tensor Apply(this Edm2Resampling mode, Tensor x) => mode switch
    {
        Edm2Resampling.None => x.Alias(),
        Edm2Resampling.Down => Functional.AvgPool2d(x, 2),
        Edm2Resampling.Up => Functional.Interpolate(x, ((int)x.Size(2) * 2, (int)x.Size(3) * 2), InterpolationMode.Nearest),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown resampling mode"),
    };
}
