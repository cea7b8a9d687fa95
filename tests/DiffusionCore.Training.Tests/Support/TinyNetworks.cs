using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;

namespace DiffusionCore.Training.Tests.Support;

internal static class TinyNetworks
{
    public static Edm2UNetOptions Options(int resolution = 8, int channels = 1, int modelChannels = 8, double dropout = 0) => new()
    {
        ImgResolution = resolution,
        ImgChannels = channels,
        LabelDim = 0,
        ModelChannels = modelChannels,
        ChannelMult = [1, 2],
        NumBlocks = 1,
        AttentionResolutions = [],
        LogVarianceChannels = 16,
        Dropout = dropout,
        ChannelsPerHead = 8,
    };

    public static Edm2Denoiser Edm2(ulong seed = 7, int resolution = 8, int modelChannels = 8, double dropout = 0)
    {
        using var g = new Generator(seed);
        return new Edm2Denoiser(Options(resolution, 1, modelChannels, dropout), g);
    }
}
