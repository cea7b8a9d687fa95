using DiffusionCore.Torch;

namespace DiffusionCore.Data;

/// <summary>The result of <see cref="NonLeakyAugmentation.Apply"/> or <see cref="ControlAugmentation.Apply"/>.</summary>
/// <param name="Images">The augmented images, same shape, dtype and device as the input.</param>
/// <param name="Labels">
/// float32 labels on the images' device: [B, <see cref="AugmentationLabels.Count"/>] augmentation labels (see
/// <see cref="AugmentationLabels"/>), or [B, <see cref="ControlAugmentation.Width"/>] control metadata (see <see cref="ControlAugmentation"/>).
/// </param>
public sealed record AugmentedBatch(Tensor Images, Tensor Labels);
