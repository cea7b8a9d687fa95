namespace DiffusionCore.Sampling;

/// <summary>One probe of a batch size: a denoiser call timed after a warm-up call of the same size.</summary>
/// <param name="BatchSize">The images in the probe call.</param>
/// <param name="SecondsPerImage">Wall time of the timed call divided by <paramref name="BatchSize"/>.</param>
/// <param name="PeakBytes">The most CPU tensor bytes the warm-up call held above what was held before it, or null
/// when memory was not measured.</param>
public readonly record struct BatchProbe(int BatchSize, double SecondsPerImage, long? PeakBytes);

/// <summary>The batch size <see cref="SamplingBatchPlanner"/> chose, and what it measured to choose it.</summary>
/// <param name="BatchSize">The chosen size.</param>
/// <param name="Reason">Why this size, in words (for logs).</param>
/// <param name="BudgetBytes">The memory budget, or null when memory was not measured.</param>
/// <param name="BytesPerImage">The measured growth of a call's peak CPU tensor bytes per image (plus the sampler-state
/// allowance), or null when memory was not measured.</param>
/// <param name="Probes">Every probe, in the order run (empty for a fixed size).</param>
public sealed record SamplingBatchPlan(int BatchSize, string Reason, long? BudgetBytes, long? BytesPerImage, IReadOnlyList<BatchProbe> Probes);
