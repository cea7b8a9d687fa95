using System.Diagnostics;
using DiffusionCore.Torch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiffusionCore.Sampling;

/// <summary>Progress of <see cref="BatchedSampling.Generate"/>, reported after every batch.</summary>
/// <param name="ImagesDone">Images finished so far.</param>
/// <param name="Images">Images requested.</param>
/// <param name="BatchSize">The planned batch size.</param>
public readonly record struct BatchedSamplingProgress(int ImagesDone, int Images, int BatchSize);

/// <summary>The images of <see cref="BatchedSampling.Generate"/> and the batch plan that produced them.</summary>
/// <param name="Samples">All images <c>[N, ...]</c> in float32, image k from seed k, owned by the caller's enclosing
/// <see cref="TensorScope"/> (or by the caller when none is open).</param>
/// <param name="Plan">The batch size used and how it was chosen.</param>
/// <param name="FunctionEvaluations">Denoiser calls per image (NFE).</param>
public sealed record BatchedSamplingResult(Tensor Samples, SamplingBatchPlan Plan, int FunctionEvaluations);

/// <summary>
/// Generates any number of images with one sampler, in batches planned by <see cref="SamplingBatchPlanner"/> (or of
/// a fixed size): image k starts from <see cref="Latents.Initial"/> drawn from its own seed k
/// (<see cref="PerSampleNoiseSource"/>, which also feeds the sampler's stochastic steps), so it does not depend on
/// the batch it lands in, on the batch size, or on the other seeds. Each batch is written into one preallocated
/// output and its temporaries are freed before the next starts. A planned size's probes spend at most
/// <see cref="SamplingBatchOptions.MaxProbeShare"/> of the run's <c>seeds.Count × FunctionEvaluations(sigmas)</c> image evaluations.
/// </summary>
public static class BatchedSampling
{
    /// <summary>Generates <c>seeds.Count</c> images of <paramref name="imageShape"/>.</summary>
    /// <param name="sampler">The sampler; its <see cref="ISampler.Options"/> also govern the planning probes.</param>
    /// <param name="denoiser">The denoiser (guidance decorators included).</param>
    /// <param name="seeds">One seed per image.</param>
    /// <param name="imageShape">The shape of one image without the batch dimension (e.g. <c>[1, 32, 32]</c>).</param>
    /// <param name="sigmas">The noise levels, strictly decreasing (e.g. <see cref="Schedules.SigmaSchedules.Karras"/>).</param>
    /// <param name="conditioning">Conditioning for all images (batch first, <c>seeds.Count</c> rows), or null.</param>
    /// <param name="batching">Fixed or planned batch size (<see cref="SamplingBatchOptions"/>); planned when null.</param>
    /// <param name="device">The device to generate on (CPU when null).</param>
    /// <param name="progress">Called synchronously after every batch.</param>
    /// <param name="logger">Receives the batch plan and the summary at Information and each finished batch at Debug (none when null).</param>
    /// <param name="cancellationToken">Checked before every batch and every sampler step.</param>
    /// <exception cref="ArgumentException">An argument is invalid (no seed, a conditioning entry with another batch size, …).</exception>
    public static BatchedSamplingResult Generate(
        this ISampler sampler, IDenoiser denoiser, IReadOnlyList<ulong> seeds, ReadOnlySpan<long> imageShape, IReadOnlyList<double> sigmas,
        Conditioning? conditioning = null, SamplingBatchOptions? batching = null, Device? device = null,
        IProgress<BatchedSamplingProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(sigmas);
        if (seeds.Count == 0) throw new ArgumentException("Give at least one seed (one per image).", nameof(seeds));
        if (sigmas.Count < 2) throw new ArgumentException($"The schedule needs at least two noise levels; got {sigmas.Count}.", nameof(sigmas));
        cancellationToken.ThrowIfCancellationRequested();

        logger ??= NullLogger.Instance;
        long started = Stopwatch.GetTimestamp();
        int count = seeds.Count;
        SamplingBatchPlan plan = SamplingBatchPlanner.Plan(
            denoiser, imageShape, count, sigmas[0], sampler.Options, batching, conditioning, device, denoiserCallsPerImage: sampler.FunctionEvaluations(sigmas));
        string samplerName = (sampler is LoggingSampler logging ? logging.Inner : sampler).GetType().Name;
        SamplingLog.Planned(logger, count, samplerName, plan.BatchSize, plan.Reason);
        long[] outputShape = [count, .. imageShape];
        long[] batchShape = [.. outputShape];
        Tensor output;
        using (var outer = new TensorScope())
        {
            output = Tensor.Empty(outputShape, DType.Float32, device).MoveToOuterScope();
        }

        int nfe = 0;
        try
        {
            for (int start = 0; start < count; start += plan.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(plan.BatchSize, count - start);
                batchShape[0] = n;
                using var scope = new TensorScope();
                using var noise = new PerSampleNoiseSource(seeds.Skip(start).Take(n).ToArray());
                Tensor x = Latents.Initial(noise, batchShape, sigmas, device);
                SamplingResult r = sampler.Sample(denoiser, x, sigmas, conditioning?.Narrow(start, n), noise, null, cancellationToken);
                output.Narrow(0, start, n).CopyFrom(r.Samples);
                nfe = r.FunctionEvaluations;
                progress?.Report(new BatchedSamplingProgress(start + n, count, plan.BatchSize));
                SamplingLog.BatchDone(logger, start + n, count);
            }
        }
        catch
        {
            output.Dispose();
            throw;
        }

        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds, rate = count / Math.Max(seconds, 1e-9);
        SamplingLog.Generated(logger, count, seconds, rate, nfe);
        return new BatchedSamplingResult(output, plan, nfe);
    }
}
