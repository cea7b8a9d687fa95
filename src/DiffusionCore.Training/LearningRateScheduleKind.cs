namespace DiffusionCore.Training;

/// <summary>The learning-rate schedule a <see cref="DiffusionTrainer"/> builds from <see cref="TrainingOptions"/>.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The EDM2 inverse-square-root decay with ramp-up (Karras et al. 2024, Eq. 2): <see cref="Schedules.InverseSqrtLearningRate"/>.</summary>
    InverseSqrt,

    /// <summary>A linear warm-up over <see cref="TrainingOptions.RampUpImages"/> to a constant rate: <see cref="Schedules.LinearWarmupLearningRate"/>.</summary>
    LinearWarmup,

    /// <summary>A constant rate: <see cref="Schedules.ConstantLearningRate"/>.</summary>
    Constant,
}
