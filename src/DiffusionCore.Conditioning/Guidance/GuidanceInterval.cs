namespace DiffusionCore.Guidance;

/// <summary>
/// The noise levels at which guidance is applied (Kynkäänniemi et al. 2024, "Applying guidance in a limited interval
/// improves sample and distribution quality"): inside <c>[SigmaMin, SigmaMax]</c> the guided denoiser is used, outside
/// it the main (conditional) denoiser alone, which also saves the guide's evaluation.
/// </summary>
/// <param name="SigmaMin">The lowest guided σ (inclusive).</param>
/// <param name="SigmaMax">The highest guided σ (inclusive).</param>
public sealed record GuidanceInterval(double SigmaMin, double SigmaMax)
{
    /// <summary>Guidance at every noise level.</summary>
    public static GuidanceInterval Always { get; } = new(0, double.PositiveInfinity);

    /// <summary>True when guidance applies at σ.</summary>
    public bool Contains(double sigma) => sigma >= SigmaMin && sigma <= SigmaMax;

    /// <summary>Throws <see cref="ArgumentException"/> unless 0 ≤ SigmaMin ≤ SigmaMax.</summary>
    public void Validate()
    {
        if (!(SigmaMin >= 0) || double.IsNaN(SigmaMax) || SigmaMax < SigmaMin)
        {
            throw new ArgumentException($"A guidance interval needs 0 ≤ SigmaMin ≤ SigmaMax; got [{SigmaMin}, {SigmaMax}].");
        }
    }
}
