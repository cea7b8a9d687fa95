namespace DiffusionCore.Data;

/// <summary>Options of <see cref="ImageFolderDataset.Load"/>.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>The folder to read; PNG and JPEG files (.png, .jpg, .jpeg, any case) are found recursively.</summary>
    public required string Root { get; init; }

    /// <summary>The square training size in pixels (e.g. 32 or 64).</summary>
    public required int Resolution { get; init; }

    /// <summary>Channels of the dataset: 3 (RGB, the default) or 1 (grey). Pictures are converted (alpha dropped).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>How pictures reach the square size; defaults to <see cref="ImageFitMode.CenterCrop"/>.</summary>
    public ImageFitMode Fit { get; init; } = ImageFitMode.CenterCrop;

    /// <summary>
    /// Read class labels from <see cref="LabelsFile"/> when it exists (the default). When false, or when the file is
    /// absent or holds <c>"labels": null</c>, the dataset is unlabelled.
    /// </summary>
    public bool UseLabels { get; init; } = true;

    /// <summary>The labels file, relative to <see cref="Root"/>; defaults to <c>dataset.json</c> (the EDM convention).</summary>
    public string LabelsFile { get; init; } = "dataset.json";

    /// <summary>What to do with unreadable or corrupt files; defaults to <see cref="CorruptImagePolicy.Fail"/>.</summary>
    public CorruptImagePolicy OnCorruptImage { get; init; } = CorruptImagePolicy.Fail;

    /// <summary>
    /// Keep the processed pixels in memory (the default): Channels × Resolution² bytes per image, e.g. 12 KiB per
    /// 64×64 RGB image, 600 MiB for 50,000 of them. When false, every batch re-reads and re-decodes its files (slower,
    /// no pixel memory); every file is still decoded once at load to validate it, so Count is exact.
    /// </summary>
    public bool CacheImages { get; init; } = true;

    /// <summary>
    /// The largest picture accepted, in pixels (width × height, checked from the file's header before decoding);
    /// default 8192 × 8192 = 67,108,864. Decoding and fitting one picture briefly takes about 22 bytes per pixel (a
    /// peak of 1.5 GB for an RGB picture at the limit), so the limit bounds the memory a single file can take; a larger
    /// picture is treated as corrupt (see <see cref="OnCorruptImage"/>). Raise it for larger photographs if the memory
    /// is there (docs/data.md, "A folder of PNG/JPEG images").
    /// </summary>
    public long MaxImagePixels { get; init; } = DefaultMaxImagePixels;

    /// <summary>The default of <see cref="MaxImagePixels"/>: 8192 × 8192.</summary>
    public const long DefaultMaxImagePixels = 8192L * 8192;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            throw new ArgumentException("Root must name the folder holding the PNG/JPEG images.", nameof(Root));
        }

        if (Resolution is < 1 or > 8192)
        {
            throw new ArgumentOutOfRangeException(nameof(Resolution), Resolution, "Resolution must be between 1 and 8192 pixels.");
        }

        if (Channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Channels must be 1 (grey) or 3 (RGB).");
        }

        if (MaxImagePixels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), MaxImagePixels, "MaxImagePixels must be positive (default 8192 × 8192).");
        }

        if (!Enum.IsDefined(Fit))
        {
            throw new ArgumentOutOfRangeException(nameof(Fit), Fit, "Fit must be CenterCrop or Stretch.");
        }

        if (!Enum.IsDefined(OnCorruptImage))
        {
            throw new ArgumentOutOfRangeException(nameof(OnCorruptImage), OnCorruptImage, "OnCorruptImage must be Fail or Skip.");
        }

        if (string.IsNullOrWhiteSpace(LabelsFile))
        {
            throw new ArgumentException("LabelsFile must name a file relative to Root (normally dataset.json).", nameof(LabelsFile));
        }
    }
}
