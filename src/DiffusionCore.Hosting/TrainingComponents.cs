using DiffusionCore.Data;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;

namespace DiffusionCore.Hosting;

/// <summary>
/// What a <see cref="DiffusionTrainer"/> trains, built by the factory given to
/// <see cref="DiffusionCoreServiceCollectionExtensions.AddDiffusionTraining"/>: the network, its loss, the data and the
/// EMA trackers. The container owns it: disposing the service provider disposes the trainer (which disposes the
/// trackers), then these components (the network, and the dataset when it is disposable).
/// </summary>
/// <param name="network">The module whose parameters are trained (for example an <c>Edm2Denoiser</c>).</param>
/// <param name="loss">The training loss bound to <paramref name="network"/> (for example <see cref="Edm2Loss"/>).</param>
/// <param name="dataset">The training images.</param>
/// <param name="emaTrackers">EMA trackers updated after every step (none when null).</param>
public sealed class TrainingComponents(Module network, ITrainingLoss loss, IImageDataset dataset, IReadOnlyList<IEmaTracker>? emaTrackers = null) : IDisposable
{
    /// <summary>The trained module.</summary>
    public Module Network { get; } = network ?? throw new ArgumentNullException(nameof(network));

    /// <summary>The loss bound to <see cref="Network"/>.</summary>
    public ITrainingLoss Loss { get; } = loss ?? throw new ArgumentNullException(nameof(loss));

    /// <summary>The training images.</summary>
    public IImageDataset Dataset { get; } = dataset ?? throw new ArgumentNullException(nameof(dataset));

    /// <summary>The EMA trackers (owned by the trainer once it is built).</summary>
    public IReadOnlyList<IEmaTracker> EmaTrackers { get; } = emaTrackers ?? [];

    /// <summary>Disposes the network, and the dataset when it is disposable.</summary>
    public void Dispose()
    {
        Network.Dispose();
        (Dataset as IDisposable)?.Dispose();
    }
}
