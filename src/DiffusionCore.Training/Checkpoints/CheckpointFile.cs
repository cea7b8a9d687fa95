namespace DiffusionCore.Training.Checkpoints;

/// <summary>A training-state file in a run directory.</summary>
/// <param name="Path">The full path.</param>
/// <param name="ImagesSeen">The images seen, parsed from the file name.</param>
public sealed record CheckpointFile(string Path, long ImagesSeen);
