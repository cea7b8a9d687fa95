using DiffusionCore.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Hosting;

/// <summary>
/// Runs <see cref="DiffusionTrainer.Run"/> in a host (docs/hosting.md). The training loop is CPU-bound and synchronous,
/// so it runs on a dedicated foreground thread, never on the thread pool and never as async work: the service's
/// <see cref="BackgroundService.ExecuteAsync"/> only awaits its completion. When the host stops (Ctrl+C, SIGTERM,
/// <see cref="IHostApplicationLifetime.StopApplication"/>), the stopping token reaches the trainer, which finishes the
/// current step, writes a checkpoint and returns; the next start resumes from it. A step plus a checkpoint can take
/// longer than the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>, 30 s by default): raise it for large
/// networks. Even past it, the foreground thread keeps the process alive until the checkpoint is written (writes are
/// atomic either way). An exception from the trainer fails <see cref="Completion"/> and, with the host's default
/// <c>BackgroundServiceExceptionBehavior.StopHost</c>, stops the host.
/// </summary>
public sealed partial class DiffusionTrainingService : BackgroundService
{
    private readonly DiffusionTrainer _trainer;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TrainingServiceOptions _options;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<TrainingResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the service (the container calls this).</summary>
    /// <param name="trainer">The trainer to run.</param>
    /// <param name="lifetime">The host's lifetime, stopped when training ends if <see cref="TrainingServiceOptions.StopApplicationWhenDone"/>.</param>
    /// <param name="options">How to run.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="progress">Receives a report after every step, on the training thread (none when not registered).</param>
    public DiffusionTrainingService(
        DiffusionTrainer trainer, IHostApplicationLifetime lifetime, IOptions<TrainingServiceOptions> options, ILogger<DiffusionTrainingService> logger,
        IProgress<TrainingProgress>? progress = null)
    {
        _trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));
        _lifetime = lifetime ?? throw new ArgumentNullException(nameof(lifetime));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _progress = progress;
    }

    /// <summary>Completes with the run's result when training ends (finished or stopped), or with its exception.</summary>
    public Task<TrainingResult> Completion => _completion.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var thread = new Thread(() => Train(stoppingToken)) { Name = _options.ThreadName, IsBackground = false };
        thread.Start();
        try
        {
            TrainingResult result = await _completion.Task.ConfigureAwait(false);
            Finished(_logger, result.ImagesSeen, result.Completed, result.LastCheckpoint ?? "none");
        }
        finally
        {
            if (_options.StopApplicationWhenDone) _lifetime.StopApplication();
        }
    }

    private void Train(CancellationToken stoppingToken)
    {
        try
        {
            _completion.SetResult(_trainer.Run(_progress, stoppingToken));
        }
#pragma warning disable CA1031 // Every failure is handed to the awaiting service, which rethrows it on the host's side.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _completion.SetException(ex);
        }
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Training service done at {ImagesSeen} images (completed: {Completed}); last checkpoint {Checkpoint}")]
    private static partial void Finished(ILogger logger, long imagesSeen, bool completed, string checkpoint);
}
