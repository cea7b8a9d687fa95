using System.Buffers;
using DiffusionCore.Torch;

namespace DiffusionCore.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28×28 grey images of clothing in 10 classes, 60,000 for training and
/// 10,000 for testing, read from the IDX files of the Debian package <c>dataset-fashion-mnist</c>. The pixels are held
/// as one compact byte array (47 MB for the training split) and converted per batch to float32 in [−1, 1]
/// (x / 127.5 − 1, in libtorch), zero-padded to <see cref="FashionMnistOptions.Resolution"/> when that is larger
/// than 28.
/// </summary>
public sealed class FashionMnistDataset : IImageDataset
{
    private const int Side = FashionMnistOptions.NativeResolution;
    private const int PixelsPerImage = Side * Side;

    private static readonly string[] Names =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly (int Left, int Right, int Top, int Bottom) _pad;

    private FashionMnistDataset(byte[] pixels, byte[] labels, int count, FashionMnistOptions options)
    {
        _pixels = pixels;
        _labels = labels;
        Count = count;
        Split = options.Split;
        Height = Width = options.Resolution;
        int before = (options.Resolution - Side) / 2;
        int after = options.Resolution - Side - before;
        _pad = (before, after, before, after);
    }

    /// <summary>The class names, indexed by label: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.</summary>
    public static IReadOnlyList<string> ClassNames => Names;

    /// <summary>The split this dataset holds.</summary>
    public FashionMnistSplit Split { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Channels => 1;

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public int LabelCount => Names.Length;

    /// <summary>
    /// Loads a split from the IDX files in <see cref="FashionMnistOptions.Directory"/> (by default the Debian package's
    /// folder), validating both headers and that images and labels agree.
    /// </summary>
    /// <param name="options">Which split, where, and the output size; null for the training split at 28×28.</param>
    /// <exception cref="DatasetNotFoundException">
    /// The files are missing: install them with <c>sudo apt-get install dataset-fashion-mnist</c> or point
    /// <see cref="FashionMnistOptions.Directory"/> at a folder holding them.
    /// </exception>
    /// <exception cref="DatasetFormatException">A file is truncated or corrupt, or images and labels disagree.</exception>
    public static FashionMnistDataset Load(FashionMnistOptions? options = null)
    {
        options ??= new FashionMnistOptions();
        options.Validate();
        string prefix = options.Split == FashionMnistSplit.Train ? "train" : "t10k";
        string imagesPath = Locate(options.Directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Locate(options.Directory, $"{prefix}-labels-idx1-ubyte");

        IdxArray images = IdxFile.Read(imagesPath);
        IdxArray labels = IdxFile.Read(labelsPath);
        if (images.Dims.Length != 3 || images.Dims[1] != Side || images.Dims[2] != Side)
        {
            throw new DatasetFormatException(imagesPath, $"expected images of shape N×{Side}×{Side}, but the IDX header says {string.Join("×", images.Dims)}.");
        }

        if (labels.Dims.Length != 1)
        {
            throw new DatasetFormatException(labelsPath, $"expected a one-dimensional label array, but the IDX header says {string.Join("×", labels.Dims)}.");
        }

        if (labels.Dims[0] != images.Dims[0])
        {
            throw new DatasetFormatException(
                labelsPath, $"holds {labels.Dims[0]} labels but {Path.GetFileName(imagesPath)} holds {images.Dims[0]} images; the files belong to different splits or one is corrupt.");
        }

        int bad = Array.FindIndex(labels.Bytes, l => l >= Names.Length);
        if (bad >= 0)
        {
            throw new DatasetFormatException(labelsPath, $"label {labels.Bytes[bad]} at index {bad} is not a Fashion-MNIST class (0 to {Names.Length - 1}).");
        }

        int count = Math.Min(images.Dims[0], options.MaxCount ?? int.MaxValue);
        return new FashionMnistDataset(images.Bytes, labels.Bytes, count, options);
    }

    /// <summary>The class label of image <paramref name="index"/> (0 to 9; see <see cref="ClassNames"/>).</summary>
    public int GetLabel(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _labels[index];
    }

    /// <summary>The raw 28×28 pixels of image <paramref name="index"/>, row-major, 0 (background) to 255, unpadded.</summary>
    public ReadOnlyMemory<byte> GetPixels(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _pixels.AsMemory(index * PixelsPerImage, PixelsPerImage);
    }

    /// <inheritdoc />
    public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
    {
        PixelConversion.ValidateIndices(indices, Count);
        int batch = indices.Length;
        byte[] pixels = ArrayPool<byte>.Shared.Rent(batch * PixelsPerImage);
        long[] labels = new long[batch];
        try
        {
            for (int b = 0; b < batch; b++)
            {
                int i = indices[b];
                _pixels.AsSpan(i * PixelsPerImage, PixelsPerImage).CopyTo(pixels.AsSpan(b * PixelsPerImage));
                labels[b] = _labels[i];
            }

            using Tensor raw = Tensor.FromSpan<byte>(pixels.AsSpan(0, batch * PixelsPerImage), [batch, 1, Side, Side]);
            Tensor images = PixelConversion.ToSignedUnit(raw, _pad);
            return new ImageBatch(images, Tensor.FromSpan<long>(labels, [batch]));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    private static string Locate(string directory, string baseName)
    {
        foreach (string candidate in new[] { baseName + ".gz", baseName })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new DatasetNotFoundException(
            $"The Fashion-MNIST file '{baseName}.gz' was not found in '{directory}'. Install the Debian package with " +
            "`sudo apt-get install dataset-fashion-mnist` (it puts the IDX files in " +
            $"{FashionMnistOptions.DefaultDirectory}), or set FashionMnistOptions.Directory to a folder holding " +
            "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.",
            Path.Combine(directory, baseName + ".gz"));
    }
}
