using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Data;

/// <summary>The uint8 → float conversion every dataset shares (the EDM convention x / 127.5 − 1, in libtorch).</summary>
internal static class PixelConversion
{
    /// <summary>
    /// Converts uint8 pixels [B, C, H, W] to float32 in [−1, 1]; <paramref name="pad"/> pixels of value 0 (−1 after
    /// scaling) are added on each side as (left, right, top, bottom).
    /// </summary>
    internal static Tensor ToSignedUnit(Tensor pixels, (int Left, int Right, int Top, int Bottom) pad = default)
    {
        if (pad == default)
        {
            return ImagePixels.ToSignedUnit(pixels);
        }

        using Tensor signed = ImagePixels.ToSignedUnit(pixels);
        return Functional.Pad(signed, [pad.Left, pad.Right, pad.Top, pad.Bottom], PadMode.Constant, -1.0);
    }

    /// <summary>Checks that every index lies in [0, <paramref name="count"/>) and that there is at least one.</summary>
    internal static void ValidateIndices(ReadOnlySpan<int> indices, int count)
    {
        if (indices.IsEmpty)
        {
            throw new ArgumentException("A batch needs at least one index.", nameof(indices));
        }

        foreach (int i in indices)
        {
            if ((uint)i >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"Image index {i} is outside the dataset (0 to {count - 1}).");
            }
        }
    }
}
