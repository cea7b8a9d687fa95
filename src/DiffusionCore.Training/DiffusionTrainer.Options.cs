using DiffusionCore.Data;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Training.Ema;
using DiffusionCore.Training.Losses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Training;

public partial class DiffusionTrainer
{
    /// <summary>
    /// Creates a trainer from options bound through <see cref="IOptions{TOptions}"/> (dependency injection; docs/hosting.md):
    /// the same as the constructor taking <see cref="TrainingOptions"/>, with <paramref name="options"/>'s value.
    /// </summary>
    /// <param name="network">The module whose parameters are trained (for example an <c>Edm2Denoiser</c>).</param>
    /// <param name="loss">The training loss bound to that network (for example <see cref="Edm2Loss"/>).</param>
    /// <param name="dataset">The training images.</param>
    /// <param name="options">The run options; validated here (<see cref="TrainingOptionsValidator"/>) as well as on start when registered with ValidateOnStart.</param>
    /// <param name="emaTrackers">EMA trackers updated after every step and checkpointed (names must be unique); the trainer owns and disposes them.</param>
    /// <param name="logger">The logger (none when null).</param>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public DiffusionTrainer(
        Module network,
        ITrainingLoss loss,
        IImageDataset dataset,
        IOptions<TrainingOptions> options,
        IEnumerable<IEmaTracker>? emaTrackers = null,
        ILogger<DiffusionTrainer>? logger = null)
        : this(network, loss, dataset, (options ?? throw new ArgumentNullException(nameof(options))).Value, emaTrackers, logger)
    {
    }
}
