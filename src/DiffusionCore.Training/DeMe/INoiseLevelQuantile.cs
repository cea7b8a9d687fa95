using DiffusionCore.Torch;

namespace DiffusionCore.Training.DeMe;

/// <summary>
/// The quantile function (inverse CDF) of a training distribution of σ: the σ below which a share u of the training
/// noise levels lies. Range-restricted training (<see cref="RangeRestrictedLoss"/>) draws u uniformly inside a range
/// [k/N, (k+1)/N) and maps it through this, which samples p_train(σ) restricted to its k-th equal-probability range.
/// <see cref="NoiseLevelQuantiles.For"/> has the library's distributions; implement it for another one.
/// </summary>
public interface INoiseLevelQuantile
{
    /// <summary>σ(u) for probabilities u in (0, 1), float64 in, float64 out, same shape and device.</summary>
    /// <param name="u">Probabilities, float64; 0 and 1 are clamped just inside.</param>
    Tensor Quantile(Tensor u);
}
