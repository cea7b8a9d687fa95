using DiffusionCore.Torch;

namespace DiffusionCore.Data.Imaging;

/// <summary>Channel-count conversions of uint8 images [C, H, W] or [B, C, H, W] (computed in libtorch).</summary>
public static class ImageChannels
{
    private static readonly float[] LumaWeights = [0.299f, 0.587f, 0.114f];

    /// <summary>
    /// Converts to <paramref name="channels"/> (1 grey or 3 RGB): alpha is dropped (not composited); grey becomes RGB by
    /// repeating it; RGB becomes grey by the ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B, rounded (as PIL's "L").
    /// Returns a new tensor (a view when only channels are dropped).
    /// </summary>
    /// <param name="image">uint8 [C, H, W] or [B, C, H, W] with C = 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="channels">The target channel count, 1 or 3.</param>
    public static Tensor Convert(Tensor image, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images can be converted to 1 (grey) or 3 (RGB) channels.");
        }

        if (image.Dim is not (3 or 4) || image.DType != DType.UInt8)
        {
            throw new ArgumentException($"Expected a uint8 image [C, H, W] or [B, C, H, W]; got {image.DType} [{string.Join(", ", image.Shape)}].", nameof(image));
        }

        long dim = image.Dim - 3;
        long have = image.Size((int)dim);
        if (have is < 1 or > 4)
        {
            throw new ArgumentException($"Expected 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA) channels; got {have}.", nameof(image));
        }

        bool colour = have >= 3;
        if (colour == (channels == 3))
        {
            return image.Narrow(dim, 0, channels);
        }

        if (!colour)
        {
            using Tensor grey = image.Narrow(dim, 0, 1);
            long[] shape = image.Shape;
            shape[dim] = 3;
            using Tensor expanded = grey.Expand(shape);
            return expanded.Contiguous();
        }

        using Tensor rgb = image.Narrow(dim, 0, 3);
        using Tensor asFloat = rgb.To(DType.Float32);
        using Tensor weights = Tensor.FromArray(LumaWeights, 3, 1, 1);
        using Tensor weighted = asFloat.Mul(weights);
        using Tensor luma = weighted.Sum([dim], keepDim: true);
        using Tensor rounded = luma.Round();
        using Tensor clamped = rounded.Clamp(0, 255);
        return clamped.To(DType.UInt8);
    }
}
