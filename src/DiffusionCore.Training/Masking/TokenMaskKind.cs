namespace DiffusionCore.Training.Masking;

/// <summary>The mask shapes of MaskDM's masked pre-training (Lei et al. 2023, §3.2; docs/recipes.md §4).</summary>
public enum TokenMaskKind
{
    /// <summary>Individual patches chosen uniformly at random: exactly ⌊ratio·T⌋ of the T tokens masked in every sample.</summary>
    RandomPatches,

    /// <summary>Blocks of b×b patches chosen uniformly at random: ⌊ratio·T/b²⌋ whole blocks masked (the masked count floored to whole blocks).</summary>
    Blocks,

    /// <summary>One visible square window of w×w tokens at a uniformly random place, w = ⌊G·√(1 − ratio)⌋ (at least 1); everything else masked.</summary>
    CropWindow,
}
