namespace DiffusionCore.Training.Ema;

/// <summary>
/// A power-function averaging profile (Karras et al. 2024, EDM2 App. C.3): the normalised weight
/// p(τ) = (γ+1)·τ^γ / t^{γ+1} that an average ending at time <see cref="Time"/> gives to the training state at τ ∈ [0, t].
/// </summary>
/// <param name="Time">The end time t, in images seen (any positive unit: only ratios of times matter).</param>
/// <param name="Gamma">The exponent γ.</param>
public readonly record struct EmaProfile(double Time, double Gamma)
{
    /// <summary>The profile of width σ_rel ending at <paramref name="time"/> (γ from <see cref="PowerFunctionEma.SigmaRelToGamma"/>).</summary>
    /// <param name="time">The end time in images seen.</param>
    /// <param name="sigmaRel">σ_rel in (0, 1/√12).</param>
    /// <returns>The profile.</returns>
    public static EmaProfile FromSigmaRel(double time, double sigmaRel) => new(time, PowerFunctionEma.SigmaRelToGamma(sigmaRel));

    /// <summary>The relative width σ_rel of this profile.</summary>
    public double SigmaRel => PowerFunctionEma.GammaToSigmaRel(Gamma);
}
