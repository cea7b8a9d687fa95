namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The network configurations of Karras et al. 2022 ("Elucidating…", Table 7 and App. F.2), class-conditional and
/// without augmentation labels, which reproduces the reference parameter counts rounded to 10 k: DDPM++ CIFAR-10
/// 55 734 147 (55.73 M), NCSN++ CIFAR-10 56 398 339 (56.40 M), ADM ImageNet-64 295 899 267 (295.90 M). EDM's CIFAR-10
/// training runs also condition on the 9 non-leaky augmentation labels (App. D.2): use
/// <c>with { AugmentDim = EdmPresets.AugmentLabels }</c> (+9·noise channels: 55 735 299 and 56 400 643); for an
/// unconditional network use <c>with { LabelDim = 0 }</c>.
/// </summary>
public static class EdmPresets
{
    /// <summary>CIFAR-10 classes.</summary>
    public const int Cifar10Classes = 10;

    /// <summary>ImageNet classes.</summary>
    public const int ImageNetClasses = 1000;

    /// <summary>Width of the non-leaky augmentation labels (Karras et al. 2022, App. D.2).</summary>
    public const int AugmentLabels = 9;

    /// <summary>
    /// DDPM++ for CIFAR-10 32×32 (Song et al. 2021; Karras et al. 2022, Table 7 "VP"/"EDM" config F): channels 128, multipliers
    /// [2, 2, 2], 4 blocks per level, attention at 16², dropout 0.13, positional embedding, standard encoder and decoder,
    /// box resampling, 10 classes: 55 734 147 parameters (55.73 M).
    /// </summary>
    public static SongUNetOptions DdpmppCifar10 { get; } = new()
    {
        ImageResolution = 32,
        InChannels = 3,
        OutChannels = 3,
        LabelDim = Cifar10Classes,
        AugmentDim = 0,
        ModelChannels = 128,
        ChannelMult = [2, 2, 2],
        ChannelMultEmb = 4,
        ChannelMultNoise = 1,
        NumBlocks = 4,
        AttentionResolutions = [16],
        Dropout = 0.13,
        EmbeddingType = EmbeddingType.Positional,
        EncoderType = EncoderType.Standard,
        DecoderType = DecoderType.Standard,
        ResampleFilter = ResampleFilter.Box,
    };

    /// <summary>
    /// NCSN++ for CIFAR-10 32×32 (Song et al. 2021; Karras et al. 2022, Table 7 "VE"): as <see cref="DdpmppCifar10"/> but
    /// with Fourier noise embedding of width 2·128, residual encoder and FIR [1, 3, 3, 1] resampling: 56 398 339 parameters (56.40 M).
    /// </summary>
    public static SongUNetOptions NcsnppCifar10 { get; } = DdpmppCifar10 with
    {
        EmbeddingType = EmbeddingType.Fourier,
        ChannelMultNoise = 2,
        EncoderType = EncoderType.Residual,
        ResampleFilter = ResampleFilter.Fir,
    };

    /// <summary>
    /// ADM for class-conditional ImageNet 64×64 (Dhariwal &amp; Nichol 2021; Karras et al. 2022, Table 7): channels 192,
    /// multipliers [1, 2, 3, 4], 3 blocks per level, attention at 32², 16² and 8² with 64 channels per head, adaptive
    /// scale/shift, dropout 0.10, 1000 classes, no augmentation: 295 899 267 parameters (295.90 M).
    /// </summary>
    public static DhariwalUNetOptions AdmImageNet64 { get; } = new()
    {
        ImageResolution = 64,
        InChannels = 3,
        OutChannels = 3,
        LabelDim = ImageNetClasses,
        AugmentDim = 0,
        ModelChannels = 192,
        ChannelMult = [1, 2, 3, 4],
        ChannelMultEmb = 4,
        NumBlocks = 3,
        AttentionResolutions = [32, 16, 8],
        ChannelsPerHead = 64,
        Dropout = 0.10,
    };
}
