using DiffusionCore.Torch;

namespace DiffusionCore.Data;

/// <summary>The input check shared by the augmentations.</summary>
internal static class AugmentationInput
{
    /// <summary>Throws unless the images are floating-point <c>[B, C, H, W]</c> and a generator is given.</summary>
    public static void Check(Tensor images, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(generator);
        if (images.Dim != 4 || !images.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"Expected floating-point images [B, C, H, W]; got {images.DType} [{string.Join(", ", images.Shape)}].", nameof(images));
        }
    }
}
