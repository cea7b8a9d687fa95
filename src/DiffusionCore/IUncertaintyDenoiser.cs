using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// A denoiser with a learned per-noise-level uncertainty head <c>u(σ)</c> (Karras et al. 2024, EDM2, Section 5,
/// Eq. 21; Kendall &amp; Gal 2017): the log-variance by which the EDM2 training loss
/// <c>λ(σ)/e^{u(σ)}·‖D − y‖² + u(σ)</c> weights each noise level. Sampling ignores it.
/// </summary>
public interface IUncertaintyDenoiser : IDenoiser
{
    /// <summary>The learned log-variance <c>u(σ)</c>: one value per sample, shaped <c>[B]</c> or <c>[B, 1, …, 1]</c>, float32.</summary>
    /// <param name="sigma">One noise level per sample, <c>[B]</c>.</param>
    Tensor LogVariance(Tensor sigma);
}
