using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="DdimSampler"/>.</summary>
public sealed record DdimOptions : SamplerOptions
{
    /// <summary>
    /// η ∈ [0, 1]: 0 (default) is deterministic DDIM, 1 the DDPM posterior (ancestral) sampler (Song et al. 2021a, Eq. 16).
    /// </summary>
    public double Eta { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Eta >= 0 && Eta <= 1)) throw new ArgumentException($"η must lie in [0, 1]; got {Eta} (0 = deterministic DDIM, 1 = ancestral DDPM).", nameof(Eta));
    }
}

/// <summary>
/// DDIM (Song et al. 2021a, Eq. 12 and 16) written in the variance-exploding σ form (x = x_VP/√ᾱ, σ = √((1−ᾱ)/ᾱ)):
/// from ε̂ = (x − D)/σ_i, <c>x_{i+1} = D + σ_down·ε̂ + σ_up·z</c> with
/// <c>σ_up = η·σ_{i+1}·√(σ_i² − σ_{i+1}²)/σ_i</c> and <c>σ_down = √(σ_{i+1}² − σ_up²)</c> (the η-noise of Eq. 16
/// rescaled by 1/√ᾱ_{i+1}). For discrete ε-models use the σ grid of
/// <see cref="Schedules.DiscreteSchedule.StepSigmas"/> and <see cref="Denoisers.PreconditionedDenoiser.EpsilonPrediction"/>.
/// N denoiser calls.
/// </summary>
public sealed class DdimSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public DdimSampler(DdimOptions? options = null)
    {
        Options = options ?? new DdimOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public DdimOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: false);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        double eta = Options.Eta;
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress,
            eta > 0 ? "DDIM with η > 0 adds fresh noise at every step (Song et al. 2021a, Eq. 12)." : null, cancellationToken);
        return run.Run(run.Initial, (i, xCur) => AncestralStep.Apply(run, i, xCur, eta, sNoise: 1));
    }
}
