using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training.Checkpoints;
using DiffusionCore.Training.Ema;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Training;

/// <summary>
/// The files a <see cref="DiffusionTrainer"/> keeps in its run directory, for apps that train, reconstruct and sample
/// without knowing file names: the training-state checkpoints (<see cref="Checkpoints"/>) and the power-EMA snapshots
/// (<see cref="SnapshotDirectory"/>) that post-hoc EMA reads (Karras et al. 2024, §3).
/// </summary>
/// <example>
/// <code>
/// var run = new TrainingRun("runs/fashion-mnist");
/// var posthoc = new PostHocEmaReconstructor(run.ListSnapshots());   // after training
/// CheckpointFile? loaded = run.LoadLatestNetwork(network);          // or the raw weights of the newest valid checkpoint
/// </code>
/// </example>
public sealed class TrainingRun
{
    private const string SnapshotFolder = "snapshots";

    /// <summary>Describes the run in <paramref name="directory"/> (nothing is created or read yet).</summary>
    /// <param name="directory">The run directory (<see cref="TrainingOptions.RunDirectory"/>).</param>
    /// <param name="keepCheckpoints">How many checkpoints a write keeps (<see cref="TrainingOptions.KeepCheckpoints"/>).</param>
    /// <param name="logger">Receives skipped-checkpoint warnings (none when null).</param>
    public TrainingRun(string directory, int keepCheckpoints = 2, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Checkpoints = new CheckpointStore(directory, keepCheckpoints, logger);
    }

    /// <summary>The run directory (full path).</summary>
    public string Directory => Checkpoints.Directory;

    /// <summary>The training-state checkpoints of the run.</summary>
    public CheckpointStore Checkpoints { get; }

    /// <summary>Where the trainer writes the power-EMA snapshots (<see cref="DiffusionTrainer.WriteSnapshots"/>).</summary>
    public string SnapshotDirectory => Path.Combine(Directory, SnapshotFolder);

    /// <summary>The power-EMA snapshots written so far, sorted by images seen then σ_rel; empty when there are none.</summary>
    public IReadOnlyList<EmaSnapshotInfo> ListSnapshots() =>
        System.IO.Directory.Exists(SnapshotDirectory) ? EmaSnapshotInfo.List(SnapshotDirectory) : [];

    /// <summary>
    /// Copies the network weights of the newest valid checkpoint (<see cref="CheckpointStore.LoadLatestValid"/>: newer
    /// files that do not read completely are skipped) into <paramref name="network"/>, strictly by state-dict key.
    /// </summary>
    /// <param name="network">A module of the trained architecture.</param>
    /// <returns>The checkpoint read, or null when the run has none (the network is then unchanged).</returns>
    /// <exception cref="StateDictLoadException">The checkpoint holds another architecture.</exception>
    public CheckpointFile? LoadLatestNetwork(Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var scope = new TensorScope();
        using LoadedCheckpoint? checkpoint = Checkpoints.LoadLatestValid();
        if (checkpoint is null) return null;
        network.LoadStateDict(PrefixedEntries.Strip(checkpoint.Contents.Tensors, TrainingStateKeys.Network));
        return checkpoint.File;
    }
}
