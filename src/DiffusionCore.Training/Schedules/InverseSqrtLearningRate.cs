namespace DiffusionCore.Training.Schedules;

/// <summary>
/// The EDM2 schedule (Karras et al. 2024, Section 3, Eq. 2 and Appendix):
/// <c>lr(n) = ref_lr / √max(n/(ref_batches·batch), 1) · min(n/rampup_images, 1)</c>, n = images seen before the step:
/// constant until <c>ref_batches</c> batches, then decaying as the inverse square root, after a linear ramp-up.
/// </summary>
public sealed class InverseSqrtLearningRate : ILearningRateSchedule
{
    /// <summary>Creates it (EDM2 img512-s: ref_lr 0.0100, ref_batches 70 000, batch 2048, ramp-up 10 M images).</summary>
    /// <param name="referenceLearningRate">ref_lr.</param>
    /// <param name="referenceBatches">ref_batches (0 = no decay).</param>
    /// <param name="batchSize">The batch size that converts ref_batches to images.</param>
    /// <param name="rampUpImages">Images of linear ramp-up (0 = none).</param>
    public InverseSqrtLearningRate(double referenceLearningRate, double referenceBatches, long batchSize, long rampUpImages)
    {
        ScheduleChecks.Rate(referenceLearningRate, nameof(referenceLearningRate));
        if (!(referenceBatches >= 0) || !double.IsFinite(referenceBatches))
        {
            throw new ArgumentOutOfRangeException(nameof(referenceBatches), referenceBatches, "ref_batches must be ≥ 0 (EDM2: 70 000; 0 = no decay).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rampUpImages);
        ReferenceLearningRate = referenceLearningRate;
        ReferenceBatches = referenceBatches;
        BatchSize = batchSize;
        RampUpImages = rampUpImages;
    }

    /// <summary>ref_lr.</summary>
    public double ReferenceLearningRate { get; }

    /// <summary>ref_batches.</summary>
    public double ReferenceBatches { get; }

    /// <summary>The batch size.</summary>
    public long BatchSize { get; }

    /// <summary>Images of linear ramp-up.</summary>
    public long RampUpImages { get; }

    /// <inheritdoc />
    public double LearningRate(long imagesSeen)
    {
        double lr = ReferenceLearningRate;
        if (ReferenceBatches > 0)
        {
            lr /= Math.Sqrt(Math.Max(imagesSeen / (ReferenceBatches * BatchSize), 1.0));
        }

        return lr * ScheduleChecks.Ramp(imagesSeen, RampUpImages);
    }
}
