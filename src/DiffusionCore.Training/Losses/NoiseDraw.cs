using DiffusionCore.NoiseLevels;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// The random part of one training loss evaluation, drawn before the network runs: per-sample noise levels σ
/// (Karras et al. 2022, Table 1 "Training") and the standard normal noise n of <c>x = y + σ·n</c>, plus the discrete
/// timesteps for losses of discrete-time models (Ho et al. 2020, Algorithm 1). Drawing once for a whole batch and
/// slicing with <see cref="Narrow"/> makes a batch split into gradient-accumulation rounds see exactly the noise of the
/// unsplit batch. The tensors belong to the caller's <see cref="TensorScope"/>.
/// </summary>
/// <param name="Sigma">Noise levels <c>[B]</c>, float32.</param>
/// <param name="Noise">Standard normal noise shaped like the images <c>[B, C, H, W]</c>, float32.</param>
/// <param name="Timesteps">Discrete int64 timesteps <c>[B]</c> for discrete-time losses; null otherwise.</param>
public sealed record NoiseDraw(Tensor Sigma, Tensor Noise, Tensor? Timesteps = null)
{
    /// <summary>Samples <paramref name="start"/>..<paramref name="start"/>+<paramref name="length"/>−1 (views).</summary>
    public NoiseDraw Narrow(long start, long length) =>
        new(Sigma.Narrow(0, start, length), Noise.Narrow(0, start, length), Timesteps?.Narrow(0, start, length));

    /// <summary>The number of samples.</summary>
    public long BatchSize => Sigma.Size(0);

    /// <summary>
    /// Draws σ per sample from <paramref name="noiseLevels"/> with the step's σ stream and standard normal noise shaped
    /// like the images with its noise stream, both float32 on the step's device (the draw of every continuous-σ loss).
    /// </summary>
    internal static NoiseDraw Continuous(INoiseLevelDistribution noiseLevels, ReadOnlySpan<long> imageShape, TrainingStep step)
    {
        LossReduction.CheckShape(imageShape);
        ArgumentNullException.ThrowIfNull(step);
        Tensor sigma = noiseLevels.Sample(imageShape[0], step.Sigma, DType.Float32, step.Device);
        Tensor noise = Tensor.Randn(imageShape, step.Noise, DType.Float32, step.Device);
        return new NoiseDraw(sigma, noise);
    }
}
