using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="EulerSampler"/>.</summary>
public sealed record EulerOptions : SamplerOptions
{
    /// <summary>Optional EDM churn (deterministic by default).</summary>
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
/// Euler's method on the probability-flow ODE <c>dx/dσ = (x − D(x; σ))/σ</c> (Karras et al. 2022, Eq. 4 with
/// σ(t) = t, s(t) = 1; Algorithm 2 without the correction), optionally with EDM churn. First order; N denoiser calls.
/// With a σ grid of a discrete DDPM schedule it equals deterministic DDIM (Song et al. 2021a; Karras et al. 2022, Sect. 3).
/// </summary>
public sealed class EulerSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public EulerSampler(EulerOptions? options = null)
    {
        Options = options ?? new EulerOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public EulerOptions Options { get; }

    /// <inheritdoc />
    SamplerOptions ISampler.Options => Options;

    /// <inheritdoc />
    public int FunctionEvaluations(IReadOnlyList<double> sigmas) => SamplerRun.CountFunctionEvaluations(sigmas, secondOrder: false);

    /// <inheritdoc />
    public SamplingResult Sample(
        IDenoiser denoiser, Tensor x, IReadOnlyList<double> sigmas, Conditioning? conditioning = null, INoiseSource? noise = null,
        IProgress<SamplerStep>? progress = null, CancellationToken cancellationToken = default)
    {
        StochasticityOptions churn = Options.Stochasticity;
        using var run = new SamplerRun(denoiser, x, sigmas, Options, conditioning, noise, progress,
            churn.IsStochastic ? ChurnStep.NoiseReason : null, cancellationToken);
        return run.Run(run.Initial, (i, xCur) => EdmStep.Apply(run, churn, i, xCur, secondOrder: false));
    }
}
