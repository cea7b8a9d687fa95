using DiffusionCore.Torch;

namespace DiffusionCore.Training.Ema;

/// <summary>Where and how often power-EMA snapshots are stored for post-hoc EMA (Karras et al. 2024, EDM2 §3, App. C.3).</summary>
public sealed record EmaSnapshotOptions
{
    /// <summary>The directory for the snapshot files; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>Images between snapshots (EDM2 stores one every 8 Mimg at batch 2048 over ~2 Gimg of training).</summary>
    public required long IntervalImages { get; init; }

    /// <summary>The dtype of stored averaged parameters: float16 as in EDM2 (buffers keep their own dtype).</summary>
    public DType StorageDType { get; init; } = DType.Float16;

    /// <summary>Throws with a clear message when a setting is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("The snapshot directory must be given.", nameof(Directory));
        }

        if (IntervalImages <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntervalImages), IntervalImages, $"The snapshot interval must be at least one image; got {IntervalImages}.");
        }

        if (!StorageDType.IsFloatingPoint())
        {
            throw new ArgumentOutOfRangeException(nameof(StorageDType), StorageDType, $"Snapshots store parameters as floating point (float16 by default); got {StorageDType}.");
        }
    }
}
