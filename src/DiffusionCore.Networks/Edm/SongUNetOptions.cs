using DiffusionCore.Networks.Control;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The configuration of a <see cref="SongUNet"/>: the DDPM++ and NCSN++ architectures of Song et al. 2021 as
/// reimplemented in Karras et al. 2022, App. F.2 and Table 7. Every argument of the reference constructor (NVlabs/edm
/// <c>SongUNet</c>) has a property with the reference's default (docs/networks/edm.md maps them); see
/// <see cref="EdmPresets"/> for the CIFAR-10 configurations.
/// </summary>
public sealed partial record SongUNetOptions
{
    /// <summary>Image side in pixels (a multiple of 2^(levels−1)).</summary>
    public int ImageResolution { get; init; } = 32;

    /// <summary>Input image channels.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Output image channels.</summary>
    public int OutChannels { get; init; } = 3;

    /// <summary>Number of classes for class conditioning (0: unconditional).</summary>
    public int LabelDim { get; init; }

    /// <summary>Augmentation-label dimension (Karras et al. 2022, App. D.2: 9; 0: none).</summary>
    public int AugmentDim { get; init; }

    /// <summary>Base channel count (128 for CIFAR-10).</summary>
    public int ModelChannels { get; init; } = 128;

    /// <summary>Channel multiplier per resolution level, from full resolution down.</summary>
    public IReadOnlyList<int> ChannelMult { get; init; } = [1, 2, 2, 2];

    /// <summary>Embedding width as a multiple of <see cref="ModelChannels"/>.</summary>
    public int ChannelMultEmb { get; init; } = 4;

    /// <summary>Noise-embedding width as a multiple of <see cref="ModelChannels"/> (NCSN++ in EDM: 2).</summary>
    public int ChannelMultNoise { get; init; } = 1;

    /// <summary>Residual blocks per level in the encoder (the decoder has one more).</summary>
    public int NumBlocks { get; init; } = 4;

    /// <summary>
    /// Resolutions with self-attention (one head): every encoder block and the last decoder block of such a level; the
    /// decoder's first block at the lowest resolution always attends. An entry that is no level's resolution has no effect,
    /// as in the reference.
    /// </summary>
    public IReadOnlyList<int> AttentionResolutions { get; init; } = [16];

    /// <summary>Dropout probability inside the residual blocks (CIFAR-10: 0.13).</summary>
    public double Dropout { get; init; } = 0.10;

    /// <summary>
    /// Adds decouple-then-merge's identity-initialised, bias-free 1×1 channel projections after every encoder and
    /// decoder block (<see cref="Networks.ChannelProjections"/>; Ma et al. 2024; keys <c>enc_proj.*</c>,
    /// <c>dec_proj.*</c>). Off by default, which keeps the reference's architecture and state dict.
    /// </summary>
    public bool ChannelProjections { get; init; }

    /// <summary>Probability of dropping a sample's class label in training (classifier-free guidance; 0: never).</summary>
    public double LabelDropout { get; init; }

    /// <summary>The noise-level embedding.</summary>
    public EmbeddingType EmbeddingType { get; init; } = EmbeddingType.Positional;

    /// <summary>The standard deviation of the Fourier frequencies (NCSN++: 16).</summary>
    public double FourierScale { get; init; } = 16;

    /// <summary>How the input image reaches lower resolutions.</summary>
    public EncoderType EncoderType { get; init; } = EncoderType.Standard;

    /// <summary>How the output image is formed.</summary>
    public DecoderType DecoderType { get; init; } = DecoderType.Standard;

    /// <summary>
    /// The up/downsampling filter (DDPM++: [1, 1]; NCSN++: [1, 3, 3, 1]); an even number of taps when the network has more
    /// than one level.
    /// </summary>
    public ResampleFilter ResampleFilter { get; init; } = ResampleFilter.Box;

    /// <summary>
    /// The gated control-metadata path (Berrada et al. 2024; docs/control-conditioning.md); null (default) builds none,
    /// leaving the network and its reference parity unchanged.
    /// </summary>
    public ControlConditioningOptions? Control { get; init; }

    /// <summary>Width of the embedding vector given to every block.</summary>
    public int EmbeddingChannels => ModelChannels * ChannelMultEmb;

    /// <summary>Width of the noise embedding.</summary>
    public int NoiseChannels => ModelChannels * ChannelMultNoise;

    /// <summary>Throws when an option is invalid; the message names the option and the fix.</summary>
    /// <exception cref="ArgumentException">An option is out of range or inconsistent.</exception>
    public void Validate()
    {
        Control?.Validate();
        const string owner = nameof(SongUNetOptions);
        UNetOptionChecks.Common(
            owner, ImageResolution, InChannels, OutChannels, LabelDim, AugmentDim, ModelChannels, ChannelMult, ChannelMultEmb, NumBlocks,
            AttentionResolutions, Dropout, LabelDropout);
        if (ChannelMultNoise < 1)
        {
            throw new ArgumentException($"{owner}.ChannelMultNoise must be positive; got {ChannelMultNoise}.", nameof(ChannelMultNoise));
        }

        ChannelBudget.CheckProducts(owner, ModelChannels, [ChannelMultNoise], nameof(ChannelMultNoise));

        if (!Enum.IsDefined(EmbeddingType))
        {
            throw new ArgumentException($"{owner}.EmbeddingType {EmbeddingType} is not an EmbeddingType (Positional or Fourier).", nameof(EmbeddingType));
        }

        if (!Enum.IsDefined(EncoderType))
        {
            throw new ArgumentException($"{owner}.EncoderType {EncoderType} is not an EncoderType (Standard, Skip or Residual).", nameof(EncoderType));
        }

        if (!Enum.IsDefined(DecoderType))
        {
            throw new ArgumentException($"{owner}.DecoderType {DecoderType} is not a DecoderType (Standard or Skip).", nameof(DecoderType));
        }

        if (NoiseChannels % 2 != 0 || (EmbeddingType == EmbeddingType.Positional && NoiseChannels < 4))
        {
            throw new ArgumentException(
                $"{owner}: the noise embedding needs an even width (≥ 4 for the positional embedding); ModelChannels·ChannelMultNoise = {NoiseChannels}.",
                nameof(ChannelMultNoise));
        }

        if (EmbeddingType == EmbeddingType.Fourier && !(FourierScale > 0 && double.IsFinite(FourierScale)))
        {
            throw new ArgumentException($"{owner}.FourierScale must be positive (NCSN++: 16); got {FourierScale}.", nameof(FourierScale));
        }

        if (ResampleFilter is null)
        {
            throw new ArgumentException($"{owner}.ResampleFilter must be set, e.g. ResampleFilter.Box or ResampleFilter.Fir.", nameof(ResampleFilter));
        }

        if (ChannelMult.Count > 1)
        {
            ResampleFilter.EnsureEvenTaps($"{owner}.{nameof(ResampleFilter)}");
        }
    }
}
