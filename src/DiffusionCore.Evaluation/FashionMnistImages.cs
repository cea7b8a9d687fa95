using DiffusionCore.Torch;

namespace DiffusionCore.Evaluation;

/// <summary>
/// Brings images to the classifier's canonical form, so real 28×28 Fashion-MNIST images and 32×32 generated samples
/// (models trained on the zero-padded dataset) are measured the same way: float32 [B, 1, 28, 28] in [−1, 1].
/// </summary>
public static class FashionMnistImages
{
    /// <summary>The canonical side length (Fashion-MNIST's native 28).</summary>
    public const int Size = 28;

    /// <summary>
    /// Converts a batch [B, 1, H, W] (or [B, H, W]) of grey images in [−1, 1] to float32 [B, 1, 28, 28]: larger images are
    /// centre-cropped, with the same offset ⌊(H − 28)/2⌋ at which the dataset pads (so a 32×32 padded image gives back
    /// exactly its 28×28 original and a generated sample's border, which the training data never filled, is ignored),
    /// and values are clamped to [−1, 1] (generated samples may overshoot).
    /// </summary>
    /// <exception cref="ArgumentException">Not one channel, or smaller than 28×28.</exception>
    public static Tensor Canonicalize(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = new TensorScope();
        Tensor x = images.Dim == 3 ? images.Unsqueeze(1) : images;
        if (x.Dim != 4 || x.Size(1) != 1)
        {
            throw new ArgumentException(
                $"Fashion-MNIST evaluation needs grey images [B, 1, H, W] (or [B, H, W]) in [−1, 1]; got shape [{string.Join(", ", images.Shape)}].",
                nameof(images));
        }

        long h = x.Size(2);
        long w = x.Size(3);
        if (h < Size || w < Size)
        {
            throw new ArgumentException(
                $"Fashion-MNIST evaluation needs images of at least {Size}×{Size} (28×28, or a padded size such as 32×32); got {h}×{w}.",
                nameof(images));
        }

        if (h > Size)
        {
            x = x.Narrow(2, (h - Size) / 2, Size);
        }

        if (w > Size)
        {
            x = x.Narrow(3, (w - Size) / 2, Size);
        }

        return x.To(DType.Float32).Clamp(-1, 1).Contiguous().MoveToOuterScope();
    }
}
