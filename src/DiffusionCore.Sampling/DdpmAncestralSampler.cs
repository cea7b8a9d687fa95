using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>The reverse-step variance of ancestral DDPM (Ho et al. 2020, Sect. 3.2).</summary>
public enum DdpmVariance
{
    /// <summary>The true posterior variance β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t)·β_t ("fixed small"; equals DDIM with η = 1).</summary>
    Posterior = 0,

    /// <summary>β_t = 1 − ᾱ_t/ᾱ_{t−1} ("fixed large").</summary>
    Large = 1,
}

/// <summary>Options of the <see cref="DdpmAncestralSampler"/>.</summary>
public sealed record DdpmOptions : SamplerOptions
{
    /// <summary>The reverse-step variance (posterior by default).</summary>
    public DdpmVariance Variance { get; init; } = DdpmVariance.Posterior;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Variance)) throw new ArgumentException($"Unknown DDPM variance {Variance}.", nameof(Variance));
    }
}

/// <summary>
/// Ancestral DDPM sampling (Ho et al. 2020, Algorithm 2, Eq. 6–7) between the levels of any decreasing σ grid (use
/// <see cref="Schedules.DiscreteSchedule.StepSigmas"/> for a discrete ε-model), in the σ form x = x_VP/√ᾱ:
/// the posterior q(x_{i+1} | x_i, ŷ) has mean <c>ŷ + (σ_{i+1}²/σ_i²)·(x_i − ŷ)</c> and variance
/// <c>σ_{i+1}²·(σ_i² − σ_{i+1}²)/σ_i²</c> (β̃), or <c>(σ_i² − σ_{i+1}²)·(1+σ_{i+1}²)/(1+σ_i²)</c> for β_t. The last
/// step into σ = 0 returns ŷ. N denoiser calls.
/// </summary>
public sealed class DdpmAncestralSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public DdpmAncestralSampler(DdpmOptions? options = null)
    {
        Options = options ?? new DdpmOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public DdpmOptions Options { get; }

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
            "Ancestral DDPM adds fresh noise at every step (Ho et al. 2020, Algorithm 2, line 4).", cancellationToken);
        return run.Run(run.Initial, (i, xCur) => run.DenoisedStep(i, xCur, denoised =>
        {
            double s2 = run.Sigmas[i] * run.Sigmas[i];
            double n2 = run.Sigmas[i + 1] * run.Sigmas[i + 1];
            double variance = Options.Variance == DdpmVariance.Posterior
                ? n2 * (s2 - n2) / s2
                : (s2 - n2) * (1 + n2) / (1 + s2);
            return denoised + ((xCur - denoised) * (n2 / s2)) + (run.Noise() * Math.Sqrt(variance));
        }));
    }
}
