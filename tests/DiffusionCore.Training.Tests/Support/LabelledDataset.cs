using DiffusionCore.Torch;
using DiffusionCore.Data;

namespace DiffusionCore.Training.Tests.Support;

/// <summary>Random images in [−1, 1] whose label is the index modulo the class count.</summary>
internal sealed class LabelledDataset(int count, int classes, int size = 4) : IImageDataset
{
    public int Count => count;

    public int Channels => 1;

    public int Height => size;

    public int Width => size;

    public int LabelCount => classes;

    public static long LabelOf(int index, int classes) => index % classes;

    public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
    {
        long[] labels = [.. indices.ToArray().Select(i => LabelOf(i, classes))];
        using var g = new Generator((ulong)indices[0] + 1);
        using var scope = new TensorScope();
        Tensor images = (Tensor.Rand([indices.Length, 1, size, size], g) * 2 - 1).MoveToOuterScope();
        return new ImageBatch(images, Tensor.FromArray(labels).MoveToOuterScope());
    }
}
