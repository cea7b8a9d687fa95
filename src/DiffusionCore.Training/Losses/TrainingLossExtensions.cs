using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>Conveniences over <see cref="ITrainingLoss"/>.</summary>
public static class TrainingLossExtensions
{
    /// <summary>Draws noise for <paramref name="images"/> from <paramref name="generator"/> and evaluates the per-sample loss <c>[B]</c>.</summary>
    public static Tensor Compute(this ITrainingLoss loss, Tensor images, Conditioning conditioning, Generator generator, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = new TensorScope();
        NoiseDraw draw = loss.Draw(images.Shape, generator, images.Device);
        return loss.Compute(images, draw, conditioning, mask).MoveToOuterScope();
    }
}
