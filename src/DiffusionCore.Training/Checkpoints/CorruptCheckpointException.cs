namespace DiffusionCore.Training.Checkpoints;

/// <summary>
/// A checkpoint file that reads as safetensors but whose training state is unusable: a metadata value that does not
/// parse or is out of range, or a generator state libtorch rejects. <see cref="CheckpointStore.LoadLatestValid"/> logs
/// it and falls back to the previous checkpoint, as for a truncated or corrupt file.
/// </summary>
public sealed class CorruptCheckpointException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public CorruptCheckpointException()
        : base("The checkpoint is corrupt.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CorruptCheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    public CorruptCheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="filePath"/>, naming the <paramref name="problem"/>.</summary>
    public CorruptCheckpointException(string filePath, string problem, Exception? innerException = null)
        : base($"The checkpoint '{filePath}' is corrupt: {problem}.", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The checkpoint file, when known.</summary>
    public string? FilePath { get; }
}
