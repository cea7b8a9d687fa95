using DiffusionCore.Networks.Edm;

using DiffusionCore.Networks.Control;

namespace DiffusionCore.Networks.Edm2;

/// <summary>
/// The architecture of an EDM2 UNet and its preconditioned denoiser (Karras et al. 2024, "Analyzing and Improving the
/// Training Dynamics of Diffusion Models", Section 2 and Appendix B, configuration G). The defaults are the paper's
/// ImageNet-512 latent settings; <see cref="Edm2Presets"/> has the published sizes. Every argument of the reference
/// constructors (<c>Precond</c>, <c>UNet</c> and <c>Block</c> of NVlabs/edm2) has a property with the reference's default;
/// docs/networks/edm2.md maps them. Call <see cref="Validate"/> (every constructor does) to check the options before building.
/// </summary>
public sealed partial record Edm2UNetOptions
{
    /// <summary>Image (or latent) resolution; must be divisible by 2^(levels − 1). 64 for both img512 (latents) and img64.</summary>
    public int ImgResolution { get; init; } = 64;

    /// <summary>Image (or latent) channels: 4 for img512 latents, 3 for RGB img64.</summary>
    public int ImgChannels { get; init; } = 4;

    /// <summary>Number of classes (one-hot label width); 0 for an unconditional model. 1000 for ImageNet.</summary>
    public int LabelDim { get; init; } = 1000;

    /// <summary>Base channel count (EDM2 "ch": 192 for size S).</summary>
    public int ModelChannels { get; init; } = 192;

    /// <summary>Channel multiplier per resolution level, highest resolution first ([1, 2, 3, 4]).</summary>
    public IReadOnlyList<int> ChannelMult { get; init; } = [1, 2, 3, 4];

    /// <summary>
    /// Multiplier of the noise embedding's Fourier features (channel_mult_noise): <c>ModelChannels·ChannelMultNoise</c>
    /// features; null (the reference default) takes the first level's multiplier, <c>ChannelMult[0]</c>.
    /// </summary>
    public int? ChannelMultNoise { get; init; }

    /// <summary>
    /// Multiplier of the embedding vector every block is conditioned on (channel_mult_emb):
    /// <c>ModelChannels·ChannelMultEmb</c> channels; null (the reference default) takes the largest level multiplier.
    /// </summary>
    public int? ChannelMultEmb { get; init; }

    /// <summary>Blocks per level in the encoder (the decoder has one more per level); 3 in EDM2, 0 allowed.</summary>
    public int NumBlocks { get; init; } = 3;

    /// <summary>
    /// Resolutions with self-attention in their blocks ([16, 8]). As in the reference, an entry that is no level's
    /// resolution has no effect, and the decoder's first block at the lowest resolution always asks for attention.
    /// </summary>
    public IReadOnlyList<int> AttentionResolutions { get; init; } = [16, 8];

    /// <summary>Dropout probability inside each block's residual branch (0 for XS/S, 0.10 from M up).</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Adds decouple-then-merge's identity-initialised, bias-free 1×1 channel projections after every encoder and
    /// decoder block (<see cref="ChannelProjections"/>; Ma et al. 2024; keys <c>enc_proj.*</c>, <c>dec_proj.*</c>).
    /// Off by default, which keeps the reference's architecture and state dict.
    /// </summary>
    public bool ChannelProjections { get; init; }

    /// <summary>
    /// The up/downsampling filter of the <c>down</c> and <c>up</c> blocks (resample_filter; [1, 1] = 2×2 box); an even
    /// number of taps, as the reference asserts.
    /// </summary>
    public ResampleFilter ResampleFilter { get; init; } = ResampleFilter.Box;

    /// <summary>Balance t of the MP sum of the noise and label embeddings (0.5).</summary>
    public double LabelBalance { get; init; } = 0.5;

    /// <summary>Balance t of the MP concatenation of decoder input and skip connection (0.5).</summary>
    public double ConcatBalance { get; init; } = 0.5;

    /// <summary>Balance t of the MP sum of a block's input and its residual branch (0.3).</summary>
    public double ResidualBalance { get; init; } = 0.3;

    /// <summary>Balance t of the MP sum of a block's activations and its attention output (0.3).</summary>
    public double AttentionBalance { get; init; } = 0.3;

    /// <summary>Activations are clamped to ±this after every block (256); null disables clamping.</summary>
    public double? ClipActivations { get; init; } = 256;

    /// <summary>
    /// Channels per attention head (64). A block of C channels asking for attention has ⌊C / ChannelsPerHead⌋ heads, as in
    /// the reference: 96 channels at 64 per head give one head of 96 channels, and fewer than ChannelsPerHead channels give
    /// no attention at all (no <c>attn_qkv</c>/<c>attn_proj</c>).
    /// </summary>
    public int ChannelsPerHead { get; init; } = 64;

    /// <summary>Fourier features of the uncertainty head u(σ) (128; Karras et al. 2024, Section 5 and Eq. 21).</summary>
    public int LogVarianceChannels { get; init; } = 128;

    /// <summary>σ_data of the EDM preconditioning (0.5).</summary>
    public double SigmaData { get; init; } = 0.5;

    /// <summary>Number of resolution levels (the length of <see cref="ChannelMult"/>).</summary>
    internal int Levels => ChannelMult.Count;

    /// <summary>Channels of each level, <c>ModelChannels·ChannelMult[level]</c>.</summary>
    internal IReadOnlyList<int> LevelChannels => ChannelMult.Select(m => ModelChannels * m).ToArray();

    /// <summary>Channels of the noise Fourier features: <c>ModelChannels·(ChannelMultNoise ?? ChannelMult[0])</c>.</summary>
    public int NoiseChannels => ModelChannels * (ChannelMultNoise ?? ChannelMult[0]);

    /// <summary>
    /// The gated control-metadata path (Berrada et al. 2024; docs/control-conditioning.md); null (default) builds none,
    /// leaving the network and its reference parity unchanged.
    /// </summary>
    public ControlConditioningOptions? Control { get; init; }

    /// <summary>Channels of the embedding vector: <c>ModelChannels·(ChannelMultEmb ?? max(ChannelMult))</c>.</summary>
    public int EmbeddingChannels => ModelChannels * (ChannelMultEmb ?? ChannelMult.Max());

    /// <summary>
    /// Attention heads of a block with <paramref name="channels"/> output channels: ⌊channels / ChannelsPerHead⌋ when it
    /// asks for attention (0 = no attention layers), else 0 — the reference's rule.
    /// </summary>
    public int AttentionHeads(int channels, bool attention) => attention ? channels / ChannelsPerHead : 0;

    /// <summary>Resolution of a level: <c>ImgResolution >> level</c>.</summary>
    public int LevelResolution(int level) => ImgResolution >> level;

    /// <summary>Value equality, comparing <see cref="ChannelMult"/> and <see cref="AttentionResolutions"/> element by element.</summary>
    public bool Equals(Edm2UNetOptions? other) =>
        other is not null &&
        ImgResolution == other.ImgResolution && ImgChannels == other.ImgChannels && LabelDim == other.LabelDim &&
        ModelChannels == other.ModelChannels && NumBlocks == other.NumBlocks &&
        ChannelMultNoise == other.ChannelMultNoise && ChannelMultEmb == other.ChannelMultEmb && Equals(ResampleFilter, other.ResampleFilter) &&
        (ChannelMult ?? []).SequenceEqual(other.ChannelMult ?? []) &&
        (AttentionResolutions ?? []).SequenceEqual(other.AttentionResolutions ?? []) &&
        Dropout.Equals(other.Dropout) && LabelBalance.Equals(other.LabelBalance) && ConcatBalance.Equals(other.ConcatBalance) &&
        ResidualBalance.Equals(other.ResidualBalance) && AttentionBalance.Equals(other.AttentionBalance) &&
        Nullable.Equals(ClipActivations, other.ClipActivations) && ChannelsPerHead == other.ChannelsPerHead &&
        LogVarianceChannels == other.LogVarianceChannels && SigmaData.Equals(other.SigmaData) &&
        ChannelProjections == other.ChannelProjections && Equals(Control, other.Control);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ImgResolution, ImgChannels, LabelDim, ModelChannels, NumBlocks, Dropout, ChannelMult?.Count ?? 0);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option and how to fix it.</summary>
    public void Validate()
    {
        Control?.Validate();
        Positive(ImgResolution, nameof(ImgResolution));
        Positive(ImgChannels, nameof(ImgChannels));
        if (LabelDim < 0) throw new ArgumentException($"{nameof(LabelDim)} must be ≥ 0 (0 = unconditional); got {LabelDim}.", nameof(LabelDim));
        Positive(ModelChannels, nameof(ModelChannels));
        if (ChannelMult is null || ChannelMult.Count == 0)
        {
            throw new ArgumentException($"{nameof(ChannelMult)} needs at least one level, e.g. [1, 2, 3, 4].", nameof(ChannelMult));
        }

        if (ChannelMult.Any(m => m < 1))
        {
            throw new ArgumentException($"Every {nameof(ChannelMult)} entry must be ≥ 1; got [{string.Join(", ", ChannelMult)}].", nameof(ChannelMult));
        }

        ChannelBudget.CheckProducts(nameof(Edm2UNetOptions), ModelChannels, ChannelMult, nameof(ChannelMult));

        int factor = 1 << (Levels - 1);
        if (ImgResolution % factor != 0)
        {
            throw new ArgumentException(
                $"{nameof(ImgResolution)} {ImgResolution} must be divisible by 2^(levels − 1) = {factor} for {Levels} levels; " +
                "change the resolution or use fewer levels.", nameof(ImgResolution));
        }

        if (ChannelMultNoise is < 1)
        {
            throw new ArgumentException($"{nameof(ChannelMultNoise)} must be ≥ 1, or null for ChannelMult[0]; got {ChannelMultNoise}.", nameof(ChannelMultNoise));
        }

        if (ChannelMultEmb is < 1)
        {
            throw new ArgumentException($"{nameof(ChannelMultEmb)} must be ≥ 1, or null for the largest ChannelMult; got {ChannelMultEmb}.", nameof(ChannelMultEmb));
        }

        if (NumBlocks < 0) throw new ArgumentException($"{nameof(NumBlocks)} must be ≥ 0; got {NumBlocks}.", nameof(NumBlocks));
        if (AttentionResolutions is null)
        {
            throw new ArgumentException($"{nameof(AttentionResolutions)} must not be null; use [] for no attention.", nameof(AttentionResolutions));
        }

        if (ResampleFilter is null)
        {
            throw new ArgumentException($"{nameof(ResampleFilter)} must be set, e.g. ResampleFilter.Box ([1, 1]).", nameof(ResampleFilter));
        }

        ResampleFilter.EnsureEvenTaps(nameof(ResampleFilter));
        if (!(Dropout >= 0 && Dropout <= 1)) throw new ArgumentException($"{nameof(Dropout)} must lie in [0, 1]; got {Dropout}.", nameof(Dropout));
        Balance(LabelBalance, nameof(LabelBalance));
        Balance(ConcatBalance, nameof(ConcatBalance));
        Balance(ResidualBalance, nameof(ResidualBalance));
        Balance(AttentionBalance, nameof(AttentionBalance));
        if (ClipActivations is double clip && !(clip > 0))
        {
            throw new ArgumentException(
                $"{nameof(ClipActivations)} must be positive or null (no clamping); got {clip}. A limit ≤ 0 would clamp every activation " +
                "to one constant (the reference does that without complaint; it is never a working network).", nameof(ClipActivations));
        }

        Positive(ChannelsPerHead, nameof(ChannelsPerHead));
        foreach (int channels in AttentionChannelCounts())
        {
            int heads = AttentionHeads(channels, attention: true);
            if (heads > 0 && channels % heads != 0)
            {
                throw new ArgumentException(
                    $"A block with attention has {channels} channels, which ⌊{channels}/{ChannelsPerHead}⌋ = {heads} heads cannot share evenly " +
                    $"(the reference fails reshaping them too); choose {nameof(ChannelsPerHead)} so that every attention level's channel count " +
                    "is a multiple of its head count.", nameof(ChannelsPerHead));
            }
        }

        Positive(LogVarianceChannels, nameof(LogVarianceChannels));
        if (!(SigmaData > 0) || !double.IsFinite(SigmaData))
        {
            throw new ArgumentException($"{nameof(SigmaData)} must be positive and finite; got {SigmaData}.", nameof(SigmaData));
        }
    }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"ImgResolution = {ImgResolution}, ImgChannels = {ImgChannels}, LabelDim = {LabelDim}, ModelChannels = {ModelChannels}, " +
            $"ChannelMult = [{string.Join(", ", ChannelMult ?? [])}], ChannelMultNoise = {ChannelMultNoise?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, " +
            $"ChannelMultEmb = {ChannelMultEmb?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, NumBlocks = {NumBlocks}, " +
            $"AttentionResolutions = [{string.Join(", ", AttentionResolutions ?? [])}], ResampleFilter = [{ResampleFilter}], Dropout = {Dropout}, " +
            $"LabelBalance = {LabelBalance}, ConcatBalance = {ConcatBalance}, ResidualBalance = {ResidualBalance}, " +
            $"AttentionBalance = {AttentionBalance}, ClipActivations = {ClipActivations?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, " +
            $"ChannelsPerHead = {ChannelsPerHead}, LogVarianceChannels = {LogVarianceChannels}, SigmaData = {SigmaData}");
        return true;
    }

    private IEnumerable<int> AttentionChannelCounts()
    {
        IReadOnlyList<int> channels = LevelChannels;
        yield return channels[^1];
        for (int level = 0; level < Levels; level++)
        {
            if (AttentionResolutions.Contains(LevelResolution(level))) yield return channels[level];
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be ≥ 1; got {value}.", name);
    }

    private static void Balance(double t, string name)
    {
        // The reference takes any t: values outside [0, 1] extrapolate, and the MP normalisation √((1 − t)² + t²) stays positive.
        if (!double.IsFinite(t)) throw new ArgumentException($"{name} must be a finite number (0.5 balances both inputs); got {t}.", name);
    }
}
