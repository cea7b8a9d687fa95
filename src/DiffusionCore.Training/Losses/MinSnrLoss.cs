using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The denoising loss with Min-SNR-γ weighting (Hang et al. 2023, Sect. 3.4): per sample
/// <c>Σ min(1/σ², γ)·(D(y + σn; σ) − y)²</c> with σ from any training distribution. Through the denoiser's
/// parameterisation it is the Min-SNR loss of an ε-, x₀- or v-network alike (<see cref="MinSnrWeighting"/>): wrap an
/// ε-network in <see cref="Denoisers.PreconditionedDenoiser.EpsilonPrediction"/> and draw σ with
/// <see cref="UniformTimestepNoiseLevels"/> for the paper's DDPM setting.
/// </summary>
public sealed class MinSnrLoss : DenoisingLoss
{
    /// <summary>Creates it (γ = 5 as in the paper).</summary>
    public MinSnrLoss(IDenoiser denoiser, INoiseLevelDistribution noiseLevels, double gamma = 5)
        : base(denoiser, noiseLevels)
    {
        MinSnrWeighting.ValidateGamma(gamma);
        Gamma = gamma;
    }

    /// <summary>γ, the clip of the signal-to-noise ratio.</summary>
    public double Gamma { get; }

    /// <summary><c>λ(σ) = min(1/σ², γ)</c>.</summary>
    public override Tensor Weight(Tensor sigma) => MinSnrWeighting.DenoiserWeight(sigma, Gamma);
}
