using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Training.Ema;

/// <summary>
/// An exponential moving average of a network's parameters, updated after every optimizer step. Time is measured in
/// images seen (Karras et al. 2024, EDM2 §3), so the average does not depend on the batch size or on how a batch is
/// split into accumulation rounds. The trainer checkpoints every tracker through <see cref="SaveState"/> and
/// <see cref="LoadState"/>, so a resumed run continues each average bit for bit.
/// </summary>
public interface IEmaTracker : IDisposable
{
    /// <summary>A short name, unique among a run's trackers, used in checkpoint keys and snapshot file names (e.g. "phema-0.050").</summary>
    string Name { get; }

    /// <summary>Folds the network's current parameters into the average.</summary>
    /// <param name="network">The network being trained.</param>
    /// <param name="imagesSeen">Images seen after this step (n in the EDM2 update rule).</param>
    /// <param name="batchImages">Images in this step (the batch size).</param>
    void Update(Module network, long imagesSeen, long batchImages);

    /// <summary>Writes the averaged parameters (and the network's buffers) into <paramref name="target"/>, a network of the same architecture.</summary>
    void CopyTo(Module target);

    /// <summary>Adds this tracker's state to a checkpoint: tensors and exact metadata strings, every key starting with <paramref name="prefix"/>.</summary>
    void SaveState(IDictionary<string, Tensor> tensors, IDictionary<string, string> metadata, string prefix);

    /// <summary>Restores the state written by <see cref="SaveState"/> under <paramref name="prefix"/>; copies, does not keep the given tensors.</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string prefix);
}
