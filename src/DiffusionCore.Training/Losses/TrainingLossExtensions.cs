using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>Conveniences over <see cref="ITrainingLoss"/>.</summary>
public static class TrainingLossExtensions
{
    /// <summary>Draws σ and noise for <paramref name="images"/> from <paramref name="step"/>'s streams and evaluates the per-sample loss <c>[B]</c>.</summary>
    public static Tensor Compute(this ITrainingLoss loss, Tensor images, Conditioning conditioning, TrainingStep step, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(step);
        using var scope = new TensorScope();
        NoiseDraw draw = loss.Draw(images.Shape, step);
        return loss.Compute(images, draw, conditioning, mask).MoveToOuterScope();
    }
}
