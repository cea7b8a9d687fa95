namespace DiffusionCore.Training.Schedules;

/// <summary>A constant learning rate (EDM, Karras et al. 2022, Appendix F.3, after its ramp-up; DiT: 10⁻⁴).</summary>
public sealed class ConstantLearningRate : ILearningRateSchedule
{
    /// <summary>Creates it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite.</exception>
    public ConstantLearningRate(double learningRate)
    {
        ScheduleChecks.Rate(learningRate, nameof(learningRate));
        Rate = learningRate;
    }

    /// <summary>The learning rate.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public double LearningRate(long imagesSeen) => Rate;
}
