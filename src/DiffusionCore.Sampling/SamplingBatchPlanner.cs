using System.Diagnostics;
using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>
/// Plans the batch size for sampling many images with one denoiser: "as large as memory allows, as fast per image
/// as the device allows". It probes the actual denoiser at growing sizes (1, 2, 4, …, the cap), each with a warm-up
/// call and <see cref="TimedCalls"/> timed calls (the fastest counts) at σ = the schedule's first level, under the
/// sampler's inference mode and product precision:
/// <list type="bullet">
/// <item>On the CPU, with <see cref="TensorMemory.IsCpuCounted"/>, the warm-up call's peak CPU tensor bytes are
/// measured; a linear fit through the last two probes predicts the next size, and no size is probed or chosen whose
/// predicted or measured peak, plus <see cref="StateBuffersPerImage"/> state-sized buffers per image and the
/// float32 output of all images, exceeds the budget.</item>
/// <item>Elsewhere (CUDA), or with <see cref="SamplingBatchOptions.MeasureMemory"/> off, the sizes are bounded by
/// out-of-memory errors: a size whose call throws <see cref="TorchOutOfMemoryException"/> ends the probing.</item>
/// <item>With <see cref="SamplingBatchOptions.TuneForThroughput"/> (default) the probing stops after two sizes in a
/// row whose calls took at least <see cref="DecisiveCallSeconds"/> and that are not 5 % faster per image than the best
/// so far, and the plan is the fastest size (a larger one within 2 % of it wins the tie): on a CPU the largest batch is
/// often not the fastest per image (docs/performance.md).</item>
/// <item>Given the run's denoiser calls per image, probing stops before it costs more than
/// <see cref="SamplingBatchOptions.MaxProbeShare"/> (5 %) of the run's denoiser work. When the allowance runs out while
/// per-image time is still falling and the calls are still short (a small job: 32 images of 10 steps reach only size
/// 2), the plan is, with memory measured, the largest size whose calls are predicted to stay short and whose memory
/// fits, up to the whole job, not the last size probed.</item>
/// </list>
/// The choice changes speed and memory only: with a <see cref="PerSampleNoiseSource"/> each image depends on its own
/// seed, not on the batch it lands in (<see cref="BatchedSampling"/>).
/// </summary>
public static class SamplingBatchPlanner
{
    /// <summary>
    /// State-sized buffers per image held by a sampler run outside the denoiser call (x, the denoised estimate, the
    /// slopes, the next state, churn noise, the initial noise): an allowance, not a measurement.
    /// </summary>
    public const int StateBuffersPerImage = 8;

    /// <summary>
    /// Only probe calls at least this long (seconds) can end the probing for being no faster: shorter calls are ruled by
    /// fixed per-call costs and by kernel choices that change from one small size to the next, not by the trend.
    /// </summary>
    public const double DecisiveCallSeconds = 0.2;

    /// <summary>Timed calls per probed size after its warm-up call; the fastest counts (host noise only adds time).</summary>
    public const int TimedCalls = 2;

    /// <summary>Plans the batch size for generating <paramref name="count"/> images of <paramref name="imageShape"/>.</summary>
    /// <param name="denoiser">The denoiser the sampler will call (guidance decorators included).</param>
    /// <param name="imageShape">The shape of one image, without the batch dimension (e.g. <c>[1, 32, 32]</c>).</param>
    /// <param name="count">How many images will be generated; the plan never exceeds it.</param>
    /// <param name="sigma">The noise level of the probe calls (the schedule's first level).</param>
    /// <param name="samplerOptions">The sampler's options: state dtype, inference mode and product precision of the probes.</param>
    /// <param name="options">How to plan (<see cref="SamplingBatchOptions"/>); default options when null.</param>
    /// <param name="conditioning">Conditioning for all <paramref name="count"/> images (the probes use its first rows), or null.</param>
    /// <param name="device">The device the images are generated on (CPU when null).</param>
    /// <param name="denoiserCallsPerImage">The denoiser calls the run will make per image (e.g. the step count); when
    /// given, probing stops before it has cost <see cref="SamplingBatchOptions.MaxProbeShare"/> of the run's calls.</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="InvalidOperationException">Not even one image fits in the memory budget; the message gives the numbers.</exception>
    /// <exception cref="TorchOutOfMemoryException">A one-image call runs out of device memory.</exception>
    public static SamplingBatchPlan Plan(
        IDenoiser denoiser, ReadOnlySpan<long> imageShape, int count, double sigma, SamplerOptions samplerOptions,
        SamplingBatchOptions? options = null, Conditioning? conditioning = null, Device? device = null, int? denoiserCallsPerImage = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(samplerOptions);
        options ??= new SamplingBatchOptions();
        options.Validate();
        samplerOptions.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!double.IsFinite(sigma) || sigma <= 0) throw new ArgumentException($"sigma must be finite and > 0; got {sigma}.", nameof(sigma));
        long imageElements = ImageElements(imageShape);
        conditioning?.ValidateBatch(count);
        if (denoiserCallsPerImage is < 1) throw new ArgumentException($"denoiserCallsPerImage must be >= 1 or null; got {denoiserCallsPerImage}.", nameof(denoiserCallsPerImage));

        if (options.BatchSize is int fixedSize)
        {
            return new SamplingBatchPlan(Math.Min(fixedSize, count), "fixed (SamplingBatchOptions.BatchSize)", null, null, []);
        }

        long? probeAllowance = denoiserCallsPerImage is int calls ? (long)(options.MaxProbeShare * count * calls) : null;
        var probe = new Prober(denoiser, imageShape.ToArray(), sigma, samplerOptions, conditioning, device ?? Device.Cpu, options);
        return probe.Run(count, imageElements, probeAllowance);
    }

    private static long ImageElements(ReadOnlySpan<long> shape)
    {
        if (shape.Length == 0) throw new ArgumentException("imageShape must have at least one dimension (e.g. [C, H, W]).", nameof(shape));
        long n = 1;
        foreach (long d in shape)
        {
            if (d < 1) throw new ArgumentException($"imageShape [{string.Join(", ", shape.ToArray())}] has a dimension < 1.", nameof(shape));
            n = checked(n * d);
        }

        return n;
    }

    private sealed class Prober(
        IDenoiser denoiser, long[] imageShape, double sigma, SamplerOptions samplerOptions, Conditioning? conditioning,
        Device device, SamplingBatchOptions options)
    {
        private readonly List<BatchProbe> _probes = [];
        private long _probeImageCalls;
        private readonly bool _measure = options.MeasureMemory && device.Type == DeviceType.Cpu && TensorMemory.IsCpuCounted;

        public SamplingBatchPlan Run(int count, long imageElements, long? probeAllowance)
        {
            int cap = Math.Min(count, options.MaxBatchSize);
            long statePerImage = StateBuffersPerImage * imageElements * samplerOptions.StateDType.ElementSize();
            long? budget = null;
            if (_measure)
            {
                long total = options.MemoryBudgetBytes ?? (long)(options.MemoryFraction * SystemMemory.AvailableBytes());
                long output = count * imageElements * DType.Float32.ElementSize();
                budget = total - output;
                if (budget <= statePerImage)
                {
                    throw new InvalidOperationException(
                        $"Sampling {count} images needs {Mib(output)} for the output and {Mib(statePerImage)} of sampler state per image, " +
                        $"but the memory budget is {Mib(total)}. Free memory, generate fewer images per call, or raise SamplingBatchOptions.MemoryBudgetBytes / MemoryFraction.");
                }
            }

            if (!options.TuneForThroughput && !_measure)
            {
                return LargestWithoutOutOfMemory(cap);
            }

            double best = double.PositiveInfinity;
            int sinceBest = 0;
            string stop = $"the cap {cap} (the image count or MaxBatchSize)";
            for (int b = 1; ; b = Math.Min(cap, b * 2))
            {
                bool last = b == cap;
                if (_measure && _probes.Count >= 2)
                {
                    long fit = LargestFitting(budget!.Value, statePerImage);
                    if (fit <= _probes[^1].BatchSize)
                    {
                        stop = $"the memory budget {Mib(budget.Value)}";
                        break;
                    }

                    if (fit < b || !options.TuneForThroughput)
                    {
                        // Untuned, jump from the two smallest sizes straight to the largest predicted to fit.
                        last = true;
                        stop = fit < cap ? $"the memory budget {Mib(budget.Value)}" : stop;
                        b = (int)Math.Min(cap, fit);
                    }
                }

                if (_probes.Count > 0 && probeAllowance is long allowance && _probeImageCalls + ((1 + TimedCalls) * (long)b) > allowance)
                {
                    stop = $"the probing allowance ({options.MaxProbeShare:P0} of the run's denoiser work)";
                    if (_measure && options.TuneForThroughput && sinceBest == 0 && _probes[^1].SecondsPerImage * _probes[^1].BatchSize < DecisiveCallSeconds)
                    {
                        return BeyondTheAllowance(cap, budget!.Value, statePerImage, stop);
                    }

                    break;
                }

                BatchProbe? accepted = null;
                for (int attempt = 0; ; attempt++)
                {
                    BatchProbe p;
                    try
                    {
                        p = Probe(b);
                    }
                    catch (TorchOutOfMemoryException) when (_probes.Count > 0)
                    {
                        stop = $"out of memory at batch {b}";
                        break;
                    }

                    long need = _measure ? p.PeakBytes!.Value + (b * statePerImage) : 0;
                    if (!_measure || need <= budget!.Value)
                    {
                        accepted = p;
                        break;
                    }

                    if (_probes.Count == 0) throw OneImageTooLarge(need, budget.Value);

                    stop = $"the memory budget {Mib(budget.Value)} (batch {b} measured {Mib(need)})";
                    BatchProbe prev = _probes[^1];
                    if (attempt >= 3 || b <= prev.BatchSize + 1) break;

                    // The linear fit under-predicted: retry at the size the measured growth since the last fitting probe allows.
                    long growth = Math.Max(1, (p.PeakBytes!.Value - prev.PeakBytes!.Value) / (b - prev.BatchSize)) + statePerImage;
                    long room = budget.Value - prev.PeakBytes.Value - (prev.BatchSize * statePerImage);
                    b = (int)Math.Clamp(prev.BatchSize + (room / growth), prev.BatchSize + 1, b - 1);
                    last = true;
                }

                if (accepted is not BatchProbe a) break;
                _probes.Add(a);
                if (a.SecondsPerImage < best * 0.95)
                {
                    best = a.SecondsPerImage;
                    sinceBest = 0;
                }
                else if (options.TuneForThroughput && a.SecondsPerImage * a.BatchSize >= DecisiveCallSeconds && ++sinceBest >= 2)
                {
                    stop = "two sizes in a row no faster per image";
                    break;
                }

                if (last) break;
            }

            return Choose(budget, statePerImage, stop);
        }

        private SamplingBatchPlan Choose(long? budget, long statePerImage, string stop)
        {
            BatchProbe chosen;
            string why;
            if (options.TuneForThroughput)
            {
                double fastest = _probes.Min(p => p.SecondsPerImage);
                chosen = _probes.Where(p => p.SecondsPerImage <= fastest * 1.02).MaxBy(p => p.BatchSize);
                why = $"fastest per image ({chosen.SecondsPerImage * 1e3:0.###} ms) of {_probes.Count} probed sizes; probing stopped at {stop}";
            }
            else
            {
                chosen = _probes.MaxBy(p => p.BatchSize);
                why = $"largest size that fits; probing stopped at {stop}";
            }

            long? perImage = _measure ? PerImage() + statePerImage : null;
            return new SamplingBatchPlan(chosen.BatchSize, why, budget, perImage, _probes.ToArray());
        }

        /// <summary>
        /// The probing allowance ran out while per-image time was still falling and the calls were still short (below
        /// <see cref="DecisiveCallSeconds"/>, so fixed per-call costs still rule): typical of a small job, whose allowance
        /// reaches only sizes 2–4. In that regime a larger batch is not slower per image, so the plan is the largest size
        /// whose call is predicted (at the last probe's per-image time) to stay below <see cref="DecisiveCallSeconds"/>
        /// and whose memory the fit allows, up to the cap (all of a small job that fits: one batch), rather than the last
        /// size the allowance could afford. Beyond that the caches decide, which only probes could tell.
        /// </summary>
        private SamplingBatchPlan BeyondTheAllowance(int cap, long budget, long statePerImage, string stop)
        {
            BatchProbe last = _probes[^1];
            long memory = LargestFitting(budget, statePerImage);
            long shortCalls = last.SecondsPerImage > 0 ? (long)Math.Min(int.MaxValue, DecisiveCallSeconds / last.SecondsPerImage) : int.MaxValue;
            int size = (int)Math.Clamp(Math.Min(memory, shortCalls), last.BatchSize, cap);
            string limit = size == cap ? $"the cap {cap} (the image count or MaxBatchSize)"
                : memory <= shortCalls ? $"the memory budget {Mib(budget)}"
                : $"calls predicted below {DecisiveCallSeconds} s";
            string why = $"per-image time still falling at batch {last.BatchSize} ({last.SecondsPerImage * last.BatchSize * 1e3:0.#} ms calls) when probing stopped at {stop}: " +
                         $"the largest size up to {limit}";
            return new SamplingBatchPlan(size, why, budget, PerImage() + statePerImage, _probes.ToArray());
        }

        private static InvalidOperationException OneImageTooLarge(long need, long budget) => new(
            $"One image needs {Mib(need)} of CPU tensor memory but the budget left after the output is {Mib(budget)}. " +
            "Free memory or raise SamplingBatchOptions.MemoryBudgetBytes / MemoryFraction.");

        /// <summary>Without memory counts and without tuning: the cap, halved until a call does not run out of memory.</summary>
        private SamplingBatchPlan LargestWithoutOutOfMemory(int cap)
        {
            for (int b = cap; ; b = Math.Max(1, b / 2))
            {
                try
                {
                    _probes.Add(Probe(b));
                    return new SamplingBatchPlan(b, b == cap ? $"the cap {cap}" : $"the largest size without running out of memory (halving from {cap})", null, null, _probes.ToArray());
                }
                catch (TorchOutOfMemoryException) when (b > 1)
                {
                }
            }
        }

        private long PerImage()
        {
            if (_probes.Count < 2) return _probes.Count == 1 ? _probes[0].PeakBytes!.Value / _probes[0].BatchSize : 0;
            BatchProbe a = _probes[^2], z = _probes[^1];
            return Math.Max(0, (z.PeakBytes!.Value - a.PeakBytes!.Value) / (z.BatchSize - a.BatchSize));
        }

        private long LargestFitting(long budget, long statePerImage)
        {
            BatchProbe z = _probes[^1];
            long slope = PerImage();
            long intercept = z.PeakBytes!.Value - (slope * z.BatchSize);
            long perImage = slope + statePerImage;
            return perImage <= 0 ? long.MaxValue : (budget - intercept) / perImage;
        }

        private BatchProbe Probe(int b)
        {
            using var scope = new TensorScope();
            using InferenceModeScope? inference = samplerOptions.UseInferenceMode ? new InferenceModeScope() : null;
            using var generator = new Generator(0);
            long[] shape = [b, .. imageShape];
            Tensor x = Tensor.Randn(shape, generator, samplerOptions.StateDType, device).MulInPlace(sigma);
            Tensor s = Tensor.Full([b], sigma, samplerOptions.StateDType, device);
            Conditioning c = conditioning?.Narrow(0, b) ?? Conditioning.None;
            using MatmulPrecisionScope precision = samplerOptions.Precision.Enter(device);
            long? peak = null;
            if (_measure)
            {
                peak = TensorMemory.MeasureCpuPeak(() => Call(x, s, c));
            }
            else
            {
                Call(x, s, c);
            }

            double seconds = double.PositiveInfinity;
            for (int i = 0; i < TimedCalls; i++)
            {
                long start = Stopwatch.GetTimestamp();
                Call(x, s, c);
                seconds = Math.Min(seconds, Stopwatch.GetElapsedTime(start).TotalSeconds);
            }

            _probeImageCalls += (1 + TimedCalls) * (long)b;
            return new BatchProbe(b, seconds / b, peak);
        }

        /// <summary>One denoiser call, finished (reading one value waits for an asynchronous device) and freed.</summary>
        private void Call(Tensor x, Tensor s, Conditioning c)
        {
            using var scope = new TensorScope();
            Tensor d = denoiser.Denoise(x, s, c);
            _ = d.Flatten().Narrow(0, 0, 1).ToDouble();
        }
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MiB");
}
