namespace DiffusionCore.Training;

/// <summary>How a <see cref="DiffusionTrainer.Run"/> invocation ended.</summary>
/// <param name="ImagesSeen">Images seen at the end.</param>
/// <param name="Completed">True when the budget was reached; false when cancelled.</param>
/// <param name="ResumedFromImages">Images seen of the checkpoint the run resumed from, or null for a fresh start.</param>
/// <param name="LastCheckpoint">The path of the last checkpoint written, or null.</param>
public sealed record TrainingResult(long ImagesSeen, bool Completed, long? ResumedFromImages, string? LastCheckpoint);
