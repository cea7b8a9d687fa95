namespace DiffusionCore.Data;

/// <summary>Options of <see cref="FashionMnistDataset.Load"/>.</summary>
public sealed record FashionMnistOptions
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the IDX files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The native image size of Fashion-MNIST (28×28).</summary>
    public const int NativeResolution = 28;

    /// <summary>
    /// The folder holding the IDX files (<c>train-images-idx3-ubyte.gz</c> etc.; gzip-compressed or not). Defaults to
    /// <see cref="DefaultDirectory"/>.
    /// </summary>
    public string Directory { get; init; } = DefaultDirectory;

    /// <summary>Which split to read; defaults to <see cref="FashionMnistSplit.Train"/>.</summary>
    public FashionMnistSplit Split { get; init; } = FashionMnistSplit.Train;

    /// <summary>
    /// The output size: 28 (the default) keeps the images as they are; a larger size zero-pads them (pixel value 0,
    /// i.e. −1 after scaling, the background colour) evenly on all sides — 32 gives the power-of-two size an EDM2
    /// UNet needs. Padding happens per batch; the dataset keeps only the 28×28 bytes.
    /// </summary>
    public int Resolution { get; init; } = NativeResolution;

    /// <summary>Keep only the first this-many images of the split (quick experiments and tests); null keeps all.</summary>
    public int? MaxCount { get; init; }

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException($"Directory must name the folder holding the Fashion-MNIST IDX files (normally {DefaultDirectory}).", nameof(Directory));
        }

        if (!Enum.IsDefined(Split))
        {
            throw new ArgumentOutOfRangeException(nameof(Split), Split, "Split must be Train or Test.");
        }

        if (Resolution < NativeResolution || Resolution > 4096)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Resolution), Resolution, $"Resolution must be at least {NativeResolution} (the images are only ever zero-padded, never cropped or resized) and at most 4096; use 32 for an EDM2 UNet.");
        }

        if (MaxCount is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCount), MaxCount, "MaxCount must be positive, or null to keep every image.");
        }
    }
}
