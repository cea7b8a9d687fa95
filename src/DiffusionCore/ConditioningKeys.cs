namespace DiffusionCore;

/// <summary>
/// Well-known entry names of a <see cref="Conditioning"/>. Networks and guidance agree on these names; samplers never
/// look at them. Any other name may be used for custom inputs.
/// </summary>
public static class ConditioningKeys
{
    /// <summary>
    /// Class labels, one per sample: int64 indices <c>[B]</c> (DiT convention, with <c>num_classes</c> as the null label
    /// used for classifier-free guidance) or float one-hot vectors <c>[B, C]</c> (EDM convention, zeros = unconditional).
    /// </summary>
    public const string ClassLabels = "class_labels";

    /// <summary>
    /// Non-leaky augmentation labels <c>[B, 9]</c> (Karras et al. 2022, Appendix D.2): xflip, yflip, log2 scale,
    /// rotation cos−1 and sin, anisotropy ×2, translation ×2. Sampling passes zeros, i.e. "not augmented".
    /// </summary>
    public const string AugmentLabels = "augment_labels";

    /// <summary>Low-level control metadata <c>[B, M]</c> (crop, flip, resolution…; Berrada et al. 2024).</summary>
    public const string ControlMetadata = "control_metadata";

    /// <summary>Text token ids <c>[B, T]</c> (int64).</summary>
    public const string TextTokens = "text_tokens";

    /// <summary>Text token embeddings <c>[B, T, E]</c>.</summary>
    public const string TextEmbeddings = "text_embeddings";

    /// <summary>Boolean mask of valid text tokens <c>[B, T]</c>.</summary>
    public const string TextMask = "text_mask";
}
