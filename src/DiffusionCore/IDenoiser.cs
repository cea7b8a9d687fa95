using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// A denoiser <c>D(x; σ)</c>: the estimate of the clean sample E[y | x; σ] from a noisy sample <c>x = y + σ·n</c>
/// (Karras et al. 2022, Eq. 2–3). Every parameterisation (EDM, VP, VE, iDDPM preconditioning; ε- and v-prediction)
/// presents this one contract, so samplers and guidance never see how a network was trained.
/// </summary>
public interface IDenoiser
{
    /// <summary>
    /// Evaluates <c>D(x; σ)</c> for a batch.
    /// </summary>
    /// <param name="x">Noisy samples <c>[B, ...]</c> in the variance-exploding form <c>x = y + σ·n</c>.</param>
    /// <param name="sigma">One noise level per sample, <c>[B]</c>.</param>
    /// <param name="conditioning">Batched conditioning passed through to the network (<see cref="Conditioning.None"/> for none).</param>
    /// <returns>The denoised estimate, with the shape and dtype of <paramref name="x"/>.</returns>
    Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning);
}
