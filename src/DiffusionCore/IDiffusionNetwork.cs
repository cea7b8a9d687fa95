using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// A raw network <c>F_θ(c_in·x; c_noise)</c> before preconditioning (Karras et al. 2022, Eq. 7): it sees the scaled
/// input and a per-sample noise label and returns its raw output (ε, v, or the EDM F target). Wrap it in a
/// <see cref="Denoisers.PreconditionedDenoiser"/> (or an ε/v adapter) to obtain an <see cref="IDenoiser"/>.
/// </summary>
public interface IDiffusionNetwork
{
    /// <summary>Runs the network.</summary>
    /// <param name="input">The scaled input <c>c_in(σ)·x</c>, <c>[B, ...]</c>.</param>
    /// <param name="noiseLabels">The per-sample noise label <c>c_noise(σ)</c>, <c>[B]</c> (e.g. ln(σ)/4, or a timestep).</param>
    /// <param name="conditioning">Batched conditioning (labels, text, control metadata…).</param>
    /// <returns>The raw output <c>F</c>; at least the shape of <paramref name="input"/> along the batch.</returns>
    Tensor Forward(Tensor input, Tensor noiseLabels, Conditioning conditioning);
}
