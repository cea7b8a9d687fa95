namespace DiffusionCore.Schedules;

/// <summary>
/// The map between rectified-flow time and the σ form (Esser et al. 2024, "SD3", Sect. 2–3; Liu et al. 2023): the
/// linear path <c>x_t = (1 − t)·y + t·ε</c> divided by <c>1 − t</c> is <c>x_σ = y + σ·ε</c> with
/// <c>σ = t/(1 − t)</c>, the variance-exploding form every <see cref="IDenoiser"/> and solver uses, so
/// <c>E[y | x_t] = D(x_t/(1 − t); t/(1 − t))</c>.
/// </summary>
public static class RectifiedFlowTime
{
    /// <summary><c>σ = t/(1 − t)</c> for t ∈ [0, 1) (the noise-to-signal ratio of x_t).</summary>
    /// <exception cref="ArgumentOutOfRangeException">t is outside [0, 1).</exception>
    public static double ToSigma(double t)
    {
        if (!(t >= 0 && t < 1)) throw new ArgumentOutOfRangeException(nameof(t), t, "Rectified-flow time must lie in [0, 1) for a finite σ = t/(1 − t).");
        return t / (1 - t);
    }

    /// <summary><c>t = σ/(1 + σ)</c> for σ ∈ [0, ∞].</summary>
    /// <exception cref="ArgumentOutOfRangeException">σ is negative or NaN.</exception>
    public static double FromSigma(double sigma)
    {
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be non-negative.");
        return double.IsPositiveInfinity(sigma) ? 1 : sigma / (1 + sigma);
    }
}
