using DiffusionCore.Torch;

namespace DiffusionCore;

/// <summary>
/// A source of standard normal noise for a batch whose first dimension is the sample index. Samplers draw their
/// initial latents and every stochastic step (EDM churn, ancestral and DDIM η &gt; 0 steps) from one, so the caller
/// decides whether noise comes from one generator (<see cref="GeneratorNoiseSource"/>) or from one stream per image
/// (<see cref="PerSampleNoiseSource"/>, Karras et al. 2022 reference: an image does not depend on its batch).
/// </summary>
public interface INoiseSource
{
    /// <summary>Draws N(0, 1) noise of <paramref name="shape"/> (<c>[B, ...]</c>) in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null);
}
