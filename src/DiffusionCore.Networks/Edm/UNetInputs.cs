using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>Input checks shared by the EDM UNets.</summary>
internal static class UNetInputs
{
    /// <summary>Checks <c>[B, C, H, W]</c> input, <c>[B]</c> noise labels and the conditioning batch; returns B.</summary>
    /// <exception cref="ArgumentException">A shape does not fit; the message says which.</exception>
    public static long Validate(Tensor input, Tensor noiseLabels, Conditioning conditioning, int inChannels, int levels)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(noiseLabels);
        ArgumentNullException.ThrowIfNull(conditioning);
        long[] s = input.Shape;
        int factor = 1 << (levels - 1);
        if (s.Length != 4 || s[1] != inChannels || s[2] % factor != 0 || s[3] % factor != 0)
        {
            throw new ArgumentException(
                $"The UNet expects images [B, {inChannels}, H, W] with H and W multiples of {factor}; got [{string.Join(", ", s)}].", nameof(input));
        }

        long[] n = noiseLabels.Shape;
        if (n.Length != 1 || n[0] != s[0])
        {
            throw new ArgumentException($"Noise labels must hold one value per sample, [{s[0]}]; got [{string.Join(", ", n)}].", nameof(noiseLabels));
        }

        conditioning.ValidateBatch(s[0]);
        return s[0];
    }
}
