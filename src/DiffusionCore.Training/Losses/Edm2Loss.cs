using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The EDM2 loss with learned uncertainty (Karras et al. 2024, Section 5, Eq. 21; Kendall &amp; Gal 2017): per element
/// <c>λ(σ)/e^{u(σ)}·(D − y)² + u(σ)</c> with the EDM weight <c>λ(σ) = (σ² + σ_d²)/(σ·σ_d)²</c>, <c>ln σ ~ N(P_mean, P_std²)</c>
/// and the denoiser's uncertainty head <c>u(σ)</c>; summed over elements (it can be negative). Gradients reach both the
/// denoiser and the head, which learns to equalise the loss across noise levels.
/// </summary>
public sealed class Edm2Loss : DenoisingLoss
{
    private readonly IUncertaintyDenoiser _uncertainty;

    /// <summary>Creates it (EDM2 img512: P_mean = −0.4, P_std = 1.0; img64: −0.8, 1.6; σ_data = 0.5).</summary>
    public Edm2Loss(IUncertaintyDenoiser denoiser, double pMean = -0.4, double pStd = 1.0, double sigmaData = 0.5)
        : this(denoiser, new LogNormalNoiseLevels(pMean, pStd), sigmaData)
    {
    }

    /// <summary>
    /// Creates it with another training σ distribution, e.g. <see cref="ShiftedNoiseLevels"/> for a higher resolution
    /// after resolution transfer (docs/recipes.md §6).
    /// </summary>
    public Edm2Loss(IUncertaintyDenoiser denoiser, INoiseLevelDistribution noiseLevels, double sigmaData = 0.5)
        : base(denoiser, noiseLevels)
    {
        if (!(sigmaData > 0) || !double.IsFinite(sigmaData))
        {
            throw new ArgumentOutOfRangeException(nameof(sigmaData), sigmaData, "σ_data must be positive and finite (EDM2: 0.5).");
        }

        _uncertainty = denoiser;
        SigmaData = sigmaData;
    }

    /// <summary>σ_data.</summary>
    public double SigmaData { get; }

    /// <summary><c>λ(σ) = (σ² + σ_d²)/(σ·σ_d)²</c> (Karras et al. 2024, Eq. 21, with the EDM weighting).</summary>
    public override Tensor Weight(Tensor sigma) => EdmLoss.EdmWeight(sigma, SigmaData);

    /// <summary>Per sample <c>Σ mask·(λ/e^u·(D − y)² + u)</c>.</summary>
    protected override Tensor PerElement(Tensor squaredError, Tensor sigma, Tensor weight, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(squaredError);
        Tensor u = LossReduction.PerSample(_uncertainty.LogVariance(sigma).To(DType.Float32).Reshape(-1), squaredError.Dim);
        Tensor perElement = (weight / u.Exp() * squaredError) + u;
        return LossReduction.SumPerSample(perElement, mask);
    }
}
