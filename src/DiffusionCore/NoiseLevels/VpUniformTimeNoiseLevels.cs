using DiffusionCore.Schedules;
using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// The VP training distribution (Karras et al. 2022, Table 1 "VP"; Song et al. 2021): <c>t ~ U(ε_t, 1)</c>,
/// <c>σ = σ_VP(t)</c>.
/// </summary>
public sealed class VpUniformTimeNoiseLevels : INoiseLevelDistribution
{
    /// <summary>Creates it (β_d = 19.9, β_min = 0.1, ε_t = 10⁻⁵ by default).</summary>
    public VpUniformTimeNoiseLevels(VpNoiseLevel? noiseLevel = null, double epsilonT = 1e-5)
    {
        NoiseLevel = noiseLevel ?? VpNoiseLevel.Default;
        NoiseLevel.Validate();
        if (!(epsilonT > 0 && epsilonT < 1)) throw new ArgumentOutOfRangeException(nameof(epsilonT), epsilonT, "ε_t must be in (0, 1) (EDM: 10⁻⁵).");
        EpsilonT = epsilonT;
    }

    /// <summary>The VP σ(t) constants.</summary>
    public VpNoiseLevel NoiseLevel { get; }

    /// <summary>ε_t.</summary>
    public double EpsilonT { get; }

    /// <inheritdoc />
    public Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        Device d = NoiseLevelSampling.Check(batchSize, generator, dtype, device);
        using var scope = new TensorScope();
        Tensor u = Tensor.Rand([batchSize], generator, DType.Float64, generator.Device);
        Tensor t = (u * (1 - EpsilonT)) + EpsilonT;
        return NoiseLevelSampling.Finish(NoiseLevel.Sigma(t), dtype, d).MoveToOuterScope();
    }
}
