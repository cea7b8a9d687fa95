namespace DiffusionCore.Data;

/// <summary>
/// Layout of the per-sample augmentation label vector [B, 9] returned by <see cref="NonLeakyAugmentation"/> and fed
/// to the network as conditioning (Karras et al. 2022, App. C.4: the network learns which images were augmented, and
/// sampling passes zeros, i.e. "not augmented", so the augmentations do not leak into generated images).
/// Every entry is 0 for a transform that was not applied.
/// </summary>
public static class AugmentationLabels
{
    /// <summary>Length of the label vector.</summary>
    public const int Count = 9;

    /// <summary>Index 0: 1 when mirrored left–right.</summary>
    public const int XFlip = 0;

    /// <summary>Index 1: 1 when mirrored top–bottom.</summary>
    public const int YFlip = 1;

    /// <summary>Index 2: log2 of the isotropic scale factor.</summary>
    public const int LogScale = 2;

    /// <summary>Index 3: cos(θ) − 1 of the rotation angle θ.</summary>
    public const int RotationCosMinusOne = 3;

    /// <summary>Index 4: sin(θ) of the rotation angle θ.</summary>
    public const int RotationSin = 4;

    /// <summary>Index 5: w·cos(φ) of the anisotropic stretch by 2^w along direction φ.</summary>
    public const int AnisotropyX = 5;

    /// <summary>Index 6: w·sin(φ) of the anisotropic stretch by 2^w along direction φ.</summary>
    public const int AnisotropyY = 6;

    /// <summary>Index 7: horizontal integer translation in pixels divided by the width (positive: content moves right).</summary>
    public const int TranslationX = 7;

    /// <summary>Index 8: vertical integer translation in pixels divided by the height (positive: content moves down).</summary>
    public const int TranslationY = 8;
}
