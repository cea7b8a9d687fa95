using DiffusionCore.Networks.Control;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The configuration of a <see cref="DhariwalUNet"/>: the ADM architecture of Dhariwal &amp; Nichol 2021 as
/// reimplemented in Karras et al. 2022, App. F.2 and Table 7. Every argument of the reference constructor (NVlabs/edm
/// <c>DhariwalUNet</c>) has a property with the reference's default (the ImageNet-64 network; docs/networks/edm.md maps
/// them); see <see cref="EdmPresets.AdmImageNet64"/>.
/// </summary>
public sealed partial record DhariwalUNetOptions
{
    /// <summary>Image side in pixels (a multiple of 2^(levels−1)).</summary>
    public int ImageResolution { get; init; } = 64;

    /// <summary>Input image channels.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Output image channels.</summary>
    public int OutChannels { get; init; } = 3;

    /// <summary>Number of classes for class conditioning (0: unconditional).</summary>
    public int LabelDim { get; init; }

    /// <summary>Augmentation-label dimension (0: none).</summary>
    public int AugmentDim { get; init; }

    /// <summary>Base channel count (192 for ImageNet-64).</summary>
    public int ModelChannels { get; init; } = 192;

    /// <summary>Channel multiplier per resolution level, from full resolution down.</summary>
    public IReadOnlyList<int> ChannelMult { get; init; } = [1, 2, 3, 4];

    /// <summary>Embedding width as a multiple of <see cref="ModelChannels"/>.</summary>
    public int ChannelMultEmb { get; init; } = 4;

    /// <summary>Residual blocks per level in the encoder (the decoder has one more).</summary>
    public int NumBlocks { get; init; } = 3;

    /// <summary>
    /// Resolutions with self-attention in every block; the decoder's first block at the lowest resolution always asks for
    /// attention. A level with fewer than <see cref="ChannelsPerHead"/> channels has no heads and so no attention, and an
    /// entry that is no level's resolution has no effect, both as in the reference.
    /// </summary>
    public IReadOnlyList<int> AttentionResolutions { get; init; } = [32, 16, 8];

    /// <summary>
    /// Channels per attention head (64, fixed in the reference): a block of C channels asking for attention has ⌊C/64⌋ heads
    /// (96 channels: one head), none below 64 channels.
    /// </summary>
    public int ChannelsPerHead { get; init; } = 64;

    /// <summary>Dropout probability inside the residual blocks.</summary>
    public double Dropout { get; init; } = 0.10;

    /// <summary>
    /// Adds decouple-then-merge's identity-initialised, bias-free 1×1 channel projections after every encoder and
    /// decoder block (<see cref="Networks.ChannelProjections"/>; Ma et al. 2024; keys <c>enc_proj.*</c>,
    /// <c>dec_proj.*</c>). Off by default, which keeps the reference's architecture and state dict.
    /// </summary>
    public bool ChannelProjections { get; init; }

    /// <summary>Probability of dropping a sample's class label in training (classifier-free guidance; 0: never).</summary>
    public double LabelDropout { get; init; }

    /// <summary>
    /// The gated control-metadata path (Berrada et al. 2024; docs/control-conditioning.md); null (default) builds none,
    /// leaving the network and its reference parity unchanged.
    /// </summary>
    public ControlConditioningOptions? Control { get; init; }

    /// <summary>Width of the embedding vector given to every block.</summary>
    public int EmbeddingChannels => ModelChannels * ChannelMultEmb;

    /// <summary>
    /// Attention heads of a block with <paramref name="channels"/> output channels: ⌊channels / ChannelsPerHead⌋ when it
    /// asks for attention (0 = no attention layers), else 0 — the reference's rule.
    /// </summary>
    public int AttentionHeads(int channels, bool attention) => attention ? channels / ChannelsPerHead : 0;

    /// <summary>Throws when an option is invalid; the message names the option and the fix.</summary>
    /// <exception cref="ArgumentException">An option is out of range or inconsistent.</exception>
    public void Validate()
    {
        Control?.Validate();
        const string owner = nameof(DhariwalUNetOptions);
        UNetOptionChecks.Common(
            owner, ImageResolution, InChannels, OutChannels, LabelDim, AugmentDim, ModelChannels, ChannelMult, ChannelMultEmb, NumBlocks,
            AttentionResolutions, Dropout, LabelDropout);
        if (ModelChannels % 2 != 0)
        {
            throw new ArgumentException($"{owner}.ModelChannels must be even (it is the positional-embedding width); got {ModelChannels}.", nameof(ModelChannels));
        }

        if (ChannelsPerHead < 1)
        {
            throw new ArgumentException($"{owner}.ChannelsPerHead must be positive (ADM: 64); got {ChannelsPerHead}.", nameof(ChannelsPerHead));
        }

        for (int level = 0; level < ChannelMult.Count; level++)
        {
            int res = ImageResolution >> level;
            int channels = ModelChannels * ChannelMult[level];
            bool lowest = level == ChannelMult.Count - 1;
            int heads = AttentionHeads(channels, AttentionResolutions.Contains(res) || lowest);
            if (heads > 0 && channels % heads != 0)
            {
                throw new ArgumentException(
                    $"{owner}: attention at {res}×{res} has {channels} channels, which ⌊{channels}/{ChannelsPerHead}⌋ = {heads} heads cannot share " +
                    $"evenly (the reference's attention reshape fails or mixes heads there); choose ChannelsPerHead so that the channel count is a " +
                    $"multiple of its head count{(lowest ? "" : $", or drop {res} from AttentionResolutions")}.",
                    nameof(AttentionResolutions));
            }
        }
    }
}
