using DiffusionCore.Data;
using DiffusionCore.Torch;

namespace DiffusionCore.MaskDmStudy;

/// <summary>The images of some classes of a labelled dataset, in dataset order, optionally only the first <c>maxCount</c> of them.</summary>
internal sealed class ClassSubset : IImageDataset
{
    private readonly FashionMnistDataset _source;
    private readonly int[] _indices;

    public ClassSubset(FashionMnistDataset source, IReadOnlyCollection<int> classes, int? maxCount = null)
    {
        _source = source;
        IEnumerable<int> picked = Enumerable.Range(0, source.Count).Where(i => classes.Contains(source.GetLabel(i)));
        _indices = (maxCount is int m ? picked.Take(m) : picked).ToArray();
        if (_indices.Length == 0) throw new ArgumentException($"No images of classes {string.Join(",", classes)}.", nameof(classes));
    }

    public int Count => _indices.Length;

    public int Channels => _source.Channels;

    public int Height => _source.Height;

    public int Width => _source.Width;

    public int LabelCount => _source.LabelCount;

    public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
    {
        var mapped = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++) mapped[i] = _indices[indices[i]];
        return _source.ReadBatch(mapped);
    }
}
