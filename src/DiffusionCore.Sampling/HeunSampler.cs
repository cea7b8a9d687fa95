using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="HeunSampler"/>.</summary>
public sealed record HeunOptions : SamplerOptions
{
    /// <summary>EDM churn: <see cref="StochasticityOptions.None"/> (default) gives the deterministic Heun sampler.</summary>
    public StochasticityOptions Stochasticity { get; init; } = StochasticityOptions.None;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(Stochasticity, nameof(Stochasticity));
        Stochasticity.Validate();
    }
}

/// <summary>
/// The EDM sampler (Karras et al. 2022, Algorithm 2): Heun's second-order method on <c>dx/dσ = (x − D(x; σ))/σ</c>
/// with an Euler step into σ = 0, and optional churn (S_churn, S_min, S_max, S_noise). 2N−1 denoiser calls when the
/// schedule ends at 0 (35 for N = 18). Deterministic Heun is Algorithm 1 with σ(t) = t, s(t) = 1.
/// </summary>
public sealed class HeunSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public HeunSampler(HeunOptions? options = null)
    {
        Options = options ?? new HeunOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public HeunOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: true);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        StochasticityOptions churn = Options.Stochasticity;
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress,
            churn.IsStochastic ? ChurnStep.NoiseReason : null, cancellationToken);
        return run.Run(run.Initial, (i, xCur) => EdmStep.Apply(run, churn, i, xCur, secondOrder: true));
    }
}
