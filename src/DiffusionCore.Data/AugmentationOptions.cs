namespace DiffusionCore.Data;

/// <summary>
/// Options of <see cref="NonLeakyAugmentation"/> (Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based
/// Generative Models", App. C.4 / D: geometric augmentation with conditioning). Each transform is applied to a
/// sample with probability min(1, <see cref="Probability"/> × its multiplier), as in EDM's augment pipe. The defaults
/// are EDM's CIFAR-10 settings: p = 0.12, x-flip multiplier 1e8 (so half the images are mirrored), all other
/// multipliers 1.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>The base probability p (EDM: 0.12 for CIFAR-10, 0 disables augmentation).</summary>
    public double Probability { get; init; } = 0.12;

    /// <summary>Multiplier of p for the horizontal flip (EDM: 1e8, i.e. always drawn, then mirrored with probability ½).</summary>
    public double XFlip { get; init; } = 1e8;

    /// <summary>Multiplier of p for the vertical flip (mirrored with probability ½ when drawn).</summary>
    public double YFlip { get; init; } = 1;

    /// <summary>Multiplier of p for the integer translation.</summary>
    public double Translate { get; init; } = 1;

    /// <summary>Multiplier of p for the isotropic scaling.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Multiplier of p for the fractional rotation.</summary>
    public double Rotate { get; init; } = 1;

    /// <summary>Multiplier of p for the anisotropic scaling.</summary>
    public double Anisotropy { get; init; } = 1;

    /// <summary>Largest translation as a fraction of the image size (EDM: 0.125); at most 0.5.</summary>
    public double TranslateMax { get; init; } = 0.125;

    /// <summary>Standard deviation of log2 of the isotropic scale (EDM: 0.2).</summary>
    public double ScaleStd { get; init; } = 0.2;

    /// <summary>Largest rotation as a fraction of a half turn: the angle is uniform in ±π·RotateMax (EDM: 1, any angle).</summary>
    public double RotateMax { get; init; } = 1;

    /// <summary>Standard deviation of log2 of the anisotropic stretch (EDM: 0.2).</summary>
    public double AnisotropyStd { get; init; } = 0.2;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        if (!(Probability is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Probability), Probability, "Probability must be between 0 and 1.");
        }

        Check(XFlip, nameof(XFlip));
        Check(YFlip, nameof(YFlip));
        Check(Translate, nameof(Translate));
        Check(Scale, nameof(Scale));
        Check(Rotate, nameof(Rotate));
        Check(Anisotropy, nameof(Anisotropy));
        Check(ScaleStd, nameof(ScaleStd));
        Check(RotateMax, nameof(RotateMax));
        Check(AnisotropyStd, nameof(AnisotropyStd));
        if (!(TranslateMax is >= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(TranslateMax), TranslateMax, "TranslateMax must be between 0 and 0.5 (a fraction of the image size).");
        }
    }

    private static void Check(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative (0 disables the transform).");
        }
    }
}
