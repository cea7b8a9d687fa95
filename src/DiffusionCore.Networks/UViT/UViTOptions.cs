namespace DiffusionCore.Networks.UViT;

/// <summary>
/// The architecture of U-ViT (Bao et al. 2023, "All are Worth Words: A ViT Backbone for Diffusion Models", §3), the
/// backbone MaskDM pre-trains (Lei et al. 2023; docs/recipes.md §4): one property per argument of the reference
/// <c>UViT</c> constructor, with its default. Call <see cref="Validate"/> (the network does) before use.
/// </summary>
public sealed partial record UViTOptions
{
    /// <summary>Image side in pixels (<c>img_size</c>); a multiple of <see cref="PatchSize"/>.</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>Patch side p (<c>patch_size</c>).</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Image channels C (<c>in_chans</c>); the output has the same channels.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Token width D (<c>embed_dim</c>).</summary>
    public int EmbedDim { get; init; } = 768;

    /// <summary>Number of blocks around the middle block (<c>depth</c>): depth/2 in-blocks, one mid-block, depth/2 out-blocks.</summary>
    public int Depth { get; init; } = 12;

    /// <summary>Attention heads (<c>num_heads</c>); must divide <see cref="EmbedDim"/>.</summary>
    public int NumHeads { get; init; } = 12;

    /// <summary>MLP width over token width (<c>mlp_ratio</c>).</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Bias of the qkv projection (<c>qkv_bias</c>).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Embed the sinusoidal time features with Linear(D, 4D) → SiLU → Linear(4D, D) (<c>mlp_time_embed</c>); otherwise they are the time token.</summary>
    public bool MlpTimeEmbed { get; init; }

    /// <summary>
    /// Rows of the label table <c>label_emb</c> (<c>num_classes</c>; 0 = unconditional, no label token). As in the
    /// reference configurations, include the null label of classifier-free guidance yourself (ImageNet: 1001, null = 1000).
    /// </summary>
    public int NumClasses { get; init; }

    /// <summary>A 3×3 convolution <c>final_layer</c> after unpatchify (<c>conv</c>, default true in the reference). It mixes neighbouring patches, so the kept-token forward pass needs it off.</summary>
    public bool FinalConv { get; init; } = true;

    /// <summary>Long skip connections from the in-blocks to the out-blocks (<c>skip</c>).</summary>
    public bool Skip { get; init; } = true;

    /// <summary>Tokens per grid side, <see cref="ImageSize"/>/p.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Patch tokens, <see cref="GridSize"/>².</summary>
    public int NumPatches => GridSize * GridSize;

    /// <summary>Tokens before the patches: the time token, and the label token when class-conditional (<c>extras</c>).</summary>
    public int Extras => NumClasses > 0 ? 2 : 1;

    /// <summary>MLP hidden width, ⌊D·ratio⌋.</summary>
    public int MlpHiddenSize => (int)(EmbedDim * MlpRatio);

    /// <summary>Throws unless the options describe a buildable network.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and the fix.</exception>
    public void Validate()
    {
        Positive(ImageSize, nameof(ImageSize));
        Positive(PatchSize, nameof(PatchSize));
        Positive(InChannels, nameof(InChannels));
        Positive(EmbedDim, nameof(EmbedDim));
        Positive(NumHeads, nameof(NumHeads));
        if (ImageSize % PatchSize != 0)
        {
            throw new ArgumentException($"ImageSize {ImageSize} is not a multiple of PatchSize {PatchSize}: the image must split into whole patches.", nameof(ImageSize));
        }

        if (EmbedDim % NumHeads != 0)
        {
            throw new ArgumentException($"EmbedDim {EmbedDim} is not divisible by NumHeads {NumHeads}.", nameof(NumHeads));
        }

        if (Depth < 0 || Depth % 2 != 0)
        {
            throw new ArgumentException($"Depth must be even and ≥ 0 (depth/2 in-blocks and depth/2 out-blocks around the mid-block); got {Depth}.", nameof(Depth));
        }

        if (!(MlpRatio > 0) || !double.IsFinite(MlpRatio) || MlpHiddenSize < 1)
        {
            throw new ArgumentException($"MlpRatio must be positive and give at least one hidden unit; got {MlpRatio}.", nameof(MlpRatio));
        }

        if (NumClasses < 0)
        {
            throw new ArgumentException($"NumClasses must be ≥ 0 (0 = unconditional); got {NumClasses}.", nameof(NumClasses));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be positive; got {value}.", name);
    }
}
