using DiffusionCore.Torch;

namespace DiffusionCore.NoiseLevels;

/// <summary>
/// The training distribution of noise levels p_train(σ) (Karras et al. 2022, Table 1 "Training"): one σ per sample,
/// drawn from an explicit generator so the same seed gives the same σ.
/// </summary>
public interface INoiseLevelDistribution
{
    /// <summary>Draws one noise level per sample: a vector <c>[batchSize]</c>.</summary>
    /// <param name="batchSize">The number of samples (≥ 1).</param>
    /// <param name="generator">The generator to draw from (required: every random draw is explicit).</param>
    /// <param name="dtype">The floating-point dtype of the result.</param>
    /// <param name="device">The device of the result (the generator's device when null).</param>
    Tensor Sample(long batchSize, Generator generator, DType dtype = DType.Float32, Device? device = null);
}
