using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>The job's network: a class-conditional EDM2 UNet on zero-padded 32×32 Fashion-MNIST.</summary>
internal static class FashionMnistModel
{
    public const int Resolution = 32;
    public const int Classes = 10;

    public static Edm2UNetOptions Options(JobOptions o) => new()
    {
        ImgResolution = Resolution,
        ImgChannels = 1,
        LabelDim = Classes,
        ModelChannels = o.Channels,
        ChannelMult = [1, 2, 2],
        NumBlocks = o.Blocks,
        AttentionResolutions = [8],
        Dropout = 0,
    };

    public static Edm2Denoiser Create(JobOptions o, ulong seed)
    {
        using var g = new Generator(seed);
        return new Edm2Denoiser(Options(o), g);
    }
}
