using DiffusionCore.Torch;

namespace DiffusionCore.Data.Imaging;

/// <summary>
/// Conversions between uint8 pixels and the float range [−1, 1] that EDM/EDM2 train and sample in
/// (x = b / 127.5 − 1 and b = clamp(round(x · 127.5 + 127.5), 0, 255)), computed in libtorch.
/// </summary>
public static class ImagePixels
{
    /// <summary>uint8 pixels (any shape) → float32 in [−1, 1].</summary>
    public static Tensor ToSignedUnit(Tensor pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        using Tensor asFloat = pixels.To(DType.Float32);
        using Tensor scaled = asFloat.Mul(2.0 / 255.0);
        return scaled.Sub(1.0);
    }

    /// <summary>Float images in [−1, 1] (any shape; values outside are clamped) → uint8 pixels, e.g. to write a PNG.</summary>
    public static Tensor FromSignedUnit(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using Tensor scaled = images.Mul(127.5);
        using Tensor shifted = scaled.Add(127.5);
        using Tensor rounded = shifted.Round();
        using Tensor clamped = rounded.Clamp(0, 255);
        return clamped.To(DType.UInt8);
    }
}
