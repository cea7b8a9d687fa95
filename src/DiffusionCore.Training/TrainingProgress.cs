namespace DiffusionCore.Training;

/// <summary>Progress reported after every optimizer step of a <see cref="DiffusionTrainer"/>.</summary>
/// <param name="ImagesSeen">Images seen after the step.</param>
/// <param name="TotalImages">The budget in images.</param>
/// <param name="Loss">The step's loss averaged over its batch (per-sample sums, Karras et al. 2022, Eq. 2).</param>
/// <param name="LearningRate">The learning rate of the step.</param>
/// <param name="ImagesPerSecond">Throughput of this invocation so far.</param>
/// <param name="GradientNorm">The global gradient norm before clipping, when clipping is on; otherwise null.</param>
public sealed record TrainingProgress(long ImagesSeen, long TotalImages, double Loss, double LearningRate, double ImagesPerSecond, double? GradientNorm);
