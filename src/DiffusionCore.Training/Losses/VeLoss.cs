using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The VE loss (Song et al. 2021; Karras et al. 2022, Table 1 "VE"): <c>σ = σ_min·(σ_max/σ_min)^u</c>,
/// <c>u ~ U(0, 1)</c>, <c>λ(σ) = 1/σ²</c>.
/// </summary>
public sealed class VeLoss : DenoisingLoss
{
    /// <summary>Creates it (σ ∈ [0.02, 100] by default).</summary>
    public VeLoss(IDenoiser denoiser, double sigmaMin = 0.02, double sigmaMax = 100)
        : base(denoiser, new VeLogUniformNoiseLevels(sigmaMin, sigmaMax))
    {
    }

    /// <summary><c>λ(σ) = 1/σ²</c> (Karras et al. 2022, Table 1).</summary>
    public override Tensor Weight(Tensor sigma)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        return sigma.To(DType.Float32).Square().Reciprocal();
    }
}
