using System.Diagnostics;
using DiffusionCore.Torch;
using Microsoft.Extensions.Logging;

namespace DiffusionCore.Sampling;

/// <summary>
/// A sampler that logs what another does: every step at Debug (σ_i → σ_{i+1} and the denoiser calls so far) and each
/// run's summary at Information (images, steps, denoiser calls, seconds). The samples are the inner sampler's, bit for
/// bit; the caller's progress reporter still receives every step. Stateless like the sampler it wraps. Create it with
/// <see cref="SamplerLogging.WithLogging"/>; the hosting package registers samplers this way (docs/hosting.md).
/// </summary>
public sealed class LoggingSampler : ISampler
{
    private readonly ILogger _logger;
    private readonly string _name;

    /// <summary>Wraps <paramref name="inner"/>, logging to <paramref name="logger"/>.</summary>
    public LoggingSampler(ISampler inner, ILogger logger)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _name = inner.GetType().Name;
    }

    /// <summary>The sampler that does the work.</summary>
    public ISampler Inner { get; }

    /// <inheritdoc />
    public SamplerOptions Options => Inner.Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => Inner.FunctionEvaluations(sigmas);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        IProgress<SamplerStep>? steps = progress;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            steps = new SynchronousProgress<SamplerStep>(s =>
            {
                SamplingLog.Step(_logger, _name, s.Index + 1, s.Steps, s.Sigma, s.SigmaNext, s.FunctionEvaluations);
                progress?.Report(s);
            });
        }

        long start = Stopwatch.GetTimestamp();
        SamplingResult result = Inner.Sample(denoiser, x, sigmas, conditioning, noise, steps, cancellationToken);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long images = x.Shape.Length > 0 ? x.Shape[0] : 1;
        SamplingLog.Sampled(_logger, _name, images, result.Steps, result.FunctionEvaluations, seconds);
        return result;
    }
}

/// <summary>Logging for samplers.</summary>
public static class SamplerLogging
{
    /// <summary>
    /// <paramref name="sampler"/> logging to <paramref name="logger"/> (<see cref="LoggingSampler"/>); the sampler
    /// itself when the logger is null. A sampler already logging is not wrapped twice.
    /// </summary>
    public static ISampler WithLogging(this ISampler sampler, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        return logger is null || sampler is LoggingSampler ? sampler : new LoggingSampler(sampler, logger);
    }
}
