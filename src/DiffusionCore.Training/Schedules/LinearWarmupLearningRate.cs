namespace DiffusionCore.Training.Schedules;

/// <summary>
/// A linear warm-up to a constant rate: <c>lr(n) = lr·min(n/warmup_images, 1)</c> (EDM, Karras et al. 2022,
/// Appendix F.3: 10 M images of ramp-up; n = images seen before the step).
/// </summary>
public sealed class LinearWarmupLearningRate : ILearningRateSchedule
{
    /// <summary>Creates it; <paramref name="warmupImages"/> = 0 means no warm-up.</summary>
    public LinearWarmupLearningRate(double learningRate, long warmupImages)
    {
        ScheduleChecks.Rate(learningRate, nameof(learningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupImages);
        Rate = learningRate;
        WarmupImages = warmupImages;
    }

    /// <summary>The rate after warm-up.</summary>
    public double Rate { get; }

    /// <summary>Images over which the rate rises linearly from 0.</summary>
    public long WarmupImages { get; }

    /// <inheritdoc />
    public double LearningRate(long imagesSeen) => Rate * ScheduleChecks.Ramp(imagesSeen, WarmupImages);
}
