namespace DiffusionCore.Training.Ema;

/// <summary>
/// The closed forms of the power-function EMA (Karras et al. 2024, "Analyzing and Improving the Training Dynamics of
/// Diffusion Models", §3 and App. C.1–C.2): the averaging profile θ̂(t) ∝ ∫₀ᵗ τ^γ θ(τ) dτ, its relative width σ_rel
/// and the per-step decay that realises it when time is measured in images seen.
/// </summary>
public static class PowerFunctionEma
{
    /// <summary>
    /// The supremum of σ_rel for γ &gt; 0: 1/√12 ≈ 0.2887, the width of the profile at γ = 0 (a uniform average of the
    /// whole run). Valid σ_rel values lie in the open interval (0, 1/√12).
    /// </summary>
    public static readonly double MaxSigmaRel = 1 / Math.Sqrt(12);

    /// <summary>
    /// The relative standard deviation of the profile τ^γ on [0, t] (EDM2 §3 and App. C.2):
    /// σ_rel = √((γ+1) / ((γ+2)²(γ+3))).
    /// </summary>
    /// <param name="gamma">The exponent γ; must be finite and &gt; −1.</param>
    /// <returns>σ_rel.</returns>
    public static double GammaToSigmaRel(double gamma)
    {
        if (!(gamma > -1) || double.IsInfinity(gamma))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"γ must be a finite number > −1; got {gamma}.");
        }

        return Math.Sqrt((gamma + 1) / ((gamma + 2) * (gamma + 2) * (gamma + 3)));
    }

    /// <summary>
    /// The exponent γ for a relative width σ_rel (EDM2 App. C.2): the largest real root of
    /// γ³ + 7γ² + (16 − σ_rel⁻²)γ + (12 − σ_rel⁻²) = 0 (σ_rel 0.05 → γ ≈ 16.97, 0.10 → γ ≈ 6.94).
    /// </summary>
    /// <remarks>
    /// The cubic equals (γ+2)²(γ+3) − σ_rel⁻²(γ+1), so its roots are where <see cref="GammaToSigmaRel"/> equals σ_rel.
    /// On γ ≥ 0 that function decreases strictly from 1/√12 to 0 and is below 1/γ, so the largest root is the unique
    /// root in (0, 1/σ_rel); it is found by bisection to the last bit of a double.
    /// </remarks>
    /// <param name="sigmaRel">σ_rel in (0, 1/√12 ≈ 0.2887).</param>
    /// <returns>γ &gt; 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException">σ_rel is outside (0, 1/√12).</exception>
    public static double SigmaRelToGamma(double sigmaRel)
    {
        ValidateSigmaRel(sigmaRel, nameof(sigmaRel));
        double inverseSquare = 1 / (sigmaRel * sigmaRel);
        double Cubic(double g) => ((g + 7) * g + (16 - inverseSquare)) * g + (12 - inverseSquare);

        // Cubic(0) = 12 − σ⁻² < 0 and Cubic(1/σ) > 0 (see remarks), so the root is bracketed.
        double lo = 0;
        double hi = 1 / sigmaRel;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            if (Cubic(mid) < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return Math.Abs(Cubic(lo)) <= Math.Abs(Cubic(hi)) ? lo : hi;
    }

    /// <summary>
    /// The per-step decay of the power-function EMA (EDM2 App. C.1, with time measured in images):
    /// β = (1 − batch/n)^{γ+1}, n the images seen after the step; β = 0 at the first step (n = batch), so the average
    /// starts as an exact copy of the network. The update is θ̂ ← lerp(θ̂, θ, 1 − β).
    /// </summary>
    /// <param name="gamma">The exponent γ (≥ 0).</param>
    /// <param name="imagesSeen">Images seen after the step, n ≥ <paramref name="batchImages"/>.</param>
    /// <param name="batchImages">Images in the step, &gt; 0.</param>
    /// <returns>β in [0, 1).</returns>
    public static double Beta(double gamma, long imagesSeen, long batchImages)
    {
        EmaArguments.ValidateStep(imagesSeen, batchImages);
        return Math.Pow(1 - (double)batchImages / imagesSeen, gamma + 1);
    }

    /// <summary>Throws a clear <see cref="ArgumentOutOfRangeException"/> unless σ_rel lies in (0, 1/√12 ≈ 0.2887).</summary>
    /// <param name="sigmaRel">The value to check.</param>
    /// <param name="paramName">The argument or option name to report.</param>
    public static void ValidateSigmaRel(double sigmaRel, string paramName)
    {
        if (!(sigmaRel > 0 && sigmaRel < MaxSigmaRel))
        {
            throw new ArgumentOutOfRangeException(paramName, sigmaRel,
                $"σ_rel must be in (0, 1/√12 ≈ 0.2887) (Karras et al. 2024, EDM2 App. C.2: the width of the power-function " +
                $"profile τ^γ with γ > 0); got {sigmaRel.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}. " +
                "Typical values are 0.05 to 0.15.");
        }
    }
}
