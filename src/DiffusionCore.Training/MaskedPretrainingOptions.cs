using DiffusionCore.Training.Masking;

namespace DiffusionCore.Training;

/// <summary>
/// MaskDM's two-stage recipe (Lei et al. 2023, §3; docs/recipes.md §4) as one option of a run: the first
/// <see cref="PretrainImages"/> images train with masked tokens (<see cref="Mask"/>; the network runs on the kept tokens
/// only and the loss counts the visible pixels only), then the same weights fine-tune without masks for the rest of
/// <see cref="TrainingOptions.TotalImages"/> with a fresh optimizer state. A checkpoint is written when pre-training ends;
/// checkpoints and resume work across the switch.
/// </summary>
public sealed class MaskedPretrainingOptions
{
    /// <summary>The masks of the pre-training stage.</summary>
    public TokenMaskOptions Mask { get; set; } = new();

    /// <summary>Images of masked pre-training (the steps starting before this many images seen are masked); at most the run's total.</summary>
    public long PretrainImages { get; set; }
}
