namespace DiffusionCore.Training.Ema;

/// <summary>
/// Settings of the traditional EMA with a half-life in images (Karras et al. 2022, EDM; the "traditional EMA" baseline of
/// Karras et al. 2024, EDM2 §3): β = 0.5^(batch / max(h, ε)) with h = min(<see cref="HalfLifeImages"/>, n·<see cref="RampUpRatio"/>).
/// </summary>
public sealed record TraditionalEmaOptions
{
    /// <summary>The half-life of the average in images (EDM: 500 kimg).</summary>
    public double HalfLifeImages { get; init; } = 500_000;

    /// <summary>
    /// Ramp-up ratio r (EDM: 0.05): early in training the half-life is at most r·n images, n the images seen, so the
    /// average forgets its random initialisation quickly; null turns the ramp off.
    /// </summary>
    public double? RampUpRatio { get; init; } = 0.05;

    /// <summary>The tracker name; "ema" when null.</summary>
    public string? Name { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> with a clear message when a setting is invalid.</summary>
    public void Validate()
    {
        if (!(HalfLifeImages > 0) || double.IsPositiveInfinity(HalfLifeImages))
        {
            throw new ArgumentOutOfRangeException(nameof(HalfLifeImages), HalfLifeImages, $"The EMA half-life must be a finite number of images > 0; got {HalfLifeImages}.");
        }

        if (RampUpRatio is { } r && (!(r > 0) || double.IsPositiveInfinity(r)))
        {
            throw new ArgumentOutOfRangeException(nameof(RampUpRatio), r, $"The EMA ramp-up ratio must be a finite number > 0, or null for no ramp-up; got {r}.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("The tracker name must not be empty or white space (leave it null for the default).", nameof(Name));
        }
    }
}
