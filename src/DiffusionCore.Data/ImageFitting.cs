using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Data;

/// <summary>Brings a decoded picture to the dataset's channels and square resolution (all in libtorch).</summary>
internal static class ImageFitting
{
    /// <summary>
    /// Converts a decoded uint8 [C, H, W] picture to uint8 [channels, resolution, resolution]: channel conversion
    /// (<see cref="ImageChannels.Convert"/>), centre crop to a square for <see cref="ImageFitMode.CenterCrop"/>, then a
    /// resize — area averaging when both sides shrink, bilinear otherwise — rounded back to bytes.
    /// </summary>
    internal static Tensor Fit(Tensor decoded, int channels, int resolution, ImageFitMode fit)
    {
        using Tensor converted = ImageChannels.Convert(decoded, channels);
        long height = converted.Size(1);
        long width = converted.Size(2);
        if (fit == ImageFitMode.CenterCrop && height != width)
        {
            long side = Math.Min(height, width);
            using Tensor rows = converted.Narrow(1, (height - side) / 2, side);
            using Tensor square = rows.Narrow(2, (width - side) / 2, side);
            return Resize(square, resolution);
        }

        return Resize(converted, resolution);
    }

    private static Tensor Resize(Tensor image, int resolution)
    {
        if (image.Size(1) == resolution && image.Size(2) == resolution)
        {
            return image.Contiguous();
        }

        bool shrinking = image.Size(1) >= resolution && image.Size(2) >= resolution;
        using Tensor asFloat = image.To(DType.Float32);
        using Tensor batched = asFloat.Unsqueeze(0);
        using Tensor resized = Functional.Interpolate(
            batched, (resolution, resolution), shrinking ? InterpolationMode.Area : InterpolationMode.Bilinear);
        using Tensor rounded = resized.Round();
        using Tensor clamped = rounded.Clamp(0, 255);
        using Tensor bytes = clamped.To(DType.UInt8);
        return bytes.Squeeze(0);
    }
}
