using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>The job's own log messages (the library's stages log through their own categories).</summary>
internal static partial class JobLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DiffusionCore Fashion-MNIST job on libtorch {Version}, {Threads} thread(s); run directory {RunDirectory}")]
    public static partial void Started(ILogger logger, string version, int threads, string runDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Network} trained to {ImagesSeen:N0} images ({Outcome}), {ImagesPerSecond:F0} img/s, recent loss {FinalLoss:F4}")]
    public static partial void Trained(ILogger logger, string network, long imagesSeen, string outcome, double imagesPerSecond, double finalLoss);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "sampling with {Sampler}, {Steps} steps, {Guide} guidance {Guidance} from {Weights}")]
    public static partial void Sampling(ILogger logger, string sampler, int steps, GuideKind guide, double guidance, string weights);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "sampling batch {BatchSize}: {Reason}")]
    public static partial void BatchPlanned(ILogger logger, int batchSize, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "wrote {Grid} and {Count} PNGs under {Folder}")]
    public static partial void GridWritten(ILogger logger, string grid, int count, string folder);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "FD-FMNIST {FdFmnist:F2} over {Images} samples (real training images, same count: {FdRealSameCount:F2}); " +
        "class agreement {ClassAgreement:P1} (classifier test accuracy {ClassifierAccuracy:P1})")]
    public static partial void Evaluated(ILogger logger, double fdFmnist, long images, double fdRealSameCount, double? classAgreement, double classifierAccuracy);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "plan for {Minutes} min (a guided call takes {MillisecondsPerImage:F2} ms per image at batch {Batch}): {Plan}")]
    public static partial void Planned(ILogger logger, double minutes, double millisecondsPerImage, int batch, string plan);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "post-hoc sweep chose σ_rel {SigmaRel} and guidance {Guidance} ({Cells} cells of {Samples} images, {Seconds:F0} s)")]
    public static partial void Chosen(ILogger logger, double sigmaRel, double guidance, int cells, int samples, double seconds);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "guidance interval σ: {Interval}; the sweep (run) chooses among cells with class agreement ≥ {MinAgreement}")]
    public static partial void GuidanceSettings(ILogger logger, string interval, double minAgreement);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "no sweep cell reached class agreement {MinAgreement:P1}: chose the cell of highest agreement " +
        "({ClassAgreement:P1}: σ_rel {SigmaRel}, guidance {Guidance}, FD-FMNIST {FdFmnist:F1}); train longer, add larger guidance scales, or lower --min-agreement")]
    public static partial void AgreementNotMet(ILogger logger, double minAgreement, double? classAgreement, double sigmaRel, double guidance, double fdFmnist);
}
