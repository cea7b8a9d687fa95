using Microsoft.Extensions.Logging;

namespace DiffusionCore.Training;

/// <summary>Source-generated log messages of training and checkpoints.</summary>
internal static partial class TrainingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Training started at {ImagesSeen} of {TotalImages} images (batch {BatchSize} in {Rounds} round(s), {Parameters} parameters, {Precision} products)")]
    public static partial void Started(ILogger logger, long imagesSeen, long totalImages, int batchSize, int rounds, long parameters, string precision);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{ImagesSeen}/{TotalImages} images: loss {Loss:F5}, lr {LearningRate:G4}, {ImagesPerSecond:F1} images/s")]
    public static partial void Progress(ILogger logger, long imagesSeen, long totalImages, double loss, double learningRate, double imagesPerSecond);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Checkpoint written: {Path} ({ImagesSeen} images)")]
    public static partial void CheckpointWritten(ILogger logger, string path, long imagesSeen);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Resumed from {Path} at {ImagesSeen} images")]
    public static partial void Resumed(ILogger logger, string path, long imagesSeen);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Skipping checkpoint {Path}: it cannot be read ({Reason}); trying the previous one")]
    public static partial void CheckpointSkipped(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Training cancelled at {ImagesSeen} images; checkpoint written")]
    public static partial void Cancelled(ILogger logger, long imagesSeen);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Training finished at {ImagesSeen} images")]
    public static partial void Finished(ILogger logger, long imagesSeen);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Deleted old checkpoint {Path}")]
    public static partial void CheckpointDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "The checkpoint was written with different options; continuing with the current ones. Saved: {Saved}")]
    public static partial void OptionsChanged(ILogger logger, string saved);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Step at {ImagesSeen} images had a non-finite loss {Loss}; non-finite gradients were zeroed")]
    public static partial void NonFiniteLoss(ILogger logger, long imagesSeen, double loss);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Snapshot written: {Path}")]
    public static partial void SnapshotWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The checkpoint {Path} was written with {SavedThreads} intra-op thread(s) and this process uses {Threads}: the run continues, but not bit for bit as it would have (reductions split their work by thread); set Torch.NumThreads = {SavedThreads} for an exact resume")]
    public static partial void ThreadCountChanged(ILogger logger, string path, int savedThreads, int threads);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Deleted {Path}, the temporary file of a checkpoint write that did not finish")]
    public static partial void StaleTemporaryDeleted(ILogger logger, string path);
    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "The checkpoint's per-step random streams were derived as {Saved}; this version derives them as {Current}, so the resumed run continues with other draws than the run that wrote it")]
    public static partial void SeedSchemeChanged(ILogger logger, string saved, string current);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "The checkpoint was trained by {SavedWorldSize} rank(s) and resumes on {WorldSize}: the global batch, data order and noise are unchanged; only the summation order of the gradients and the dropout, mask and augmentation streams of ranks other than 0 differ")]
    public static partial void WorldSizeChanged(ILogger logger, string savedWorldSize, int worldSize);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Masked pre-training ended at {ImagesSeen} images: fine-tuning without masks with a fresh optimizer")]
    public static partial void FineTuningStarted(ILogger logger, long imagesSeen);
    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "libtorch {Version} runs {Threads}")]
    public static partial void Threads(ILogger logger, string version, string threads);
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Checkpoints will not be self-describing (DiffusionModel.Load needs code to rebuild the network): {Reason}")]
    public static partial void NotSelfDescribing(ILogger logger, string reason);
}
