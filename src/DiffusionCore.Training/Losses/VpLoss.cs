using DiffusionCore.NoiseLevels;
using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The VP loss (Song et al. 2021; Karras et al. 2022, Table 1 "VP"): <c>t ~ U(ε_t, 1)</c>, <c>σ = σ_VP(t)</c>,
/// <c>λ(σ) = 1/σ²</c>.
/// </summary>
public sealed class VpLoss : DenoisingLoss
{
    /// <summary>Creates it (β_d = 19.9, β_min = 0.1, ε_t = 10⁻⁵ by default).</summary>
    public VpLoss(IDenoiser denoiser, VpNoiseLevel? noiseLevel = null, double epsilonT = 1e-5)
        : base(denoiser, new VpUniformTimeNoiseLevels(noiseLevel, epsilonT))
    {
    }

    /// <summary><c>λ(σ) = 1/σ²</c> (Karras et al. 2022, Table 1).</summary>
    public override Tensor Weight(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        return sigma.To(DType.Float32).Square().Reciprocal();
    }
}
