using Microsoft.Extensions.Logging;

namespace DiffusionCore.Sampling;

/// <summary>Source-generated log messages of sampling: progress at Debug, summaries at Information.</summary>
internal static partial class SamplingLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "{Sampler} step {Step}/{Steps}: σ {Sigma:G4} → {SigmaNext:G4}, {FunctionEvaluations} denoiser call(s) so far")]
    public static partial void Step(ILogger logger, string sampler, int step, int steps, double sigma, double sigmaNext, int functionEvaluations);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{Sampler} sampled {Images} image(s) in {Steps} step(s), {FunctionEvaluations} denoiser call(s), {Seconds:F2} s")]
    public static partial void Sampled(ILogger logger, string sampler, long images, int steps, int functionEvaluations, double seconds);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Generating {Images} image(s) with {Sampler} in batches of {BatchSize}: {Reason}")]
    public static partial void Planned(ILogger logger, int images, string sampler, int batchSize, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "{ImagesDone}/{Images} image(s) generated")]
    public static partial void BatchDone(ILogger logger, int imagesDone, int images);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Generated {Images} image(s) in {Seconds:F1} s ({ImagesPerSecond:F2} images/s, {FunctionEvaluations} denoiser call(s) per image)")]
    public static partial void Generated(ILogger logger, int images, double seconds, double imagesPerSecond, int functionEvaluations);
}
