using DiffusionCore.Torch;
using DiffusionCore.Data;

namespace DiffusionCore.Distributed.Worker;

/// <summary>Seeded random 8×8 grey images in [−1, 1], held in memory: the same images in every process.</summary>
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
