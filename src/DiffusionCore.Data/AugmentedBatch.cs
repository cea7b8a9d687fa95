using DiffusionCore.Torch;

namespace DiffusionCore.Data;

/// <summary>The result of <see cref="NonLeakyAugmentation.Apply"/>.</summary>
/// <param name="Images">The augmented images, same shape, dtype and device as the input.</param>
/// <param name="Labels">float32 [B, <see cref="AugmentationLabels.Count"/>] augmentation labels; see <see cref="AugmentationLabels"/> for the layout.</param>
public sealed record AugmentedBatch(Tensor Images, Tensor Labels);
