namespace DiffusionCore.Data;

/// <summary>
/// Options of <see cref="ControlAugmentation"/>: a random resized square crop and a horizontal flip whose parameters
/// become the sample's control metadata (Berrada et al. 2024; docs/control-conditioning.md).
/// </summary>
public sealed record ControlAugmentationOptions
{
    /// <summary>Probability of mirroring a sample left–right (default 0.5).</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Probability of cropping a sample (default 0.5); an uncropped sample keeps the whole image.</summary>
    public double CropProbability { get; init; } = 0.5;

    /// <summary>Smallest crop side as a fraction of the image side (default 0.7); the side is uniform in [min, max].</summary>
    public double MinCropScale { get; init; } = 0.7;

    /// <summary>Largest crop side as a fraction of the image side (default 1).</summary>
    public double MaxCropScale { get; init; } = 1;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        Probability(FlipProbability, nameof(FlipProbability));
        Probability(CropProbability, nameof(CropProbability));
        if (!(MinCropScale > 0) || !(MaxCropScale <= 1) || MinCropScale > MaxCropScale)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MinCropScale), $"Crop scales must satisfy 0 < MinCropScale ≤ MaxCropScale ≤ 1 (fractions of the image side); got [{MinCropScale}, {MaxCropScale}].");
        }
    }

    private static void Probability(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1.");
        }
    }
}
