using DiffusionCore.Torch;

namespace DiffusionCore.Sampling;

/// <summary>Options of the <see cref="DpmSolverPlusPlus3MSdeSampler"/> (η = 1 and S_noise = 1 by default).</summary>
public sealed record DpmSolverPlusPlus3MSdeOptions : AncestralNoiseOptions;

/// <summary>
/// DPM-Solver++(3M) SDE (Lu et al. 2022, "DPM-Solver++": Algorithm 2 extended to three steps, in
/// its SDE form; k-diffusion's <c>sample_dpmpp_3m_sde</c>) in the σ form. With h = ln(σ_i/σ_{i+1}),
/// H = (1+η)·h and τ = (λ − λ_i)/h, the last three denoiser outputs (at τ = 0, −r₀, −r₀−r₁; r₀ = h_{i−1}/h,
/// r₁ = h_{i−2}/h) define the quadratic <c>D(τ) = D_i + a·τ + b·τ²</c> with <c>d₀ = (D_i − D_{i−1})/r₀</c>,
/// <c>d₁ = (D_{i−1} − D_{i−2})/r₁</c>, <c>b = (d₀ − d₁)/(r₀ + r₁)</c>, <c>a = d₀ + b·r₀</c>, integrated exactly against
/// the step's kernel: <c>x_{i+1} = (σ_{i+1}/σ_i)·e^{−ηh}·x_i + H·φ₁(−H)·D_i + H·φ₂(−H)·a + 2H·φ₃(−H)·b +
/// σ_{i+1}·√(1 − e^{−2ηh})·S_noise·z</c>. The first two steps use the first- and second-order forms; the step into
/// σ = 0 returns D. η = 0 is a third-order ODE solver (k-diffusion weights b by H·φ₃ alone, half the exact integral,
/// which measures second order on the mixture oracle). Noise from the <see cref="INoiseSource"/>. N denoiser calls.
/// </summary>
public sealed class DpmSolverPlusPlus3MSdeSampler : ISampler
{
    /// <summary>Creates the sampler.</summary>
    public DpmSolverPlusPlus3MSdeSampler(DpmSolverPlusPlus3MSdeOptions? options = null)
    {
        Options = options ?? new DpmSolverPlusPlus3MSdeOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public DpmSolverPlusPlus3MSdeOptions Options { get; }

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
            Options.IsStochastic ? DataPredictionStep.NoiseReason : null, cancellationToken);
        return DataPredictionStep.Sample(run, Options, historyLength: 2, (i, h, denoised, history) =>
        {
            double[] w = ExponentialIntegrator.PolynomialWeights((1 + Options.Eta) * h, 3);
            double r0 = DataPredictionStep.LogStep(run.Sigmas[i - 1], run.Sigmas[i]) / h;
            Tensor d0 = (denoised - history[0]) * (1 / r0);
            if (history.Count == 1)
            {
                return d0 * w[1];
            }

            double r1 = DataPredictionStep.LogStep(run.Sigmas[i - 2], run.Sigmas[i - 1]) / h;
            Tensor d1 = (history[0] - history[1]) * (1 / r1);
            Tensor b = (d0 - d1) * (1 / (r0 + r1));
            Tensor a = d0 + (b * r0);
            return (a * w[1]) + (b * w[2]);
        });
    }
}
