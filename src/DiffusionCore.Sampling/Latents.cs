using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Initial sampler states.</summary>
public static class Latents
{
    /// <summary>
    /// The initial state <c>x_0 = σ_0·ε</c>, ε ~ N(0, I) drawn in float32 from <paramref name="noise"/>
    /// (Karras et al. 2022, Algorithm 2 line 2). With a <see cref="PerSampleNoiseSource"/>, image k depends only on its seed.
    /// </summary>
    /// <param name="noise">The noise source (its batch size must match <paramref name="shape"/>[0] for per-sample sources).</param>
    /// <param name="shape">The batch shape <c>[B, ...]</c>.</param>
    /// <param name="sigmas">The schedule; its first level σ_0 scales the noise.</param>
    /// <param name="device">The device of the result (CPU when null).</param>
    public static Tensor Initial(INoiseSource noise, ReadOnlySpan<long> shape, IReadOnlyList<double> sigmas, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(sigmas);
        if (sigmas.Count == 0) throw new ArgumentException("The schedule is empty.", nameof(sigmas));
        using var scope = new TensorScope();
        return (noise.Randn(shape, DType.Float32, device) * sigmas[0]).MoveToOuterScope();
    }
}
