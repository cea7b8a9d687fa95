using DiffusionCore.Torch;

namespace DiffusionCore.Data;

/// <summary>
/// A finite set of training images of one size, optionally labelled with a class (the EDM dataset convention:
/// images scaled to [−1, 1], labels as class indices). Implementations read on demand so a dataset never has to be
/// held twice in managed memory.
/// </summary>
public interface IImageDataset
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Channels per image (1 for grey, 3 for RGB).</summary>
    int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    int Height { get; }

    /// <summary>Image width in pixels.</summary>
    int Width { get; }

    /// <summary>Number of classes; 0 for an unlabelled dataset.</summary>
    int LabelCount { get; }

    /// <summary>
    /// Reads the images at <paramref name="indices"/> as float32 [B, C, H, W] in [−1, 1] and, for a labelled dataset,
    /// their int64 class indices [B]. The tensors belong to the caller's current <see cref="TensorScope"/>.
    /// </summary>
    ImageBatch ReadBatch(ReadOnlySpan<int> indices);
}

/// <summary>A batch read from an <see cref="IImageDataset"/>.</summary>
/// <param name="Images">float32 [B, C, H, W] in [−1, 1].</param>
/// <param name="Labels">int64 class indices [B], or null for an unlabelled dataset.</param>
public sealed record ImageBatch(Tensor Images, Tensor? Labels);
