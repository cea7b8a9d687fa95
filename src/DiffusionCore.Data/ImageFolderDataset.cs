using System.Buffers;
using DiffusionCore.Data.Imaging;
using DiffusionCore.Torch;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Data;

/// <summary>
/// A folder of PNG/JPEG pictures, optionally labelled by a <c>dataset.json</c> in the EDM convention
/// (<c>{"labels": [["relative/path.png", label], ...]}</c>). Files are found recursively and ordered by their
/// '/'-separated relative path (ordinal), so indices are stable across machines. Each picture is decoded by
/// <see cref="Imaging.ImageCodec"/> (SkiaSharp), converted to <see cref="ImageFolderOptions.Channels"/>, centre-cropped or
/// stretched to the square <see cref="ImageFolderOptions.Resolution"/> and, by default, cached as compact uint8
/// (Channels × Resolution² bytes per image); batches are converted to float32 in [−1, 1] in libtorch.
/// </summary>
public sealed partial class ImageFolderDataset : IImageDataset
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    private readonly ImageFolderOptions _options;
    private readonly string[] _files;
    private readonly int[]? _labels;
    private readonly byte[][]? _pixels;
    private readonly int _bytesPerImage;

    private ImageFolderDataset(ImageFolderOptions options, string[] files, int[]? labels, byte[][]? pixels, IReadOnlyList<SkippedImage> skipped)
    {
        _options = options;
        _files = files;
        _labels = labels;
        _pixels = pixels;
        _bytesPerImage = options.Channels * options.Resolution * options.Resolution;
        Skipped = skipped;
        LabelCount = labels is null ? 0 : labels.Max() + 1;
    }

    /// <inheritdoc />
    public int Count => _files.Length;

    /// <inheritdoc />
    public int Channels => _options.Channels;

    /// <inheritdoc />
    public int Height => _options.Resolution;

    /// <inheritdoc />
    public int Width => _options.Resolution;

    /// <inheritdoc />
    /// <remarks>One more than the largest label of the kept images; 0 when the dataset is unlabelled.</remarks>
    public int LabelCount { get; }

    /// <summary>The full paths of the images, in index order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Files left out under <see cref="CorruptImagePolicy.Skip"/>, with the reason; empty when none.</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>Bytes of decoded pixels held in memory (0 when <see cref="ImageFolderOptions.CacheImages"/> is false).</summary>
    public long CachedBytes => _pixels is null ? 0 : (long)_bytesPerImage * Count;

    /// <summary>
    /// Scans <see cref="ImageFolderOptions.Root"/>, reads the labels file if present, and decodes every picture once
    /// (caching it unless <see cref="ImageFolderOptions.CacheImages"/> is false).
    /// </summary>
    /// <param name="options">The folder, resolution, channels and policies.</param>
    /// <param name="logger">Receives a warning summarising skipped files; optional.</param>
    /// <exception cref="DatasetNotFoundException">The folder does not exist or holds no PNG/JPEG files.</exception>
    /// <exception cref="DatasetFormatException">
    /// A picture is corrupt under <see cref="CorruptImagePolicy.Fail"/> (the message names it), the labels file is
    /// malformed or lacks a picture, or every picture was skipped.
    /// </exception>
    public static ImageFolderDataset Load(ImageFolderOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string root = Path.GetFullPath(options.Root);
        if (!Directory.Exists(root))
        {
            throw new DatasetNotFoundException($"The image folder '{root}' does not exist; check ImageFolderOptions.Root.", root);
        }

        string[] files = ImageFolderScan.Find(root, Extensions);
        if (files.Length == 0)
        {
            throw new DatasetNotFoundException($"The image folder '{root}' holds no PNG or JPEG files (.png, .jpg, .jpeg; searched recursively).", root);
        }

        string labelsPath = Path.Combine(root, options.LabelsFile);
        Dictionary<string, int>? labelMap = options.UseLabels && File.Exists(labelsPath) ? DatasetJsonLabels.Read(labelsPath) : null;

        var kept = new List<string>(files.Length);
        var labels = labelMap is null ? null : new List<int>(files.Length);
        var pixels = options.CacheImages ? new List<byte[]>(files.Length) : null;
        var skipped = new List<SkippedImage>();
        int bytesPerImage = options.Channels * options.Resolution * options.Resolution;
        foreach (string relative in files)
        {
            string path = Path.Combine(root, relative);
            int label = 0;
            if (labelMap is not null && !labelMap.TryGetValue(relative, out label))
            {
                throw new DatasetFormatException(labelsPath, $"has no label for the image \"{relative}\"; add it, remove the image, or set UseLabels = false.");
            }

            byte[] buffer = new byte[bytesPerImage];
            string? error = TryDecode(path, options, buffer);
            if (error is not null)
            {
                if (options.OnCorruptImage == CorruptImagePolicy.Fail)
                {
                    throw new DatasetFormatException(
                        path, $"cannot be used as an image: {error} Fix or remove the file, or set ImageFolderOptions.OnCorruptImage = CorruptImagePolicy.Skip.");
                }

                skipped.Add(new SkippedImage(path, error));
                continue;
            }

            kept.Add(path);
            labels?.Add(label);
            pixels?.Add(buffer);
        }

        if (skipped.Count > 0 && logger is not null)
        {
            LogSkipped(logger, skipped.Count, files.Length, root, string.Join("; ", skipped.Select(s => $"{s.Path} ({s.Reason})")));
        }

        if (kept.Count == 0)
        {
            throw new DatasetFormatException($"All {files.Length} images in '{root}' were skipped as unreadable; the first: {skipped[0].Path} ({skipped[0].Reason}).");
        }

        return new ImageFolderDataset(options, kept.ToArray(), labels?.ToArray(), pixels?.ToArray(), skipped);
    }

    /// <summary>The class label of image <paramref name="index"/>, or null for an unlabelled dataset.</summary>
    public int? GetLabel(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _labels?[index];
    }

    /// <summary>A one-line summary of the skipped files (for logs and console output); empty when none were skipped.</summary>
    public string DescribeSkipped() =>
        Skipped.Count == 0 ? string.Empty : $"Skipped {Skipped.Count} unreadable image(s): " + string.Join("; ", Skipped.Select(s => $"{s.Path} ({s.Reason})"));

    /// <inheritdoc />
    public ImageBatch ReadBatch(ReadOnlySpan<int> indices)
    {
        PixelConversion.ValidateIndices(indices, Count);
        int batch = indices.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(batch * _bytesPerImage);
        try
        {
            for (int b = 0; b < batch; b++)
            {
                Span<byte> target = buffer.AsSpan(b * _bytesPerImage, _bytesPerImage);
                if (_pixels is not null)
                {
                    _pixels[indices[b]].CopyTo(target);
                }
                else if (TryDecode(_files[indices[b]], _options, target) is { } error)
                {
                    throw new DatasetFormatException(_files[indices[b]], $"could be decoded at load but not now ({error}); the file changed on disk.");
                }
            }

            using Tensor raw = Tensor.FromSpan<byte>(buffer.AsSpan(0, batch * _bytesPerImage), [batch, Channels, Height, Width]);
            Tensor images = PixelConversion.ToSignedUnit(raw);
            Tensor? labels = null;
            if (_labels is not null)
            {
                var values = new long[batch];
                for (int b = 0; b < batch; b++)
                {
                    values[b] = _labels[indices[b]];
                }

                labels = Tensor.FromSpan<long>(values, [batch]);
            }

            return new ImageBatch(images, labels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes and fits one file into <paramref name="destination"/>; returns the reason on failure, else null.</summary>
    private static string? TryDecode(string path, ImageFolderOptions options, Span<byte> destination)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the file cannot be read ({e.Message}).";
        }

        using var scope = new TensorScope();
        Tensor decoded;
        try
        {
            decoded = ImageCodec.Decode(bytes, options.MaxImagePixels);
        }
        catch (ImageDecodeException e)
        {
            string reason = e.Message.EndsWith('.') ? e.Message : e.Message + ".";
            return e.Message.Contains(ImageCodec.OverPixelLimit, StringComparison.Ordinal) ? reason + " Raise ImageFolderOptions.MaxImagePixels if the memory is there." : reason;
        }

        Tensor fitted = ImageFitting.Fit(decoded, options.Channels, options.Resolution, options.Fit);
        fitted.CopyTo(destination);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Skipped} of {Total} images in {Root} as unreadable: {Files}")]
    private static partial void LogSkipped(ILogger logger, int skipped, int total, string root, string files);
}
