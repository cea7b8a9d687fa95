using DiffusionCore.Networks.Control;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// The architecture of a <see cref="DiffusionTransformer"/> (Peebles &amp; Xie 2023, "Scalable Diffusion Models with
/// Transformers", §3.2 and Table 1). The property names follow the reference constructor's arguments (input_size,
/// patch_size, in_channels, hidden_size, depth, num_heads, mlp_ratio, num_classes, class_dropout_prob, learn_sigma) and
/// their defaults are the reference's (docs/networks/dit.md maps them; <see cref="NumClasses"/> 0 is DiffusionCore's
/// unconditional network, see there). Call <see cref="Validate"/> (the network does) before use.
/// </summary>
public sealed partial record DiTOptions
{
    /// <summary>Side length of the square input (latent) image, e.g. 32 for 256² images through the SD VAE (input_size).</summary>
    public int InputSize { get; init; } = 32;

    /// <summary>Side length p of the square patches (patch_size); the paper uses 2, 4 and 8 (§3.2, "Patchify").</summary>
    public int PatchSize { get; init; } = 2;

    /// <summary>Input channels C (in_channels); 4 for SD-VAE latents.</summary>
    public int InChannels { get; init; } = 4;

    /// <summary>Token width D (hidden_size).</summary>
    public int HiddenSize { get; init; } = 1152;

    /// <summary>Number of DiT blocks N (depth).</summary>
    public int Depth { get; init; } = 28;

    /// <summary>Attention heads; must divide <see cref="HiddenSize"/> (num_heads).</summary>
    public int NumHeads { get; init; } = 16;

    /// <summary>MLP hidden width as a multiple of D (mlp_ratio, 4 in the paper).</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>
    /// Number of classes (num_classes). The label table has one extra "null" row at index <see cref="NumClasses"/> when
    /// <see cref="ClassDropoutProbability"/> &gt; 0 (classifier-free guidance, §3.2 "In-context conditioning" and
    /// "adaLN-Zero"; Ho &amp; Salimans 2022). 0 builds an unconditional network without a label embedder.
    /// </summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Probability of replacing a label by the null label during training (class_dropout_prob, 0.1 in the paper).</summary>
    public double ClassDropoutProbability { get; init; } = 0.1;

    /// <summary>
    /// Give the label table its null row even with <see cref="ClassDropoutProbability"/> = 0, so that labels are dropped
    /// by the trainer (<c>TrainingOptions.LabelDropout</c>, the one label-dropout option of every network, seeded by the
    /// step) rather than inside the network. The state dict is that of the reference with dropout (num_classes + 1 rows).
    /// </summary>
    public bool UnconditionalRow { get; init; }

    /// <summary>
    /// Whether the network also predicts the diagonal covariance Σ (learn_sigma; §3.1, following Nichol &amp; Dhariwal 2021):
    /// the output then has 2C channels, [ε, v].
    /// </summary>
    public bool LearnSigma { get; init; } = true;

    /// <summary>
    /// How class labels condition the network: added to the adaLN vector (the paper's adaLN-Zero, default) or as one
    /// extra token in the attention sequence (Berrada et al. 2024; docs/control-conditioning.md).
    /// </summary>
    public DiTSemanticConditioning ClassConditioning { get; init; } = DiTSemanticConditioning.AdaLayerNorm;

    /// <summary>
    /// Width E of user-supplied text embeddings [B, T, E] (<see cref="ConditioningKeys.TextEmbeddings"/>), projected by
    /// <c>text_embedder</c> to D and joined to the attention sequence as tokens; 0 (default) = no text input.
    /// </summary>
    public int TextEmbeddingWidth { get; init; }

    /// <summary>
    /// Replace padding text tokens by copies of the real tokens plus Gaussian noise of standard deviation
    /// <see cref="ReplicatePaddingNoise"/> ("noisy replicate padding", Berrada et al. 2024) instead of masking them out
    /// of attention (default false: masked).
    /// </summary>
    public bool NoisyReplicatePadding { get; init; }

    /// <summary>The noise standard deviation of <see cref="NoisyReplicatePadding"/> (training mode only; default 0.1).</summary>
    public double ReplicatePaddingNoise { get; init; } = 0.1;

    /// <summary>The control-metadata path (<see cref="ControlConditioningOptions"/>); null (default) builds none.</summary>
    public ControlConditioningOptions? Control { get; init; }

    /// <summary>Output channels: 2C with learned sigma, else C.</summary>
    public int OutChannels => LearnSigma ? 2 * InChannels : InChannels;

    /// <summary>Tokens per side, I/p.</summary>
    public int GridSize => InputSize / PatchSize;

    /// <summary>Number of tokens T = (I/p)² (§3.2).</summary>
    public int NumTokens => GridSize * GridSize;

    /// <summary>Width of each attention head, D / heads.</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>MLP hidden width, ⌊D·mlp_ratio⌋ as in the reference.</summary>
    public int MlpHiddenSize => (int)(HiddenSize * MlpRatio);

    /// <summary>Whether the network takes class labels (<see cref="NumClasses"/> &gt; 0).</summary>
    public bool IsClassConditional => NumClasses > 0;

    /// <summary>Whether the label table has the extra null row used for classifier-free guidance.</summary>
    public bool HasNullLabel => IsClassConditional && (ClassDropoutProbability > 0 || UnconditionalRow);

    /// <summary>The null label (index <see cref="NumClasses"/>), meaningful when <see cref="HasNullLabel"/>.</summary>
    public long NullLabel => NumClasses;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and how to fix it.</summary>
    public void Validate()
    {
        Positive(InputSize, nameof(InputSize));
        Positive(PatchSize, nameof(PatchSize));
        Positive(InChannels, nameof(InChannels));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(Depth, nameof(Depth));
        Positive(NumHeads, nameof(NumHeads));
        if (InputSize % PatchSize != 0)
        {
            throw new ArgumentException(
                $"InputSize {InputSize} is not divisible by PatchSize {PatchSize}: the image must split into whole p×p patches.", nameof(PatchSize));
        }

        if (HiddenSize % NumHeads != 0)
        {
            throw new ArgumentException($"HiddenSize {HiddenSize} is not divisible by NumHeads {NumHeads}.", nameof(NumHeads));
        }

        if (HiddenSize % 4 != 0)
        {
            throw new ArgumentException(
                $"HiddenSize {HiddenSize} must be a multiple of 4: the 2-D sin-cos position embedding uses D/4 frequencies per axis and function.", nameof(HiddenSize));
        }

        if (!(MlpRatio > 0) || double.IsInfinity(MlpRatio) || MlpHiddenSize < 1)
        {
            throw new ArgumentException($"MlpRatio must be positive and give at least one hidden unit; got {MlpRatio}.", nameof(MlpRatio));
        }

        if (NumClasses < 0)
        {
            throw new ArgumentException($"NumClasses must be ≥ 0 (0 = unconditional); got {NumClasses}.", nameof(NumClasses));
        }

        if (ClassDropoutProbability is < 0 or > 1 || double.IsNaN(ClassDropoutProbability))
        {
            throw new ArgumentException($"ClassDropoutProbability must be in [0, 1]; got {ClassDropoutProbability}.", nameof(ClassDropoutProbability));
        }

        ValidateConditioningPaths();
    }

    private void ValidateConditioningPaths()
    {
        if (ClassConditioning == DiTSemanticConditioning.Tokens && !IsClassConditional)
        {
            throw new ArgumentException("ClassConditioning = Tokens needs a class-conditional DiT (NumClasses > 0).", nameof(ClassConditioning));
        }

        if (TextEmbeddingWidth < 0)
        {
            throw new ArgumentException($"TextEmbeddingWidth must be ≥ 0 (0 = no text input); got {TextEmbeddingWidth}.", nameof(TextEmbeddingWidth));
        }

        if (!(ReplicatePaddingNoise >= 0) || double.IsInfinity(ReplicatePaddingNoise))
        {
            throw new ArgumentException($"ReplicatePaddingNoise must be finite and ≥ 0; got {ReplicatePaddingNoise}.", nameof(ReplicatePaddingNoise));
        }

        Control?.Validate();
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} must be positive; got {value}.", name);
        }
    }
}
