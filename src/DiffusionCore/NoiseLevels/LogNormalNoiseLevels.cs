using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// EDM's log-normal training distribution (Karras et al. 2022, Table 1 and Sect. 5): <c>ln σ ~ N(P_mean, P_std²)</c>
/// (EDM: −1.2, 1.2; EDM2 img512: −0.4, 1.0; img64: −0.8, 1.6).
/// </summary>
public sealed class LogNormalNoiseLevels : INoiseLevelDistribution
{
    /// <summary>Creates it.</summary>
    public LogNormalNoiseLevels(double pMean = -1.2, double pStd = 1.2)
    {
        if (!double.IsFinite(pMean)) throw new ArgumentOutOfRangeException(nameof(pMean), pMean, "P_mean must be finite (EDM: −1.2).");
        if (!(pStd > 0) || !double.IsFinite(pStd)) throw new ArgumentOutOfRangeException(nameof(pStd), pStd, "P_std must be positive (EDM: 1.2).");
        PMean = pMean;
        PStd = pStd;
    }

    /// <summary>P_mean.</summary>
    public double PMean { get; }

    /// <summary>P_std.</summary>
    public double PStd { get; }

    /// <inheritdoc />
    public Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        Device d = NoiseLevelSampling.Check(batchSize, generator, dtype, device);
        using var scope = new TensorScope();
        Tensor n = Tensor.Randn([batchSize], generator, DType.Float64, generator.Device);
        return NoiseLevelSampling.Finish(((n * PStd) + PMean).Exp(), dtype, d).MoveToOuterScope();
    }
}
