using DiffusionCore.Networks.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Training.Data;

namespace DiffusionCore.Distributed.Worker;

/// <summary>A small EDM2 U-Net and an in-memory dataset of seeded random 8×8 grey images.</summary>
internal static class TinyTraining
{
    public static Edm2Denoiser Network(ulong seed)
    {
        using var g = new Generator(seed);
        return new Edm2Denoiser(new Edm2UNetOptions
        {
            ImgResolution = 8,
            ImgChannels = 1,
            LabelDim = 0,
            ModelChannels = 8,
            ChannelMult = [1, 2],
            NumBlocks = 1,
            AttentionResolutions = [],
            LogVarianceChannels = 16,
            Dropout = 0,
            ChannelsPerHead = 8,
        }, g);
    }

    /// <summary>The same images in every process.</summary>
    internal sealed class RandomImages : IImageDataset, IDisposable
    {
        private readonly Tensor _images;

        public RandomImages(int count, ulong seed)
        {
            using var g = new Generator(seed);
            _images = (Tensor.Rand([count, 1, 8, 8], g) * 2 - 1).DetachFromScope();
            Count = count;
        }

        public int Count { get; }

        public int Channels => 1;

        public int Height => 8;

        public int Width => 8;

        public int LabelCount => 0;

        public ImageBatch ReadBatch(ReadOnlySpan<int> indices) =>
            new(_images.IndexSelect(0, Tensor.FromArray(indices.ToArray().Select(i => (long)i).ToArray())), null);

        public void Dispose() => _images.Dispose();
    }
}
