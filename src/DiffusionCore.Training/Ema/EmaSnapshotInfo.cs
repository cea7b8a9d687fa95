using System.Globalization;
using System.Text.Json;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// What a stored power-EMA snapshot says about itself (its safetensors metadata): when it was taken, the profile of its
/// average, and which of its tensors are buffers (copied, not averaged). The post-hoc EMA reads only this to solve for
/// the weights (Karras et al. 2024, EDM2 App. C.3), then streams the tensors.
/// </summary>
/// <param name="Path">The snapshot file.</param>
/// <param name="ImagesSeen">Images seen when the snapshot was taken (the profile's end time t).</param>
/// <param name="SigmaRel">σ_rel of the averaged profile.</param>
/// <param name="Gamma">γ of the averaged profile.</param>
/// <param name="BatchImages">Images in the step that ended at <paramref name="ImagesSeen"/>.</param>
/// <param name="TrackerName">The name of the tracker that was stored.</param>
/// <param name="BufferKeys">The state-dict keys that are buffers (copied from the network, not averaged).</param>
public sealed record EmaSnapshotInfo(string Path, long ImagesSeen, double SigmaRel, double Gamma, long BatchImages, string TrackerName, IReadOnlyList<string> BufferKeys)
{
    /// <summary>The value of the <c>format</c> metadata entry that marks a power-EMA snapshot.</summary>
    public const string FormatTag = "diffusioncore.phema-snapshot.v1";

    internal const string FormatKey = "format";
    internal const string ImagesSeenKey = "images_seen";
    internal const string SigmaRelKey = "sigma_rel";
    internal const string GammaKey = "gamma";
    internal const string BatchKey = "batch_images";
    internal const string TrackerKey = "tracker";
    internal const string BuffersKey = "buffers";

    /// <summary>The profile of the snapshot's average: end time in images and exponent γ.</summary>
    public EmaProfile Profile => new(ImagesSeen, Gamma);

    /// <summary>The file name EDM2-style: <c>phema-{images seen, 9 digits}-{σ_rel, 3 decimals}.safetensors</c>, e.g. <c>phema-000409600-0.050.safetensors</c>.</summary>
    /// <param name="imagesSeen">Images seen.</param>
    /// <param name="sigmaRel">σ_rel.</param>
    /// <returns>The file name (no directory).</returns>
    public static string FileName(long imagesSeen, double sigmaRel) =>
        string.Create(CultureInfo.InvariantCulture, $"phema-{imagesSeen:D9}-{sigmaRel:0.000}.safetensors");

    /// <summary>Reads a snapshot's metadata without touching its tensors.</summary>
    /// <param name="path">The snapshot file.</param>
    /// <returns>The description.</returns>
    /// <exception cref="InvalidDataException">The file is not a power-EMA snapshot or its metadata is incomplete.</exception>
    public static EmaSnapshotInfo Read(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        return TryParse(file.Path, file.Metadata)
            ?? throw new InvalidDataException($"'{file.Path}' is not a power-EMA snapshot: its metadata has no '{FormatKey}' = '{FormatTag}' entry.");
    }

    /// <summary>Every power-EMA snapshot in a directory (other safetensors files are skipped), sorted by images seen, then σ_rel.</summary>
    /// <param name="directory">The snapshot directory.</param>
    /// <returns>The snapshots found.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static IReadOnlyList<EmaSnapshotInfo> List(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var found = new List<EmaSnapshotInfo>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "*.safetensors"))
        {
            using SafeTensorsFile file = SafeTensorsFile.Open(path);
            if (TryParse(file.Path, file.Metadata) is { } info)
            {
                found.Add(info);
            }
        }

        return [.. found.OrderBy(static s => s.ImagesSeen).ThenBy(static s => s.SigmaRel).ThenBy(static s => s.Path, StringComparer.Ordinal)];
    }

    internal static Dictionary<string, string> Metadata(long imagesSeen, long batchImages, PowerEmaTracker tracker) => new(StringComparer.Ordinal)
    {
        [FormatKey] = FormatTag,
        [ImagesSeenKey] = EmaArguments.Format(imagesSeen),
        [SigmaRelKey] = EmaArguments.Format(tracker.SigmaRel),
        [GammaKey] = EmaArguments.Format(tracker.Gamma),
        [BatchKey] = EmaArguments.Format(batchImages),
        [TrackerKey] = tracker.Name,
        [BuffersKey] = JsonSerializer.Serialize(tracker.BufferKeys),
    };

    private static EmaSnapshotInfo? TryParse(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(FormatKey, out string? format) || !string.Equals(format, FormatTag, StringComparison.Ordinal))
        {
            return null;
        }

        string Get(string key) => metadata.TryGetValue(key, out string? v)
            ? v
            : throw new InvalidDataException($"The power-EMA snapshot '{path}' has no '{key}' metadata entry.");

        string what = $"'{path}' metadata";
        string[] buffers;
        try
        {
            buffers = JsonSerializer.Deserialize<string[]>(Get(BuffersKey)) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The power-EMA snapshot '{path}' has an invalid '{BuffersKey}' entry (expected a JSON array of keys).", e);
        }

        return new EmaSnapshotInfo(
            path,
            EmaArguments.ParseInt64(Get(ImagesSeenKey), what + " " + ImagesSeenKey),
            EmaArguments.ParseDouble(Get(SigmaRelKey), what + " " + SigmaRelKey),
            EmaArguments.ParseDouble(Get(GammaKey), what + " " + GammaKey),
            EmaArguments.ParseInt64(Get(BatchKey), what + " " + BatchKey),
            Get(TrackerKey),
            buffers);
    }
}
