namespace DiffusionCore.Sampling;

/// <summary>
/// How <see cref="BatchedSampling"/> splits a request for many images into denoiser batches: a fixed
/// <see cref="BatchSize"/>, or (the default) a size planned by <see cref="SamplingBatchPlanner"/> from measurements
/// of the actual denoiser — the fastest per image among the sizes whose tensors fit in the memory budget.
/// </summary>
public sealed record SamplingBatchOptions
{
    /// <summary>A fixed batch size; null (default) plans it.</summary>
    public int? BatchSize { get; init; }

    /// <summary>The largest batch a plan may choose (default 4,096).</summary>
    public int MaxBatchSize { get; init; } = 4096;

    /// <summary>
    /// The bytes the planned batch's CPU tensors, the sampler state and the output may take; null (default) is
    /// <see cref="MemoryFraction"/> of <see cref="Torch.SystemMemory.AvailableBytes"/> when planning starts.
    /// </summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>The share of the available memory the default budget takes (default 0.5).</summary>
    public double MemoryFraction { get; init; } = 0.5;

    /// <summary>
    /// Measure CPU tensor memory while probing (default true; needs <see cref="Torch.TensorMemory.IsCpuCounted"/>).
    /// False, or on a non-CPU device, bounds the batch by <see cref="MaxBatchSize"/> and by out-of-memory errors only
    /// (the size halves until a probe call succeeds).
    /// </summary>
    public bool MeasureMemory { get; init; } = true;

    /// <summary>
    /// Choose the fastest size per image among those that fit (default true): on a CPU, per-image time usually
    /// rises again once a batch's activations outgrow the caches. False chooses the largest size that fits.
    /// </summary>
    public bool TuneForThroughput { get; init; } = true;

    /// <summary>
    /// The most of a run's denoiser work (images × calls per image) the probes may spend (default 0.05) when the
    /// planner knows the calls per image (<see cref="BatchedSampling.Generate"/> tells it <see cref="ISampler.FunctionEvaluations"/>).
    /// </summary>
    public double MaxProbeShare { get; init; } = 0.05;

    /// <summary>Throws <see cref="ArgumentException"/> when an option is invalid.</summary>
    public void Validate()
    {
        if (BatchSize is < 1) throw new ArgumentException($"BatchSize must be >= 1 or null (planned); got {BatchSize}.", nameof(BatchSize));
        if (MaxBatchSize < 1) throw new ArgumentException($"MaxBatchSize must be >= 1; got {MaxBatchSize}.", nameof(MaxBatchSize));
        if (MemoryBudgetBytes is <= 0) throw new ArgumentException($"MemoryBudgetBytes must be > 0 or null (a share of the available memory); got {MemoryBudgetBytes}.", nameof(MemoryBudgetBytes));
        if (!(MaxProbeShare > 0 && MaxProbeShare <= 1)) throw new ArgumentException($"MaxProbeShare must be in (0, 1]; got {MaxProbeShare}.", nameof(MaxProbeShare));
        if (!(MemoryFraction > 0 && MemoryFraction <= 1)) throw new ArgumentException($"MemoryFraction must be in (0, 1]; got {MemoryFraction}.", nameof(MemoryFraction));
    }
}
