namespace DiffusionCore.Training.Ema;

/// <summary>
/// When to store power-EMA snapshots, in images seen (Karras et al. 2024, EDM2 App. C.3: snapshots at regular intervals
/// of training time). A snapshot is due after the step whose images cross a multiple of the interval, so batch sizes
/// that do not divide the interval, or change during the run, still give one snapshot per interval.
/// </summary>
public sealed class EmaSnapshotSchedule
{
    /// <summary>Creates a schedule.</summary>
    /// <param name="intervalImages">Images between snapshots, &gt; 0.</param>
    public EmaSnapshotSchedule(long intervalImages)
    {
        if (intervalImages <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalImages), intervalImages, $"The snapshot interval must be at least one image; got {intervalImages}.");
        }

        IntervalImages = intervalImages;
    }

    /// <summary>Images between snapshots.</summary>
    public long IntervalImages { get; }

    /// <summary>Whether the step that took the count of images seen from n − batch to n crosses (or reaches) a multiple of the interval.</summary>
    /// <param name="imagesSeen">Images seen after the step (n).</param>
    /// <param name="batchImages">Images in the step.</param>
    /// <returns>True when a snapshot should be written now.</returns>
    public bool IsDue(long imagesSeen, long batchImages)
    {
        EmaArguments.ValidateStep(imagesSeen, batchImages);
        return imagesSeen / IntervalImages > (imagesSeen - batchImages) / IntervalImages;
    }
}
