namespace DiffusionCore.Schedules;

/// <summary>
/// The resolution-dependent schedule shift <c>t' = s·t/(1 + (s−1)·t)</c> (Esser et al. 2024, "SD3", Eq. 23; used for
/// resolution transfer by Berrada et al. 2024), with t ∈ [0, 1] the rectified-flow time of
/// <c>x_t = (1−t)·y + t·ε</c>. In σ form (<c>σ = t/(1−t)</c>, the noise-to-signal ratio of x_t) the shift is exactly
/// <c>σ' = s·σ</c>; s &gt; 1 moves sampling and training toward more noise.
/// </summary>
public static class ResolutionShift
{
    /// <summary><c>t' = s·t/(1 + (s−1)·t)</c> (SD3, Eq. 23).</summary>
    public static double ShiftTime(double t, double shift)
    {
        ValidateShift(shift);
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(t), t, "Rectified-flow time must lie in [0, 1].");
        return shift * t / (1 + ((shift - 1) * t));
    }

    /// <summary>
    /// Shifts a noise level through rectified-flow time: <c>t = σ/(1+σ)</c>, <c>t' = ShiftTime(t)</c>,
    /// <c>σ' = t'/(1−t')</c>, which equals <c>s·σ</c>.
    /// </summary>
    public static double ShiftSigma(double sigma, double shift)
    {
        ValidateShift(shift);
        if (!(sigma >= 0) || double.IsNaN(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be non-negative.");
        if (double.IsPositiveInfinity(sigma)) return sigma;
        double t = sigma / (1 + sigma);
        double shifted = ShiftTime(t, shift);
        return shifted / (1 - shifted);
    }

    /// <summary>Applies <see cref="ShiftSigma"/> to every level of a schedule (0 stays 0).</summary>
    public static double[] ShiftSigmas(IReadOnlyList<double> sigmas, double shift)
    {
        ArgumentNullException.ThrowIfNull(sigmas);
        return sigmas.Select(s => ShiftSigma(s, shift)).ToArray();
    }

    /// <summary>
    /// The shift for transferring a model trained at one resolution to another: <c>s = √(pixels/basePixels)</c>
    /// (SD3, Sect. 5.3.2; Berrada et al. 2024).
    /// </summary>
    public static double ForResolution(int baseHeight, int baseWidth, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(baseHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return Math.Sqrt((double)height * width / ((double)baseHeight * baseWidth));
    }

    private static void ValidateShift(double shift)
    {
        if (!(shift > 0) || !double.IsFinite(shift))
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, "The shift s must be positive and finite (1 = no shift; ≈ √(pixel ratio) for a larger resolution).");
        }
    }
}
