using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// Reads the EDM networks' augmentation labels (Karras et al. 2022, App. D.2) from a <see cref="Conditioning"/>. Class
/// labels and label dropout are the shared <c>ClassLabels</c> and <c>LabelDropout</c> of DiffusionCore.Conditioning.
/// </summary>
internal static class EdmConditioningInputs
{
    /// <summary>The augmentation labels <c>[B, A]</c> as float32, or null when absent.</summary>
    /// <exception cref="ArgumentException">The labels have the wrong shape or dtype.</exception>
    public static Tensor? AugmentLabels(Conditioning conditioning, int augmentDim, long batch)
    {
        Tensor? labels = conditioning.AugmentLabels;
        if (labels is null)
        {
            return null;
        }

        long[] s = labels.Shape;
        if (!labels.DType.IsFloatingPoint() || s.Length != 2 || s[0] != batch || s[1] != augmentDim)
        {
            throw new ArgumentException($"Augmentation labels must be floats [{batch}, {augmentDim}]; got {labels}.", nameof(conditioning));
        }

        return labels.To(DType.Float32);
    }
}
