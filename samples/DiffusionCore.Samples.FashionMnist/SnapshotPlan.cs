using DiffusionCore.Training.Ema;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// When the job stores EMA snapshots for post-hoc EMA (Karras et al. 2024, EDM2 App. C.3: at a regular interval of
/// images seen): <see cref="JobOptions.Snapshots"/> over the training, at an interval of images known up front (a
/// budget in images) or fixed from the measured speed once a twentieth of a time budget has passed (a budget in
/// time). At most that many are written during training, so their number and disk use stay bounded whatever the
/// speed; the trainer adds one at the end.
/// </summary>
internal sealed class SnapshotPlan
{
    private readonly int _count;
    private readonly double? _seconds;
    private EmaSnapshotSchedule? _schedule;
    private long _startImages = -1;
    private int _written;

    private SnapshotPlan(int count, long? intervalImages, double? seconds)
    {
        _count = count;
        _seconds = seconds;
        if (intervalImages is long n) _schedule = new EmaSnapshotSchedule(Math.Max(1, n));
    }

    /// <summary><paramref name="count"/> snapshots over a training that ends at <paramref name="totalImages"/> images.</summary>
    public static SnapshotPlan ForImages(long totalImages, int count) => new(count, totalImages / count, null);

    /// <summary><paramref name="count"/> snapshots over <paramref name="seconds"/> of training.</summary>
    public static SnapshotPlan ForTime(double seconds, int count) => new(count, null, seconds);

    /// <summary>The interval in images, once known.</summary>
    public long? IntervalImages => _schedule?.IntervalImages;

    /// <summary>Whether to write snapshots after the step that took images seen to <paramref name="imagesSeen"/>.</summary>
    /// <param name="imagesSeen">Images seen after the step.</param>
    /// <param name="batch">Images in the step.</param>
    /// <param name="elapsedSeconds">Training time so far (this session).</param>
    public bool IsDue(long imagesSeen, long batch, double elapsedSeconds)
    {
        if (_startImages < 0) _startImages = imagesSeen - batch;
        if (_schedule is null && _seconds is double total && elapsedSeconds >= total / 20 && elapsedSeconds > 0)
        {
            double rate = (imagesSeen - _startImages) / elapsedSeconds;
            _schedule = new EmaSnapshotSchedule(Math.Max(batch, (long)(rate * total / _count)));
        }

        if (_schedule is null || _written >= _count || !_schedule.IsDue(imagesSeen, batch)) return false;
        _written++;
        return true;
    }
}
