using Microsoft.Extensions.Logging;

namespace DiffusionCore.Evaluation;

/// <summary>The log messages of the evaluation package.</summary>
internal static partial class EvaluationLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Classifier epoch {Epoch}/{Epochs}: mean loss {Loss:F4}, {Seconds:F1} s")]
    public static partial void TrainingEpoch(ILogger logger, int epoch, int epochs, double loss, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Loaded the cached Fashion-MNIST classifier {Path} (test accuracy {Accuracy:P2})")]
    public static partial void ClassifierLoaded(ILogger logger, string path, double accuracy);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Training the Fashion-MNIST classifier ({Reason}); it will be cached at {Path}")]
    public static partial void ClassifierTraining(ILogger logger, string reason, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Trained the Fashion-MNIST classifier in {Seconds:F1} s: test accuracy {Accuracy:P2}")]
    public static partial void ClassifierTrained(ILogger logger, double seconds, double accuracy);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Rejected the cached file {Path}: {Reason}")]
    public static partial void CacheRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Computed the reference feature statistics of {Count} test images; cached at {Path}")]
    public static partial void ReferenceComputed(ILogger logger, long count, string path);
}
