using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// A training distribution of rectified-flow time t ∈ (0, 1) with a known density π(t) (Esser et al. 2024, "SD3",
/// Sect. 3.1). As an <see cref="INoiseLevelDistribution"/> it draws <c>σ = t/(1 − t)</c>, the σ form of the same draw
/// (<see cref="Schedules.RectifiedFlowTime"/>), so a flow-time density also trains σ-form denoisers.
/// </summary>
public abstract class FlowTimeDistribution : INoiseLevelDistribution
{
    // Draws are kept in [2⁻⁵³, 1 − 2⁻⁵³] so σ = t/(1 − t) stays finite and positive (a density with an infinite
    // peak at an end, such as mode sampling with s = −1, rounds some draws to exactly 0 or 1 in float64).
    private static readonly double Tiny = Math.Pow(2, -53);

    /// <summary>The density π(t) at t (0 outside (0, 1)).</summary>
    public abstract double Density(double t);

    /// <summary>Draws one time per sample, <c>[batchSize]</c>, in [2⁻⁵³, 1 − 2⁻⁵³].</summary>
    /// <param name="batchSize">The number of samples (≥ 1).</param>
    /// <param name="generator">The generator to draw from.</param>
    /// <param name="dtype">The floating-point dtype of the result.</param>
    /// <param name="device">The device of the result (the generator's device when null).</param>
    public Tensor SampleTimes(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        Device d = NoiseLevelSampling.Check(batchSize, generator, dtype, device);
        using var scope = new TensorScope();
        return NoiseLevelSampling.Finish(Draw(batchSize, generator), dtype, d).MoveToOuterScope();
    }

    /// <summary>Draws <c>σ = t/(1 − t)</c> per sample (the same generator draws as <see cref="SampleTimes"/>).</summary>
    public virtual Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        Device d = NoiseLevelSampling.Check(batchSize, generator, dtype, device);
        using var scope = new TensorScope();
        Tensor t = Draw(batchSize, generator);
        return NoiseLevelSampling.Finish(t / t.RSub(1), dtype, d).MoveToOuterScope();
    }

    /// <summary>Draws <c>[batchSize]</c> times in [0, 1], float64 on the generator's device.</summary>
    protected abstract Tensor DrawTimes(long batchSize, Generator generator);

    private Tensor Draw(long batchSize, Generator generator) => DrawTimes(batchSize, generator).Clamp(Tiny, 1 - Tiny);
}
