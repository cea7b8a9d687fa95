using DiffusionCore.Torch;

namespace DiffusionCore.Training.Losses;

/// <summary>
/// A diffusion training objective bound to the model it trains. It returns one loss value per sample, the sum over
/// that sample's elements of the per-element loss (Karras et al. 2022, Eq. 2 and Table 1: <c>λ(σ)·‖D(y + σn; σ) − y‖²</c>
/// summed over pixels), so callers can weight or inspect the loss by σ; the trainer averages over the batch. Losses
/// of discrete-time ε-models (DDPM, ADM hybrid) follow their papers and return the per-sample mean over elements.
/// An optional element mask (1 = counted, 0 = ignored; broadcastable to the images) restricts the loss to some
/// elements, as masked pre-training needs (MaskDM, Lei et al. 2023).
/// </summary>
public interface ITrainingLoss
{
    /// <summary>
    /// Draws the per-sample noise levels (and timesteps) and the noise for a batch of <paramref name="imageShape"/>, σ
    /// from the step's <see cref="TrainingStep.Sigma"/> stream and the noise from its <see cref="TrainingStep.Noise"/>
    /// stream, on the step's device.
    /// </summary>
    /// <param name="imageShape">The batch shape <c>[B, C, H, W]</c>.</param>
    /// <param name="step">The training step whose generators the draws come from.</param>
    NoiseDraw Draw(ReadOnlySpan<long> imageShape, TrainingStep step);

    /// <summary>Evaluates the loss for clean images <paramref name="images"/> with a given draw; differentiable.</summary>
    /// <param name="images">Clean images <c>y</c>, <c>[B, C, H, W]</c>.</param>
    /// <param name="draw">The noise levels and noise (from <see cref="Draw"/> or fixed by the caller).</param>
    /// <param name="conditioning">Conditioning passed to the network.</param>
    /// <param name="mask">Optional element mask broadcastable to <paramref name="images"/>; null counts every element.</param>
    /// <returns>Per-sample loss values <c>[B]</c>, float32.</returns>
    Tensor Compute(Tensor images, NoiseDraw draw, Conditioning conditioning, Tensor? mask = null);
}
