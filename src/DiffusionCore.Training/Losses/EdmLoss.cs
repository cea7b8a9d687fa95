using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The EDM loss (Karras et al. 2022, Table 1 and Eq. 8): <c>ln σ ~ N(P_mean, P_std²)</c>,
/// <c>λ(σ) = (σ² + σ_d²)/(σ·σ_d)²</c> (= 1/c_out², so the effective training target has unit variance).
/// </summary>
public sealed class EdmLoss : DenoisingLoss
{
    /// <summary>Creates it (EDM: P_mean = −1.2, P_std = 1.2, σ_data = 0.5).</summary>
    public EdmLoss(IDenoiser denoiser, double pMean = -1.2, double pStd = 1.2, double sigmaData = 0.5)
        : this(denoiser, new LogNormalNoiseLevels(pMean, pStd), sigmaData)
    {
    }

    /// <summary>
    /// Creates it with another training σ distribution, e.g. <see cref="ShiftedNoiseLevels"/> for a higher resolution
    /// after resolution transfer (docs/recipes.md §6).
    /// </summary>
    public EdmLoss(IDenoiser denoiser, INoiseLevelDistribution noiseLevels, double sigmaData = 0.5)
        : base(denoiser, noiseLevels)
    {
        if (!(sigmaData > 0) || !double.IsFinite(sigmaData))
        {
            throw new ArgumentOutOfRangeException(nameof(sigmaData), sigmaData, "σ_data must be positive and finite (EDM: 0.5).");
        }

        SigmaData = sigmaData;
    }

    /// <summary>σ_data, the standard deviation of the data.</summary>
    public double SigmaData { get; }

    /// <summary><c>λ(σ) = (σ² + σ_d²)/(σ·σ_d)²</c> (Karras et al. 2022, Table 1).</summary>
    public override Tensor Weight(Tensor sigma) => EdmWeight(sigma, SigmaData);

    internal static Tensor EdmWeight(Tensor sigma, double sigmaData)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        using var scope = new TensorScope();
        Tensor s2 = sigma.To(DType.Float32).Square();
        double d2 = sigmaData * sigmaData;
        return ((s2 + d2) / (s2 * d2)).MoveToOuterScope();
    }
}
