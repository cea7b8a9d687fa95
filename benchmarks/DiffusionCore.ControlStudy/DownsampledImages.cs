using DiffusionCore.Data;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.ControlStudy;

/// <summary>
/// A dataset at half its source's resolution: each image is the 2×2 average pool of the source image (Fashion-MNIST
/// zero-padded to 32² becomes 16²: the box-filtered low-resolution version of exactly the images the 32² arms see).
/// </summary>
internal sealed class DownsampledImages : IImageDataset
{
    private readonly IImageDataset _source;

    public DownsampledImages(IImageDataset source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Height % 2 != 0 || source.Width % 2 != 0)
        {
            throw new ArgumentException($"Halving needs an even image size, not {source.Height}×{source.Width}; load Fashion-MNIST at Resolution = 32.", nameof(source));
        }

        _source = source;
    }

    public int Count => _source.Count;

    public int Channels => _source.Channels;

    public int Height => _source.Height / 2;

    public int Width => _source.Width / 2;

    public int LabelCount => _source.LabelCount;

    public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
    {
        ImageBatch full = _source.ReadBatch(indices);
        Tensor half = Functional.AvgPool2d(full.Images, 2);
        return full with { Images = half };
    }
}
