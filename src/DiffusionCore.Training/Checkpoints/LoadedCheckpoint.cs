using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Training.Checkpoints;

/// <summary>A checkpoint read completely into memory and checked. Disposing it disposes the tensors.</summary>
/// <param name="File">Which file.</param>
/// <param name="Contents">Its tensors and metadata.</param>
public sealed record LoadedCheckpoint(CheckpointFile File, SafeTensorsContents Contents) : IDisposable
{
    /// <summary>Disposes the tensors.</summary>
    public void Dispose() => Contents.Dispose();
}
