using DiffusionCore.Models;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;
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

    /// <summary>
    /// The model description the trainer wrote into the newest readable checkpoint (<see cref="ModelDescription"/>), or
    /// null when the run has no checkpoint or its network does not describe itself.
    /// </summary>
    public ModelDescription? ReadModelDescription()
    {
        foreach (CheckpointFile file in Checkpoints.List().Reverse())
        {
            try
            {
                return ModelFile.ReadDescription(file.Path);
            }
            catch (SafeTensorsFormatException)
            {
                // A checkpoint that does not open (an interrupted copy): the previous one describes the same network.
            }
        }

        return null;
    }

    /// <summary>
    /// Exports the post-hoc EMA of the run with length <paramref name="sigmaRel"/> (Karras et al. 2024, §3.2: the
    /// average reconstructed from the power-EMA snapshots) as one self-describing model file, which
    /// <c>DiffusionModel.Load(path)</c> (DiffusionCore.Networks) rebuilds in another process without code.
    /// </summary>
    /// <param name="sigmaRel">The EMA length σ_rel (EDM2: around 0.05–0.15).</param>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <param name="imagesSeen">The end time (a snapshot's images seen), or null for the latest snapshot.</param>
    /// <param name="parameterDType">The stored dtype of floating-point tensors; float32 when null.</param>
    /// <returns>The path written.</returns>
    /// <exception cref="ModelFileException">
    /// The run has no snapshots (train with <see cref="TrainingOptions.SnapshotIntervalImages"/> and power EMAs), or its
    /// checkpoints do not describe the network (a network that does not implement <see cref="IDescribedModel"/>).
    /// </exception>
    public string ExportPostHocEma(double sigmaRel, string path, long? imagesSeen = null, DType? parameterDType = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        IReadOnlyList<EmaSnapshotInfo> snapshots = ListSnapshots();
        if (snapshots.Count == 0)
        {
            throw new ModelFileException(
                $"The run in {Directory} has no power-EMA snapshots in {SnapshotDirectory}: train with PowerEmaTracker.CreateSet(network) and " +
                "TrainingOptions.SnapshotIntervalImages > 0 (or call DiffusionTrainer.WriteSnapshots) before exporting a post-hoc EMA.");
        }

        ModelDescription description = ReadModelDescription() ?? throw new ModelFileException(
            $"The checkpoints in {Directory} do not describe the network (no '{ModelDescription.MetadataKey}'): its network does not implement " +
            "IDescribedModel, or the run was trained before self-describing files. Reconstruct with PostHocEmaReconstructor and load the weights in code.");
        using PostHocEmaResult result = new PostHocEmaReconstructor(snapshots).Reconstruct(sigmaRel, imagesSeen);
        result.Save(path, parameterDType, description);
        return path;
    }
}
