namespace DiffusionCore.Training.Schedules;

/// <summary>
/// A learning rate as a function of training time measured in images seen (Karras et al. 2024, EDM2, Section 3 and
/// Eq. 2), so changing the batch size or the accumulation rounds does not change the schedule.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate of the step that starts after <paramref name="imagesSeen"/> images.</summary>
    double LearningRate(long imagesSeen);
}
