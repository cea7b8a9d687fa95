using DiffusionCore.Denoisers;
using DiffusionCore.Networks.Control;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.UViT;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests.Models;

/// <summary>One tiny, 3-class, 1-channel 8×8 model of each built-in family, the way a user builds it.</summary>
internal static class TinyModels
{
    public const int Classes = 3;

    public static Edm2UNetOptions Edm2 => new()
    {
        ImgResolution = 8, ImgChannels = 1, LabelDim = Classes, ModelChannels = 16, ChannelMult = [1, 2], NumBlocks = 1,
        AttentionResolutions = [4], ChannelsPerHead = 8, ResampleFilter = ResampleFilter.Fir,
    };

    public static SongUNetOptions Song => new()
    {
        ImageResolution = 8, InChannels = 1, OutChannels = 1, ModelChannels = 16, ChannelMult = [1, 2], NumBlocks = 1,
        AttentionResolutions = [4], LabelDim = Classes, EmbeddingType = EmbeddingType.Fourier,
    };

    public static DhariwalUNetOptions Dhariwal => new()
    {
        ImageResolution = 8, InChannels = 1, OutChannels = 1, ModelChannels = 16, ChannelMult = [1, 2], NumBlocks = 1,
        AttentionResolutions = [4], ChannelsPerHead = 8, LabelDim = Classes,
    };

    public static DiTOptions DiT => new()
    {
        InputSize = 8, PatchSize = 2, InChannels = 1, HiddenSize = 32, Depth = 2, NumHeads = 2, NumClasses = Classes, LearnSigma = true,
    };

    /// <summary>U-ViT with a label table of the 3 classes and a null row (the reference's convention).</summary>
    public static UViTOptions UViT => new()
    {
        ImageSize = 8, PatchSize = 2, InChannels = 1, EmbedDim = 32, Depth = 2, NumHeads = 2, NumClasses = Classes + 1, MlpTimeEmbed = true,
    };

    /// <summary>The family name, and a factory of a fresh model with random weights (seeded).</summary>
    public static TheoryData<string> Families() => ["edm2", "song-unet", "dhariwal-unet", "dit", "dit-edm", "uvit"];

    /// <summary>The families with a control-metadata path (Berrada et al. 2024).</summary>
    public static TheoryData<string> ControlFamilies() => ["edm2", "song-unet", "dhariwal-unet", "dit"];

    /// <param name="family">A name from <see cref="Families"/>.</param>
    /// <param name="seed">The seed of the initial weights.</param>
    /// <param name="control">The control path (families in <see cref="ControlFamilies"/> only).</param>
    public static Module Create(string family, int seed, ControlConditioningOptions? control = null)
    {
        using var g = new Generator((ulong)seed);
        return family switch
        {
            "edm2" => new Edm2Denoiser(Edm2 with { Control = control }, g),
            "song-unet" => new PreconditionedModule<SongUNet>(new SongUNet(Song with { Control = control }, g), new EdmPreconditioning(0.5)),
            "dhariwal-unet" => new PreconditionedModule<DhariwalUNet>(new DhariwalUNet(Dhariwal with { Control = control }, g), new VpPreconditioning()),
            "dit" => new DiffusionTransformer(DiT with { Control = control }, g),
            "dit-edm" when control is null => new PreconditionedModule<DiffusionTransformer>(new DiffusionTransformer(DiT with { LearnSigma = false }, g), new EdmPreconditioning(0.5)),
            "uvit" when control is null => new PreconditionedModule<UViTNetwork>(new UViTNetwork(UViT, g), new EdmPreconditioning(0.5)),
            _ => throw new ArgumentOutOfRangeException(nameof(family)),
        };
    }

    /// <summary>The denoiser of a model built by <see cref="Create"/>.</summary>
    public static IDenoiser DenoiserOf(Module model) =>
        model is DiffusionTransformer dit ? DiTDenoisers.EpsilonPrediction(dit) : (IDenoiser)model;
}
