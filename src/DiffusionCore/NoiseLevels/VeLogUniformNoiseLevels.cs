using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// The VE training distribution (Karras et al. 2022, Table 1 "VE"; Song et al. 2021):
/// <c>σ = σ_min·(σ_max/σ_min)^u</c>, <c>u ~ U(0, 1)</c> (log-uniform on [0.02, 100]).
/// </summary>
public sealed class VeLogUniformNoiseLevels : INoiseLevelDistribution
{
    /// <summary>Creates it.</summary>
    public VeLogUniformNoiseLevels(double sigmaMin = 0.02, double sigmaMax = 100)
    {
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || !double.IsFinite(sigmaMax))
        {
            throw new ArgumentOutOfRangeException(nameof(sigmaMin), $"Need 0 < σ_min < σ_max < ∞; got {sigmaMin}, {sigmaMax}.");
        }

        SigmaMin = sigmaMin;
        SigmaMax = sigmaMax;
    }

    /// <summary>σ_min.</summary>
    public double SigmaMin { get; }

    /// <summary>σ_max.</summary>
    public double SigmaMax { get; }

    /// <inheritdoc />
    public Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        Device d = NoiseLevelSampling.Check(batchSize, generator, dtype, device);
        using var scope = new TensorScope();
        Tensor u = Tensor.Rand([batchSize], generator, DType.Float64, generator.Device);
        Tensor sigma = (u * Math.Log(SigmaMax / SigmaMin)).Exp() * SigmaMin;
        return NoiseLevelSampling.Finish(sigma, dtype, d).MoveToOuterScope();
    }
}
