using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="EulerAncestralSampler"/> (η = 1 and S_noise = 1 by default).</summary>
public sealed record EulerAncestralOptions : AncestralNoiseOptions;

/// <summary>
/// Euler ancestral (k-diffusion's <c>sample_euler_ancestral</c>; Song et al. 2021a, Eq. 12 and 16 in σ form): each
/// step takes an Euler step on <c>dx/dσ = (x − D)/σ</c> down to <c>σ_down = √(σ_{i+1}² − σ_up²)</c> and adds fresh noise
/// <c>S_noise·σ_up·z</c> with <c>σ_up = min(σ_{i+1}, η·σ_{i+1}·√(σ_i² − σ_{i+1}²)/σ_i)</c>; the step into σ = 0 returns D.
/// With η = 1 it samples the DDPM posterior; with η ≤ 1 and S_noise = 1 it is <see cref="DdimSampler"/>. The noise
/// comes from the <see cref="INoiseSource"/>, so with a <see cref="PerSampleNoiseSource"/> an image does not depend on
/// its batch. First order (weakly); N denoiser calls.
/// </summary>
public sealed class EulerAncestralSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public EulerAncestralSampler(EulerAncestralOptions? options = null)
    {
        Options = options ?? new EulerAncestralOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public EulerAncestralOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: false);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress,
            Options.IsStochastic ? "Euler ancestral adds fresh noise at every step (η > 0 and S_noise > 0)." : null, cancellationToken);
        return run.Run(run.Initial, (i, xCur) => AncestralStep.Apply(run, i, xCur, Options.Eta, Options.SNoise));
    }
}
