using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// Up- and downsampling by 2 with a separable <see cref="ResampleFilter"/> (Karras et al. 2022, App. F.2; Karras et al.
/// 2024, Fig. 21), shared by the EDM convolution and the EDM2 blocks: downsampling convolves every channel with the 2-D
/// kernel <c>f·fᵀ/(Σf)²</c> at stride 2 with padding ⌊(k−1)/2⌋; upsampling applies the transposed depthwise convolution
/// with 4× the kernel at stride 2 and the same padding. The box filter [1, 1] takes the equal and faster 2×2 average
/// pooling and nearest-neighbour paths.
/// </summary>
internal static class FilterResampling
{
    /// <summary>
    /// Halves the resolution of NCHW <paramref name="x"/>; <paramref name="kernel"/> is the filter's [1, 1, k, k] kernel
    /// in x's dtype (<see cref="ResampleFilter.CreateKernel"/>), unused and may be null for the box filter.
    /// </summary>
    public static Tensor Down(Tensor x, ResampleFilter filter, Tensor? kernel)
    {
        int channels = (int)x.Size(1);
        return filter.IsBox
            ? Functional.AvgPool2d(x, 2)
            : Functional.Conv2d(x, Depthwise(Required(kernel), channels), stride: 2, padding: Padding(filter), groups: channels);
    }

    /// <summary>Doubles the resolution of NCHW <paramref name="x"/>; <paramref name="kernel"/> as in <see cref="Down"/>.</summary>
    public static Tensor Up(Tensor x, ResampleFilter filter, Tensor? kernel)
    {
        int channels = (int)x.Size(1);
        return filter.IsBox
            ? Functional.Interpolate(x, InterpolationMode.Nearest, 2.0)
            : Functional.ConvTranspose2d(x, Depthwise(Required(kernel), channels).Mul(4.0), stride: 2, padding: Padding(filter), groups: channels);
    }

    /// <summary>The kernel repeated for a depthwise convolution over <paramref name="channels"/> channels: [channels, 1, k, k].</summary>
    public static Tensor Depthwise(Tensor kernel, long channels) => kernel.Expand(channels, 1, -1, -1);

    /// <summary>The padding ⌊(k − 1)/2⌋ of a k-tap filter.</summary>
    public static int Padding(ResampleFilter filter) => (filter.Size - 1) / 2;

    private static Tensor Required(Tensor? kernel) =>
        kernel ?? throw new ArgumentNullException(nameof(kernel), "A filter other than the box filter needs its kernel tensor.");
}
