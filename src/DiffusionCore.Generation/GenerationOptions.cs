using DiffusionCore.Sampling;
using DiffusionCore.Torch;

namespace DiffusionCore.Generation;

/// <summary>What <see cref="GenerationPipeline.Generate"/> makes: one image per seed, with its class, sampler, σ grid and guidance.</summary>
public sealed record GenerationOptions
{
    /// <summary>One seed per image; image k starts from its own noise stream (<see cref="PerSampleNoiseSource"/>), so it does not depend on the others.</summary>
    public required IReadOnlyList<ulong> Seeds { get; init; }

    /// <summary>One class index per seed, or null for no class labels (an unconditional network, or the unconditional branch).</summary>
    public IReadOnlyList<int>? Classes { get; init; }

    /// <summary>Further conditioning entries with one row per seed (control metadata, text embeddings…), or null.</summary>
    public Conditioning? Conditioning { get; init; }

    /// <summary>The sampler (EDM Heun, Karras et al. 2022, Algorithm 2, by default).</summary>
    public ISampler Sampler { get; init; } = new HeunSampler();

    /// <summary>Steps of the default σ grid (Karras et al. 2022, Eq. 5, ρ = 7, over the network's σ range); ignored when <see cref="Sigmas"/> is set.</summary>
    public int Steps { get; init; } = 32;

    /// <summary>The σ grid, strictly decreasing (overrides <see cref="Steps"/>).</summary>
    public IReadOnlyList<double>? Sigmas { get; init; }

    /// <summary>
    /// The classifier-free guidance scale w (Ho &amp; Salimans 2022, Eq. 6); 1 = no guidance. The unconditional input is
    /// the one the network declares (zero one-hot row, or DiT's null label). Use <see cref="Guidance"/> for other decorators.
    /// </summary>
    public double GuidanceScale { get; init; } = 1;

    /// <summary>
    /// A guidance decorator built from the denoiser and the σ grid (autoguidance, CFG++, APG, a guidance interval…),
    /// instead of <see cref="GuidanceScale"/>; null for none.
    /// </summary>
    public Func<IDenoiser, IReadOnlyList<double>, IDenoiser>? Guidance { get; init; }

    /// <summary>Fixed or planned batch size; planned from the denoiser's measured speed and memory when null.</summary>
    public SamplingBatchOptions? Batching { get; init; }

    /// <summary>The device to generate on (CPU when null).</summary>
    public Device? Device { get; init; }
}
